"""The network view: columns per layer, neurons in index order, weights as edges; focus; read from the graph."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import full_snapshot, needs_dot

from micrograd_nn.analysis.walk import walk
from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.training import losses
from micrograd_nn.views.dot_text import run_dot
from micrograd_nn.views.network_layout import network_layout
from micrograd_nn.views.network_picture import draw_network, network_dot, render_network

SVG = "{http://www.w3.org/2000/svg}"


def moons_loss(fused: bool = True) -> tuple[MLP, Value]:
    """micrograd's moons network MLP(2, [16, 16, 1]) and one sample's hinge loss, after backward()."""
    model = MLP(2, [16, 16, 1], rng=0, fused=fused)
    loss = losses.hinge([model([0.5, -1.0])], [1])
    loss.backward()
    return model, loss


def node_centres(svg: str) -> dict[str, tuple[float, float]]:
    """Each SVG node group's id -> the centre of its shape (x, y in the SVG's user units)."""
    centres = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        texts = [t for t in group.iter(f"{SVG}text")]
        xs = [float(t.get("x")) for t in texts]
        ys = [float(t.get("y")) for t in texts]
        centres[group.get("id")] = (sum(xs) / len(xs), sum(ys) / len(ys))
    return centres


def test_the_network_is_found_from_the_graph() -> None:
    model, loss = moons_loss()
    net = network_layout(walk(loss))
    assert net.layers == [[f"L1.n{i}" for i in range(1, 17)], [f"L2.n{i}" for i in range(1, 17)], ["L3.n1"]]
    assert len(net.inputs) == 2 and len(net.weights) == 2 * 16 + 16 * 16 + 16
    assert net.feeds_loss == ["L3.n1"] and net.loss == len(walk(loss).nodes) - 1
    # every weight edge starts at what its weight multiplies: x1/x2, or the previous layer's neuron
    first = [w for w in net.weights if w.target == "L2.n3"]
    assert [w.source for w in first] == [f"L1.n{i}" for i in range(1, 17)]
    info = walk(loss)
    assert [info.nodes[w.parameter].label for w in first] == [f"L2.n3.w{i}" for i in range(1, 17)]
    assert [w.signal for w in first] == [n([0.5, -1.0]).data for n in model.layers[0].neurons]


def test_unfused_and_fused_networks_give_the_same_picture() -> None:
    _, fused = moons_loss(fused=True)
    _, unfused = moons_loss(fused=False)
    assert network_dot(fused) == network_dot(unfused)


def test_neuron_nodes_show_z_a_and_dloss_dz() -> None:
    model, loss = moons_loss()
    dot = network_dot(loss, precision=6)
    neuron = model.layers[0].neurons[2]
    z = neuron.w[0].data * 0.5 + neuron.w[1].data * -1.0 + neuron.b.data
    a = max(0.0, z)
    line = next(line for line in dot.splitlines() if line.strip().startswith('"L1.n3" ['))
    assert f"z = {z:.6f}" in line and f"a = {a:.6f}" in line and "dloss/dz = " in line
    edge = next(line for line in dot.splitlines() if 'id="L2.n1.w3"' in line)
    w = model.layers[1].neurons[0].w[2]
    assert edge.strip().startswith('"L1.n3" -> "L2.n1"')
    assert f"L2.n1.w3 = {w.data:.6f}; dloss/dL2.n1.w3 = {w.grad:.6f}" in edge


def test_edge_width_shows_the_weight_or_its_gradient() -> None:
    model, loss = moons_loss()
    weights = {p.label: p for p in model.parameters()}

    def widths(dot: str) -> dict[str, float]:
        return {m[0]: float(m[1]) for m in re.findall(r'id="(L\d\.n\d+\.w\d+)", [^\n]*penwidth="([\d.]+)"', dot)}

    by_weight, by_grad = widths(network_dot(loss)), widths(network_dot(loss, edge_value="grad"))
    assert len(by_weight) == len(by_grad) == 2 * 16 + 16 * 16 + 16
    largest = max(abs(weights[k].data) for k in by_weight)
    for key, width in by_weight.items():
        assert width == pytest.approx(0.3 + 2.7 * abs(weights[key].data) / largest, abs=0.006)
    largest_grad = max(abs(weights[k].grad) for k in by_grad)
    for key, width in by_grad.items():
        assert width == pytest.approx(0.3 + 2.7 * abs(weights[key].grad) / largest_grad, abs=0.006)
    with pytest.raises(ValueError, match="edge_value must be 'weight' or 'grad', got 'size'"):
        network_dot(loss, edge_value="size")


def test_a_graph_without_neurons_is_refused_clearly() -> None:
    a = Value(2.0, "a")
    with pytest.raises(ValueError, match="network view: no neurons in this graph"):
        network_dot(a * a)


def test_the_view_changes_nothing_in_the_graph() -> None:
    _, loss = moons_loss()
    before = full_snapshot(loss)
    network_dot(loss, focus="L2.n4")
    draw_network(loss, edge_value="grad")
    assert full_snapshot(loss) == before


@needs_dot
def test_each_layer_is_one_column_in_index_order_and_the_page_fits(tmp_path) -> None:
    _, loss = moons_loss()
    svg = render_network(loss, tmp_path / "net.svg").read_text()
    centres = node_centres(svg)
    columns = [[], [f"L1.n{i}" for i in range(1, 17)], [f"L2.n{i}" for i in range(1, 17)], ["L3.n1"]]
    columns[0] = ["input1", "input2"]
    assert len(columns[0]) == 2
    xs = []
    for column in columns:
        x = {round(centres[key][0], 1) for key in column}
        assert len(x) == 1, f"{column} is not one column: {x}"
        ys = [centres[key][1] for key in column]
        assert ys == sorted(ys) and len(set(ys)) == len(ys), f"{column} is not in index order top to bottom"
        xs.append(x.pop())
    assert xs == sorted(xs) and centres["loss"][0] > xs[-1]  # inputs, layers, then the loss, left to right
    root = ET.fromstring(svg)
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert 1 / 3 <= width / height <= 3
    view_width = float(root.get("viewBox").split()[2])
    px_per_unit = width * 4 / 3 / view_width  # width is in pt; 1 pt = 4/3 px at 100 %
    sizes = [float(t.get("font-size")) * px_per_unit for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 10


@needs_dot
def test_focus_expands_one_neuron_into_its_scalar_operations(tmp_path) -> None:
    model, loss = moons_loss(fused=False)
    dot = network_dot(loss, focus="L1.n3")
    assert "cluster_L1_n3" in dot and 'label="L1.n3: its scalar operations"' in dot
    cluster = dot.split("subgraph cluster_L1_n3", 1)[1].split("\n\t}", 1)[0]
    for name in ("L1.n3.w1", "L1.n3.w2", "L1.n3.b", "L1.n3.term1", "L1.n3.term2", "L1.n3.z"):
        assert f"label=\"{name}\\n" in cluster
    assert 'label="relu"' in cluster and 'label="×"' in cluster
    assert 'id="L1.n3.w1"' not in dot.replace("label=", "")  # its weights are drawn inside, not as edges
    assert 'id="L1.n4.w1"' in dot  # the other neurons stay one node each
    svg = render_network(loss, tmp_path / "focus.svg", focus="L1.n3").read_text()
    centres = node_centres(svg)
    ys = [centres[f"L1.n{i}"][1] for i in range(1, 17) if i != 3]
    assert ys == sorted(ys)  # the other neurons keep index order; the expanded one's box tops the column
    assert centres["L1.n3"][1] < ys[0]
    with pytest.raises(ValueError, match="focus: no neuron 'L9.n1'"):
        network_dot(loss, focus="L9.n1")


def test_the_network_picture_reads_hostile_labels_safely() -> None:
    model = MLP(2, [2, 1], rng=0)
    x = Value(0.5, 'x"1\\ {<!--</script>}\n\x00' + "y" * 20000)
    loss = (model([x, 1.0]) - 1.0) ** 2
    loss.label = "L\x00\n\"}"
    loss.backward()
    dot = network_dot(loss)
    assert "\x00" not in dot and "y" * 300 not in dot and "…" in dot
    if __import__("shutil").which("dot"):
        assert run_dot(dot, "svg").startswith(b"<?xml")


def test_many_inputs_are_one_node_with_one_edge_per_neuron() -> None:
    model = MLP(40, [3, 1], rng=0)
    x = [k / 40 for k in range(40)]
    loss = (model(x) - 1.0) ** 2
    loss.backward()
    dot = network_dot(loss)
    assert '"inputs" [id="inputs", label="40 inputs\\nfrom 0.0000\\nto 0.9750"' in dot
    assert "input1" not in dot and dot.count('"inputs" -> ') == 3
    for neuron, key in zip(model.layers[0].neurons, ("L1.n1", "L1.n2", "L1.n3")):
        norm = math.hypot(*(w.data for w in neuron.w))
        grad_norm = math.hypot(*(w.grad for w in neuron.w))
        assert f'id="{key}.w"' in dot
        assert f"{key}: 40 weights from the inputs, ‖w‖ = {norm:.4f}, ‖dL/dw‖ = {grad_norm:.4f}".replace(
            "dL/", "dloss/") in dot
    assert 'id="L2.n1.w2"' in dot  # later layers keep one edge per weight


@needs_dot
def test_top_to_bottom_puts_each_layer_on_one_row_in_index_order(tmp_path) -> None:
    _, loss = moons_loss()
    svg = render_network(loss, tmp_path / "net.svg", direction="TB").read_text()
    assert 'tailport="s"' in network_dot(loss, direction="TB")
    centres = node_centres(svg)
    for layer in ([f"L1.n{i}" for i in range(1, 17)], [f"L2.n{i}" for i in range(1, 17)]):
        assert len({round(centres[key][1], 1) for key in layer}) == 1
        xs = [centres[key][0] for key in layer]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert centres["input1"][1] < centres["L1.n1"][1] < centres["L2.n1"][1] < centres["L3.n1"][1] < centres["loss"][1]


def test_the_compact_view_puts_z_and_a_on_one_line_and_can_leave_out_the_caption() -> None:
    """The stepper's layer mode draws network_lines(compact=True, legend=False); the default is unchanged."""
    from micrograd_nn.views.network_statements import LEGEND, network_lines

    model, loss = moons_loss()
    info = walk(loss)
    neuron = model.layers[0].neurons[2]
    z = neuron.w[0].data * 0.5 + neuron.w[1].data * -1.0 + neuron.b.data
    compact = network_lines(info, compact=True, legend=False)
    line = next(line for line in compact if line.startswith('"L1.n3" ['))
    assert f'label="L1.n3 (relu)\\nz = {z:.4f}   a = {max(0.0, z):.4f}\\ndloss/dz = ' in line
    assert "nodesep=0.04" in compact and "ranksep=0.5" in compact
    assert not any(LEGEND[:20] in line for line in compact)
    default = network_lines(info)
    line = next(line for line in default if line.startswith('"L1.n3" ['))
    assert f'label="L1.n3 (relu)\\nz = {z:.4f}\\na = {max(0.0, z):.4f}\\ndloss/dz = ' in line
    assert "nodesep=0.12" in default and any(LEGEND[:20] in line for line in default)


def test_inputs_are_drawn_by_the_scalar_pictures_rule_and_the_caption_says_only_what_is_drawn() -> None:
    """One rule for a leaf being an input (labelled x1, x2, ... or passed as inputs=), in every view."""
    from micrograd_nn.views.scalar_picture import to_dot

    model = MLP(2, [3, 1], rng=0)
    a = Value(0.5, "a")
    loss = (model([a, 1.0]) - 1.0) ** 2  # a: a leaf you labelled; the number 1.0 becomes the input x2
    loss.backward()
    dot = network_dot(loss)
    first = re.search(r'"input1" \[([^\]]*)\]', dot).group(1)
    second = re.search(r'"input2" \[([^\]]*)\]', dot).group(1)
    assert 'penwidth="2"' in first and "dashed" not in first and 'style="rounded,dashed"' in second
    scalar = to_dot(loss)
    info = walk(loss)
    assert "penwidth" in re.search(rf'v{info.index[a]} \[([^\]]*)\]', scalar).group(1)  # bold there too
    caption = re.search(r'label="([^"]*)" labelloc', dot).group(1).replace("\\n", " ")
    assert "dashed: an input (a leaf labelled x1, x2, … as MLP labels the numbers you give it, or passed as " \
           "inputs=)" in caption and "bold: a leaf you labelled" in caption
    assert "dotted" not in caption and "double border" not in caption
    plain = network_dot(loss, parameters=None)
    assert plain == dot
    relabelled = network_dot(loss, parameters=model.parameters())
    assert 'penwidth="2"' in re.search(r'"input1" \[([^\]]*)\]', relabelled).group(1)


def lecture_loss() -> tuple[MLP, list[Value], Value]:
    """Karpathy's lecture: MLP(3, [4, 4, 1]) (tanh), its four samples and their summed squared error."""
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", rng=0)
    predictions = [model(x) for x in xs]
    loss = sum((p - y) ** 2 for p, y in zip(predictions, ys))
    loss.backward()
    return model, predictions, loss


def node_attrs(dot: str, name: str) -> str:
    """The attribute list of DOT node (or edge) statement `name`."""
    return re.search(rf'^\s*"?{re.escape(name)}"? \[(.*)\]$', dot, re.M).group(1)


def test_a_loss_over_several_samples_draws_one_sample_and_says_which() -> None:
    model, predictions, loss = lecture_loss()
    ys = [1.0, -1.0, -1.0, 1.0]
    for sample, x in ((None, [1.0, 1.0, -1.0]), (1, [2.0, 3.0, -1.0]), (3, [0.5, 1.0, 1.0])):
        dot = network_dot(loss, sample=sample)
        inputs = re.findall(r'^\s*"(input\d+)" \[', dot, re.M)
        assert inputs == ["input1", "input2", "input3"]  # 3 inputs per sample, not the 12 numbers of all 4
        assert [float(re.search(r'label="x\d\\n(-?[\d.]+)', node_attrs(dot, i)).group(1)) for i in inputs] == x
        k = sample or 4  # the last sample unless told
        caption = re.search(r'label="([^"]*)" labelloc', dot).group(1).replace("\\n", " ")
        assert caption.startswith(f"the network ran on 4 samples: the inputs and the neurons' z, a and dloss/dz "
                                  f"are sample {k}'s (sample=k draws another); each weight's and bias's dloss/dw "
                                  "is summed over all 4 samples")
        # the output neuron's numbers, by hand: a = prediction k, dloss/dz = 2 (a - y) (1 - a²)
        a = predictions[k - 1].data
        label = re.search(r'label="([^"]*)"', node_attrs(dot, "L3.n1")).group(1)
        assert f"a = {a:.4f}" in label and f"dloss/dz = {2 * (a - ys[k - 1]) * (1 - a * a):.4f}" in label
    # a weight's gradient is summed over the samples: the output bias's is the sum of the four dloss/dz
    bias = model.layers[2].neurons[0].b
    by_hand = sum(2 * (p.data - y) * (1 - p.data ** 2) for p, y in zip(predictions, ys))
    assert bias.grad == pytest.approx(by_hand, rel=1e-12)
    tooltip = re.search(r'tooltip="([^"]*)"', node_attrs(network_dot(loss, sample=2), "L3.n1")).group(1)
    assert tooltip.endswith(f"in sample 2; b = {bias.data:.4f}, dloss/db = {by_hand:.4f} (summed over 4 samples)")
    weight = model.layers[0].neurons[0].w[1]
    edge = node_attrs(network_dot(loss, sample=2), "input2\" -> \"L1.n1")
    assert "(summed over 4 samples); it multiplies -1.0000 in sample 2" in edge
    assert f"dloss/dL1.n1.w2 = {weight.grad:.4f}" in edge
    for bad in (0, 5, True, 1.5):
        with pytest.raises(ValueError, match=rf"sample must be a whole number from 1 to 4 .*got {bad!r}"):
            network_dot(loss, sample=bad)


def test_a_one_sample_loss_has_only_sample_1() -> None:
    model = MLP(2, [2, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    assert network_dot(loss, sample=1) == network_dot(loss)
    assert "samples" not in network_dot(loss)
    with pytest.raises(ValueError, match=r"sample must be a whole number from 1 to 1 \(the network ran 1 time"):
        draw_network(loss, sample=2)


def edge_points(path: str) -> list[tuple[float, float]]:
    """Points along an SVG edge path of Graphviz's (M x,y C x,y x,y x,y ...), each cubic sampled 20 times."""
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", path)]
    points = list(zip(numbers[::2], numbers[1::2]))
    sampled = [points[0]]
    for k in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[k - 1], points[k], points[k + 1], points[k + 2]
        for step in range(1, 21):
            t = step / 20
            sampled.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t ** 3 * d
                                 for a, b, c, d in zip(p0, p1, p2, p3)))
    return sampled


@needs_dot
def test_focus_draws_the_neuron_once_and_keeps_the_other_edges_off_its_box(tmp_path) -> None:
    """`micrograd-nn graph --target 1 --network --focus L1.n2`: the demo model MLP(2, [4, 1], rng=0)."""
    from micrograd_nn.cli import main

    path = tmp_path / "focus.svg"
    assert main(["graph", "--target", "1", "--network", "--focus", "L1.n2", "--svg", str(path),
                 "--no-table", "--no-explain"]) == 0
    root = ET.fromstring(path.read_text())
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert sum(t.startswith("L1.n2 (relu)") for t in texts) == 1  # the neuron is drawn once ...
    cluster = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster")
    shape = cluster.find(f"{SVG}path")
    corners = [float(v) for v in re.findall(r"-?[\d.]+", shape.get("d"))]
    xs, ys = corners[::2], corners[1::2]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    centre = node_centres(path.read_text())["L1.n2"]
    assert left < centre[0] < right and top < centre[1] < bottom  # ... inside its own box, with its operations
    # the box holds the neuron's scalar nodes (v<id> values, o<id> ops) and its own node
    inside_ids = {g.get("id") for g in root.iter(f"{SVG}g") if re.fullmatch(r"[vo]\d+", g.get("id") or "")}
    inside_ids |= {"L1.n2"}
    crossing = []
    for edge in root.iter(f"{SVG}g"):
        if edge.get("class") != "edge":
            continue
        title = edge.find(f"{SVG}title").text.replace("&#45;", "-")
        tail, head = title.split("->")
        if tail in inside_ids or head in inside_ids or edge.get("id", "").startswith("L1.n2"):
            continue  # its own edges (into its operations, and from its output on to layer 2)
        drawn = edge.find(f"{SVG}path")
        if drawn is None or edge.find(f"{SVG}path").get("stroke") == "transparent":
            continue
        if any(left + 1 < x < right - 1 and top + 1 < y < bottom - 1 for x, y in edge_points(drawn.get("d"))):
            crossing.append(edge.get("id"))
    assert crossing == []  # no other weight crosses the expanded neuron's box
    others = [node_centres(path.read_text())[f"L1.n{i}"][1] for i in (1, 3, 4)]
    assert others == sorted(others)
