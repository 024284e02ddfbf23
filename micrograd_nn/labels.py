"""The label format nn.py gives to parameters and inputs, written and parsed here and nowhere else.

A network's parameters are labelled by where they sit: ``L1.n3.w2`` is weight 2
of neuron 3 of layer 1, ``L1.n3.b`` that neuron's bias; a Layer or Neuron used
on its own drops the parts it does not know (``n3.w2``, ``w2``).  A neuron's
*key* is the prefix of its parameters' labels (``L1.n3``, or ``n3``).  Inputs
given as plain numbers become leaves labelled ``x1, x2, ...``.

nn.py writes labels with ``layer_label``, ``neuron_label``, ``weight_label``,
``bias_label`` and ``input_label``; the views read them back with
``parse_parameter``, ``parse_neuron_key`` and ``is_input_label``.  A gradient built as a Value by
``backward(create_graph=True)`` or ``grad()`` is named ``gradient_label``: ``dy/dx`` (``grad of x`` when the
output has no name), and a leaf's gradient summed over passes ``gradient_sum_label``: ``x.grad``.  A label is
only a claim: the network model (micrograd_nn.analysis.network) checks each one
against the graph it sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from micrograd_nn.format import d_of

_PARAMETER = re.compile(r"^(?:L(?P<layer>\d+)\.)?n(?P<neuron>\d+)\.(?:w(?P<weight>\d+)|b)$")
_NEURON_KEY = re.compile(r"^(?:L(?P<layer>\d+)\.)?n(?P<neuron>\d+)$")
_INPUT = re.compile(r"^x\d+$")


@dataclass(frozen=True)
class ParameterLabel:
    """What a parameter's label claims: its layer (None for a lone Layer), neuron, and weight (None: the bias)."""

    layer: int | None
    neuron: int
    weight: int | None

    @property
    def key(self) -> str:
        """The key of the neuron the label names: "L1.n3" (or "n3")."""
        return neuron_key(self.layer, self.neuron)


# --- writing (nn.py) -------------------------------------------------------------

def layer_label(layer: int) -> str:
    """Layer 1's label: "L1"."""
    return f"L{layer}"


def neuron_label(layer_label: str, neuron: int) -> str:
    """Neuron 3 of the layer labelled "L1": "L1.n3" (just "n3" in an unlabelled Layer)."""
    return f"{layer_label}.n{neuron}" if layer_label else f"n{neuron}"


def weight_label(neuron_label: str, weight: int) -> str:
    """Weight 2 of the neuron labelled "L1.n3": "L1.n3.w2" (just "w2" for an unlabelled Neuron)."""
    return f"{neuron_label}.w{weight}" if neuron_label else f"w{weight}"


def bias_label(neuron_label: str) -> str:
    """The bias of the neuron labelled "L1.n3": "L1.n3.b" (just "b" for an unlabelled Neuron)."""
    return f"{neuron_label}.b" if neuron_label else "b"


def input_label(position: int, prefix: str = "x") -> str:
    """The label of input number position (from 1) given as a plain number: "x1"."""
    return f"{prefix}{position}"


def neuron_key(layer: int | None, neuron: int) -> str:
    """A neuron's key from its numbers: (1, 3) -> "L1.n3"; (None, 3) -> "n3"."""
    return neuron_label(layer_label(layer) if layer is not None else "", neuron)


def gradient_label(of: str, output: str | None = None) -> str:
    """The name of d(output)/d(of) kept as a Value: "dy/dx" ("d(dy/dx)/dx" a level up); "grad of x" without output."""
    return f"{d_of(output)}/{d_of(of)}" if output is not None else f"grad of {of}"


def gradient_sum_label(of: str) -> str:
    """The name of the Value a leaf's .grad became when a backward(create_graph=True) added to it: "x.grad"."""
    return f"{of}.grad"


# --- reading (the views) -----------------------------------------------------------

def parse_parameter(label: str) -> ParameterLabel | None:
    """The claim a label like "L1.n3.w2" or "L1.n3.b" makes, or None for a label of another shape."""
    match = _PARAMETER.match(label)
    if match is None:
        return None
    layer, weight = match.group("layer"), match.group("weight")
    return ParameterLabel(int(layer) if layer else None, int(match.group("neuron")), int(weight) if weight else None)


def parse_neuron_key(key: str) -> tuple[int | None, int] | None:
    """(layer, neuron) of a key like "L1.n3" ((None, 3) for "n3"), or None for another shape."""
    match = _NEURON_KEY.match(key)
    if match is None:
        return None
    layer = match.group("layer")
    return (int(layer) if layer else None, int(match.group("neuron")))


def is_input_label(label: str) -> bool:
    """Is this the label nn.py gives an input passed as a plain number (x1, x2, ...)?"""
    return _INPUT.match(label) is not None


def neuron_title(key: str) -> str:
    """A neuron's key in words: "L1.n3" -> "layer 1 / neuron 3"; "n2" -> "neuron 2"; another text as it is."""
    parsed = parse_neuron_key(key)
    if parsed is None:
        return key
    layer, neuron = parsed
    return f"layer {layer} / neuron {neuron}" if layer is not None else f"neuron {neuron}"


def neuron_sort_key(key: str) -> tuple[int, int, str]:
    """Sort key for neuron keys: by (layer, index); keys of another shape go last, alphabetically."""
    parsed = parse_neuron_key(key)
    if parsed is None:
        return (1 << 30, 0, key)
    return (parsed[0] or 0, parsed[1], key)
