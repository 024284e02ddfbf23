# The C types of engine.py, for Cython's pure-Python mode: the .py stays plain Python and runs as it is;
# compiled, a Value is a C struct with these fields, and the functions below are C functions.
cimport cython
from micrograd_nn cimport c_math as math  # math.isfinite below is C's isfinite(double) (c_math.pxd)
from micrograd_nn cimport errors     # errors.number_or_none(...) and the others are C calls (errors.pxd)

cdef class Value:
    cdef public double data, grad
    cdef public str label
    cdef public object _record          # the Op record, or None for a leaf
    cdef public object _a, _b           # the inputs: a Value, a float, or None
    cdef public double _da, _db         # their local derivatives
    cdef public tuple _many             # an n-ary op's inputs, then their local derivatives, else None
    cdef dict __dict__                  # attributes of your own (p.m = 0.0): a dict made on first use

    @cython.locals(node=Value, seed=double)
    cpdef backward(self, grad=*)
    @cython.locals(i=Py_ssize_t, n=Py_ssize_t)
    cpdef _chain_rule(self)
    @cython.locals(node=Value)
    cpdef zero_grad(self)

@cython.locals(out=double, da=double)
cdef Value _unary(str name, Value a)
cpdef _binary(str name, object a, object b)
cdef Value _checked(object node, str method)
cdef object _number(object x, str op)
@cython.locals(node=Value)
cdef Value _many(str name, tuple inputs)
@cython.locals(node=Value)
cpdef Value _node(object record, double data, object a, double da, object b, double db)
@cython.locals(total=double)
cdef void _add_share(Value node, Value operand, double local, Py_ssize_t position) except *
@cython.locals(node=Value, operands_placed=list, expanded=set, stack=list, order=list, inputs=tuple)
cpdef list topological_order(Value root)

# A C type is closed to new class attributes; the lecture adds methods to Value as it goes (Value.mymul = f).
# Compiled, engine.py opens Value the way a class written in Python is open (the flag Python 3.10+ sets on C types).
cdef extern from *:
    """
    static void open_to_new_attributes(PyObject *cls) {
        ((PyTypeObject *)cls)->tp_flags &= ~Py_TPFLAGS_IMMUTABLETYPE;
        PyType_Modified((PyTypeObject *)cls);
    }
    """
    void open_to_new_attributes(object cls)
