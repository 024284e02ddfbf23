# The C types of rules.py, for Cython's pure-Python mode: each rule takes C doubles and runs as C
# (the engine still calls it through its record in OPS, so a rule planted there is used).
cimport cython
from micrograd_nn cimport c_math as math

cpdef tuple add(double a, double b)
cpdef tuple sub(double a, double b)
cpdef tuple mul(double a, double b)
cpdef tuple div(double a, double b)
cpdef tuple neg(double a)
cpdef tuple exp(double a)
cpdef tuple log(double a)
cpdef tuple sqrt(double a)
cpdef tuple softplus(double a)
cpdef double _sigmoid(double a) except? -1.0
cpdef tuple sigmoid(double a)
cpdef tuple tanh(double a)
cpdef tuple relu(double a)
cpdef tuple leaky_relu(double a, double slope)
cpdef tuple absolute(double a)
cpdef tuple sin(double a)
cpdef tuple cos(double a)

@cython.locals(out=double, w=double, x=double)
cpdef double weighted_sum(double start, tuple ws, tuple xs) except? -1.0
