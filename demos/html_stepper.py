"""Write the HTML stepper: open a file in a browser and press Next (or the arrow keys) to walk
the backward pass; zoom with the buttons or the mouse wheel, drag to pan.  Each page is
self-contained (no network needed to view it).

    python demos/html_stepper.py [OUTPUT_FOLDER]     (default: ./micrograd_nn_output)
"""

from __future__ import annotations

import sys
from pathlib import Path

from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views.stepper import write_html


def main(folder: Path) -> list[Path]:
    """One page for a small expression, two for a 2-2-1 network's squared error (node by node; layer by layer)."""
    folder.mkdir(parents=True, exist_ok=True)
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    expression = (a * b + c + a).tanh() * 2
    expression.label = "L"
    expression.backward()
    model = MLP(2, [2, 1], activation="tanh", rng=0)
    out = model([0.5, -1.0])  # run the network once: the page shows each neuron once
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    written = [
        write_html(expression, folder / "stepper_expression.html", title="tanh(a*b + c + a) * 2, step by step"),
        write_html(loss, folder / "stepper_network.html", title="A 2-2-1 network's squared error, step by step"),
        write_html(loss, folder / "stepper_network_layers.html", mode="layers", forward=True,
                   title="The same network, forward and then backward layer by layer"),
    ]
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("micrograd_nn_output"))
