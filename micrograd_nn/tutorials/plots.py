"""The demos' figures, drawn with matplotlib's object API (Agg canvas, no window, no global state).

matplotlib is imported inside each function, so importing the demos stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from micrograd_nn.atomic_write import write_atomically
from micrograd_nn.nn import Module
from micrograd_nn.training.train import predict


def _figure(width: float = 6.0, height: float = 4.0) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="tight")


def _save(fig: Any, path: str | Path) -> Path:
    """Write fig to path atomically, in the format its suffix names (PNG for the demos)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=Path(path).suffix.lstrip(".").lower() or "png")
    return write_atomically(path, buffer.getvalue(), "savefig")


def loss_curve(
    curves: Mapping[str, Sequence[float]],
    path: str | Path,
    title: str,
    ylabel: str = "loss",
    log_scale: bool = False,
    *,
    xlabel: str = "epoch",
    first: int = 1,
) -> Path:
    """Line plot of each named curve against its count (xlabel: "epoch", "step"; first, first + 1, ...); saved to path.

    The title says what the count is ("loss per step") and the axis says the same, numbered as the demo prints it
    (steps from 0 as in micrograd's demo, epochs from 1).
    """
    fig = _figure()
    ax = fig.add_subplot()
    for name, values in curves.items():
        ax.plot(range(first, first + len(values)), values, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if log_scale:
        ax.set_yscale("log")
    if len(curves) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def decision_boundary(
    model: Module,
    X: np.ndarray,
    y: np.ndarray,
    path: str | Path,
    title: str,
    rule: str = "sign",
    resolution: int = 60,
) -> Path:
    """The model's class over a grid around the 2-D points, with the points on top; saved to path.

    rule as in train.accuracy: "sign" (one score, classes by its sign), "threshold"
    (one sigmoid output, class 1 above 0.5) or "argmax" (one output per class).
    """
    X = np.asarray(X, dtype=float)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    outputs = predict(model, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    if rule == "sign":
        classes = np.array([o > 0 for o in outputs], dtype=float)
    elif rule == "threshold":
        classes = np.array([o > 0.5 for o in outputs], dtype=float)
    elif rule == "argmax":
        classes = np.array([int(np.argmax(o)) for o in outputs], dtype=float)
    else:
        raise ValueError(f"unknown rule {rule!r}; choose sign, threshold or argmax")
    fig = _figure(5.5, 4.5)
    ax = fig.add_subplot()
    ax.contourf(grid_x, grid_y, classes.reshape(grid_x.shape), cmap="Spectral", alpha=0.6)
    ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y), s=25, cmap="Spectral", edgecolors="black", linewidths=0.5)
    ax.set_title(title)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return _save(fig, path)


def predicted_vs_true(y_true: Sequence[float], y_pred: Sequence[float], path: str | Path, title: str) -> Path:
    """Scatter of prediction against true value with the line y = x; saved to path."""
    fig = _figure(5.0, 5.0)
    ax = fig.add_subplot()
    ax.scatter(y_true, y_pred, s=4, alpha=0.4)
    low = min(min(y_true), min(y_pred))
    high = max(max(y_true), max(y_pred))
    ax.plot([low, high], [low, high], color="black", linewidth=1, label="prediction = truth")
    ax.set_xlabel("true value")
    ax.set_ylabel("prediction")
    ax.set_title(title)
    ax.legend()
    return _save(fig, path)
