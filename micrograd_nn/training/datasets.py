"""The tutorials' data sets, seeded; nothing is downloaded at run time.

Every generator returns ``(X, y)`` as NumPy arrays: X of shape (n, features)
as float64, y of shape (n,) (class labels as int64, regression targets as
float64).  The same seed always gives the same data.  scikit-learn is imported
inside the functions that use it, so ``import micrograd_nn`` stays light.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from micrograd_nn.errors import finite_real, whole_number

MNIST_PIXELS = 784




# -- 2-D classification sets ----------------------------------------------------------------


def moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's make_moons); labels 0/1.

    The defaults give micrograd's demo data: np.random.seed(1337) followed by
    make_moons(n_samples=100, noise=0.1) draws the same points as random_state=1337.
    """
    n_samples, noise = whole_number(n_samples, "n_samples"), finite_real(noise, "noise", at_least=0.0)
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def circles(
    n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one (scikit-learn's make_circles); labels 0 (outer) / 1 (inner)."""
    n_samples, noise = whole_number(n_samples, "n_samples"), finite_real(noise, "noise", at_least=0.0)
    if not 0.0 <= finite_real(factor, "factor", at_least=0.0) < 1.0:
        raise ValueError(f"factor must be in [0, 1), got {factor!r}")
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def blobs(
    n_samples: int = 200, centers: int = 3, cluster_std: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters in 2-D (scikit-learn's make_blobs); labels 0 .. centers-1."""
    n_samples, centers = whole_number(n_samples, "n_samples"), whole_number(centers, "centers")
    cluster_std = finite_real(cluster_std, "cluster_std", above=0.0)
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=n_samples, centers=centers, cluster_std=cluster_std, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def xor(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform on [-1, 1]^2, label 1 where x1 and x2 have different signs, else 0.

    noise adds N(0, noise^2) to the points after labelling.
    """
    n_samples, noise = whole_number(n_samples, "n_samples"), finite_real(noise, "noise", at_least=0.0)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


def spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms (the CS231n set): arm k at radius r in [0, 1], angle 4r + 2 pi k / K + noise."""
    n_per_class, n_classes = whole_number(n_per_class, "n_per_class"), whole_number(n_classes, "n_classes")
    noise = finite_real(noise, "noise", at_least=0.0)
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k in range(n_classes):
        radius = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(0.0, 4.0, n_per_class) + 2 * math.pi * k / n_classes
        angle = angle + rng.normal(0.0, noise, n_per_class)
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(n_per_class, k, dtype=np.int64))
    return np.concatenate(points), np.concatenate(labels)


# -- the tutorials' small tables ------------------------------------------------------------


def binary_toy() -> tuple[np.ndarray, np.ndarray]:
    """The one-hidden-layer tutorial's table: 3 samples of 4 binary inputs, targets [1, 1, 0]."""
    X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)
    y = np.array([1, 1, 0], dtype=np.int64)
    return X, y


def exam_scores() -> tuple[np.ndarray, np.ndarray]:
    """The exam-score tutorial's table: (hours studied, hours slept) -> test score out of 100."""
    X = np.array([[2, 9], [1, 5], [3, 6]], dtype=np.float64)
    y = np.array([92, 86, 89], dtype=np.float64)
    return X, y


def xor_table() -> tuple[np.ndarray, np.ndarray]:
    """The four rows of the XOR truth table: inputs in {0, 1}^2, target x1 xor x2."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


# -- regression -------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def hyperplane_regression(n_samples: int = 10_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """a, b, c, d ~ U[0, 1]; target sigmoid(0.1a) + 0.4 sigmoid(b) - 0.2 sigmoid(c) + sigmoid(d)."""
    n_samples = whole_number(n_samples, "n_samples")
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 4))
    a, b, c, d = X.T
    y = _sigmoid(0.1 * a) + 0.4 * _sigmoid(b) - 0.2 * _sigmoid(c) + _sigmoid(d)
    return X, y


# -- handwritten digits --------------------------------------------------------------------------


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1797 handwritten 8x8 digits (shipped with the package): pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return (bunch.data / 16.0).astype(np.float64), bunch.target.astype(np.int64)


def train_dev_split(
    X: np.ndarray, y: np.ndarray, dev_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with the seed and hold out dev_fraction of the rows: (X_train, y_train, X_dev, y_dev)."""
    if not 0.0 < dev_fraction < 1.0:
        raise ValueError(f"dev_fraction must be in (0, 1), got {dev_fraction!r}")
    if len(X) != len(y) or len(X) < 2:
        raise ValueError(f"train_dev_split needs as many labels as rows (2 or more): {len(X)} rows, {len(y)} labels")
    order = np.random.default_rng(seed).permutation(len(X))
    n_dev = max(1, round(len(X) * dev_fraction))
    dev, train = order[:n_dev], order[n_dev:]
    return X[train], y[train], X[dev], y[dev]


class MnistCsvError(ValueError):
    """An MNIST CSV file that does not have the expected layout."""


def load_mnist_csv(path: str | Path, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read MNIST in the CSV layout (label, then 784 pixels 0..255 per row; header optional).

    Returns X of shape (n, 784) scaled to [0, 1] and the labels 0..9.  limit
    keeps only the first rows.  Any other layout raises MnistCsvError naming
    the file and the line.
    """
    path = Path(path)
    if limit is not None:
        limit = whole_number(limit, "limit")
    try:
        labels, rows = _read_mnist_rows(path, limit)
    except UnicodeDecodeError:
        raise MnistCsvError(f"{path}: not a text file (an MNIST CSV is text: label, then 784 pixels)") from None
    except csv.Error as err:
        raise MnistCsvError(f"{path}: not a CSV file of the expected layout: {err}") from None
    if not labels:
        raise MnistCsvError(f"{path}: no data rows")
    X = np.asarray(rows, dtype=np.float64) / 255.0
    return X, np.asarray(labels, dtype=np.int64)


def _read_mnist_rows(path: Path, limit: int | None) -> tuple[list[int], list[list[int]]]:
    """The labels and pixel rows of an MNIST CSV; MnistCsvError names the first line that does not fit."""
    labels: list[int] = []
    rows: list[list[int]] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line_number, record in enumerate(csv.reader(handle), 1):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if line_number == 1 and not record[0].strip().lstrip("-").isdigit():
                continue  # a header such as "label,pixel0,...,pixel783" (Kaggle's train.csv)
            if len(record) != MNIST_PIXELS + 1:
                raise MnistCsvError(
                    f"{path}: line {line_number} has {len(record)} columns; "
                    f"expected {MNIST_PIXELS + 1} (label then {MNIST_PIXELS} pixels)"
                )
            try:
                values = [int(field) for field in record]
            except ValueError:
                raise MnistCsvError(f"{path}: line {line_number} has a field that is not an integer") from None
            label, pixels = values[0], values[1:]
            if not 0 <= label <= 9:
                raise MnistCsvError(f"{path}: line {line_number}: label {label} is not a digit 0..9")
            if min(pixels) < 0 or max(pixels) > 255:
                raise MnistCsvError(f"{path}: line {line_number}: pixel values must be in 0..255")
            labels.append(label)
            rows.append(pixels)
            if limit is not None and len(labels) >= limit:
                break
    return labels, rows


__all__ = [
    "moons",
    "circles",
    "blobs",
    "xor",
    "spiral",
    "binary_toy",
    "exam_scores",
    "xor_table",
    "hyperplane_regression",
    "digits",
    "train_dev_split",
    "load_mnist_csv",
    "MnistCsvError",
]
