"""Every entry point of the compiled modules, called with the wrong thing, raises what the plain engine raises.

Issue: a compiled method called unbound (``Value.tanh(2.0)``, ``map(Value.tanh, mixed)``) or a function typed to
take a node given ``None`` (``topological_order(None)``) read another object's memory or crashed the interpreter.
Each call runs in a child process per engine (a crash kills only the child), and the two engines' outcomes are
compared call by call: the same exception type, or both return.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import micrograd_nn

# Runs in a child: every public function and method of every compiled module, called with each bad argument.
CHILD = r'''
import inspect, json, sys
import micrograd_nn
from micrograd_nn import engine_choice

class MicrogradValue:  # the shape of micrograd's Value: a foreign node with data and grad
    def __init__(self, data): self.data, self.grad, self._prev, self._op = data, 0.0, set(), ""
    def _backward(self): pass

BAD = {"None": None, "float": 2.0, "str": "s", "micrograd Value": MicrogradValue(2.0)}
EXTRA_METHODS = ("_chain_rule", "__deepcopy__", "__reduce__", "__setstate__", "__repr__", "__neg__", "__abs__",
                 "__add__", "__radd__", "__mul__", "__rmul__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__",
                 "__pow__", "__rpow__")

def arity(f):
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return max(1, sum(1 for p in parameters if p.default is p.empty and p.kind in kinds))

def entry_points():
    for name in engine_choice.COMPILED_MODULES:
        module = sys.modules[f"micrograd_nn.{name}"]
        for attribute, obj in sorted(vars(module).items()):
            if attribute.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj):
                for method in sorted(set(vars(obj)) | set(EXTRA_METHODS)):
                    f = vars(obj).get(method)
                    if f is None or (method.startswith("_") and method not in EXTRA_METHODS):
                        continue
                    if isinstance(f, (staticmethod, classmethod, property)) or not callable(f):
                        continue
                    yield f"{name}.{attribute}.{method}", getattr(obj, method)
            elif callable(obj):
                yield f"{name}.{attribute}", obj

for where, f in entry_points():
    for bad_name, bad in BAD.items():
        key = f"{where}({bad_name})"
        print(json.dumps({"call": key, "started": True}), flush=True)
        try:
            f(*[bad] * arity(f))
            outcome = "returned"
        except Exception as err:
            outcome = type(err).__name__
        print(json.dumps({"call": key, "outcome": outcome}), flush=True)
'''


def _outcomes(pure: bool) -> dict[str, str]:
    """Run CHILD on one engine; {call: exception type or "returned"}; fail naming the call that crashed."""
    env = {**os.environ, "MICROGRAD_NN_PURE": "1" if pure else "0"}
    run = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    started = [line["call"] for line in lines if "started" in line]
    assert run.returncode == 0, f"the {'plain' if pure else 'compiled'} engine crashed (exit {run.returncode}) in " \
                                f"{started[-1] if started else '?'}: {run.stderr[-2000:]}"
    return {line["call"]: line["outcome"] for line in lines if "outcome" in line}


@pytest.mark.skipif(micrograd_nn.ENGINE != "compiled", reason="needs the compiled engine")
def test_every_compiled_entry_point_raises_what_the_plain_engine_raises() -> None:
    compiled, plain = _outcomes(pure=False), _outcomes(pure=True)
    inline = {call.split("(")[0] for call in set(plain) - set(compiled)}  # compiled, these are inline C functions
    assert inline <= {f"rules.d_{op}" for op in ("mul", "div", "power_base", "power_exponent", "exp", "log", "sqrt",
                                                  "softplus", "sigmoid", "tanh", "sin", "cos", "dot", "affine")}
    assert set(compiled) <= set(plain)
    assert len(compiled) > 100  # every module's entry points were reached, not a handful
    differ = {call: (compiled[call], plain[call]) for call in compiled if compiled[call] != plain[call]}
    assert differ == {}
    # the calls the issue names raise TypeError on both engines (they crashed or read the wrong object before)
    for call in ("engine.topological_order(None)", "engine.Value.backward(None)", "engine.Value.zero_grad(None)",
                 "engine.Value.__deepcopy__(None)", "engine.Value._chain_rule(float)", "engine.Value.tanh(float)",
                 "engine.Value.exp(None)", "engine.Value.item(str)", "engine.Value.tanh(micrograd Value)"):
        assert compiled[call] == "TypeError", call


@pytest.mark.parametrize("pure", ["0", "1"])
def test_map_of_an_unbound_method_over_mixed_items_names_the_wrong_item(pure: str) -> None:
    code = ("from micrograd_nn import Value\n"
            "try:\n    list(map(Value.tanh, [Value(0.5), 2.0]))\n"
            "except TypeError as err:\n    print(err)\n")
    env = {**os.environ, "MICROGRAD_NN_PURE": pure}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "'tanh'" in run.stdout and "'float'" in run.stdout


# -- shares decided by position, not identity; Value.dot's exact fallback (issue 22, A5 and A6) ---------------
from micrograd_nn import Value  # noqa: E402


def test_one_node_as_base_and_exponent_masks_only_the_base_share() -> None:
    # d/dx (-2) ** (x ** x) at x = 0: the exponent's share is nan (PyTorch: nan), not masked as the base of x ** 0
    x = Value(0.0)
    ((-2.0) ** (x ** x)).backward()
    assert x.grad != x.grad  # nan
    # with two leaves the base of y ** 0 is masked (0) and the exponent's share is not
    base, exponent = Value(0.0), Value(0.0)
    ((-2.0) ** (base ** exponent)).backward()
    assert base.grad == 0.0 and exponent.grad != exponent.grad


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_every_binary_op_with_one_node_on_both_sides_matches_two_copies(op: str) -> None:
    # x <op> x must give what x <op> y gives summed over both inputs, by position
    same = Value(1.5)
    apply = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
             "/": lambda a, b: a / b, "**": lambda a, b: a ** b}[op]
    apply(same, same).backward()
    left, right = Value(1.5), Value(1.5)
    apply(left, right).backward()
    assert same.grad == pytest.approx(left.grad + right.grad, rel=1e-15)


def test_dot_whose_products_overflow_but_whose_sum_is_finite_gives_the_exact_sum() -> None:
    w = Value(1e308)
    out = Value.dot([w] * 2, [2.0, -2.0])
    assert out.data == 0.0
    out.backward()
    assert w.grad == 0.0  # 2 - 2
    bias = Value(1.0)
    assert Value.dot([w] * 2, [2.0, -2.0], bias=bias).data == 1.0


def test_dot_that_truly_overflows_names_the_op_and_its_inputs() -> None:
    with pytest.raises(OverflowError, match=r"Value\.dot: .* overflows a float \(inputs: Value\(data=1e\+308"):
        Value.dot([Value(1e308)] * 2, [2.0, 2.0])


def test_an_n_ary_result_error_never_shows_an_empty_inputs_list() -> None:
    from micrograd_nn.errors import not_finite_result
    assert str(not_finite_result("sum", float("inf"), (None, None))) == "sum: result inf is not a finite float"


@pytest.mark.parametrize("pure", ["0", "1"])
def test_a_method_added_to_the_class_works_on_both_engines(pure: str) -> None:
    # the lecture's habit: define a function, then attach it to Value (compiled, a C type refused it)
    code = ("import micrograd_nn\nfrom micrograd_nn import Value\n"
            "def mymul(self, other):\n    return self * other\n"
            "Value.mymul = mymul\n"
            "a, b = Value(2.0), Value(-3.0)\nc = a.mymul(b)\nc.backward()\n"
            "del Value.mymul\n"
            "print(micrograd_nn.ENGINE, c.data, a.grad, b.grad, hasattr(a, 'mymul'))\n")
    env = {**os.environ, "MICROGRAD_NN_PURE": pure}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-4:] == ["-6.0", "-3.0", "2.0", "False"]
