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
    cdef public Py_ssize_t _walk        # the number of the last walk of topological_order that entered it

    @cython.locals(node=Value, seed=double)
    cpdef backward(self, grad=*, bint create_graph=*)
    @cython.locals(i=Py_ssize_t, n=Py_ssize_t)
    cpdef _chain_rule(self)
    @cython.locals(node=Value)
    cpdef zero_grad(self)

@cython.locals(out=double, grads=(double,))
cdef Value _unary(int op, Value a)
@cython.locals(out=double, grads=(double, double))
cpdef _binary(int op, object a, object b)
cdef Value _checked(object node, str method)
@cython.locals(node=Value, out=double, grads=tuple)
cdef Value _many(int op, tuple inputs)
@cython.locals(node=Value)
cpdef Value _node(object record, double data, object a, double da, object b, double db)
@cython.locals(total=double)
cdef void _add_share(Value node, Value operand, double local, Py_ssize_t position) except *
@cython.locals(node=Value, operands_placed=list, stack=list, order=list, walk=Py_ssize_t)
cpdef list topological_order(Value root)
cdef inline void _push(object operand, list stack, list operands_placed) except *
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

# v.data = x and v.grad = x from Python go through errors.assigned (a real number becomes a float, anything else is
# the same error as in plain Python); a float that needs no check goes straight to the field's own setter. Compiled
# code (engine.py's own writes) sets the C fields directly, unchecked.
cdef extern from *:
    """
    typedef struct { setter store; PyObject *field; PyObject *check; int finite; } checked_field;

    static int store_checked(PyObject *node, PyObject *x, void *closure) {
        checked_field *f = (checked_field *)closure;
        PyObject *number;
        int done;
        if (x == NULL || (PyFloat_CheckExact(x) && (!f->finite || isfinite(PyFloat_AS_DOUBLE(x)))))
            return f->store(node, x, NULL);  /* del v.data: the field's own error */
        number = PyObject_CallFunctionObjArgs(f->check, x, f->field, NULL);
        if (number == NULL) return -1;
        done = f->store(node, number, NULL);
        Py_DECREF(number);
        return done;
    }

    static int check_assignments(PyObject *cls) {
        const char *names[2] = {"data", "grad"};
        PyObject *errors = PyImport_ImportModule("micrograd_nn.errors");
        PyObject *check = errors == NULL ? NULL : PyObject_GetAttrString(errors, "assigned");
        Py_XDECREF(errors);
        if (check == NULL) return -1;
        for (int i = 0; i < 2; i++) {
            PyObject *found = PyDict_GetItemString(((PyTypeObject *)cls)->tp_dict, names[i]);
            checked_field *f = (checked_field *)PyMem_Malloc(sizeof(checked_field));
            if (found == NULL || Py_TYPE(found) != &PyGetSetDescr_Type || f == NULL) {
                PyMem_Free(f);
                PyErr_SetString(PyExc_TypeError, "check_assignments: Value's data and grad are not C fields");
                return -1;
            }
            PyGetSetDef *def = ((PyGetSetDescrObject *)found)->d_getset;
            f->store = def->set, f->field = PyUnicode_InternFromString(names[i]), f->check = check, f->finite = i == 0;
            def->set = store_checked, def->closure = f;
        }
        return 0;
    }
    """
    int check_assignments(object cls) except -1  # Value's data and grad, checked by errors.assigned
