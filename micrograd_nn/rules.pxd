# The C types of rules.py, for Cython's pure-Python mode: the rules that call math take C doubles and run as C
# (the engine still calls each rule through its record in OPS, so a rule planted there is used). The plain
# arithmetic rules (+ - * neg abs relu leaky_relu) stay untyped: they hand back the float objects they were
# given (mul's (b, a)) where typed ones would make new ones (8% more instructions per x * y).
cimport cython
from micrograd_nn cimport c_math as math

cpdef tuple div(double a, double b)
cpdef tuple exp(double a)
cpdef tuple log(double a)
cpdef tuple sqrt(double a)
cpdef tuple softplus(double a)
cpdef double _sigmoid(double a) except? -1.0
cpdef tuple sigmoid(double a)
cpdef tuple tanh(double a)
cpdef tuple sin(double a)
cpdef tuple cos(double a)

@cython.locals(out=double, w=double, x=double)
cpdef double weighted_sum(double start, tuple ws, tuple xs) except? -1.0
