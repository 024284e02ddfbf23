"""Save and load an MLP as JSON: architecture, activations and every weight, exactly.

The file holds a format name and version, the layer sizes, the activations,
the initialisation name, the fused flag, each layer's weights (one list per
neuron) and biases, and a SHA-256 checksum of every other field (so a changed
activation or fused flag is refused like a changed weight).  Floats are written
with Python's repr, which reads back to the identical float.  Saving writes a
temporary file in the same folder, flushes it to disk and renames it over the
target, so an interrupted save leaves the previous file whole; the new file
keeps the permissions of the file it replaces (a new file gets 0o666 minus the
umask, as open() would give it).  Loading checks
everything and raises ModelFileError (a ValueError) naming the file and the
problem.  No pickle: a model file is data, never code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from micrograd_nn.nn import ACTIVATIONS, INITS, MLP

FORMAT_NAME = "micrograd_nn.mlp"
FORMAT_VERSION = 2  # version 1's checksum covered only the weights


class ModelFileError(ValueError):
    """A model file that is not a valid micrograd_nn model: wrong format, wrong version, damaged or truncated."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _weights_payload(model: MLP) -> list[dict[str, list[Any]]]:
    """Per layer: weights as one list per neuron, and the biases."""
    return [
        {
            "weights": [[w.data for w in neuron.w] for neuron in layer.neurons],
            "biases": [neuron.b.data for neuron in layer.neurons],
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
    layers = _weights_payload(model)
    for layer in layers:
        for value in [*layer["biases"], *(w for row in layer["weights"] for w in row)]:
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
        "layers": layers,
    }
    data["checksum"] = _checksum(data)
    return data


def save_model(model: MLP, path: str | Path) -> Path:
    """Write model to path as JSON, atomically (temporary file, flush + fsync, rename), keeping path's mode."""
    target = Path(path)
    text = json.dumps(model_to_dict(model), indent=1, allow_nan=False) + "\n"
    folder = target.parent
    mode = _mode_for(target)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    temp_path = Path(handle.name)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.chmod(temp_path, mode)  # NamedTemporaryFile makes it 0o600
            os.fsync(handle.fileno())
        os.replace(temp_path, target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return target


def _mode_for(target: Path) -> int:
    """The permission bits the saved file should get: the existing file's, else 0o666 & ~umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename itself is on disk (POSIX; skipped where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def load_model(path: str | Path) -> MLP:
    """Read a model saved by save_model; ModelFileError if the file is wrong, damaged or truncated."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(source, "not a text file (damaged, or not a model file)") from None
    if not text.strip():
        raise ModelFileError(source, "the file is empty")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise ModelFileError(
            source, f"not valid JSON (truncated or damaged?): {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except ValueError as err:
        raise ModelFileError(source, str(err)) from None
    return model_from_dict(data, source)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} in the file")


def model_from_dict(data: Any, source: str | Path = "<model>") -> MLP:
    """Rebuild the MLP from model_to_dict's data, checking every field; ModelFileError names source."""

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(source, problem)

    if not isinstance(data, dict):
        raise fail(f"expected a JSON object at the top, found {type(data).__name__}")
    if data.get("format") != FORMAT_NAME:
        raise fail(f"not a micrograd_nn model file (format is {data.get('format')!r}, expected {FORMAT_NAME!r})")
    version = data.get("version")
    if version == 1 and not isinstance(version, bool):
        raise fail(
            "format version 1 (its checksum covered only the weights) is no longer read; "
            f"this micrograd_nn reads version {FORMAT_VERSION}: retrain and save the model again"
        )
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise fail(f"unsupported format version {version!r}; this micrograd_nn reads version {FORMAT_VERSION}")
    missing = [
        key
        for key in ("nin", "nouts", "activation", "output_activation", "init", "fused", "layers", "checksum")
        if key not in data
    ]
    if missing:
        raise fail(f"missing field(s): {', '.join(missing)}")
    nin, nouts = data["nin"], data["nouts"]
    if not _is_count(nin):
        raise fail(f"nin must be a positive integer, found {nin!r}")
    if not isinstance(nouts, list) or not nouts or not all(_is_count(n) for n in nouts):
        raise fail(f"nouts must be a non-empty list of positive integers, found {nouts!r}")
    for key in ("activation", "output_activation"):
        if data[key] not in ACTIVATIONS:
            raise fail(f"unknown {key} {data[key]!r}")
    if data["init"] not in INITS:
        raise fail(f"unknown init {data['init']!r}")
    if not isinstance(data["fused"], bool):
        raise fail(f"fused must be true or false, found {data['fused']!r}")
    layers = data["layers"]
    if not isinstance(layers, list) or len(layers) != len(nouts):
        raise fail(f"expected {len(nouts)} layers of weights, found {_count(layers)}")
    sizes = [nin, *nouts]
    for number, layer in enumerate(layers, 1):
        _check_layer(layer, number, sizes[number - 1], sizes[number], fail)
    if data["checksum"] != _checksum(data):
        raise fail("checksum mismatch: the file was changed or damaged after saving (weights, activations or flags)")

    model = MLP(
        nin,
        nouts,
        activation=data["activation"],
        output_activation=data["output_activation"],
        init=data["init"],
        rng=0,
        fused=data["fused"],
    )
    for layer, saved in zip(model.layers, layers):
        for neuron, weights, bias in zip(layer.neurons, saved["weights"], saved["biases"]):
            for parameter, value in zip(neuron.w, weights):
                parameter.data = float(value)
            neuron.b.data = float(bias)
    return model


def _is_count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 1


def _count(x: Any) -> str:
    return str(len(x)) if isinstance(x, list) else type(x).__name__


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_layer(layer: Any, number: int, fan_in: int, width: int, fail: Any) -> None:
    """Layer `number` must hold `width` neurons of `fan_in` finite weights and `width` finite biases."""
    if not isinstance(layer, dict) or "weights" not in layer or "biases" not in layer:
        raise fail(f"layer {number} must be an object with weights and biases")
    weights, biases = layer["weights"], layer["biases"]
    if not isinstance(weights, list) or len(weights) != width:
        raise fail(f"layer {number}: expected weights for {width} neurons, found {_count(weights)}")
    for j, row in enumerate(weights, 1):
        if not isinstance(row, list) or len(row) != fan_in:
            raise fail(f"layer {number} neuron {j}: expected {fan_in} weights, found {_count(row)}")
        if not all(_is_number(w) for w in row):
            raise fail(f"layer {number} neuron {j}: every weight must be a finite number")
    if not isinstance(biases, list) or len(biases) != width or not all(_is_number(b) for b in biases):
        raise fail(f"layer {number}: expected {width} finite biases")


__all__ = ["save_model", "load_model", "model_to_dict", "model_from_dict", "ModelFileError", "FORMAT_VERSION"]
