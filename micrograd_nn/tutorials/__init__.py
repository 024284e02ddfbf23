"""The tutorials' networks trained on the Value engine: one module per demo, plus the tour.

Each demo is a function with size parameters (tests run them small, the CLI
runs them full) that prints its results and writes its plots to a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from micrograd_nn.tutorials.common import DEFAULT_OUT


def _moons(out_dir: str | Path, options: dict[str, Any]) -> None:
    from micrograd_nn.tutorials.moons import run_moons

    run_moons(out_dir, **options)


def _binary_toy(out_dir: str | Path, options: dict[str, Any]) -> None:
    from micrograd_nn.tutorials.binary_toy import run_binary_toy

    run_binary_toy(out_dir, **options)


def _exam_score(out_dir: str | Path, options: dict[str, Any]) -> None:
    from micrograd_nn.tutorials.exam_score import run_exam_score

    run_exam_score(out_dir, **options)


def _regression(out_dir: str | Path, options: dict[str, Any]) -> None:
    from micrograd_nn.tutorials.regression import run_regression

    run_regression(out_dir, **options)


def _digits(out_dir: str | Path, options: dict[str, Any]) -> None:
    from micrograd_nn.tutorials.digits import run_digits

    run_digits(out_dir, **options)


RUNNERS: dict[str, Callable[[str | Path, dict[str, Any]], None]] = {
    "binary_toy": _binary_toy,
    "exam_score": _exam_score,
    "regression": _regression,
    "digits": _digits,
    "moons": _moons,
}
"""Each demo's runner: it imports its module only when that demo runs (matplotlib and friends are heavy)."""

DEMO_NAMES = tuple(RUNNERS)


def run_tour(out_dir: str | Path = DEFAULT_OUT, *, quiet: bool = False) -> object:
    """`micrograd-nn tour`: see micrograd_nn.tutorials.tour."""
    from micrograd_nn.tutorials.tour import run_tour as tour

    return tour(out_dir, quiet=quiet)


def run_demo(
    name: str,
    out_dir: str | Path = DEFAULT_OUT,
    *,
    quiet: bool = False,
    seed: int | None = None,
    mnist_csv: str | Path | None = None,
    squared_error: bool = False,
) -> int:
    """`micrograd-nn demo NAME` at full size; returns the exit status."""
    if name not in RUNNERS:
        raise ValueError(f"unknown demo {name!r}; choose one of {', '.join(DEMO_NAMES)}")
    options: dict[str, Any] = {"quiet": quiet}
    if seed is not None:
        options["seed"] = seed
    if name == "digits":
        options.update(mnist_csv=mnist_csv, loss="squared_error" if squared_error else "cross_entropy")
    RUNNERS[name](out_dir, options)
    return 0


__all__ = ["DEMO_NAMES", "run_demo", "run_tour"]
