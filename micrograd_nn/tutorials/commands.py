"""The tutorials' subcommands: `tour` (the main demo) and `demo NAME` (the tutorials' networks), as live/runner.py
has `live`.  The output folder is checked (made and written to) before any training starts."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from micrograd_nn.errors import whole_number_argument
from micrograd_nn.tutorials.common import DEFAULT_OUT
from micrograd_nn.usage import UserError

MAX_SEED = 2**32 - 1
"""The largest seed (NumPy's and scikit-learn's generators take 0 to 2**32 - 1)."""


def add_tutorial_commands(sub: argparse._SubParsersAction) -> None:
    """`tour` (the main demo) and `demo NAME` (the tutorials' networks, issue 4)."""
    tour = sub.add_parser(
        "tour",
        help="train micrograd's moons network and write its plots, graph and backward report",
        description="Train micrograd's moons demo (2-16-16-1, hinge loss) on embedded data, then write the "
        "loss curve, decision boundary, one sample's computation graph and its step-by-step backward report.",
    )
    tour.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: ./{DEFAULT_OUT})")
    tour.add_argument("--quiet", action="store_true", help="no progress bar")
    tour.set_defaults(run=_run_tour)

    demo = sub.add_parser(
        "demo",
        help="run one tutorial's network: binary_toy, exam_score, regression, digits, moons",
        description="Train one tutorial's network on the Value engine, print its results and write its plots.",
    )
    demo.add_argument("name", choices=["binary_toy", "exam_score", "regression", "digits", "moons"])
    demo.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: ./{DEFAULT_OUT})")
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.add_argument(
        "--seed", type=whole_number_argument(0, MAX_SEED), default=None,
        help=f"random seed from 0 to {MAX_SEED} (default: the demo's own)",
    )
    demo.add_argument(
        "--mnist-csv",
        default=None,
        metavar="PATH",
        help="digits only: train the tutorial's 784-32-16-10 network on this MNIST CSV (label, 784 pixels)",
    )
    demo.add_argument(
        "--squared-error",
        action="store_true",
        help="digits only: the tutorial's squared error of softmax vs one-hot instead of cross-entropy",
    )
    demo.set_defaults(run=_run_demo)


def _check_output_folder(out: str, name: str) -> None:
    """Make out/name (where the demo writes) and write a test file there now, before any training.

    UserError says what is wrong: out is a file, or the folder cannot be made or written.
    """
    if not out.strip():
        raise UserError("--out: the folder name is empty; give a folder such as --out results")
    folder = Path(out) / name
    for path in (Path(out), folder):
        if path.exists() and not path.is_dir():
            raise UserError(f"--out {out}: {path} is a file, not a folder; give a folder for the output")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UserError(f"--out {out}: cannot write in the folder {folder}: {err.strerror or err}") from None


def _run_tour(args: argparse.Namespace) -> int:
    from micrograd_nn.tutorials import run_tour

    _check_output_folder(args.out, "tour")
    run_tour(args.out, quiet=args.quiet)
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from micrograd_nn.training.datasets import MnistCsvError
    from micrograd_nn.tutorials import run_demo

    if (args.mnist_csv is not None or args.squared_error) and args.name != "digits":
        raise UserError("--mnist-csv and --squared-error apply only to the digits demo")
    if args.mnist_csv is not None and not Path(args.mnist_csv).is_file():
        problem = "not a regular file" if Path(args.mnist_csv).exists() else "no such file"
        raise UserError(f"--mnist-csv {args.mnist_csv}: {problem}")
    _check_output_folder(args.out, args.name)
    try:
        return run_demo(
            args.name,
            args.out,
            quiet=args.quiet,
            seed=args.seed,
            mnist_csv=args.mnist_csv,
            squared_error=args.squared_error,
        )
    except MnistCsvError as err:
        raise UserError(f"--mnist-csv: {err}") from None
