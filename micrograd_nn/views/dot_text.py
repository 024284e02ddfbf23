"""DOT text that Graphviz always accepts, and running Graphviz's `dot` with a size check and a time limit.

Shared by the scalar picture (scalar_picture.py) and the network view (network_picture.py):

- ``quote`` / ``attrs`` write DOT strings from any text: NUL and other control
  characters are dropped, quotes and backslashes escaped, newlines kept as
  line breaks, and text longer than ``MAX_LABEL_CHARS`` cut with an ellipsis
  (Graphviz rejects strings past 16,384 characters);
- ``run_dot`` lays out DOT text with a time limit (``DOT_TIMEOUT`` seconds)
  after checking its size, and turns a timeout, a crash or a missing program
  into a ``GraphvizError`` with one clear line, in Python terms (``str(err)``)
  and in command-line terms (``err.cli_message``).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import textwrap
from dataclasses import dataclass

from micrograd_nn import rules
from micrograd_nn.engine import Value
from micrograd_nn.format import constant_text

DOT_TIMEOUT = 8.0
"""Seconds Graphviz may take to lay out one picture before it is stopped (so a command ends within 10 s)."""

MAX_DOT_NODES = 3000
MAX_DOT_EDGES = 6000
"""Pictures larger than this are refused before Graphviz runs (its layout time grows much faster than size)."""

MAX_LABEL_CHARS = 200
"""Longer texts in a picture are cut to this many characters, ending with an ellipsis."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class GraphvizError(RuntimeError):
    """Graphviz could not draw a picture: missing, too slow, crashed, or the picture was too large.

    ``str(err)`` says what to do in Python terms; ``cli_message`` in the CLI's options.
    """

    def __init__(self, message: str, cli_message: str | None = None) -> None:
        super().__init__(message)
        self.cli_message = cli_message if cli_message is not None else message


class PictureError(ValueError):
    """A picture cannot be drawn as asked (too large, no network, unknown neuron).

    ``str(err)`` says what to do in Python terms; ``cli_message`` in the CLI's options.
    """

    def __init__(self, message: str, cli_message: str) -> None:
        super().__init__(message)
        self.cli_message = cli_message


@dataclass(frozen=True)
class Advice:
    """What to try when Graphviz cannot draw a picture, in Python terms and in the CLI's options.

    Each picture carries the advice that fits the call that made it (see
    scalar_advice and network_advice), so a remedy is never the call itself.
    """

    python: str
    cli: str


def scalar_advice(*, network: bool, collapsed: bool, long_sum: bool, edge_labels: bool) -> Advice:
    """Advice for the scalar picture: only the remedies that apply to this graph and these options."""
    python: list[str] = []
    cli: list[str] = []
    if network:
        python.append("draw the network view instead (micrograd_nn.views.network_picture.draw_network(root))")
        cli.append("draw the network view instead (--network)")
        if not collapsed:
            python.append("draw one node per neuron (collapse=True)")
            cli.append("draw one node per neuron (--collapse)")
    if long_sum:
        python.append("build the long sum as one node (Value.sum(terms))")
    if edge_labels:
        python.append("drop edge_labels")
        cli.append("drop --edge-labels")
    python.append("pass a smaller max_nodes= to refuse such pictures before layout")
    cli.append("write the DOT text instead (--dot)")
    cli.append("pass a smaller --max-nodes to refuse such pictures before layout")
    return Advice("; ".join(python), "; ".join(cli))


def network_advice(*, focus: bool) -> Advice:
    """Advice for the network view: drop the expanded neuron if there is one, else keep the DOT text."""
    if focus:
        return Advice(
            "draw the network view without focus= (the expanded neuron is what takes long), or write the DOT "
            "text (a .dot path)",
            "leave out --focus (the expanded neuron is what takes long), or write the DOT text with --dot",
        )
    return Advice(
        "write the DOT text instead (a .dot path, or network_dot(root)) and lay it out with more time",
        "write the DOT text instead (--dot)",
    )


DEFAULT_ADVICE = Advice(
    "write the DOT text instead (to_dot(root)), or pass a smaller max_nodes= to refuse such pictures before layout",
    "write the DOT text instead (--dot), or pass a smaller --max-nodes to refuse such pictures before layout",
)
"""The advice of a picture whose maker said nothing more specific."""


def clean_text(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """text made safe for a picture: control characters except newline dropped, cut to limit characters with …."""
    text = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\t", " "))
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be written out
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def quote(text: object, limit: int = MAX_LABEL_CHARS) -> str:
    """A DOT double-quoted string holding text (cleaned); newlines become DOT's centred line breaks."""
    cleaned = clean_text(str(text), limit)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrap_parts(parts: list[str], width: int = 90) -> str:
    """parts joined by "; " in lines of at most width characters (a longer part is broken between words).

    Graphviz does not wrap a picture's caption: one long line would make the picture that wide.
    """
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "; " + part
            continue
        if lines:
            lines[-1] += ";"
        lines.extend(textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(lines)


def attrs(**attributes: object) -> str:
    """[key="value", ...] for a DOT statement (values cleaned and quoted)."""
    return "[" + ", ".join(f"{key}={quote(value, 4 * MAX_LABEL_CHARS)}" for key, value in attributes.items()) + "]"


# -- ops as drawn -------------------------------------------------------------------

def op_text(node: Value) -> str:
    """The op as drawn (its rules.OPS symbol), with any plain number inside it in its place.

    An infix op whose order does not matter puts the number after it ("× 2"),
    another infix op keeps the places ("2 − ·", "· ** 2"), a function lists
    its inputs ("leaky_relu(·, 0.01)").
    """
    op = rules.OPS.get(node.op)
    symbol = op.symbol if op is not None else node.op
    inputs = node.inputs
    if all(isinstance(x, Value) for x in inputs):
        return symbol
    shown = ["·" if isinstance(x, Value) else constant_text(x) for x in inputs]
    if op is not None and op.infix and op.commutative:
        return f"{symbol} {' '.join(n for n in shown if n != '·')}"
    if op is not None and op.infix:
        return f"{shown[0]} {symbol} {shown[1]}"
    return f"{symbol}({', '.join(shown)})"


# -- running Graphviz -----------------------------------------------------------------

def dot_size(source: str) -> tuple[int, int]:
    """(nodes, edges) of DOT text as written by this package: statements with [id=...] and ->."""
    edges = len(re.findall(r"^\s*\S+ -> \S+", source, re.MULTILINE))
    nodes = len(re.findall(r"^\s*(?!(?:node|edge|graph) \[)\S+ \[", source, re.MULTILINE))
    return nodes, edges


def run_dot(source: str, fmt: str, *, timeout: float = DOT_TIMEOUT, advice: Advice = DEFAULT_ADVICE) -> bytes:
    """Lay out DOT text with Graphviz's `dot` and return the image in format fmt (svg, png, pdf).

    Refuses pictures past MAX_DOT_NODES/MAX_DOT_EDGES, stops `dot` after
    timeout seconds, and reports a crash or a missing program; every failure
    is a GraphvizError, whose text ends with advice (in Python and CLI terms).
    """
    nodes, edges = dot_size(source)
    if nodes > MAX_DOT_NODES or edges > MAX_DOT_EDGES:
        raise GraphvizError(
            f"this picture has {nodes} nodes and {edges} edges, too many for Graphviz to lay out "
            f"(the limit is {MAX_DOT_NODES} nodes, {MAX_DOT_EDGES} edges): {advice.python}",
            f"this picture has {nodes} nodes and {edges} edges, too many for Graphviz to lay out: {advice.cli}",
        )
    program = shutil.which("dot")
    if program is None:
        raise GraphvizError(
            "the Graphviz program 'dot' is not installed; install it (Debian: sudo apt-get install graphviz) "
            "or use to_dot() for the DOT text",
            "the Graphviz program 'dot' is not installed; install it (Debian: sudo apt-get install graphviz) "
            "or write the DOT text with --dot",
        )
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        what = f"Graphviz did not finish laying out this picture ({nodes} nodes, {edges} edges) within {timeout:g} s"
        raise GraphvizError(f"{what}: {advice.python}", f"{what}: {advice.cli}") from None
    if done.returncode != 0:
        if done.returncode < 0:
            try:
                cause = f"was killed by {signal.Signals(-done.returncode).name}"
            except ValueError:
                cause = f"was killed by signal {-done.returncode}"
        else:
            cause = f"failed with exit status {done.returncode}"
        messages = done.stderr.decode("utf-8", "replace").strip().splitlines()
        what = f"Graphviz's dot {cause} on this picture ({nodes} nodes, {edges} edges)"
        if messages:
            what += ": " + clean_text(messages[-1], 160)
        raise GraphvizError(f"{what}; {advice.python}", f"{what}; {advice.cli}")
    return done.stdout
