"""check_gradients' inputs read and checked: X as rows of samples, y as targets, the learner's arrays by name.

Each is turned into plain numbers or finite float arrays, or refused with an
error that names check_gradients, the argument and the offending entry or shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from micrograd_nn.arrays import real_array
from micrograd_nn.nn import MLP
from micrograd_nn.training.losses import CLASS_INDEX_LOSSES


def finite_array(values: Any, what: str) -> np.ndarray:
    """values as a float array of finite real numbers; an error naming `what` and the entry otherwise."""
    array = real_array(values, what, "check_gradients")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        value = float(array[index])
        raise ValueError(f"check_gradients: {what}{list(index)} is {value!r}; every number must be finite")
    return array


def input_rows(X: Any, model: MLP, layout: str) -> list[list[float]]:
    array = finite_array(X, "X")
    if array.ndim == 1 and model.nin == array.size:
        array = array.reshape(1, -1) if layout != "neurons_by_inputs" else array.reshape(-1, 1)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"check_gradients: X has shape {array.shape}; it must be a 2-D table of samples")
    if layout == "neurons_by_inputs":
        if array.shape[0] != model.nin:
            hint = " (samples are columns in this layout: pass X.T)" if array.shape[1] == model.nin else ""
            raise ValueError(
                f"check_gradients: X has shape {array.shape} but the network reads {model.nin} inputs: with layout "
                f"'neurons_by_inputs' X must have shape ({model.nin}, n_samples){hint}"
            )
        array = array.T
    elif array.shape[1] != model.nin:
        hint = " (samples are rows in this layout: pass X.T)" if array.shape[0] == model.nin else ""
        raise ValueError(
            f"check_gradients: X has shape {array.shape} but the network reads {model.nin} inputs: with layout "
            f"{layout!r} X must have shape (n_samples, {model.nin}){hint}"
        )
    return array.tolist()


def targets_of(y: Any, model: MLP, layout: str, n: int, loss_name: str) -> Any:
    """Targets as plain Python: class labels, one number per row, or one list per row."""
    if loss_name == "output" and y is None:
        return [0.0] * n
    array = finite_array(y, "y")
    nout = len(model.layers[-1].neurons)
    if array.ndim == 2 and layout == "neurons_by_inputs" and array.shape == (nout, n):
        array = array.T
    if loss_name in CLASS_INDEX_LOSSES:
        return _class_labels(array, n, nout, loss_name)
    if nout == 1:
        if array.size != n:
            raise ValueError(f"check_gradients: y holds {array.size} numbers but X has {n} samples")
        return array.reshape(-1).tolist()
    if array.shape != (n, nout):
        raise ValueError(
            f"check_gradients: y has shape {array.shape}; {n} samples of {nout} outputs need ({n}, {nout})"
        )
    return array.tolist()


def _class_labels(array: np.ndarray, n: int, nout: int, loss_name: str) -> list[int]:
    """One class index per sample, from indices or one-hot rows; ValueError naming the shape otherwise."""
    if array.ndim == 2 and array.shape == (n, nout) and np.all((array == 0) | (array == 1)):
        array = array.argmax(axis=1)  # one-hot rows
    if array.shape != (n,) or np.any(array != np.round(array)):
        raise ValueError(
            f"check_gradients: y has shape {array.shape}; {loss_name} needs one class index per sample ({n},) "
            f"or one-hot rows ({n}, {nout})"
        )
    return [int(v) for v in array.tolist()]


def learner_arrays(mine: Any, names: list[str]) -> dict[str, np.ndarray | None]:
    if callable(mine):
        mine = mine()
    if isinstance(mine, (str, bytes, bytearray)):
        raise TypeError(
            f"check_gradients: mine must be a list of arrays in the order {', '.join(names)}, "
            f"got the {type(mine).__name__} {mine[:40]!r}"
        )
    if isinstance(mine, np.ndarray) or not isinstance(mine, Sequence):
        raise ValueError(f"check_gradients: mine must be a list of arrays in the order {', '.join(names)}")
    if len(mine) != len(names):
        raise ValueError(
            f"check_gradients: got {len(mine)} arrays but this network and layout need {len(names)}, in the order "
            f"{', '.join(names)} (use None for an array you did not compute)"
        )
    return {name: None if given is None else finite_array(given, name) for name, given in zip(names, mine)}
