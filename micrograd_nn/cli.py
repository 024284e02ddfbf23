"""The `micrograd-nn` command: one subcommand per story (see --help)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="micrograd-nn",
        description="A scalar autograd engine that shows every step of backprop.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each story adds its subcommands here, one add_* function per story.
    del sub
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse argv and run the chosen subcommand; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)
