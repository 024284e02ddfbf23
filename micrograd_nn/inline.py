"""What a self-contained page inlines: bundled front-end files, and data inside a <script> element.

A page works offline because its CSS, scripts and data are written into it: ``bundled`` reads a file shipped
in a package's ``static/`` folder, ``inline_script`` checks that a script can sit inside a <script> element,
and ``script_safe`` / ``page_data`` write JSON that cannot end or confuse its element.  The stepper page and
the live training page both build on these.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def bundled(package: str, name: str) -> str:
    """The text of static/name shipped in package ("micrograd_nn.views", "micrograd_nn.live")."""
    return resources.files(package).joinpath("static").joinpath(name).read_text(encoding="utf-8")


def inline_script(package: str, name: str) -> str:
    """A bundled script's text, checked to be safe inside <script>...</script> (no </script, no <!--)."""
    text = bundled(package, name)
    if "</script" in text.lower() or "<!--" in text:
        raise RuntimeError(f"the bundled {name} cannot be inlined (it contains </script or <!--)")
    return text


def script_safe(text: str) -> str:
    """JSON or JavaScript that cannot end or confuse its <script> element: <, >, & as \\u escapes."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_data(payload: Any, *, compact: bool = False) -> str:
    """payload as JSON for a <script type="application/json"> element: every float exact, no NaN, script-safe."""
    separators = (",", ":") if compact else None
    return script_safe(json.dumps(payload, separators=separators, allow_nan=False))
