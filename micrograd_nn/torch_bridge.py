"""On to PyTorch: the same MLP as a ``torch.nn.Sequential``, and back.

``to_torch(model)`` builds ``Sequential(Linear, act, Linear, act, ..., Linear[, act])``
in float64 with the model's weights: a Linear layer's ``weight`` is the
layer's W in the layout "neurons_by_inputs" (row j = neuron j's weights,
shape (n_out, n_in)) and its ``bias`` the neurons' biases, so
``module(x) = act(x @ W.T + b)`` layer by layer gives our outputs, and
``loss.backward()`` our gradients.  A linear layer (our "linear"
activation) has no activation module after it.  ``MLP.from_torch(module)``
reads such a Sequential back (``read_sequential`` here, then
``MLP.from_matrices``).  This is the one module that imports torch (the
optional extra ``micrograd_nn[torch]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from micrograd_nn.rules import LEAKY_SLOPE

try:
    import torch
except ImportError as err:  # the message is the point: which extra to install
    raise ImportError("micrograd_nn.to_torch and MLP.from_torch need PyTorch: pip install -e '.[torch]' (its CPU "
                      "build: pip install torch==2.13.0)") from err

if TYPE_CHECKING:
    from collections.abc import Iterable

    from micrograd_nn.nn import MLP  # nn.MLP.from_torch imports this module: no import back at run time

_MODULES = {name.lower(): cls for name, cls in vars(torch.nn).items()
            if isinstance(cls, type) and issubclass(cls, torch.nn.Module)}
"""torch.nn's module classes by lower-case name ("relu": ReLU, "leakyrelu": LeakyReLU, ...)."""


def torch_module(activation: str) -> torch.nn.Module | None:
    """The torch module computing one of nn.ACTIVATIONS: torch.nn's class of that name (leaky_relu: LeakyReLU
    with our slope); None for "linear", which has no module after its Linear layer."""
    if activation == "linear":
        return None
    cls = _MODULES.get(activation.replace("_", ""))
    if cls is None:
        raise ValueError(f"to_torch: torch.nn has no module for the activation {activation!r}")
    return cls(LEAKY_SLOPE) if cls is torch.nn.LeakyReLU else cls()


def to_torch(model: MLP) -> torch.nn.Sequential:
    """A float64 torch.nn.Sequential computing the same function: Linear(W_l, b_l) then act_l for each layer l."""
    if not (hasattr(model, "to_matrices") and hasattr(model, "activations")):
        raise TypeError(f"to_torch: model must be a micrograd_nn MLP, got {type(model).__name__}")
    weights, biases = model.to_matrices("neurons_by_inputs")
    modules: list[torch.nn.Module] = []
    for k, (w, name) in enumerate(zip(weights, model.activations)):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], bias=biases is not None, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            if biases is not None:
                linear.bias.copy_(torch.from_numpy(biases[k].reshape(-1)))
        modules.append(linear)
        activation = torch_module(name)
        if activation is not None:
            modules.append(activation)
    return torch.nn.Sequential(*modules)


def _activation_name(layer: torch.nn.Module, position: int, activations: list[str]) -> str:
    """Our name (one of activations) for the torch activation module at position; ValueError naming the layer
    if we have no such activation."""
    for name in activations:
        module = torch_module(name)
        if module is not None and type(layer) is type(module):
            # the same function: LeakyReLU's slope must be ours; inplace=True changes nothing we read
            if getattr(layer, "negative_slope", None) != getattr(module, "negative_slope", None):
                raise ValueError(f"MLP.from_torch: layer {position} ({layer!r}) differs from micrograd_nn's {name}, "
                                 f"which is {module!r}")
            return name
    supported = [repr(m) for m in map(torch_module, activations) if m is not None]
    raise ValueError(f"MLP.from_torch: layer {position} ({layer!r}) is not supported; a Sequential of Linear, "
                     f"{', '.join(supported)} and Identity can be read")


def _layers(module: Any, activations: list[str]) -> list[tuple[torch.nn.Linear, str]]:
    """(Linear, its activation's name) per layer of a Sequential; ValueError naming the first layer we cannot read."""
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"MLP.from_torch: module must be a torch.nn.Sequential, got {type(module).__name__}")
    layers: list[tuple[torch.nn.Linear, str]] = []
    has_activation = True  # nothing to attach an activation to before the first Linear
    for position, layer in enumerate(module):
        if isinstance(layer, torch.nn.Linear):
            layers.append((layer, "linear"))
            has_activation = False
        elif not isinstance(layer, torch.nn.Identity):  # Identity changes nothing: skipped
            name = _activation_name(layer, position, activations)
            if has_activation:
                raise ValueError(f"MLP.from_torch: layer {position} ({layer!r}) does not follow a Linear layer; "
                                 "each Linear layer may be followed by one activation")
            layers[-1], has_activation = (layers[-1][0], name), True
    if not layers:
        raise ValueError(f"MLP.from_torch: {module!r} has no Linear layer")
    return layers


def _matrix(tensor: torch.Tensor, what: str) -> np.ndarray:
    """A parameter as a float64 NumPy array; ValueError naming it if a number in it is not finite."""
    array = tensor.detach().to("cpu", torch.float64).numpy()
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        index = [int(i) for i in bad[0]]
        raise ValueError(f"MLP.from_torch: {what}{index} is {float(array[tuple(index)])!r}; every weight must be "
                         "finite")
    return array


def read_sequential(module: Any, activations: Iterable[str]) -> tuple[list[np.ndarray], list[np.ndarray] | None,
                                                                    list[str]]:
    """(W_l, b_l, act_l) of each layer of a Sequential of Linear layers and activations (W_l as Linear.weight).

    activations: the names we have (nn.ACTIVATIONS).  MLP.from_torch builds the MLP from the result (layout
    "neurons_by_inputs"); biases is None when no layer has one.
    """
    layers = _layers(module, list(activations))
    with_bias = [linear.bias is not None for linear, _ in layers]
    if any(with_bias) and not all(with_bias):
        raise ValueError(f"MLP.from_torch: Linear layer {with_bias.index(False) + 1} has no bias but others have: an "
                         "MLP's neurons all have a bias or none has")
    for k in range(1, len(layers)):
        if layers[k][0].in_features != layers[k - 1][0].out_features:
            raise ValueError(f"MLP.from_torch: Linear layer {k + 1} reads {layers[k][0].in_features} inputs but "
                             f"Linear layer {k} gives {layers[k - 1][0].out_features} outputs")
    weights = [_matrix(linear.weight, f"Linear layer {k}'s weight") for k, (linear, _) in enumerate(layers, 1)]
    biases = None
    if all(with_bias):
        biases = [_matrix(linear.bias, f"Linear layer {k}'s bias") for k, (linear, _) in enumerate(layers, 1)]
    return weights, biases, [name for _, name in layers]
