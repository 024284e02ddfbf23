"""`micrograd-nn practice EXPR -o worksheet.html`: a practice page (predict, then see) for an expression.

The expression is parsed as `explain` parses it (micrograd_nn.expression);
each name's value comes from ``--set NAME=NUMBER`` or, for the names left
out, from ``--seed`` (halves from -3 to 3, never 0).  A user's mistake is a
ValueError, OSError or RuntimeError with a one-line message, which cli.py
turns into one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

DRAWN_VALUES = [k / 2 for k in range(-6, 7) if k != 0]
"""What --seed draws a name's value from: -3, -2.5, ..., 2.5, 3 (numbers a learner works with by hand)."""


def add_practice_command(sub: argparse._SubParsersAction, *, seed: Callable[[str], int],
                         run: Callable[[argparse.Namespace], int]) -> None:
    """Register `practice EXPR --set a=2 ... [--seed N] -o worksheet.html` (issue 24); seed parses --seed."""
    practice = sub.add_parser(
        "practice",
        help="write a practice page: work each gradient of an expression out by hand before it is shown",
        description="Build an expression such as 'tanh(a*b + c) * 2' as `explain` does and write a page that "
        "walks its backward pass: at each step you type the gradient (and some local derivatives) before the "
        "step is revealed; a wrong answer gets a hint aimed at the likely mistake.",
    )
    practice.add_argument(
        "expression", metavar="EXPR", nargs="?",  # "?" so that an EXPR starting with '-' is taken (cli._parse)
        help="for example: 'a*b + c' or 'tanh(x1*w1 + x2*w2 + b)'",
    )
    practice.add_argument(
        "--set", dest="values", nargs="+", action="extend", default=[], metavar="NAME=NUMBER",
        help="the value of each name, e.g. --set a=2 b=-3 c=10",
    )
    practice.add_argument(
        "--seed", type=seed, default=None,
        help="draw the values of the names --set leaves out (halves from -3 to 3) with this seed",
    )
    practice.add_argument("-o", "--output", default="practice.html", metavar="PATH",
                          help="the page to write (default practice.html; .html added if no suffix)")
    practice.add_argument("--local", choices=["auto", "all", "none"], default="auto",
                          help="which local derivatives are asked too: auto (those that depend on a value), all, none")
    practice.add_argument("--forward", action="store_true", help="step through the forward pass first")
    practice.add_argument("--title", default=None, help="the page's title")
    practice.set_defaults(run=run)


def _output(path: str) -> str:
    """The page's path, .html added when it has no suffix; ValueError for another suffix or a missing folder."""
    suffix = Path(path).suffix.lower()
    if suffix not in ("", ".html", ".htm"):
        raise ValueError(f"-o {path}: the name ends in {suffix} but the page is HTML; use a name ending in .html")
    if not Path(path).parent.is_dir():
        raise ValueError(f"-o {path}: the folder {Path(path).parent} does not exist")
    return path if suffix else f"{path}.html"


def _drawn(expression: str, given: dict[str, float], seed: int | None) -> dict[str, float]:
    """given, plus a drawn value for every other name of the expression when a seed is given."""
    from micrograd_nn.expression import names_in, parse

    if seed is None:
        return given
    rng = random.Random(seed)
    names = dict.fromkeys(name.name for name in names_in(parse(expression)))
    return {**{name: rng.choice(DRAWN_VALUES) for name in names if name not in given}, **given}


def write_worksheet(args: Any, values: dict[str, float]) -> str:
    """Build args.expression with values (--set) and drawn ones (--seed), run backward(), write the page.

    Returns the line to print: what was written, how many questions, the values used.
    """
    from micrograd_nn.expression import build
    from micrograd_nn.views.practice_page import DEFAULT_TITLE, practice_questions
    from micrograd_nn.views.stepper import write_html

    path = _output(args.output)
    try:
        root, leaves = build(args.expression, _drawn(args.expression, values, args.seed))
        root.backward()
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        again = "; pick other values with --set or another --seed" if args.seed is not None else ""
        raise ValueError(f"{err}{again}") from None
    try:
        count = len(practice_questions(root, local=args.local))
    except ValueError as err:
        raise ValueError(str(err).removeprefix("practice: ")) from None
    written = write_html(root, path, practice=True, title=args.title or DEFAULT_TITLE, local=args.local,
                         forward=args.forward, expression=args.expression)
    shown = ", ".join(f"{name} = {leaf.data:g}" for name, leaf in leaves.items())
    return f"wrote {written}: {count} questions on {args.expression}" + (f" with {shown}" if shown else "")
