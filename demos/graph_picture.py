"""Draw one labelled expression graph with its gradients: the picture in the README.

Karpathy's neuron: o = tanh(x1*w1 + x2*w2 + b).  Each value box shows its
label, data and grad; each operation is its own oval; each edge says
"local derivative x upstream gradient = contribution".

    python demos/graph_picture.py [OUTPUT.svg]     (default: docs/expression_graph.svg)
"""

from __future__ import annotations

import sys
from pathlib import Path

from micrograd_nn.engine import Value
from micrograd_nn.graph import render, to_dot


def build_neuron() -> tuple[Value, list[Value]]:
    """o = tanh(x1*w1 + x2*w2 + b) with every intermediate value labelled; returns (o, [w1, w2, b])."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b]


def main(output: Path) -> Path:
    """Build the neuron, run backward and write its picture (SVG, PNG or PDF by suffix)."""
    o, parameters = build_neuron()
    before = to_dot(o)
    assert "gradients not computed yet" in before  # drawn before backward(), the picture says so
    o.backward()
    output.parent.mkdir(parents=True, exist_ok=True)
    return render(o, output, edge_labels=True, parameters=parameters)


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "docs" / "expression_graph.svg"
    print(f"wrote {main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)}")
