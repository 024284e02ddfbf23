"""The `micrograd-nn` command: one subcommand per story (see --help).

A user's mistake (a bad expression, a missing file, an output folder that
cannot be written) is one line on stderr and exit status 2, never a
traceback; an internal bug still shows its traceback.  Ctrl-C ends a run
with "interrupted" and exit status 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from micrograd_nn import _old_paths
from micrograd_nn.atomic_write import file_in_the_way, message_of
from micrograd_nn.checks.engine_command import add_check_engine_command
from micrograd_nn.errors import whole_number_argument
from micrograd_nn.tutorials.commands import MAX_SEED, add_tutorial_commands
from micrograd_nn.usage import UserError, parse_values

if TYPE_CHECKING:
    from micrograd_nn.engine import Value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from micrograd_nn import ENGINE, __version__

    parser = argparse.ArgumentParser(
        prog="micrograd-nn",
        description="A scalar autograd engine that shows every step of backprop.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__} ({ENGINE} engine)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each story adds its subcommands here, one add_* function per story.
    add_tutorial_commands(sub)
    add_explain_commands(sub)
    add_check_engine_command(sub)
    from micrograd_nn.live.runner import add_live_command

    add_live_command(sub)
    from micrograd_nn.cli_practice import add_practice_command

    add_practice_command(sub, seed=whole_number_argument(0, MAX_SEED), run=_run_practice)
    return parser


def add_explain_commands(sub: argparse._SubParsersAction) -> None:
    """`explain EXPR --set a=2 ...` and `graph` (issue 3, seeing backprop)."""
    explain = sub.add_parser(
        "explain",
        help="build an expression, run backward and explain every chain-rule step",
        description="Build an expression such as 'tanh(a*b + c) * 2' from names, numbers, + - * / **, "
        "parentheses and the functions " + ", ".join(sorted(_expression_functions())) + "; run backward(); "
        "print the node table and the chain rule step by step; optionally write the picture or the HTML stepper.",
    )
    explain.add_argument(
        "expression", metavar="EXPR", nargs="?",  # "?" so that main() can take an EXPR that starts with '-'
        help="for example: 'tanh(a*b + c) * 2' or '-a*b'",
    )
    explain.add_argument(
        "--set", dest="values", nargs="+", action="extend", default=[], metavar="NAME=NUMBER",
        help="the value of each name, e.g. --set a=2 b=-3 c=10",
    )
    explain.add_argument(
        "--forward-vs-reverse", action="store_true",
        help="forward mode (one pass per input) beside reverse mode (one per output): print what each gives and "
        "costs for the whole Jacobian; with --html FILE the page steps through both side by side",
    )
    _add_view_options(explain)
    explain.set_defaults(run=_run_explain)

    graph = sub.add_parser(
        "graph",
        help="draw and explain one sample's graph through the demo model (or a saved model)",
        description="Run one sample through a model (by default the demo MLP(2, [4, 1], rng=0); with --model "
        "a model saved by micrograd_nn.training.persistence.save_model), run backward on the output (or on the "
        "squared error when --target is given), print the node table and the explanation, and write pictures.",
    )
    graph.add_argument("--model", metavar="PATH", help="a model saved with save_model")
    graph.add_argument(
        "--input", dest="inputs", nargs="+", type=float, metavar="X",
        help="the sample (default for a 2-input model: 0.5 -1.0)",
    )
    graph.add_argument(
        "--target", dest="targets", nargs="+", type=float, metavar="T",
        help="backward from the squared error (y - T)^2 summed over the outputs, instead of the output",
    )
    _add_view_options(graph)
    graph.set_defaults(run=_run_graph)


def _expression_functions() -> list[str]:
    from micrograd_nn.expression import FUNCTIONS

    return list(FUNCTIONS)


FILE_OPTIONS = {
    "svg": "the graph picture as SVG",
    "png": "the graph picture as PNG",
    "pdf": "the graph picture as PDF",
    "dot": "the DOT text (no Graphviz program needed)",
    "html": "the self-contained HTML stepper",
}
"""The file each option writes; the format follows the option, and the file name must agree."""


def _file_path(option: str, path: str) -> str:
    """path for --option, with .option added when it has no suffix; UserError when its suffix names another format."""
    suffix = Path(path).suffix.lower()
    if suffix and suffix != f".{option}" and not (option == "html" and suffix == ".htm"):
        raise UserError(
            f"--{option} {path}: the name ends in {suffix} but --{option} writes {option.upper()}; "
            f"use a name ending in .{option}, or no suffix"
        )
    blocker = file_in_the_way(path)  # a missing folder is made when the file is written, as for every output
    if blocker is not None:
        raise UserError(f"--{option} {path}: {blocker} is a file, not a folder")
    return path if suffix else f"{path}.{option}"


def _add_view_options(parser: argparse.ArgumentParser) -> None:
    """What to print and which files to write, shared by explain and graph."""
    from micrograd_nn.views.scalar_picture import DEFAULT_MAX_NODES

    for option, what in FILE_OPTIONS.items():
        parser.add_argument(f"--{option}", metavar="PATH", help=f"write {what} (.{option} added if no suffix)")
    parser.add_argument(
        "--html-mode", choices=["nodes", "layers"], default="nodes",
        help="the stepper walks node by node (default) or, for a network, layer by layer then neuron by neuron",
    )
    parser.add_argument("--html-forward", action="store_true", help="the stepper first steps through the forward pass")
    parser.add_argument("--direction", choices=["LR", "TB"], default="LR", help="picture direction (default LR)")
    parser.add_argument("--edge-labels", action="store_true", help="write local x upstream on every edge")
    parser.add_argument("--collapse", action="store_true", help="draw one node per neuron")
    parser.add_argument(
        "--network", action="store_true",
        help="draw the network view instead: one column per layer, one node per neuron (z, a, dL/dz), "
        "one edge per weight",
    )
    parser.add_argument(
        "--focus", metavar="NEURON",
        help="with --network: expand one neuron (e.g. L1.n3) into its scalar operations",
    )
    parser.add_argument(
        "--edge-value", choices=["weight", "grad"], default="weight",
        help="with --network: edge width and colour show the weight (default) or its gradient",
    )
    parser.add_argument(
        "--precision", type=whole_number_argument(0), default=4, metavar="DIGITS",
        help="decimals shown in the table, the explanation and the pictures, 0 to 15 (default 4)",
    )
    parser.add_argument("--path-from", metavar="NAME", help="only explain (and highlight) the path from NAME")
    parser.add_argument(
        "--max-nodes", type=whole_number_argument(1), default=DEFAULT_MAX_NODES,
        help=f"largest picture to draw (default {DEFAULT_MAX_NODES})",
    )
    parser.add_argument(
        "--table", action="store_true",
        help="print the node table also when a file is written (without files it is printed anyway)",
    )
    parser.add_argument(
        "--steps", action="store_true",
        help="print the chain rule step by step also when a file is written (without files it is printed anyway)",
    )
    parser.add_argument("--no-table", action="store_true", help="do not print the node table")
    parser.add_argument("--no-explain", action="store_true", help="do not print the step-by-step explanation")
    parser.add_argument(
        "--audit", action="store_true",
        help="check every gradient against central differences; mark disagreements in the picture",
    )


_BAD_NUMBERS = (ValueError, ZeroDivisionError, OverflowError)
"""What bad input (an expression, values, a sample) raises while building a graph or running backward."""


def _run_explain(args: argparse.Namespace) -> int:
    from micrograd_nn.expression import build

    values = parse_values(args.values)
    try:
        root, _ = build(args.expression, values)
    except _BAD_NUMBERS as err:
        raise UserError(str(err)) from None
    return _show(root, args)


def _run_practice(args: argparse.Namespace) -> int:
    from micrograd_nn.cli_practice import write_worksheet

    values = parse_values(args.values)
    with _said_in_cli_terms():
        print(write_worksheet(args, values))
    return 0


def _run_graph(args: argparse.Namespace) -> int:
    from micrograd_nn.nn import MLP

    if args.model:
        from micrograd_nn.training.persistence import ModelFileError, load_model

        try:
            model = load_model(args.model)
        except (OSError, ValueError, KeyError) as err:  # the file is named once, here
            problem = err.problem if isinstance(err, ModelFileError) else message_of(err)
            raise UserError(f"cannot load {args.model}: {problem}") from None
    else:
        model = MLP(2, [4, 1], rng=0)
    inputs = args.inputs if args.inputs is not None else ([0.5, -1.0] if model.nin == 2 else None)
    if inputs is None or len(inputs) != model.nin:
        raise UserError(f"the model needs --input with {model.nin} numbers")
    try:
        root = _graph_root(model.forward(inputs), args.targets)
    except _BAD_NUMBERS as err:
        raise UserError(str(err)) from None
    return _show(root, args)


def _graph_root(outputs: list[Value], targets: list[float] | None) -> Value:
    """The output (or the sum of the outputs), or with --target the squared error named loss, error1, ..."""
    from micrograd_nn.engine import Value

    if targets is None:
        return outputs[0] if len(outputs) == 1 else Value.sum(outputs)
    if len(targets) != len(outputs):
        raise UserError(f"the model has {len(outputs)} outputs; give --target {len(outputs)} numbers")
    differences = [y - t for y, t in zip(outputs, targets)]
    for i, difference in enumerate(differences, 1):
        difference.label = f"error{i}" if len(differences) > 1 else "error"
    errors = [difference**2 for difference in differences]
    root = errors[0] if len(errors) == 1 else Value.sum(errors)
    root.label = "loss"
    return root


def _show(root: Value, args: argparse.Namespace) -> int:
    """Run backward on root, print the table and explanation, and write the requested files."""
    from micrograd_nn.views import explain, network_picture, tables

    files = {option: _file_path(option, getattr(args, option)) for option in FILE_OPTIONS if getattr(args, option)}
    try:
        root.backward()
    except _BAD_NUMBERS as err:
        raise UserError(str(err)) from None
    path_from = _path_from(root, args.path_from)
    if not 0 <= args.precision <= 15:
        raise UserError(f"--precision must be from 0 to 15 decimals, got {args.precision}")
    mistake = _option_mistake(args, files)
    if mistake:
        raise UserError(mistake)
    if args.network:  # a missing neuron or a graph without neurons is said now, before any printing
        with _said_in_cli_terms():
            network_picture.network_dot(root, focus=args.focus, edge_value=args.edge_value, precision=args.precision)
    # Without files the command's output is the table and the steps; with files, what was written and a
    # summary, the table and steps only on request (--table, --steps).
    compare = getattr(args, "forward_vs_reverse", False)  # explain's --forward-vs-reverse: its comparison instead
    show_table = (args.table or not (files or compare)) and not args.no_table
    show_steps = (args.steps or not (files or compare)) and not args.no_explain
    if show_table:
        print(tables.format_table(root, precision=args.precision))
        print()
    if show_steps:
        print(explain.explain(root, path_from=path_from, precision=args.precision))
    report = None
    if args.audit:
        from micrograd_nn.checks.graph_audit import audit_gradients

        try:
            report = audit_gradients(root)
        except _BAD_NUMBERS as err:
            raise UserError(f"--audit: {err}") from None
        print()
        print(report.format())
    if compare:
        from micrograd_nn.views.forward_reverse import comparison

        print(comparison(root, args.precision))
    with _said_in_cli_terms():
        _write_files(root, args, files, path_from, report)
    if files and not (show_table or show_steps or compare):
        print(_summary(root, args.precision))
    return 0


def _path_from(root: Value, label: str | None) -> Value | None:
    """The node labelled --path-from, or None when the option is not given."""
    from micrograd_nn.engine import topological_order

    if not label:
        return None
    matches = [n for n in topological_order(root) if n.label == label]
    if not matches:
        raise UserError(f"--path-from: no node labelled {label!r}")
    return matches[0]


@contextmanager
def _said_in_cli_terms() -> Iterator[None]:
    """A picture or file error as a UserError, in the CLI's options where it has such a message (cli_message)."""
    try:
        yield
    except (ValueError, RuntimeError, OSError) as err:
        raise UserError(getattr(err, "cli_message", None) or message_of(err)) from None


def _write_files(root: Value, args: argparse.Namespace, files: dict[str, str], path_from: Value | None,
                 report: object) -> None:
    """Write the pictures (scalar or network view) and the stepper page the options ask for, saying each path."""
    from micrograd_nn.views import network_picture, scalar_picture

    options = dict(
        direction=args.direction, edge_labels=args.edge_labels, collapse=args.collapse,
        path_from=path_from, max_nodes=args.max_nodes, audit=report,
        precision=args.precision,
    )
    network_options = dict(
        direction=args.direction, focus=args.focus, edge_value=args.edge_value, precision=args.precision,
    )
    for option, path in files.items():
        if option != "html" and args.network:
            print(f"wrote {network_picture.render_network(root, path, **network_options)}")
        elif option != "html":
            print(f"wrote {scalar_picture.render(root, path, **options)}")  # type: ignore[arg-type]
    if "html" in files:
        from micrograd_nn.views.scalar_picture import DEFAULT_MAX_NODES
        from micrograd_nn.views.stepper import write_html

        html_options: dict[str, Any] = dict(direction=args.direction, mode=args.html_mode,
                                               forward=args.html_forward)
        if getattr(args, "forward_vs_reverse", False):  # the two copies of the graph side by side, top to bottom
            html_options = dict(mode="forward-vs-reverse")
            if args.max_nodes != DEFAULT_MAX_NODES:  # else the page's own limit (half a picture's: two copies)
                html_options.update(max_nodes=args.max_nodes)
        elif args.html_mode == "nodes":  # the layer mode draws the network view, one node per neuron
            html_options.update(max_nodes=args.max_nodes)
        print(f"wrote {write_html(root, files['html'], **html_options)}")


SUMMARY_LEAVES = 6
"""The summary after written files lists every leaf's gradient up to this many leaves, else the largest ones."""


def _summary(root: Value, precision: int) -> str:
    """A few lines after the files: the output, the graph's size and the leaves' gradients, and how to see more."""
    from micrograd_nn.format import d_of, format_number
    from micrograd_nn.views.tables import node_table

    rows = node_table(root)
    leaves = [row for row in rows if not row["op"] and row["kind"] != "constant"]
    operations = sum(1 for row in rows if row["op"])
    name = rows[-1]["name"]
    lines = [
        f"{name} = {format_number(root.data, precision)}; {len(rows)} nodes ({len(leaves)} leaves, "
        f"{operations} operations)"
    ]
    shown = leaves if len(leaves) <= SUMMARY_LEAVES else sorted(leaves, key=lambda r: -abs(r["grad"]))[:3]
    gradients = ", ".join(f"{d_of(name)}/{d_of(row['name'])} = {format_number(row['grad'], precision)}"
                          for row in shown)
    which = "gradients" if shown is leaves else f"largest gradients of {len(leaves)}"
    lines.append(f"{which}: {gradients}")
    lines.append("(--table prints the node table, --steps the chain rule step by step)")
    return "\n".join(lines)


def _option_mistake(args: argparse.Namespace, files: dict[str, str]) -> str | None:
    """Options that would be silently ignored, said as a mistake (None when they all take effect)."""
    pictures = [option for option in files if option != "html"]
    if args.focus is not None and not args.network:
        return f"--focus {args.focus} needs --network"
    if args.network and not pictures:
        return "--network draws a picture: add --svg FILE (or --png, --pdf, --dot)"
    if args.network and args.collapse:
        return "--network already draws one node per neuron: leave out --collapse"
    if args.network and args.audit:
        return "--audit marks nodes of the scalar picture: leave out --network to see the marks"
    if args.collapse and "html" in files:  # write_html refuses collapse=True too
        return (
            "--collapse: the stepper page visits every node, so it cannot draw collapsed neurons; for one node per "
            "neuron step layer by layer (--html-mode layers without --collapse), or draw the collapsed picture "
            "in a run without --html"
        )
    if getattr(args, "forward_vs_reverse", False) and (args.html_forward or args.html_mode != "nodes"):
        return "--forward-vs-reverse steps both modes on a page of its own: leave out --html-mode and --html-forward"
    if (args.html_forward or args.html_mode != "nodes") and "html" not in files:
        return "--html-mode and --html-forward set up the stepper page: add --html FILE"
    return None


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed command line; an explain EXPR that starts with '-' ("-a*b") is taken as EXPR, not an option.

    argparse sees "-a*b" as an unknown option, so the line is parsed with
    parse_known_args and a single leftover starting with '-' becomes EXPR.
    (An EXPR starting with '--' still reads as an option: write '- -a' or '-(-a)'.)
    """
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    takes_expression = args.command in ("explain", "practice")
    if takes_expression and args.expression is None and len(extras) == 1 and extras[0].startswith("-"):
        args.expression, extras = extras[0], []
    command = _subcommand_parser(parser, args.command)  # its usage line, not the top level's, goes with a mistake
    if extras:
        command.error(f"unrecognized arguments: {' '.join(extras)}")
    if takes_expression and args.expression is None:
        command.error("the following arguments are required: EXPR")
    return args


def _subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of subcommand name (explain, graph, ...), whose error() prints that subcommand's usage."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse argv and run the chosen subcommand; returns the exit status (2 for a user's mistake)."""
    args = _parse(argv)
    try:
        return int(args.run(args) or 0)
    except UserError as err:
        print(f"micrograd-nn {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"micrograd-nn {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away, e.g. `micrograd-nn explain ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1


def __getattr__(name: str) -> Any:
    """A name that moved out of this module (the old-paths table says where): handed over with a warning."""
    return _old_paths.old_name(sys.modules[__name__], name)
