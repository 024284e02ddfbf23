"""Loss functions built from Value operations, so backward() flows through them.

Predictions may be one Value, a list of Values (a batch of scalar outputs, or
one sample's outputs), or a list of lists (a batch of vector outputs); the
targets have the same shape with plain numbers (lists or NumPy arrays).  Every loss is a mean over
the elements (mse, binary cross-entropy, hinge) or over the samples
(softmax cross-entropy), except the sums sse and half_sse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from micrograd_nn import errors
from micrograd_nn.engine import Value

Prediction = Value | Sequence[Value] | Sequence[Sequence[Value]]
Target = float | Sequence[float] | Sequence[Sequence[float]]


def _flatten(x: object) -> list:
    """Nested lists (or NumPy arrays) of any depth as one flat list, in order."""
    if hasattr(x, "tolist"):  # a NumPy array or scalar: plain Python numbers and lists
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    return [x]


def _pairs(preds: Prediction, targets: Target) -> tuple[list[Value], list[float]]:
    """Predictions and targets flattened and paired: Values against finite numbers, as many of each."""
    ps, ts = _flatten(preds), _flatten(targets)
    if len(ps) != len(ts):
        raise ValueError(f"loss: {len(ps)} predictions but {len(ts)} targets")
    if not ps:
        raise ValueError("loss: no predictions given")
    for i, p in enumerate(ps):
        if not isinstance(p, Value):
            raise ValueError(f"loss: prediction {i} is a {type(p).__name__}, not a Value (pass the model's outputs)")
    for i, t in enumerate(ts):
        if not isinstance(t, Value):  # a Value is always finite
            errors.finite_real(t, f"loss: target {i}")
    return ps, ts


def _check_probability_targets(name: str, ts: list[float]) -> None:
    """Binary cross-entropy targets are probabilities: each t in [0, 1]."""
    for i, t in enumerate(ts):
        if not 0 <= (t.data if isinstance(t, Value) else t) <= 1:
            raise ValueError(f"{name}: target {i} must be in [0, 1] (a class 0/1 or a probability), got {t!r}")


def _named(node: Value, label: str) -> Value:
    """node, labelled so reports and pictures call it by its role (error1, hinge3, ...)."""
    node.label = label
    return node


def sse(preds: Prediction, targets: Target) -> Value:
    """Sum of squared errors: sum_i (p_i - t_i)^2."""
    ps, ts = _pairs(preds, targets)
    squares = [_named(_named(p - t, f"error{i}") ** 2, f"sq_error{i}") for i, (p, t) in enumerate(zip(ps, ts), 1)]
    return _named(Value.sum(squares), "sse")


def half_sse(preds: Prediction, targets: Target) -> Value:
    """The tutorials' E = 1/2 sum_i (p_i - t_i)^2; dE/dp_i = p_i - t_i."""
    return sse(preds, targets) * 0.5


def mse(preds: Prediction, targets: Target) -> Value:
    """Mean squared error: 1/n sum_i (p_i - t_i)^2."""
    ps, ts = _pairs(preds, targets)
    return sse(ps, ts) / len(ps)


def binary_cross_entropy(probs: Prediction, targets: Target) -> Value:
    """-1/n sum_i [t_i ln p_i + (1 - t_i) ln(1 - p_i)] for probabilities p_i in (0, 1).

    ValueError (from log) if a probability is exactly 0 or 1; prefer
    binary_cross_entropy_with_logits, which is stable.
    """
    ps, ts = _pairs(probs, targets)
    _check_probability_targets("binary_cross_entropy", ts)
    terms = [-(p.log() * t + (1 - p).log() * (1 - t)) for p, t in zip(ps, ts)]
    return Value.sum(terms) / len(terms)


def binary_cross_entropy_with_logits(logits: Prediction, targets: Target) -> Value:
    """1/n sum_i [softplus(z_i) - t_i z_i] = BCE(sigmoid(z), t), stable for any finite z."""
    zs, ts = _pairs(logits, targets)
    _check_probability_targets("binary_cross_entropy_with_logits", ts)
    terms = [z.softplus() - z * t for z, t in zip(zs, ts)]
    return Value.sum(terms) / len(terms)


def hinge(scores: Prediction, labels: Target) -> Value:
    """Max-margin loss of micrograd's demo: 1/n sum_i max(0, 1 - y_i s_i), labels y_i in {-1, +1}."""
    ss, ys = _pairs(scores, labels)
    for y in ys:
        if y not in (-1, 1):
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r}")
    terms = [
        # max(0, 1 - y_i s_i); y_i s_i named for what it is: label times score
        _named(_named(1 - _named(y * s, f"label_x_score{i}"), f"margin{i}").relu(), f"hinge{i}")
        for i, (s, y) in enumerate(zip(ss, ys), 1)
    ]
    return _named(Value.sum(terms), "hinge_sum") / len(terms)


def softmax(logits: Sequence[Value]) -> list[Value]:
    """p_k = e^(z_k - m) / sum_j e^(z_j - m), with m = max_j z_j (a constant) so nothing overflows."""
    if not logits:
        raise ValueError("softmax: no logits given")
    m = max(z.data for z in logits)
    exps = [(z - m).exp() for z in logits]
    total = Value.sum(exps)
    return [e / total for e in exps]


def log_sum_exp(logits: Sequence[Value]) -> Value:
    """ln sum_j e^(z_j), computed as m + ln sum_j e^(z_j - m) with m = max_j z_j."""
    if not logits:
        raise ValueError("log_sum_exp: no logits given")
    m = max(z.data for z in logits)
    return Value.sum((z - m).exp() for z in logits).log() + m


def softmax_cross_entropy(
    logits: Sequence[Value] | Sequence[Sequence[Value]], targets: int | Sequence[int]
) -> Value:
    """Mean over samples of -ln softmax(z)_t = logsumexp(z) - z_t; stable for large logits.

    targets: one class index for one sample's logits, or one index per sample
    (a list or a NumPy integer array).  Each sample needs two or more logits
    (a model with one output has no softmax: use binary_cross_entropy_with_logits).
    """
    if hasattr(targets, "tolist"):  # NumPy integers and arrays
        targets = targets.tolist()
    single = not isinstance(targets, (list, tuple))
    batch: list[Any] = [logits] if single else list(logits)
    labels: list[Any] = [targets] if single else list(targets)  # type: ignore[arg-type]
    if len(batch) != len(labels):
        raise ValueError(f"softmax_cross_entropy: {len(batch)} samples but {len(labels)} targets")
    terms = []
    for i, (z, t) in enumerate(zip(batch, labels)):
        if not isinstance(z, (list, tuple)) or len(z) < 2:
            found = "one Value" if isinstance(z, Value) else repr(z)
            raise ValueError(
                f"softmax_cross_entropy: sample {i} needs a list of two or more logits (one per class), got {found}; "
                "a model with one output has no softmax: use binary_cross_entropy_with_logits"
            )
        if not errors.is_whole_number(t, 0, len(z) - 1):
            raise ValueError(f"softmax_cross_entropy: target {t!r} is not a class index below {len(z)}")
        terms.append(log_sum_exp(z) - z[t])
    return Value.sum(terms) / len(terms)


def softmax_mse(logits: Sequence[Sequence[Value]], labels: Sequence[int]) -> Value:
    """Mean over samples and classes of (softmax(z)_k - onehot(label)_k)^2: squared error on probabilities."""
    probabilities = [softmax(z) for z in logits]
    one_hot = [[1.0 if k == label else 0.0 for k in range(len(z))] for z, label in zip(logits, labels)]
    return mse(probabilities, one_hot)


def output_sum(preds: Prediction, targets: Target) -> Value:
    """L = sum of every output over every row (targets ignored): dL/dw is the gradient of the prediction itself."""
    return Value.sum(_flatten(preds))


def l2_penalty(params: Sequence[Value], alpha: float) -> Value:
    """alpha * sum_p p^2, the weight decay term of micrograd's demo."""
    return Value.sum(p * p for p in params) * alpha


LossFunction = Callable[[Any, Any], Value]

LOSSES: dict[str, LossFunction] = {
    "mse": mse,
    "sse": sse,
    "half_sse": half_sse,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "hinge": hinge,
    "softmax_cross_entropy": softmax_cross_entropy,
    "softmax_mse": softmax_mse,
    "output": output_sum,
}
"""Every loss by name, (predictions, targets) -> Value: the one table fit(), the Recorder, the live page and the
learner's-backprop checker read."""

LOSS_TEXT: dict[str, str] = {
    "mse": "the mean squared error",
    "sse": "the sum of squared errors",
    "half_sse": "half the sum of squared errors",
    "binary_cross_entropy": "binary cross-entropy",
    "binary_cross_entropy_with_logits": "binary cross-entropy on logits",
    "hinge": "the hinge loss",
    "softmax_cross_entropy": "softmax cross-entropy",
    "softmax_mse": "the squared error of the softmax probabilities",
    "output": "the network's output itself",
}
"""Each loss of LOSSES in words, for reports."""

SQUARED_ERRORS = ("mse", "half_sse", "sse")
"""The squared-error losses: they differ by constant factors only."""

CLASS_INDEX_LOSSES = ("softmax_cross_entropy", "softmax_mse")
"""The losses whose targets are class indices (one per sample), the network giving one logit per class."""

__all__ = [
    "LOSSES",
    "LOSS_TEXT",
    "SQUARED_ERRORS",
    "CLASS_INDEX_LOSSES",
    "LossFunction",
    "sse",
    "half_sse",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge",
    "softmax",
    "log_sum_exp",
    "softmax_cross_entropy",
    "l2_penalty",
    "output_sum",
    "softmax_mse",
]
