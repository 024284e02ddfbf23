"""The backward pass in words and numbers: the node table, then every chain-rule step.

First the classic lesson b = a + a (a node used twice gets two contributions
that add up), then a small expression, then one neuron of an MLP, restricted
to the path from one weight to the output.

    python demos/explain_backward.py
"""

from __future__ import annotations

from micrograd_nn.analysis.replay import backward_steps
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views.explain import explain
from micrograd_nn.views.tables import format_table


def main() -> None:
    """Print the table and the explanation for three small graphs."""
    a = Value(3.0, "a")
    b = a + a
    b.label = "b"
    print("== b = a + a ==")
    print(explain(b))

    x, y, z = Value(2.0, "x"), Value(-3.0, "y"), Value(10.0, "z")
    out = (x * y + z).tanh() * 2
    out.label = "L"
    out.backward()
    print("\n== L = tanh(x*y + z) * 2 ==")
    print(format_table(out))
    print()
    print(explain(out))
    first = backward_steps(out)[0]  # a Step record; dataclasses.asdict(first) makes it JSON-ready
    print(f"\nthe first step record: {first}")

    model = MLP(2, [1], output_activation="tanh", rng=0)
    prediction = model([0.5, -1.0])
    prediction.backward()
    w1 = model.layers[0].neurons[0].w[0]
    print("\n== one tanh neuron, only the path from its first weight ==")
    print(explain(prediction, path_from=w1))


if __name__ == "__main__":
    main()
