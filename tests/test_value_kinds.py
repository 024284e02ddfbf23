"""A subclass of Value survives copy and pickle as itself; weak references; relu and abs of an assigned nan."""

from __future__ import annotations

import copy
import math
import pickle
import weakref

import pytest

from micrograd_nn.engine import Value


class Tagged(Value):
    """A learner's subclass, as the lecture's habit of extending Value suggests."""

    def __init__(self, data: float, tag: str = "") -> None:
        super().__init__(data)
        self.tag = tag

    def double(self) -> Value:
        return self * 2


def test_a_subclass_comes_back_from_pickle_and_deepcopy_as_itself() -> None:
    x = Tagged(3.0, tag="mine")
    x.grad = 0.5
    y = x.double() + x
    for copied in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        (leaf,) = {operand for node in (copied, copied._a) for operand in node.operands if not operand.operands}
        assert type(leaf) is Tagged and leaf.tag == "mine" and leaf.data == 3.0 and leaf.grad == 0.5
        assert leaf.double().data == 6.0
    for copied_leaf in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x), copy.copy(x)):
        assert type(copied_leaf) is Tagged and copied_leaf.tag == "mine" and copied_leaf.data == 3.0
    assert type(pickle.loads(pickle.dumps(Value(1.0)))) is Value


def test_weak_references_need_a_subclass() -> None:
    """A node has no weak-reference slot (8 bytes more per node); a subclass of Value gets one."""
    with pytest.raises(TypeError):
        weakref.ref(Value(1.0))

    class Weak(Value):
        pass

    node = Weak(1.0)
    assert weakref.ref(node)() is node


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_relu_and_abs_of_an_assigned_nan_are_refused_like_every_op(op: str) -> None:
    """They returned 0.0 (nan > 0 is False); nan is now their result, refused as every op refuses it."""
    w = Value(1.0)
    w.data = math.nan
    with pytest.raises(OverflowError, match=f"{op}: result nan is not a finite float"):
        getattr(w, op)()
    with pytest.raises(OverflowError, match="result nan is not a finite float"):
        abs(w)
    w.data = -0.0
    assert w.relu().data == 0.0 and w.abs().data == 0.0 and w.abs().local_grads == (0.0,)
