"""Code written for Karpathy's micrograd runs with only the import changed."""

import random

import numpy as np
import pytest
from sklearn.datasets import make_moons

from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP


def test_micrograd_demo_notebook_runs_unchanged_and_prints_its_numbers() -> None:
    # The body below is micrograd's demo.ipynb (moons), with only the imports changed.
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])

    def loss(batch_size=None):
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    printed = []
    for k in range(3):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        printed.append((total_loss.data, acc))

    # micrograd's notebook prints "step 0 loss 0.8958441028683222, accuracy 50.0%"
    assert printed[0][0] == pytest.approx(0.8958441028683222, rel=1e-12)
    assert printed[0][1] == 0.5
    assert printed[2][0] < printed[0][0]


def test_micrograd_readme_style_names() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    assert c._op == "+" and set(c._prev) == {a, b}
    assert repr(c).startswith("Value(data=")


@pytest.mark.parametrize("engine", ["compiled", "pure"])
def test_a_typo_names_the_near_method_and_the_traceback_ends_in_your_code(engine: str, tmp_path) -> None:
    """x.tahn() on either engine: Python's wording, the near name, and no frame inside a helper module."""
    import os
    import subprocess
    import sys

    script = tmp_path / "typo.py"
    script.write_text("from micrograd_nn import Value\nValue(2.0).tahn()\n")
    env = {**os.environ, "MICROGRAD_NN_PURE": "1" if engine == "pure" else "0"}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    lines = run.stderr.strip().splitlines()
    assert lines[-1] == "AttributeError: 'Value' object has no attribute 'tahn'. Did you mean: 'tanh'?"
    frames = [line.strip() for line in lines if line.strip().startswith("File ")]
    assert frames[0].startswith(f'File "{script}", line 2') and "Value(2.0).tahn()" in run.stderr
    assert all("engine.py" in frame for frame in frames[1:]) and len(frames) <= 2  # raised in the engine's one line


def test_a_missing_attribute_is_still_an_ordinary_attribute_error() -> None:
    x = Value(1.0)
    x.m = 0.5  # attributes of your own are found first
    assert x.m == 0.5 and vars(x) == {"m": 0.5}
    assert not hasattr(x, "tahn") and getattr(x, "tahn", None) is None
    with pytest.raises(AttributeError) as raised:
        _ = x.__array_thing__
    assert str(raised.value) == "'Value' object has no attribute '__array_thing__'"  # no suggestion for _ names
    with pytest.raises(AttributeError, match="^'Value' object has no attribute 'rleu'. Did you mean: 'relu'\\?$"):
        x.rleu()
    del x.m
    with pytest.raises(AttributeError, match="^'Value' object has no attribute 'm'$"):
        _ = x.m
