"""A small, safe parser for expressions such as ``tanh(a*b + c) * 2`` (used by the command line).

Only names, numbers, ``+ - * / **``, unary minus, parentheses and the unary
functions of Value are accepted; nothing is ever passed to eval.  The grammar,
from loosest to tightest binding (as in Python):

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | power
    power   := atom ("**" unary)?            (right-associative: a**b**c = a**(b**c))
    atom    := NUMBER | NAME | FUNCTION "(" sum ")" | "(" sum ")"

Errors are ExpressionError (a ValueError) naming the offending token and its
1-based column, with a caret under it.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from micrograd_nn import rules
from micrograd_nn.engine import Value
from micrograd_nn.rules import OPS

FUNCTIONS = {op.name: getattr(Value, op.method) for op in OPS.values() if op.in_parser}
"""The unary functions an expression may call, by name."""

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|[-+*/()]))"
)


class ExpressionError(ValueError):
    """A malformed expression; the message names the offending token and its column."""

    def __init__(self, message: str, text: str, column: int) -> None:
        """message about the token at 1-based ``column`` of ``text`` (a long text shown as a window around it)."""
        shown, offset = _window(text, column)
        pointer = " " * offset + "^"
        super().__init__(f"{message} at column {column}\n  {shown}\n  {pointer}")
        self.column = column


ERROR_WINDOW = 80
"""An expression longer than this is shown in an error as this many characters around the column, cut with …."""


def _window(text: str, column: int) -> tuple[str, int]:
    """(the part of text to show, the caret's offset in it): all of text if short, else ERROR_WINDOW around column."""
    if len(text) <= ERROR_WINDOW:
        return text, column - 1
    start = min(max(0, column - 1 - ERROR_WINDOW // 2), len(text) - ERROR_WINDOW)
    end = start + ERROR_WINDOW
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    return f"{head}{text[start:end]}{tail}", column - 1 - start + len(head)


@dataclass(frozen=True)
class Token:
    """One token: kind is "number", "name", "op" or "end"; column is 1-based."""

    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    """Split text into number, name and operator tokens, ending with an "end" token."""
    tokens = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            tokens.append(Token("end", "", position + 1))
            return tokens
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            hint = " (powers are written **, e.g. a**2)" if text[position] == "^" else ""
            raise ExpressionError(f"unexpected character {text[position]!r}{hint}", text, position + 1)
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()


@dataclass(frozen=True)
class Number:
    """A numeric literal."""

    value: float


@dataclass(frozen=True)
class Name:
    """A variable, looked up when the expression is evaluated."""

    name: str
    column: int


@dataclass(frozen=True)
class Call:
    """A unary function such as tanh applied to one argument."""

    function: str
    argument: Node


@dataclass(frozen=True)
class Negate:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Binary:
    """left op right for op in + - * / **."""

    op: str
    left: Node
    right: Node


Node = Number | Name | Call | Negate | Binary


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0

    def peek(self) -> Token:
        return self.tokens[self.position]

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def fail(self, token: Token, expected: str) -> ExpressionError:
        found = "the end of the expression" if token.kind == "end" else f"{token.text!r}"
        return ExpressionError(f"expected {expected} but found {found}", self.text, token.column)

    def parse(self) -> Node:
        try:
            tree = self.sum()
        except RecursionError:
            raise ExpressionError(
                "the expression is nested too deeply (parentheses or function calls)", self.text, self.peek().column
            ) from None
        token = self.peek()
        if token.kind != "end":
            raise self.fail(token, "an operator (+ - * / **) or the end")
        return tree

    def sum(self) -> Node:
        tree = self.product()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take().text
            tree = Binary(op, tree, self.product())
        return tree

    def product(self) -> Node:
        tree = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.take().text
            tree = Binary(op, tree, self.unary())
        return tree

    def unary(self) -> Node:
        """unary and power together, without recursion: -...- atom ** -...- atom ** ... folded from the right."""
        negations = [self.minus_signs()]
        atoms = [self.atom()]
        while self.peek().kind == "op" and self.peek().text == "**":
            self.take()
            negations.append(self.minus_signs())
            atoms.append(self.atom())
        tree = atoms[-1]
        for k in range(len(atoms) - 1, -1, -1):
            if k < len(atoms) - 1:
                tree = Binary("**", atoms[k], tree)
            for _ in range(negations[k]):
                tree = Negate(tree)
        return tree

    def minus_signs(self) -> int:
        """Take the unary minus signs in front of an operand; how many there were."""
        count = 0
        while self.peek().kind == "op" and self.peek().text == "-":
            self.take()
            count += 1
        return count

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise ExpressionError(f"the number {token.text!r} is too large for a float", self.text, token.column)
            return Number(value)
        if token.kind == "name":
            if token.text in FUNCTIONS:
                opening = self.take()
                if opening.text != "(":
                    raise self.fail(opening, f"'(' after the function name {token.text!r}")
                argument = self.sum()
                self.expect_closing()
                return Call(token.text, argument)
            if self.peek().text == "(":
                raise ExpressionError(
                    f"unknown function {token.text!r} (known: {', '.join(sorted(FUNCTIONS))})",
                    self.text,
                    token.column,
                )
            return Name(token.text, token.column)
        if token.text == "(":
            inner = self.sum()
            self.expect_closing()
            return inner
        raise self.fail(token, "a number, a name, a function or '('")

    def expect_closing(self) -> None:
        token = self.take()
        if token.text != ")":
            raise self.fail(token, "')'")


def parse(text: str) -> Node:
    """The syntax tree of text; ExpressionError (naming the token and column) if it is malformed."""
    return _Parser(text).parse()


def names_in(tree: Node) -> list[Name]:
    """Every variable reference in the tree, left to right (without recursion, so any depth works)."""
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        elif isinstance(node, Call):
            stack.append(node.argument)
        elif isinstance(node, Negate):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.append(node.right)
            stack.append(node.left)  # popped first: left to right
    return found


_BINARY: dict[str, Callable[[Value | float, Value | float], Value]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}


def _fold(op: str, *numbers: float) -> float:
    """An operation on plain numbers only, worked out now by the op's rule (it makes no node)."""
    out = rules.OPS[op].rule(*numbers)[0]
    if not math.isfinite(out):
        raise OverflowError(f"{op}: result {out!r} is not a finite float (inputs: {', '.join(map(repr, numbers))})")
    return out


def evaluate(tree: Node, variables: Mapping[str, Value]) -> Value:
    """Build the Value graph for tree; each name becomes the one Value given for it.

    A number stays a plain number inside the operation that uses it (x * 2
    is one node with the operand x); an operation on numbers only is worked
    out at once.  Operands are built before their operator, left before
    right, with an explicit stack instead of recursion, so a sum of thousands
    of terms works.
    """
    results: list[Value | float] = []
    stack: list[tuple[Node, bool]] = [(tree, False)]
    while stack:
        node, operands_done = stack.pop()
        if isinstance(node, Number):
            results.append(float(node.value))
        elif isinstance(node, Name):
            results.append(variables[node.name])
        elif not operands_done:
            stack.append((node, True))
            if isinstance(node, Binary):
                stack.append((node.right, False))
                stack.append((node.left, False))  # built first
            else:
                stack.append((node.argument if isinstance(node, Call) else node.operand, False))
        elif isinstance(node, Binary):
            right, left = results.pop(), results.pop()
            both_numbers = not isinstance(left, Value) and not isinstance(right, Value)
            results.append(_fold(node.op, left, right) if both_numbers else _BINARY[node.op](left, right))  # type: ignore[arg-type]
        elif isinstance(node, Call):
            argument = results.pop()
            is_number = not isinstance(argument, Value)
            value = FUNCTIONS[node.function](Value(argument) if is_number else argument)  # type: ignore[arg-type]
            results.append(value.data if is_number else value)  # a function of a number is a number
        else:
            operand = results.pop()
            results.append(-operand)
    root = results[0]
    return root if isinstance(root, Value) else Value(root)


def build(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse text and build its graph with one leaf per name, labelled with the name.

    Returns (root, leaves by name).  A name without a value, or a value for a
    name the expression does not use, is an ExpressionError.
    """
    tree = parse(text)
    used = names_in(tree)
    for name in used:
        if name.name not in values:
            raise ExpressionError(
                f"the name {name.name!r} has no value (give one with --set {name.name}=NUMBER)",
                text,
                name.column,
            )
    unused = sorted(set(values) - {name.name for name in used})
    if unused:
        raise ValueError(f"--set gives values for names the expression does not use: {', '.join(unused)}")
    leaves = {name: Value(float(values[name]), name) for name in dict.fromkeys(n.name for n in used)}
    return evaluate(tree, leaves), leaves
