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

@cython.locals(out=double, w=double, x=double)
cpdef double weighted_sum(double start, tuple ws, tuple xs) except? -1.0

cpdef (double, (double,)) unary(int op, double a)
cpdef (double, (double, double)) binary(int op, double a, double b)

cdef bint _planted
cdef dict _AS_WRITTEN
