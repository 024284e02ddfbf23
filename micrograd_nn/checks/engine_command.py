"""The `check-engine` subcommand (issue 24): a learner's own Value class checked case by case, as live/runner.py
has `live`.  Exit status 0 when every case passes, 1 when one fails, 2 (UserError) for a usage mistake."""

from __future__ import annotations

import argparse

from micrograd_nn.usage import UserError


def add_check_engine_command(sub: argparse._SubParsersAction) -> None:
    """`check-engine my_engine.py[:Name]` (issue 24): your own Value class, checked case by case."""
    check = sub.add_parser(
        "check-engine",
        help="check your own Value class (your micrograd) and name the bug behind each failing case",
        description="Run your own Value class (the class Value in FILE, or FILE:NAME) on cases with known gradients "
        "(each op, plain numbers on either side, nodes used twice, a diamond, a chain 10,000 deep, a neuron, an "
        "MLP), compare every gradient with micrograd_nn's, and name the classic bug behind each failure. "
        "Exit status 0 when every case passes, 1 when one fails, 2 for a usage error.",
    )
    check.add_argument("engine", metavar="FILE[:NAME]", help="your engine's file: my_engine.py or my_engine.py:Scalar")
    check.add_argument("--json", action="store_true", help="print one JSON object (passed, missing, cases)")
    check.set_defaults(run=_run_check_engine)


def _run_check_engine(args: argparse.Namespace) -> int:
    from micrograd_nn.checks.learner_engine import EngineSpecError, check_engine

    try:
        report = check_engine(args.engine)
    except EngineSpecError as err:
        raise UserError(str(err).removeprefix("check_engine: ")) from None
    print(report.to_json() if args.json else report)
    return 0 if report.passed else 1
