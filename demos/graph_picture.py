"""Draw the README's two pictures: one neuron's scalar graph, and a small network's network view.

Karpathy's neuron: o = tanh(x1*w1 + x2*w2 + b), drawn top to bottom.  Each
value box shows its label, data and grad; each operation is its own oval; each
edge says "local derivative x upstream gradient = contribution".

The network view of MLP(2, [4, 4, 1]) on one sample's squared error: a column
per layer, each neuron one node (z, a, dloss/dz), each weight an edge whose
width and colour show its size and sign.  Both fit a README's 880 px column
with their text at 10 px or more (tests/test_seeing_docs.py measures it).

    python demos/graph_picture.py [OUTPUT.svg [NETWORK.svg]]
    (defaults: docs/expression_graph.svg and docs/network_view.svg)
"""

from __future__ import annotations

import sys
from pathlib import Path

from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views.network_picture import render_network
from micrograd_nn.views.scalar_picture import render, to_dot


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
    # top to bottom: with its edge labels the picture is then 459 pt wide, so a README's 880 px column shows
    # it at full size (text 12 px and more); left to right it was 1306 pt, its numbers 6 px
    return render(o, output, edge_labels=True, parameters=parameters, direction="TB")


def network_picture(output: Path) -> Path:
    """MLP(2, [4, 4, 1]) (tanh hidden layers), one sample's squared error (y - 1)^2: write its network view."""
    model = MLP(2, [4, 4, 1], activation="tanh", rng=1)
    loss = (model([0.5, -1.0]) - 1.0) ** 2  # the network runs once
    loss.backward()
    output.parent.mkdir(parents=True, exist_ok=True)
    return render_network(loss, output, model=model)


if __name__ == "__main__":
    docs = Path(__file__).resolve().parent.parent / "docs"
    print(f"wrote {main(Path(sys.argv[1]) if len(sys.argv) > 1 else docs / 'expression_graph.svg')}")
    print(f"wrote {network_picture(Path(sys.argv[2]) if len(sys.argv) > 2 else docs / 'network_view.svg')}")
