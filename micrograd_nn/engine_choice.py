"""Which engine runs: the compiled build of engine.py (with rules.py, errors.py, nn.py), or the same plain Python files.

``micrograd_nn/__init__.py`` calls ``load_engine()`` before anything else
imports the engine.  The plain-Python files run when ``MICROGRAD_NN_PURE=1``
is set, when there is no build, and when a build is stale: the build records
the SHA-256 of each source it compiled (``_build.json``), and a source edited
since then is run as plain Python, with one warning naming the remedy.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

COMPILED_MODULES = ("errors", "rules", "engine", "nn")  # in import order: engine imports rules and errors, nn engine
BUILD_RECORD = "_build.json"  # {module name: SHA-256 of its .py and .pxd}, written by setup.py's build
PACKAGE = Path(__file__).resolve().parent
SHARED_DECLARATIONS = ("c_math.pxd",)  # C declarations the compiled modules cimport


def source_hash(name: str) -> str:
    """The SHA-256 of micrograd_nn/<name>.py, <name>.pxd if present, and the shared .pxd files (as setup.py records)."""
    digest = hashlib.sha256()
    for file_name in (f"{name}.py", f"{name}.pxd", *SHARED_DECLARATIONS):
        path = PACKAGE / file_name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def built_modules() -> dict[str, str]:
    """The modules the build compiled, with the hash of the source each was compiled from ({} if none)."""
    try:
        return dict(json.loads((PACKAGE / BUILD_RECORD).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _has_extension(name: str) -> bool:
    return any((PACKAGE / f"{name}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _import_source(name: str) -> None:
    """Import micrograd_nn/<name>.py as plain Python, even where a compiled build sits beside it."""
    full_name = f"micrograd_nn.{name}"
    spec = importlib.util.spec_from_file_location(full_name, PACKAGE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[full_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[full_name]
        raise


# the one remedy named, the README's own command
REMEDY = "reinstall to compile it (.venv/bin/pip install -e '.[test]' --config-settings editable_mode=compat)"


def load_engine() -> str:
    """Import the engine's modules, compiled where a whole, fresh build exists; return "compiled" or "pure Python".

    The compiled modules call one another in C, so they run all compiled or all as plain Python: a module
    edited since the build, a build missing a module, or one that does not load means plain Python, with one
    warning naming the remedy.
    """
    forced_pure = os.environ.get("MICROGRAD_NN_PURE", "") not in ("", "0")
    built = built_modules()
    present = [name for name in COMPILED_MODULES if _has_extension(name)]
    stale = [name for name in present if built.get(name) != source_hash(name)]
    missing = [name for name in COMPILED_MODULES if name not in present] if present else []
    problem = ""
    if stale:
        problem = f"{', '.join(f'{n}.py' for n in stale)} changed since the engine was compiled"
    elif missing:
        problem = f"the build lacks {', '.join(f'{n}.py' for n in missing)} (a partial build)"
    if not (forced_pure or problem or not present):
        problem = _import_compiled()
    if problem and not forced_pure:
        warnings.warn(f"micrograd_nn: {problem}, so the plain-Python engine runs; {REMEDY}", RuntimeWarning,
                      stacklevel=3)
    if forced_pure or problem or not present:
        for name in COMPILED_MODULES:
            if f"micrograd_nn.{name}" not in sys.modules:
                _import_source(name)
    engine_file = sys.modules["micrograd_nn.engine"].__file__ or ""
    return "pure Python" if engine_file.endswith(".py") else "compiled"


def _import_compiled() -> str:
    """Import every compiled module; "" if they all load, else what went wrong (none of them is left imported)."""
    try:
        for name in COMPILED_MODULES:
            importlib.import_module(f"micrograd_nn.{name}")
    except (ImportError, AttributeError, OSError) as err:  # a broken or foreign .so, a module missing its C API
        for name in COMPILED_MODULES:
            sys.modules.pop(f"micrograd_nn.{name}", None)
        return f"the compiled engine does not load ({type(err).__name__}: {err})"
    return ""
