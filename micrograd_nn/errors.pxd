# The C types of errors.py, for Cython's pure-Python mode: the engine calls these as C functions.
from micrograd_nn cimport c_math as math  # math.isfinite below is C's isfinite(double) (c_math.pxd)

cpdef object number_or_none(object x, object where)
cpdef object real_or_none(object x, object where)
cpdef double number(object x, object where) except? -1.0
cpdef double finite_number(object x, object where) except? -1.0
cpdef double assigned(object x, object field) except? -1.0
cpdef str checked_label(object label)
cpdef double plain_number(object x, object where) except? -1.0
cpdef object non_empty(object items, object where, object what)
cpdef check_pairs(object ws, object xs)
cpdef object not_a_value(object method, object x)
