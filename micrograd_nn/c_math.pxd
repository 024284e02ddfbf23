# Python's math functions that engine.py, errors.py and rules.py call, compiled as C's <math.h> functions
# ("from micrograd_nn cimport c_math as math" in their .pxd): for the arguments they get there (finite, and
# inside the domain the rules check first) C's and Python's return the same double, without a Python call.
# Not here, so Python's run: exp and log (Python raises OverflowError or ValueError where C returns inf or
# nan), fsum, and the constants inf and nan.
cdef extern from "<math.h>" nogil:
    bint isfinite(double x)
    double copysign(double x, double y)
    double sqrt(double x)
    double log1p(double x)
    double tanh(double x)
    double sin(double x)
    double cos(double x)
