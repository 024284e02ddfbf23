"""Save and load an MLP as JSON: architecture, activations and every weight, exactly.

The file holds a format name and version, the layer sizes, the activations,
the initialisation name, the fused flag, each layer's weights (one list per
neuron) and biases, and a SHA-256 checksum of every other field (so a changed
activation or fused flag is refused like a changed weight).  Floats are written
with Python's repr, which reads back to the identical float.  Saving writes a
temporary file in the same folder, flushes it to disk and renames it over the
target, so an interrupted save leaves the previous file whole; the new file
keeps the permissions of the file it replaces (a new file gets 0o666 minus the
umask, as open() would give it).  Saving to a symbolic link writes the file the
link points to and keeps the link.  The temporary file is named
``.NAME.saving-PID-XXXX.tmp``; one left by a save that was killed (its process is
gone) is deleted by the next save of the same file.

Loading reads at most MAX_MODEL_BYTES (64 MiB, about a hundred times a
784-32-16-10 MNIST network) from a regular file (a folder, device or pipe is
refused before anything is read), parses the JSON with limits (nesting depth,
integers of at most MAX_INTEGER_DIGITS digits, no NaN or Infinity), checks the
type and range of every field, and raises ModelFileError (a ValueError) naming
the file, the field and the problem.  No pickle: a model file is data, never code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from micrograd_nn import errors
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.nn import ACTIVATIONS, INITS, MLP

FORMAT_NAME = "micrograd_nn.mlp"
FORMAT_VERSION = 2  # version 1's checksum covered only the weights
MAX_MODEL_BYTES = 64 * 1024 * 1024
"""The largest model file load_model reads (64 MiB)."""
MAX_INTEGER_DIGITS = 1000
"""Longer integer literals are refused while parsing (Python's int() takes quadratic time in the digits)."""


class ModelFileError(ValueError):
    """A model file that is not a valid micrograd_nn model: wrong format, wrong version, damaged or truncated."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _weights_payload(model: MLP) -> list[dict[str, list[Any] | None]]:
    """Per layer: weights as one list per neuron, and the biases (None for a network without biases)."""
    return [
        {
            "weights": [[w.data for w in neuron.w] for neuron in layer.neurons],
            "biases": [neuron.b.data for neuron in layer.neurons if neuron.b is not None] if model.has_biases else None,
        }
        for layer in model.layers
    ]


def _checksum(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON text (sorted keys, no spaces, floats by repr) of every field but the checksum."""
    fields = {key: value for key, value in data.items() if key != "checksum"}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_to_dict(model: MLP) -> dict[str, Any]:
    """The model as plain JSON-ready data (see the module docs for the fields)."""
    if not isinstance(model, MLP):
        raise TypeError(f"only an MLP can be saved, got {type(model).__name__}")
    layers = _weights_payload(model)
    for layer in layers:
        for value in [*(layer["biases"] or []), *(w for row in layer["weights"] or [] for w in row)]:
            if not math.isfinite(value):
                raise ValueError(f"cannot save a model with a non-finite weight ({value!r})")
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nin": model.nin,
        "nouts": list(model.nouts),
        "activation": model.activation,
        "output_activation": model.output_activation,
        "init": model.init,
        "fused": model.fused,
        "bias": model.has_biases,
        "activations": [layer.neurons[0].activation for layer in model.layers],
        "layers": layers,
    }
    data["checksum"] = _checksum(data)
    return data


def save_model(model: MLP, path: str | Path) -> Path:
    """Write model to path as JSON, atomically (temporary file, flush + fsync, rename), keeping path's mode.

    A symbolic link is followed: the file it points to is replaced, the link
    stays.  Returns path as given.  Errors name save_model and the file.
    """
    check_target(path, "save_model")  # a bad path is said before the model is turned into text
    text = json.dumps(model_to_dict(model), indent=1, allow_nan=False) + "\n"
    return write_atomically(path, text, "save_model")


def load_model(path: str | Path) -> MLP:
    """Read a model saved by save_model; ModelFileError if the file is wrong, damaged, truncated or too large.

    A missing or unreadable file is an OSError, as open() gives.
    """
    source = Path(path)
    try:
        text = _read_model_bytes(source).decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(source, "not a text file (damaged, or not a model file)") from None
    if not text.strip():
        raise ModelFileError(source, "the file is empty")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise ModelFileError(
            source, f"not valid JSON (truncated or damaged?): {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise ModelFileError(source, "brackets nested too deeply for a model file") from None
    except ValueError as err:
        raise ModelFileError(source, str(err)) from None
    return model_from_dict(data, source)


def _read_model_bytes(source: Path) -> bytes:
    """The bytes of source if it is a regular file of at most MAX_MODEL_BYTES; ModelFileError otherwise.

    The file is opened without blocking (a pipe would wait for a writer) and
    checked with fstat on the open descriptor, so it cannot be swapped between
    the check and the read.
    """
    descriptor = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise ModelFileError(source, f"not a regular file ({kind}); a model file is JSON written by save_model")
        too_large = f"larger than {MAX_MODEL_BYTES} bytes (MAX_MODEL_BYTES), the most a model file may hold"
        if info.st_size > MAX_MODEL_BYTES:
            raise ModelFileError(source, f"{info.st_size} bytes: {too_large}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            content = handle.read(MAX_MODEL_BYTES + 1)  # the file may have grown since fstat
    finally:
        os.close(descriptor)
    if len(content) > MAX_MODEL_BYTES:
        raise ModelFileError(source, too_large)
    return content


def _refuse_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} in the file")


def _parse_int(text: str) -> int:
    """A JSON integer literal as an int, refusing absurdly long ones before int() spends time on them."""
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {digits} digits; no model field needs more than {MAX_INTEGER_DIGITS}")
    return int(text)


def model_from_dict(data: Any, source: str | Path = "<model>") -> MLP:
    """Rebuild the MLP from model_to_dict's data, checking the type and range of every field first.

    ModelFileError names source, the field and what is wrong with it.
    """

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(source, problem)

    _check_format(data, fail)
    missing = [
        key
        for key in ("nin", "nouts", "activation", "output_activation", "init", "fused", "layers", "checksum")
        if key not in data
    ]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    nin, nouts = data["nin"], data["nouts"]
    if not errors.is_whole_number(nin):
        raise fail(f"nin must be a positive integer, found {_show(nin)}")
    if not isinstance(nouts, list) or not nouts or not all(errors.is_whole_number(n) for n in nouts):
        raise fail(f"nouts must be a non-empty list of positive integers, found {_show(nouts)}")
    for key, choices in (("activation", ACTIVATIONS), ("output_activation", ACTIVATIONS), ("init", INITS)):
        if not isinstance(data[key], str) or data[key] not in choices:
            raise fail(f"unknown {key} {_show(data[key])}; expected one of {sorted(choices)}")
    if not isinstance(data["fused"], bool):
        raise fail(f"fused must be true or false, found {_show(data['fused'])}")
    has_biases = data.get("bias", True)  # files written before networks without biases hold no such field
    if not isinstance(has_biases, bool):
        raise fail(f"bias must be true or false, found {_show(has_biases)}")
    if not isinstance(data["checksum"], str):
        raise fail(f"checksum must be a string of 64 hex digits, found {_show(data['checksum'])}")
    layers = data["layers"]
    if not isinstance(layers, list) or len(layers) != len(nouts):
        raise fail(f"expected {len(nouts)} layers of weights, found {_count(layers)}")
    activations = data.get("activations", None)  # one per layer; older files: activation/output_activation
    if activations is not None and (
        not isinstance(activations, list)
        or len(activations) != len(nouts)
        or not all(isinstance(a, str) and a in ACTIVATIONS for a in activations)
    ):
        raise fail(f"activations must be a list of {len(nouts)} names from {sorted(ACTIVATIONS)}, found "
                   f"{_show(activations)}")
    sizes = [nin, *nouts]
    for number, layer in enumerate(layers, 1):
        _check_layer(layer, number, sizes[number - 1], sizes[number], has_biases, fail)
    try:
        checksum = _checksum(data)
    except RecursionError:  # an extra field nested deeper than the JSON writer goes
        raise fail("a field is nested too deeply for a model file") from None
    if data["checksum"] != checksum:
        raise fail("checksum mismatch: the file was changed or damaged after saving (weights, activations or flags)")

    if activations is None:  # an older file: one activation for the hidden layers, one for the output
        activations = [data["activation"]] * (len(nouts) - 1) + [data["output_activation"]]
    model = MLP(nin, nouts, activations=activations, init=data["init"], rng=0, fused=data["fused"], bias=has_biases)
    _copy_weights(model, layers)
    return model


def _copy_weights(model: MLP, layers: list[dict[str, Any]]) -> None:
    """Set every weight and bias of model to the (checked) numbers saved for it."""
    for layer, saved in zip(model.layers, layers):
        biases = saved["biases"] if model.has_biases else [None] * len(layer.neurons)
        for neuron, weights, bias in zip(layer.neurons, saved["weights"], biases):
            for parameter, value in zip(neuron.w, weights):
                parameter.data = float(value)
            if neuron.b is not None:
                neuron.b.data = float(bias)


def _check_format(data: Any, fail: Callable[[str], ModelFileError]) -> None:
    """A JSON object naming this format and the version this code reads; fail(problem) otherwise."""
    if not isinstance(data, dict):
        raise fail(f"expected a JSON object at the top, found {type(data).__name__}")
    if data.get("format") != FORMAT_NAME:
        raise fail(f"not a micrograd_nn model file (format is {_show(data.get('format'))}, expected {FORMAT_NAME!r})")
    version = data.get("version")
    if version == 1 and not isinstance(version, bool):
        raise fail(
            "format version 1 (its checksum covered only the weights) is no longer read; "
            f"this micrograd_nn reads version {FORMAT_VERSION}: retrain and save the model again"
        )
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise fail(f"unsupported format version {_show(version)}; this micrograd_nn reads version {FORMAT_VERSION}")


def _show(x: Any) -> str:
    """A short description of a value read from a file, for a message: its repr, cut to 60 characters."""
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) >= 10**60:  # str() of a huge int is slow
        return f"an integer of about {round(abs(x).bit_length() * math.log10(2))} digits"
    text = repr(x)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _count(x: Any) -> str:
    return str(len(x)) if isinstance(x, list) else type(x).__name__


def _is_number(x: Any) -> bool:
    """A JSON number (not true/false) that is a finite float; an integer too large for a float is not."""
    return isinstance(x, (int, float)) and errors.is_finite_real(x)


def _bad_number(x: Any) -> str:
    """Why x is not a weight: too large, not a number, or non-finite."""
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{_show(x)}, too large for a float"
    return _show(x)


def _check_layer(layer: Any, number: int, fan_in: int, width: int, has_biases: bool, fail: Any) -> None:
    """Layer `number` must hold `width` neurons of `fan_in` finite weights and `width` finite biases (or null)."""
    if not isinstance(layer, dict) or "weights" not in layer or "biases" not in layer:
        raise fail(f"layer {number} must be an object with weights and biases")
    weights, biases = layer["weights"], layer["biases"]
    if not isinstance(weights, list) or len(weights) != width:
        raise fail(f"layer {number}: expected weights for {width} neurons, found {_count(weights)}")
    for j, row in enumerate(weights, 1):
        if not isinstance(row, list) or len(row) != fan_in:
            raise fail(f"layer {number} neuron {j}: expected {fan_in} weights, found {_count(row)}")
        for i, w in enumerate(row, 1):
            if not _is_number(w):
                raise fail(f"layer {number} neuron {j}: every weight must be a finite number; weight {i} is "
                           f"{_bad_number(w)}")
    if not has_biases:
        if biases is not None:
            raise fail(f"layer {number}: the model has no biases (bias is false), so biases must be null")
        return
    if not isinstance(biases, list) or len(biases) != width:
        raise fail(f"layer {number}: expected {width} finite biases, found {_count(biases)}")
    for j, b in enumerate(biases, 1):
        if not _is_number(b):
            raise fail(f"layer {number}: expected {width} finite biases; the bias of neuron {j} is {_bad_number(b)}")


__all__ = [
    "save_model",
    "load_model",
    "model_to_dict",
    "model_from_dict",
    "ModelFileError",
    "FORMAT_VERSION",
    "MAX_MODEL_BYTES",
]
