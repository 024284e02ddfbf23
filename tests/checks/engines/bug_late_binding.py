"""Gallery: lecture.py with one classic bug: the functions are made in a loop, and each _backward closure reads
the loop variable `df` when it runs, after the loop ended: every function uses the last one's derivative."""

import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n):
        assert isinstance(n, (int, float)), "only int/float powers"
        out = Value(self.data ** n, (self,), f"**{n}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += 1 / other.data * out.grad
            other.grad += -self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:  # a depth-first search with a stack of our own: any depth works
            v, children_done = stack.pop()
            if children_done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((child, False) for child in v._prev)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return other * self ** -1

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def _sigmoid(x):
    return 1 / (1 + math.exp(-x))


_FUNCTIONS = [  # name, the function, its derivative
    ("tanh", math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    ("exp", math.exp, math.exp),
    ("log", math.log, lambda x: 1 / x),
    ("relu", lambda x: max(0.0, x), lambda x: float(x > 0)),
    ("sigmoid", _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
]

for _name, _f, df in _FUNCTIONS:
    def _method(self, f=_f, name=_name):
        out = Value(f(self.data), (self,), name)

        def _backward():
            self.grad += df(self.data) * out.grad
        out._backward = _backward
        return out
    setattr(Value, _name, _method)
