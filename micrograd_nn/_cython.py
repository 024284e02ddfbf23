"""The `cython` module engine.py's decorators come from: Cython's own, or a stand-in when Cython is not installed.

Cython is needed only to compile the engine; the same file runs as plain
Python, where these decorators do nothing and ``cython.compiled`` is False.
"""

from __future__ import annotations

from typing import Any

try:
    import cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:  # no Cython: the pure-Python engine runs as it is
    from types import SimpleNamespace

    def _no_op_decorator(*_args: Any, **_kwargs: Any) -> Any:
        return lambda cls: cls

    cython = SimpleNamespace(compiled=False, cclass=lambda cls: cls, trashcan=_no_op_decorator,
                             binding=_no_op_decorator, freelist=_no_op_decorator, cast=lambda _type, value: value)

__all__ = ["cython"]
