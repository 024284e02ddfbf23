# The C types of rules.py, for Cython's pure-Python mode: each unary and binary rule takes C doubles and returns a
# C struct of doubles, (value, (local derivatives)), so the compiled engine calls it as a C function (through
# unary()/binary(), by the op's number) with no Python object made. Called from Python (OPS[op].rule, RULES,
# the tests), the same function returns the usual tuple (value, (d1, ...)).
cimport cython
from micrograd_nn cimport c_math as math

cpdef enum:  # the ops' numbers (rules.py defines the same for plain Python)
    NEG, EXP, LOG, SQRT, SOFTPLUS, SIGMOID, TANH, RELU, ABS, SIN, COS
cpdef enum:
    ADD, SUB, MUL, DIV, POW, LEAKY_RELU
cpdef enum:
    SUM, DOT, AFFINE

cpdef (double, (double, double)) add(double a, double b) noexcept
cpdef (double, (double, double)) sub(double a, double b) noexcept
cpdef (double, (double, double)) mul(double a, double b) noexcept
cpdef (double, (double, double)) div(double a, double b)
cpdef (double, (double,)) neg(double a) noexcept
cpdef (double, (double, double)) power(double a, double b)  # a ** b is C's pow (setup.py: cpow), as Python's
cpdef double _power_slope(double a, double b) except? -1.0
cpdef (double, (double,)) exp(double a)
cpdef (double, (double,)) log(double a)
cpdef (double, (double,)) sqrt(double a)
cpdef (double, (double,)) softplus(double a)
cpdef double _sigmoid(double a) except? -1.0
cpdef (double, (double,)) sigmoid(double a)
cpdef (double, (double,)) tanh(double a) noexcept
cpdef (double, (double,)) relu(double a) noexcept
cpdef (double, (double, double)) leaky_relu(double a, double slope) noexcept
cpdef (double, (double,)) absolute(double a) noexcept
cpdef (double, (double,)) sin(double a) noexcept
cpdef (double, (double,)) cos(double a) noexcept

# The local derivatives, written once as functions of the inputs and the output: compiled, inline C on doubles;
# gradient_graph.py runs the same functions from rules.py's text on Values (backward(create_graph=True)).
cdef inline (double, double) d_mul(double a, double b, double out) noexcept
cdef inline (double, double) d_div(double a, double b, double out) except *
cdef inline double d_power_base(double a, double b, double out) except? -1.0
cdef inline double d_power_exponent(double a, double b, double out) except? -1.0
cdef inline double d_exp(double a, double out) noexcept
cdef inline double d_log(double a, double out) except? -1.0
cdef inline double d_sqrt(double a, double out) except? -1.0
cdef inline double d_softplus(double a, double out) except? -1.0
cdef inline double d_sigmoid(double a, double out) noexcept
cdef inline double d_tanh(double a, double out) noexcept
cdef inline double d_sin(double a, double out) noexcept
cdef inline double d_cos(double a, double out) noexcept

# The n-ary rules: the engine calls n_ary(op, values) with the inputs' numbers in one list (a C call by number).
@cython.locals(out=double, i=Py_ssize_t, w=double, x=double)
cpdef double weighted_sum(double start, tuple values, Py_ssize_t n) except? -1.0
cpdef object n_ary(int op, list values)
@cython.locals(n=Py_ssize_t)
cdef inline tuple d_dot(tuple ws_then_xs)
cdef inline tuple d_affine(tuple ws_xs_b)

cpdef (double, (double,)) unary(int op, double a)
cpdef (double, (double, double)) binary(int op, double a, double b)

cdef bint _planted
cdef dict _AS_WRITTEN
