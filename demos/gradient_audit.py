"""The gradient audit: every gradient of a small MLP's loss checked against central differences,
then a deliberately wrong derivative rule caught and pinned to its nodes.

    python demos/gradient_audit.py [OUTPUT_FOLDER]     (default: ./micrograd_nn_output)
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

from micrograd_nn import rules
from micrograd_nn.checks.graph_audit import audit_gradients
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views.scalar_picture import render


def sin_with_wrong_derivative(x: float) -> tuple[float, tuple[float]]:
    """sin(x) with the derivative -cos(x): a deliberate bug (the truth is +cos(x))."""
    return math.sin(x), (-math.cos(x),)


def main(folder: Path) -> list[Path]:
    """Audit a correct graph, then a graph built with a broken rule; write the marked picture."""
    model = MLP(2, [3, 1], activation="tanh", rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    print("== a 2-3-1 tanh MLP's squared error ==")
    print(audit_gradients(loss))

    print("\n== the same check with a wrong derivative rule for sin ==")
    correct = rules.OPS["sin"]
    rules.OPS["sin"] = dataclasses.replace(correct, rule=sin_with_wrong_derivative)
    try:
        a, b = Value(0.7, "a"), Value(-1.2, "b")
        out = (a.sin() * b + a * a).tanh()
        out.label = "L"
    finally:
        rules.OPS["sin"] = correct  # the graph keeps the wrong local derivative it was built with
    out.backward()
    report = audit_gradients(out)
    print(report)
    folder.mkdir(parents=True, exist_ok=True)
    written = [render(out, folder / "audit.svg", audit=report, edge_labels=True)]
    print(f"wrote {written[0]} (the culprit's op node in red, the spoiled gradient in orange)")
    return written


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("micrograd_nn_output"))
