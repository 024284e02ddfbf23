# The C types of engine.py, for Cython's pure-Python mode: the .py stays plain Python and runs as it is;
# compiled, a Value is a C struct with these fields, and the functions below are C functions.
cimport cython
from micrograd_nn cimport c_math as math  # math.isfinite below is C's isfinite(double) (c_math.pxd)
from micrograd_nn cimport errors     # errors.number_or_none(...) and the others are C calls (errors.pxd)
from micrograd_nn cimport rules      # rules.unary(...), rules.binary(...) and the ops' numbers are C (rules.pxd)

cdef class Value:
    cdef public double data, grad
    cdef public str label
    cdef public object _record          # the Op record, or None for a leaf
    cdef public object _a, _b           # the inputs: a Value, a float, or None
    cdef public double _da, _db         # their local derivatives
    cdef public tuple _many             # an n-ary op's inputs, then their local derivatives, else None
    cdef public object _attributes      # attributes of your own: a dict made on first use, else None
    cdef public Py_ssize_t _walk        # the last walk of topological_order that entered it (minus it: placed)

    @cython.locals(node=Value, seed=double)
    cpdef backward(self, grad=*, bint create_graph=*)
    @cython.locals(i=Py_ssize_t, n=Py_ssize_t)
    cpdef _chain_rule(self)
    @cython.locals(node=Value, order=list)
    cpdef zero_grad(self)

@cython.locals(out=double, grads=(double,))
cdef Value _unary(int op, Value a)
@cython.locals(out=double, grads=(double, double))
cpdef _binary(int op, object a, object b)
cdef Value _checked(object node, str method)
@cython.locals(node=Value, out=double)
cdef Value _many(int op, tuple inputs)
@cython.locals(node=Value)
cpdef Value _node(object record, double data, object a, double da, object b, double db)
@cython.locals(total=double)
cdef void _add_share(Value node, Value operand, double local, Py_ssize_t position) except *
@cython.locals(node=Value, stack=list, order=list, walk=Py_ssize_t, i=Py_ssize_t)
cpdef list topological_order(Value root)
cdef Py_ssize_t _walks
cdef tuple _UNARY, _BINARY, _MANY

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
