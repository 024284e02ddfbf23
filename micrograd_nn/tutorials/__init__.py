"""The tutorials' networks trained on the Value engine: one module per demo, plus the tour.

Each demo is a function with size parameters (tests run them small, the CLI
runs them full) that prints its results and writes its plots to a folder.
"""

from __future__ import annotations

from pathlib import Path

from micrograd_nn.tutorials.common import DEFAULT_OUT

DEMO_NAMES = ("binary_toy", "exam_score", "regression", "digits", "moons")


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
    options: dict[str, object] = {"quiet": quiet}
    if seed is not None:
        options["seed"] = seed
    if name == "moons":
        from micrograd_nn.tutorials.moons import run_moons

        run_moons(out_dir, **options)  # type: ignore[arg-type]
    elif name == "binary_toy":
        from micrograd_nn.tutorials.binary_toy import run_binary_toy

        run_binary_toy(out_dir, **options)  # type: ignore[arg-type]
    elif name == "exam_score":
        from micrograd_nn.tutorials.exam_score import run_exam_score

        run_exam_score(out_dir, **options)  # type: ignore[arg-type]
    elif name == "regression":
        from micrograd_nn.tutorials.regression import run_regression

        run_regression(out_dir, **options)  # type: ignore[arg-type]
    elif name == "digits":
        from micrograd_nn.tutorials.digits import run_digits

        loss = "squared_error" if squared_error else "cross_entropy"
        run_digits(out_dir, mnist_csv=mnist_csv, loss=loss, **options)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown demo {name!r}; choose one of {', '.join(DEMO_NAMES)}")
    return 0


__all__ = ["DEMO_NAMES", "run_demo", "run_tour"]
