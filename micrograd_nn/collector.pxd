# The compiled versions of collector.py's functions: engine.pxd cimports them, so they are inlined into the
# compiled engine (collector.py's plain-Python versions, which do nothing, run with the plain-Python engine).
cdef extern from "Python.h":
    void PyObject_GC_UnTrack(void *op)
    void PyObject_GC_Track(void *op)
    bint PyObject_GC_IsTracked(object op)

cdef inline void unwatch(object node) noexcept:
    PyObject_GC_UnTrack(<void *>node)

cdef inline void watch(object node) noexcept:
    if not PyObject_GC_IsTracked(node):
        PyObject_GC_Track(<void *>node)
