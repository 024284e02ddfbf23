"""Which nodes Python's cyclic garbage collector watches: a choice only the compiled engine can make.

Reference counting frees a graph the moment nothing points to it; the cyclic
collector is needed only for reference cycles, and it pays for every object it
watches: each collection walks them all.  A node made by an operation points
only to older nodes, so it can sit in a cycle only through something Python
code attaches to it (a micrograd-style ``_backward`` closure that refers to
its own node, or an attribute of your own).  So, compiled, the engine stops
the collector watching each node it makes (``unwatch``) and has it watch a
node again the moment Python code sets or reads an attribute of your own on it
(``watch``).  Leaves made by ``Value(...)`` are always watched.

The compiled versions are in collector.pxd (calls to CPython's
PyObject_GC_UnTrack and PyObject_GC_Track); plain Python cannot choose, and
these do nothing.
"""

from __future__ import annotations


def unwatch(node: object) -> None:
    """Compiled: the collector stops watching node (one that cannot be in a cycle). Plain Python: nothing."""


def watch(node: object) -> None:
    """Compiled: the collector watches node (again). Plain Python: nothing."""
