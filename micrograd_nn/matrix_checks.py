"""The checks behind MLP.from_matrices: a tutorial's weight matrices and bias vectors, read and checked.

nn.py's from_matrices calls these in its layout's terms (see nn.LAYOUTS); each error names the matrix (W2, b1)
and what it needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from micrograd_nn.arrays import real_array


def split_bias_rows(matrices: list[np.ndarray], biases: object) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Layout "bias_row_first": (the bias rows 0, the weight rows below them) of each matrix."""
    if biases is not None:
        raise ValueError("from_matrices: with layout 'bias_row_first' the biases are row 0 of each W; pass biases=None")
    for i, w in enumerate(matrices, 1):
        if w.shape[0] < 2:
            raise ValueError(
                f"from_matrices: W{i} has shape {w.shape}; 'bias_row_first' needs a bias row 0 and at least one "
                "input row"
            )
    return [w[0] for w in matrices], [w[1:] for w in matrices]


def bias_vectors(biases: Any, matrices: list[np.ndarray]) -> list[np.ndarray]:
    """b1, b2, ... as flat vectors, each checked to hold one number per neuron of its layer."""
    if isinstance(biases, np.ndarray) or not isinstance(biases, Sequence):
        raise ValueError("from_matrices: biases must be a list of vectors b1, b2, ... or None")
    if len(biases) != len(matrices):
        raise ValueError(f"from_matrices: {len(matrices)} weight matrices but {len(biases)} bias vectors")
    vectors = []
    for i, (b, w) in enumerate(zip(biases, matrices), 1):
        vector = as_matrix(b, f"b{i}", vector=True)
        if vector.size != w.shape[1]:
            raise ValueError(
                f"from_matrices: b{i} has shape {vector.shape} ({vector.size} numbers) but W{i} has "
                f"{w.shape[1]} neurons: b{i} needs {w.shape[1]} numbers"
            )
        vectors.append(vector.reshape(-1))
    return vectors


def as_matrix(values: Any, name: str, *, vector: bool = False) -> np.ndarray:
    """values as a finite float64 array: a 2-D matrix, or (vector=True) any shape holding one row or column."""
    array = real_array(values, name, "from_matrices")
    if vector:
        if array.ndim > 2 or (array.ndim == 2 and 1 not in array.shape) or array.size == 0:
            raise ValueError(
                f"from_matrices: {name} has shape {array.shape}; a bias must be a vector (n,), (1, n) or (n, 1)"
            )
    elif array.ndim != 2 or array.size == 0:
        raise ValueError(f"from_matrices: {name} has shape {array.shape}; a weight matrix must be 2-D and non-empty")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        raise ValueError(f"from_matrices: {name}{list(index)} is {float(array[index])!r}; every weight must be finite")
    return array


def shape_as_given(w: np.ndarray, layout: str) -> tuple[int, ...]:
    """A (n_in, n_out) matrix's shape as the user wrote it in `layout`."""
    if layout == "neurons_by_inputs":
        return (w.shape[1], w.shape[0])
    return (w.shape[0] + (layout == "bias_row_first"), w.shape[1])
