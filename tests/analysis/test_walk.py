"""The graph walk: kinds, readable names, neuron groups, network order; it loads no graphviz."""

from __future__ import annotations

import subprocess
import sys

import pytest

from micrograd_nn.analysis.walk import neuron_keys, neuron_outputs, neuron_z, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import check_precision, format_number
from micrograd_nn.labels import neuron_title as group_title
from micrograd_nn.nn import MLP
from micrograd_nn.training import losses


def test_user_labels_are_kept_and_an_unlabelled_root_is_out() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    info = walk(c + a * 2)
    assert info.names == ["a", "b", "c", "v3", "out"]
    assert info.kinds == ["variable", "variable", "inner", "inner", "inner"]


def test_numbers_live_inside_ops_so_no_constant_names_appear() -> None:
    x = Value(3.0, "x")
    info = walk(2 - x * 4)
    assert info.names == ["x", "v1", "out"]  # 2 and 4 are inside their ops, not leaves named c0, c1


def test_names_never_collide_with_labels() -> None:
    out = Value(1.0, "out")
    v1 = out * 2
    v1.label = "v1"
    info = walk(v1 + out)
    assert info.names == ["out#0", "v1", "out#2"]  # the user's "out" and the root's role name both marked
    assert len(set(info.names)) == len(info.names)


def test_network_nodes_are_named_for_what_they_are() -> None:
    model = MLP(2, [3, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    info = walk(loss)
    names = set(info.names)
    for k in (1, 2, 3):
        assert {f"L1.n{k}.term1", f"L1.n{k}.term2", f"L1.n{k}.sum1", f"L1.n{k}.z", f"L1.n{k}.out"} <= names
    assert "L2.n1.out" in names and "L2.n1.z" not in names  # the linear output neuron: z is its output
    assert info.names[-1] == "loss"
    z = info.nodes[info.names.index("L1.n2.z")]
    neuron = model.layers[0].neurons[1]
    assert z.data == pytest.approx(neuron.b.data + neuron.w[0].data * 0.5 - neuron.w[1].data, abs=1e-15)
    assert info.nodes[info.names.index("L1.n2.out")].data == max(0.0, z.data)


def test_fused_network_names_and_neuron_order() -> None:
    model = MLP(2, [12, 1], rng=0, fused=True)
    loss = losses.hinge([model([0.5, -1.0])], [1])
    info = walk(loss)
    keys = neuron_keys(info)
    assert keys == [f"L1.n{i}" for i in range(1, 13)] + ["L2.n1"]  # n10 after n9, not after n1
    outputs = neuron_outputs(info)
    assert info.names[outputs["L1.n11"]] == "L1.n11.out" and info.nodes[outputs["L1.n11"]].op == "relu"
    assert info.names[neuron_z(info, "L1.n11")] == "L1.n11.z"
    assert info.nodes[neuron_z(info, "L1.n11")].op == "affine"
    assert neuron_z(info, "L2.n1") == outputs["L2.n1"]


def test_group_titles_and_numbers() -> None:
    assert group_title("L1.n3") == "layer 1 / neuron 3" and group_title("n2") == "neuron 2"
    assert group_title("other") == "other"
    assert format_number(-0.00266, 4) == "-0.0027" and format_number(-0.00266, 6) == "-0.002660"
    assert format_number(1e-5, 4) == "1.0000e-05" and format_number(1e-5, 6) == "0.000010"
    assert format_number(-6.0) == "-6.0000" and format_number(1.5e-7) == "1.5000e-07"
    assert format_number(0.0) == format_number(-0.0) == "0.0000"  # no "-0.0000" for a zero gradient
    assert format_number(float("nan")) == "nan" and format_number(float("-inf")) == "-inf"
    for bad in (-1, 16, 2.5, True, "4"):
        with pytest.raises(ValueError, match="precision must be a whole number of decimals from 0 to 15"):
            check_precision(bad)  # type: ignore[arg-type]


def test_walk_refuses_a_non_value() -> None:
    with pytest.raises(TypeError, match="walk: root must be a Value, got float 2.0"):
        walk(2.0)  # type: ignore[arg-type]


def test_importing_inspect_and_audit_does_not_load_graphviz() -> None:
    code = (
        "import sys, micrograd_nn.views.explain, micrograd_nn.checks.graph_audit, micrograd_nn.analysis.walk, "
        "micrograd_nn.views.stepper; "
        "print('graphviz' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"
