"""Losses: values against NumPy, gradients against central differences, stability, bad input."""

import math

import numpy as np
import pytest

from micrograd_nn import Value
from micrograd_nn.checks.finite_differences import gradcheck
from micrograd_nn.training import losses


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


def test_squared_error_family() -> None:
    p, t = [0.5, -1.0, 2.0], [1.0, 0.0, 2.5]
    sq = sum((a - b) ** 2 for a, b in zip(p, t))
    assert losses.sse(values(p), t).data == pytest.approx(sq)
    assert losses.half_sse(values(p), t).data == pytest.approx(sq / 2)
    assert losses.mse(values(p), t).data == pytest.approx(sq / 3)
    batch = [values([1.0, 2.0]), values([3.0, 4.0])]
    assert losses.mse(batch, [[1.0, 1.0], [1.0, 1.0]]).data == pytest.approx((0 + 1 + 4 + 9) / 4)


def test_half_sse_gradient_is_the_error() -> None:
    p = values([0.8, 0.1])
    losses.half_sse(p, [1.0, 0.0]).backward()
    assert [v.grad for v in p] == pytest.approx([-0.2, 0.1])


def test_binary_cross_entropy_and_its_logit_form_agree() -> None:
    logits, targets = [2.0, -1.0, 0.3], [1.0, 0.0, 1.0]
    probs = [Value(z).sigmoid() for z in logits]
    expected = -np.mean([t * math.log(1 / (1 + math.exp(-z))) + (1 - t) * math.log(1 - 1 / (1 + math.exp(-z)))
                         for z, t in zip(logits, targets)])
    assert losses.binary_cross_entropy(probs, targets).data == pytest.approx(expected)
    assert losses.binary_cross_entropy_with_logits(values(logits), targets).data == pytest.approx(expected)


def test_logit_cross_entropy_is_stable_for_huge_logits() -> None:
    z = Value(800.0)
    loss = losses.binary_cross_entropy_with_logits([z], [0.0])
    loss.backward()
    assert loss.data == pytest.approx(800.0) and z.grad == pytest.approx(1.0)
    with pytest.raises(ValueError, match="log"):
        losses.binary_cross_entropy([Value(1.0)], [1.0])


def test_hinge_matches_micrograd_definition() -> None:
    scores, labels = values([2.0, 0.5, -0.2]), [1, 1, -1]
    loss = losses.hinge(scores, labels)
    assert loss.data == pytest.approx((0 + 0.5 + 0.8) / 3)
    with pytest.raises(ValueError, match="-1 or \\+1"):
        losses.hinge(scores, [1, 0, 1])


def test_softmax_and_cross_entropy_against_numpy_and_stable() -> None:
    z = [1.0, 2.0, 0.5]
    e = np.exp(np.array(z) - max(z))
    assert [p.data for p in losses.softmax(values(z))] == pytest.approx(list(e / e.sum()))
    ce = losses.softmax_cross_entropy(values(z), 1)
    assert ce.data == pytest.approx(-math.log(e[1] / e.sum()))
    big = values([1000.0, 0.0, -1000.0])
    loss = losses.softmax_cross_entropy(big, 1)
    loss.backward()
    assert loss.data == pytest.approx(1000.0)
    assert [v.grad for v in big] == pytest.approx([1.0, -1.0, 0.0])
    batch = losses.softmax_cross_entropy([values(z), values(z)], [1, 1])
    assert batch.data == pytest.approx(ce.data)
    with pytest.raises(ValueError, match="class index"):
        losses.softmax_cross_entropy(values(z), 3)


@pytest.mark.parametrize(
    "loss",
    [
        lambda *v: losses.mse(list(v), [0.5, -0.5, 1.0]),
        lambda *v: losses.binary_cross_entropy_with_logits(list(v), [1.0, 0.0, 1.0]),
        lambda *v: losses.softmax_cross_entropy(list(v), 2),
        lambda *v: losses.l2_penalty(list(v), 0.1),
        lambda *v: losses.binary_cross_entropy([x.sigmoid() for x in v], [1.0, 0.0, 0.0]),
    ],
)
def test_loss_gradients_match_central_differences(loss) -> None:
    assert gradcheck(loss, [0.3, -1.2, 2.0])


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        losses.mse(values([1.0, 2.0]), [1.0, 2.0, 3.0])


def test_numpy_targets_are_accepted() -> None:
    preds = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    assert losses.mse(preds, np.array([[1.0, 1.0], [1.0, 1.0]])).data == pytest.approx(14 / 4)
    assert losses.hinge(values([2.0, -0.5]), np.array([1, -1])).data == pytest.approx(0.25)
    z = values([1.0, 2.0, 0.5])
    expected = losses.softmax_cross_entropy(z, 1).data
    assert losses.softmax_cross_entropy(z, np.int64(1)).data == expected
    assert losses.softmax_cross_entropy([z, z], np.array([1, 1])).data == pytest.approx(expected)
    with pytest.raises(ValueError, match="class index"):
        losses.softmax_cross_entropy(z, 1.0)  # type: ignore[arg-type]


def test_empty_logits_are_refused() -> None:
    with pytest.raises(ValueError, match="no logits"):
        losses.log_sum_exp([])
    with pytest.raises(ValueError, match="no logits"):
        losses.softmax([])


def test_softmax_cross_entropy_on_a_one_output_model_says_what_to_use() -> None:
    from micrograd_nn.nn import MLP

    model = MLP(2, [3, 1], rng=0)  # one output: a Value, not a list of logits
    for logits, targets in [(model([0.5, 1.0]), 0), ([model([0.5, 1.0]), model([1.0, 0.0])], [0, 0])]:
        with pytest.raises(ValueError, match="sample 0 needs a list of two or more logits") as info:
            losses.softmax_cross_entropy(logits, targets)
        assert "got one Value" in str(info.value) and "binary_cross_entropy_with_logits" in str(info.value)
    with pytest.raises(ValueError, match=r"sample 1 needs a list of two or more logits .*got \[Value"):
        losses.softmax_cross_entropy([values([1.0, 2.0]), values([3.0])], [0, 0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: losses.mse(values([1.0, 2.0]), [0.0, math.nan]), "loss: target 1 must be a finite number, got nan"),
        (lambda: losses.mse(values([1.0]), ["a"]), "loss: target 0 must be a finite number, got 'a'"),
        (lambda: losses.binary_cross_entropy([0.5], [1]), "loss: prediction 0 is a float, not a Value"),
        (lambda: losses.binary_cross_entropy(values([0.5, 0.5]), [0, 2]),
         r"binary_cross_entropy: target 1 must be in \[0, 1\] \(a class 0/1 or a probability\), got 2"),
        (lambda: losses.binary_cross_entropy_with_logits(values([0.5]), [-1]),
         r"binary_cross_entropy_with_logits: target 0 must be in \[0, 1\]"),
    ],
)
def test_targets_and_predictions_of_the_wrong_kind_are_named(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_a_value_may_be_a_target() -> None:
    p, t = Value(0.75), Value(0.25)
    loss = losses.mse([p], [t])
    loss.backward()
    assert loss.data == 0.25 and p.grad == 1.0 and t.grad == -1.0
