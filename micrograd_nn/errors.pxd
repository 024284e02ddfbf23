# The C types of errors.py, for Cython's pure-Python mode: the engine calls these as C functions.
from micrograd_nn cimport c_math as math  # math.isfinite below is C's isfinite(double) (c_math.pxd)

cpdef object number_or_none(object x, str where)
cpdef double number(object x, str where) except? -1.0
cpdef double finite_number(object x, str where) except? -1.0
cpdef str checked_label(object label)
cpdef double plain_number(object x, str where) except? -1.0
cpdef tuple non_empty(tuple items, str where, str what)
cpdef check_pairs(object ws, object xs)
