"""Graph pictures: DOT text from one walk, network clusters, limits, and files via Graphviz."""

from __future__ import annotations

import html
import math
import re

import graphviz
import pytest
from conftest import full_snapshot, needs_dot

from micrograd_nn.analysis.walk import grads_computed, neuron_outputs, walk
from micrograd_nn.engine import Value
from micrograd_nn.format import format_number
from micrograd_nn.labels import neuron_title as group_title
from micrograd_nn.nn import MLP
from micrograd_nn.views.picture import pipe
from micrograd_nn.views.scalar_picture import draw_dot, neuron_keys, render, to_dot


def node_attrs(dot: str, name: str) -> str:
    """The attribute list of the node statement `name [...]` in DOT text."""
    match = re.search(rf"^\s*{name} \[(.*)\]$", dot, re.MULTILINE)
    assert match is not None, f"no node {name} in:\n{dot}"
    return match.group(1)


def edges(dot: str) -> list[tuple[str, str]]:
    """(source, target) for every edge statement, in order."""
    return re.findall(r"^\s*(\w+) -> (\w+)", dot, re.MULTILINE)


def small_graph() -> tuple[Value, Value, Value]:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = a * b + a
    out.label = "L"
    return a, b, out


def test_values_show_label_data_and_grad_and_ops_are_their_own_nodes() -> None:
    a, b, out = small_graph()
    out.backward()
    dot = to_dot(out)
    info = walk(out)
    ia, ib = info.index[a], info.index[b]
    assert "a\\ndata 2.0000\\ngrad -2.0000" in node_attrs(dot, f"v{ia}")
    assert "b\\ndata -3.0000\\ngrad 2.0000" in node_attrs(dot, f"v{ib}")
    product = info.index[out.operands[0]]
    assert 'label="×"' in node_attrs(dot, f"o{product}")
    assert 'label="+"' in node_attrs(dot, f"o{info.index[out]}")
    # the op node feeds its result, and the operands feed the op node in order
    result = info.index[out]
    assert edges(dot) == [
        (f"o{product}", f"v{product}"),
        (f"v{ia}", f"o{product}"),
        (f"v{ib}", f"o{product}"),
        (f"o{result}", f"v{result}"),
        (f"v{product}", f"o{result}"),
        (f"v{ia}", f"o{result}"),
    ]


def test_a_plus_a_draws_two_edges() -> None:
    a = Value(1.5, "a")
    b = a + a
    dot = to_dot(b)
    assert edges(dot).count(("v0", "o1")) == 2


def test_ordered_ops_number_their_edges_and_edge_labels_show_local_times_upstream() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a - b  # dc/da = 1, dc/db = -1
    d = c * 2.0  # dd/dc = 2, upstream 1
    d.backward()
    dot = to_dot(d, edge_labels=True)
    ia, ib, ic, idd = (walk(d).index[n] for n in (a, b, c, d))
    assert re.search(rf'v{ia} -> o{ic} \[id="e{ic}_1", label="#1 1.0000 × 2.0000\\n= 2.0000"\]', dot)
    assert re.search(rf'v{ib} -> o{ic} \[id="e{ic}_2", label="#2 -1.0000 × 2.0000\\n= -2.0000"\]', dot)
    assert re.search(rf'v{ic} -> o{idd} \[id="e{idd}_1", label="2.0000 × 1.0000\\n= 2.0000"\]', dot)


def test_before_backward_the_picture_says_gradients_are_not_computed() -> None:
    _, _, out = small_graph()
    dot = to_dot(out)
    assert "gradients not computed yet" in dot
    assert "grad 0.0000" not in dot
    assert dot.count("grad (not computed)") == 4
    out.backward()
    after = to_dot(out)
    assert "not computed" not in after



def test_drawing_changes_nothing_in_the_graph() -> None:
    from micrograd_nn.checks.graph_audit import audit_gradients

    model, loss = l2_loss()
    unlabelled = loss.operands[0]
    before = full_snapshot(loss)
    to_dot(loss)  # before backward
    walk(loss, parameters=model.parameters())
    assert full_snapshot(loss) == before
    loss.backward()
    before = full_snapshot(loss)
    report = audit_gradients(loss)
    for options in [
        {"edge_labels": True, "compact": True, "path_from": model.layers[0].neurons[0].w[0]},
        {"collapse": True, "audit": report},
        {"collapse": "L1.n2", "direction": "TB", "color_by_grad": False},
        {"clusters": False, "show_grads": False, "parameters": model.parameters()},
    ]:
        to_dot(loss, **options)
    neuron_keys(loss)
    assert full_snapshot(loss) == before
    assert unlabelled.label == ""  # the unlabelled nodes are named in the picture, not relabelled


def test_kinds_of_leaves_are_drawn_differently() -> None:
    model = MLP(2, [1], rng=0)
    y = model([0.5, -1.0])
    out = y * 3.0
    out.backward()
    info = walk(out)
    kinds = {info.names[i]: info.kinds[i] for i in range(len(info.nodes))}
    assert kinds["L1.n1.w1"] == "parameter" and kinds["x1"] == "input"
    dot = to_dot(out)
    assert 'peripheries="2"' in node_attrs(dot, f"v{info.names.index('L1.n1.w1')}")
    assert "dashed" in node_attrs(dot, f"v{info.names.index('x1')}")
    # the plain number 3.0 is inside its op node, not a node of its own
    assert "constant" not in info.kinds
    assert 'label="× 3"' in dot
    assert to_dot(out, compact=True) == dot  # compact is a documented no-op now
    # a Value the user made stays a node, drawn dotted when it has no label
    c = Value(2.0)
    assert "dotted" in node_attrs(to_dot(out * c), f"v{walk(out * c).index[c]}")


def test_colour_follows_gradient_sign() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = a * b  # dout/da = -3 (red), dout/db = 2 (blue)
    out.backward()
    dot = to_dot(out)
    assert re.search(r'fillcolor="0\.000 [0-9.]+ 1\.000"', node_attrs(dot, "v0"))
    assert re.search(r'fillcolor="0\.600 [0-9.]+ 1\.000"', node_attrs(dot, "v1"))
    assert 'fillcolor="#ffffff"' in node_attrs(to_dot(out, color_by_grad=False), "v0")


def test_path_highlight_marks_only_nodes_between_start_and_root() -> None:
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    ab = a * b
    out = ab + c
    out.backward()
    dot = to_dot(out, path_from=a)
    info = walk(out)
    for node in (a, ab, out):
        assert "#d45500" in node_attrs(dot, f"v{info.index[node]}")
    for node in (b, c):
        assert "#d45500" not in node_attrs(dot, f"v{info.index[node]}")
    with pytest.raises(ValueError, match="not part of this graph"):
        to_dot(out, path_from=Value(9.0))


def test_network_nodes_are_grouped_per_neuron_and_collapse() -> None:
    model = MLP(2, [3, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    assert neuron_keys(loss) == ["L1.n1", "L1.n2", "L1.n3", "L2.n1"]
    dot = to_dot(loss)
    assert dot.count("subgraph cluster_") == 4
    assert 'label="layer 1 / neuron 3"' in dot
    # each neuron's cluster holds its 3 parameters, 2 products, 2 sums and its activation
    cluster = dot.split("subgraph cluster_L1_n3 {")[1].split("}")[0]
    assert cluster.count("parameter") == 3
    assert cluster.count('label="relu"') == 1
    # inputs and the loss stay outside every cluster
    info = walk(loss)
    assert f"v{info.names.index('x1')} [" not in cluster
    collapsed = to_dot(loss, collapse=True)
    assert "subgraph cluster_" not in collapsed
    assert collapsed.count("box3d") == 4
    assert "L1.n1.w1" not in collapsed
    # each hidden neuron reads x1 and x2; the output neuron reads the three hidden ones
    out_neuron = [i for i, g in enumerate(info.groups) if g == "L2.n1"][-1]
    into_output = [src for src, dst in edges(collapsed) if dst == f"v{out_neuron}"]
    assert len(into_output) == 3
    partly = to_dot(loss, collapse={"L1.n1"})
    assert partly.count("box3d") == 1 and partly.count("subgraph cluster_") == 3
    with pytest.raises(ValueError, match="no neuron"):
        to_dot(loss, collapse={"L9.n9"})


def test_fused_neurons_are_grouped_too() -> None:
    model = MLP(2, [2, 1], rng=1, fused=True, activation="tanh")
    out = model([1.0, 2.0])
    out.backward()
    info = walk(out)
    dots = [i for i, n in enumerate(info.nodes) if n.op == "affine"]
    assert [info.groups[i] for i in dots] == ["L1.n1", "L1.n2", "L2.n1"]
    tanhs = [i for i, n in enumerate(info.nodes) if n.op == "tanh"]
    assert sorted(info.groups[i] for i in tanhs) == ["L1.n1", "L1.n2"]


def test_too_big_a_graph_raises_with_advice() -> None:
    model = MLP(4, [16, 16, 1], rng=0)
    out = model([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"max_nodes=300.*collapse=True"):
        to_dot(out)
    assert to_dot(out, collapse=True).count("box3d") == 33
    text = to_dot(out, max_nodes=10_000)
    assert text.count(" -> ") > 1000


def test_draw_dot_returns_a_digraph_and_direction_is_an_option() -> None:
    _, _, out = small_graph()
    picture = draw_dot(out, direction="TB")
    assert isinstance(picture, graphviz.Digraph)
    assert "rankdir=TB" in picture.source
    with pytest.raises(ValueError, match="direction"):
        draw_dot(out, direction="up")


@needs_dot
def test_render_writes_svg_png_pdf_by_suffix(tmp_path) -> None:
    _, _, out = small_graph()
    out.backward()
    svg = render(out, tmp_path / "g.svg")
    text = html.unescape(svg.read_text())
    assert text.startswith("<?xml") and "grad -2.0000" in text
    assert render(out, tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert render(out, tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
        render(out, tmp_path / "g.gif")


def l2_loss(fused: bool = False) -> tuple[MLP, Value]:
    """A 2-2-1 network's squared error plus an L2 penalty (whose p*p terms read parameters only)."""
    from micrograd_nn.training.losses import l2_penalty

    model = MLP(2, [2, 1], rng=0, fused=fused, activation="tanh")
    out = model([1.0, 2.0])
    loss = (out - 1) ** 2 + l2_penalty(model.parameters(), 1e-4)
    loss.backward()
    return model, loss


@pytest.mark.parametrize("fused", [False, True])
def test_l2_terms_belong_to_no_neuron_and_collapsed_boxes_show_the_activation(fused: bool) -> None:
    model, loss = l2_loss(fused)
    info = walk(loss)
    squares = [i for i, n in enumerate(info.nodes) if n.op == "*" and n.inputs[0] is n.inputs[1]]
    assert len(squares) == len(model.parameters()) == 9
    assert all(info.groups[i] is None for i in squares)
    # clustered: each hidden neuron's box holds its parameters and its own nodes, no p*p term
    dot = to_dot(loss)
    cluster = dot.split("subgraph cluster_L1_n1 {")[1].split("}")[0]
    assert cluster.count("parameter") == 3
    assert cluster.count('label="tanh"') == 1
    assert all(f"v{i} [" not in cluster for i in squares)
    # collapsed: each box is drawn as the neuron's real output (its activation, or the output sum)
    hidden_outputs = [neuron([1.0, 2.0]) for neuron in model.layers[0].neurons]
    collapsed = to_dot(loss, collapse=True)
    assert collapsed.count("box3d") == 3
    for key, expected in zip(["L1.n1", "L1.n2"], hidden_outputs):
        box = next(line for line in collapsed.splitlines() if f"{group_title(key)}\\n" in line)
        assert f"output (tanh)\\ndata {format_number(expected.data)}\\n" in box
    out_box = next(line for line in collapsed.splitlines() if "layer 2 / neuron 1\\n" in line)
    output_op = "linear"  # a weighted sum (+ or affine) is a linear output, named as the network view names it
    output = loss.operands[0].operands[0].operands[0]  # (out - 1) ** 2 + penalty -> out
    assert f"output ({output_op})\\ndata {format_number(output.data)}\\n" in out_box
    assert "data 0.0000" not in collapsed.split("layer 2 / neuron 1")[1].split("\n")[0]
    # the p*p terms are still drawn, fed from their neuron's box by an edge named after the parameter
    assert all(f"v{i} [" in collapsed for i in squares)
    assert 'label="L1.n1.w1"' in collapsed


def test_collapse_accepts_one_neuron_key_as_a_string() -> None:
    _, loss = l2_loss()
    one = to_dot(loss, collapse="L1.n2")
    assert one == to_dot(loss, collapse={"L1.n2"})
    assert one.count("box3d") == 1 and "layer 1 / neuron 2\\noutput (tanh)" in one
    with pytest.raises(ValueError, match=r"no neuron \['L1'\]"):
        to_dot(loss, collapse="L1")


def test_gradients_count_as_computed_only_when_the_root_has_one() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    first = a * b
    first.backward()  # a and b now hold gradients from this first graph
    second = a + b
    assert a.grad == -3.0 and not grads_computed(second) and not walk(second).grads_computed
    dot = to_dot(second)
    assert "gradients not computed yet" in dot and "grad -3.0000" not in dot
    assert dot.count("grad (not computed)") == 3
    second.backward()
    assert grads_computed(second) and "not computed" not in to_dot(second)
    leaf = Value(4.0, "x")
    leaf.backward()  # a leaf root gets dL/dL = 1 too
    assert grads_computed(leaf)


def test_leaky_relu_keeps_its_slope_inside_the_op() -> None:
    x = Value(-2.0, "x")
    y = x.leaky_relu(0.1)
    y.backward()
    dot = to_dot(y, edge_labels=True)
    ix, iy = (walk(y).index[n] for n in (x, y))
    assert len(walk(y).nodes) == 2  # x and y: the slope is a number inside the op
    assert re.search(rf'v{ix} -> o{iy} \[id="e{iy}_1", label="#1 0.1000 × 1.0000\\n= 0.1000"\]', dot)
    assert 'label="leaky_relu(·, 0.1)"' in dot


def test_the_legend_says_what_borders_and_colours_mean() -> None:
    model = MLP(2, [1], rng=0)
    out = model([0.5, -1.0]) * Value(2.0, "k")
    before = to_dot(out)
    assert re.search(r'label="gradients not computed yet: [^"]*\\nbox: a value', before)
    assert "labelloc=t" in before and "fill: blue" not in before  # no colours before backward()
    out.backward()
    dot = to_dot(out, edge_labels=True)
    legend = re.search(r'label="(box: a value[^"]*)" labelloc=b', dot).group(1)
    assert legend.replace("\\n", " ") == (  # in lines of at most 90 characters: Graphviz does not wrap a caption
        "box: a value (name, data, grad); oval: the operation that made it; double border: parameter (a leaf "
        "labelled L1.n2.w1 or L1.n2.b as MLP labels them, or passed as parameters=); dashed: input (a leaf "
        "labelled x1, x2, … as MLP labels the numbers you give it, or passed as inputs=); bold: a leaf you "
        "labelled; fill: blue grad > 0, red grad < 0, stronger when larger; "
        "edge: local derivative × upstream = contribution"
    )
    assert max(len(line) for line in legend.split("\\n")) <= 90
    assert "box: a value" not in to_dot(out, legend=False)
    assert "3-D box: a whole neuron" in to_dot(out, collapse=True)


def test_the_legend_lists_only_what_the_picture_draws() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    product = a * b
    product.backward()
    legend = re.search(r'label="(box: a value[^"]*)"', to_dot(product)).group(1)
    assert legend.replace("\\n", " ") == (  # no parameter, input, unlabelled leaf, red or #1/#2 is drawn
        "box: a value (name, data, grad); oval: the operation that made it; bold: a leaf you labelled; "
        "fill: blue grad > 0, stronger when larger"
    )
    model = MLP(2, [1], rng=0)
    out = model([0.5, -1.0]) * Value(2.0, "k")
    out.backward()
    collapsed = re.search(r'label="(box: a value[^"]*)"', to_dot(out, collapse=True)).group(1)
    assert "double border: parameter" not in collapsed and "dashed: input" in collapsed  # parameters: in the 3-D box
    assert "3-D box: a whole neuron" in collapsed and "bold: a leaf you labelled" in collapsed


@needs_dot
def test_collapsed_neurons_of_a_layer_are_one_column_in_index_order() -> None:
    """collapse=True: each layer's neurons on one rank, top to bottom in index order (not 1, 4, 3, 2)."""
    import xml.etree.ElementTree as ET

    model = MLP(2, [4, 4, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    info = walk(loss)
    outputs = neuron_outputs(info)
    svg = pipe(draw_dot(loss, collapse=True), "svg").decode()
    centres = {}
    for group in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g"):
        if group.get("class") == "node":
            texts = list(group.iter("{http://www.w3.org/2000/svg}text"))
            centres[group.get("id")] = (float(texts[0].get("x")), float(texts[0].get("y")))
    for layer in (1, 2):
        column = [centres[f"v{outputs[f'L{layer}.n{j}']}"] for j in range(1, 5)]
        assert len({round(x, 1) for x, _ in column}) == 1, f"layer {layer} is not one column: {column}"
        ys = [y for _, y in column]
        assert ys == sorted(ys) and len(set(ys)) == 4, f"layer {layer} is not in index order: {ys}"


def test_edge_labels_add_what_backward_adds_even_for_zero_times_inf() -> None:
    x = Value(-1.0, "x")
    shifted = x + 1.0
    y = shifted.abs().sqrt()  # sqrt'(0) = inf reaches abs'(0) = 0: backward gives nan, as PyTorch
    y.backward()
    info = walk(y)
    i = info.index[y.operands[0]]  # the abs node
    dot = to_dot(y, edge_labels=True)
    edge = next(line for line in dot.splitlines() if f'id="e{i}_1"' in line)
    assert math.isnan(shifted.grad) and "= nan" in edge
