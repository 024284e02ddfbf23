"""The data sets: shapes, labels, the tutorials' exact tables, seeding, and the MNIST CSV loader."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from micrograd_nn.training import datasets

needs_sklearn = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn is not installed")


@pytest.mark.parametrize(
    ("make", "n_classes"),
    [
        pytest.param(lambda seed: datasets.moons(100, seed=seed), 2, marks=needs_sklearn),
        pytest.param(lambda seed: datasets.circles(120, seed=seed), 2, marks=needs_sklearn),
        pytest.param(lambda seed: datasets.blobs(150, centers=3, seed=seed), 3, marks=needs_sklearn),
        (lambda seed: datasets.xor(80, seed=seed), 2),
        (lambda seed: datasets.spiral(40, n_classes=3, seed=seed), 3),
    ],
)
def test_2d_sets_are_seeded_and_labelled(make, n_classes: int) -> None:
    X, y = make(3)
    X_again, y_again = make(3)
    X_other, _ = make(4)
    assert X.ndim == 2 and X.shape[1] == 2 and X.dtype == np.float64
    assert len(y) == len(X) and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(n_classes))
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert not np.array_equal(X, X_other)


@needs_sklearn
def test_moons_defaults_are_micrograds_data() -> None:
    """micrograd: np.random.seed(1337); make_moons(n_samples=100, noise=0.1)."""
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    X_micrograd, y_micrograd = make_moons(n_samples=100, noise=0.1)
    X, y = datasets.moons()
    assert np.array_equal(X, X_micrograd) and np.array_equal(y, y_micrograd)


def test_xor_labels_follow_the_signs() -> None:
    X, y = datasets.xor(200, seed=1)
    assert np.array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))
    X_table, y_table = datasets.xor_table()
    assert y_table.tolist() == [int(a) ^ int(b) for a, b in X_table.tolist()]


def test_the_tutorials_tables() -> None:
    X, y = datasets.binary_toy()
    assert X.tolist() == [[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]] and y.tolist() == [1, 1, 0]
    X, y = datasets.exam_scores()
    assert X.tolist() == [[2, 9], [1, 5], [3, 6]] and y.tolist() == [92, 86, 89]


def test_hyperplane_regression_target() -> None:
    X, y = datasets.hyperplane_regression(500, seed=2)
    assert X.shape == (500, 4) and X.min() >= 0.0 and X.max() <= 1.0

    def s(v: float) -> float:
        return 1.0 / (1.0 + np.exp(-v))

    a, b, c, d = X[7]
    assert y[7] == pytest.approx(s(0.1 * a) + 0.4 * s(b) - 0.2 * s(c) + s(d), abs=1e-15)
    assert np.array_equal(y, datasets.hyperplane_regression(500, seed=2)[1])


@needs_sklearn
def test_digits_and_split() -> None:
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and X.min() == 0.0 and X.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))
    X_train, y_train, X_dev, y_dev = datasets.train_dev_split(X, y, 0.2, seed=0)
    assert len(X_dev) == 359 and len(X_train) == 1797 - 359
    assert len(X_train) == len(y_train) and len(X_dev) == len(y_dev)
    # together the two parts hold every (row, label) pair exactly once
    pairs = sorted(tuple(r) + (t,) for r, t in zip(X.tolist(), y.tolist()))
    split = zip(np.vstack([X_train, X_dev]).tolist(), np.concatenate([y_train, y_dev]).tolist())
    assert sorted(tuple(r) + (t,) for r, t in split) == pairs
    assert np.array_equal(X_dev, datasets.train_dev_split(X, y, 0.2, seed=0)[2])


def _write_mnist(path, rows: list[list[int]], header: bool) -> None:
    lines = []
    if header:
        lines.append(",".join(["label"] + [f"pixel{i}" for i in range(784)]))
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("header", [True, False])
def test_mnist_csv_loader_reads_both_layouts(tmp_path, header: bool) -> None:
    rng = np.random.default_rng(0)
    rows = [[label] + rng.integers(0, 256, 784).tolist() for label in (7, 2, 1, 0)]
    path = tmp_path / "mnist.csv"
    _write_mnist(path, rows, header)
    X, y = datasets.load_mnist_csv(path)
    assert y.tolist() == [7, 2, 1, 0]
    assert X.shape == (4, 784)
    assert X[1, 5] == rows[1][6] / 255.0
    X_first, y_first = datasets.load_mnist_csv(path, limit=2)
    assert y_first.tolist() == [7, 2] and X_first.shape == (2, 784)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ([3] + [0] * 783, "785"),  # a pixel missing
        ([12] + [0] * 784, "label 12"),
        ([3] + [0] * 783 + [300], "0..255"),
    ],
)
def test_mnist_csv_loader_refuses_other_layouts(tmp_path, row: list[int], problem: str) -> None:
    path = tmp_path / "bad.csv"
    _write_mnist(path, [[1] + [0] * 784, row], header=False)
    with pytest.raises(datasets.MnistCsvError, match=problem) as info:
        datasets.load_mnist_csv(path)
    assert "bad.csv" in str(info.value) and "line 2" in str(info.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: datasets.moons(-5), "n_samples must be a whole number >= 1, got -5"),
        (lambda: datasets.moons(100, noise=float("nan")), "noise must be a finite number >= 0, got nan"),
        (lambda: datasets.circles(100, factor=1.5), r"factor must be in \[0, 1\), got 1.5"),
        (lambda: datasets.blobs(100, centers=True), "centers must be a whole number >= 1, got True"),
        (lambda: datasets.blobs(100, cluster_std=0.0), "cluster_std must be a finite number > 0, got 0.0"),
        (lambda: datasets.xor(2.5), "n_samples must be a whole number >= 1, got 2.5"),
        (lambda: datasets.xor(10, noise=-0.1), "noise must be a finite number >= 0, got -0.1"),
        (lambda: datasets.spiral(10, n_classes=0), "n_classes must be a whole number >= 1, got 0"),
        (lambda: datasets.hyperplane_regression(-1), "n_samples must be a whole number >= 1, got -1"),
        (lambda: datasets.train_dev_split(np.zeros((4, 2)), np.zeros(3)), "4 rows, 3 labels"),
    ],
)
def test_bad_sizes_and_noise_are_refused_naming_the_argument(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_numpy_integer_sizes_are_accepted() -> None:
    X, y = datasets.xor(np.int64(12), seed=1)
    assert X.shape == (12, 2) and np.array_equal(X, datasets.xor(12, seed=1)[0])


def test_mnist_csv_that_is_not_text_or_not_csv_is_a_mnist_csv_error(tmp_path) -> None:
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(datasets.MnistCsvError, match="not a text file"):
        datasets.load_mnist_csv(binary)
    long_field = tmp_path / "long.csv"
    long_field.write_text('"' + "1" * 200_000 + '"\n')  # longer than the csv module's field limit
    with pytest.raises(datasets.MnistCsvError, match="not a CSV file of the expected layout"):
        datasets.load_mnist_csv(long_field)
    with pytest.raises(ValueError, match="limit must be a whole number >= 1, got 0"):
        datasets.load_mnist_csv(binary, limit=0)
