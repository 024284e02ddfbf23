"""save_model / load_model: exact round trip, refusal of wrong or damaged files, atomic save."""

from __future__ import annotations

import json
import os
import stat

import pytest

from micrograd_nn.nn import MLP
from micrograd_nn.persistence import FORMAT_VERSION, ModelFileError, load_model, save_model


def _weights(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def _trained_model() -> MLP:
    """A model whose weights are arbitrary floats (not round numbers), including tiny and huge ones."""
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", init="xavier", rng=7, fused=True)
    for i, p in enumerate(model.parameters()):
        p.data = (p.data * 1.000000000000001 + i / 3) * (1e-300 if i == 2 else 1e300 if i == 5 else 1.0)
    return model


def test_round_trip_is_exact(tmp_path) -> None:
    model = _trained_model()
    path = save_model(model, tmp_path / "model.json")
    loaded = load_model(path)
    assert _weights(loaded) == _weights(model)  # bit for bit
    assert (loaded.nin, loaded.nouts, loaded.activation, loaded.output_activation, loaded.init, loaded.fused) == (
        3,
        [4, 2],
        "tanh",
        "sigmoid",
        "xavier",
        True,
    )
    x = [0.3, -1.2, 0.7]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    assert json.loads(path.read_text())["version"] == FORMAT_VERSION


def test_default_mlp_round_trip_keeps_activations(tmp_path) -> None:
    model = MLP(2, [16, 16, 1], rng=1337)
    loaded = load_model(save_model(model, tmp_path / "moons.json"))
    assert _weights(loaded) == _weights(model)
    assert loaded.activation == "relu" and loaded.output_activation == "linear" and not loaded.fused
    assert loaded([0.5, -0.5]).data == model([0.5, -0.5]).data


def test_damaged_weight_is_refused(tmp_path) -> None:
    path = save_model(_trained_model(), tmp_path / "model.json")
    data = json.loads(path.read_text())
    data["layers"][0]["weights"][1][2] += 0.5  # one weight changed after saving
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="checksum") as info:
        load_model(path)
    assert str(path) in str(info.value) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("activation", "relu"),  # tanh -> relu: valid, but another model
        ("output_activation", "linear"),
        ("fused", False),
        ("init", "he"),
    ],
)
def test_changed_architecture_field_is_refused(tmp_path, field: str, value: object) -> None:
    """The checksum covers every field, not only the weights: an edited activation or flag is refused."""
    path = save_model(_trained_model(), tmp_path / "model.json")
    data = json.loads(path.read_text())
    assert data[field] != value
    data[field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load_model(path)


def test_checksum_does_not_depend_on_layout(tmp_path) -> None:
    """Re-indented JSON with the keys in another order is the same model and loads."""
    model = _trained_model()
    path = save_model(model, tmp_path / "model.json")
    data = json.loads(path.read_text())
    path.write_text(json.dumps(dict(reversed(list(data.items())))))
    assert _weights(load_model(path)) == _weights(model)


def test_version_1_file_is_refused_with_a_clear_message(tmp_path) -> None:
    path = save_model(_trained_model(), tmp_path / "model.json")
    data = json.loads(path.read_text())
    data["version"] = 1
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="version 1 .*only the weights"):
        load_model(path)


def test_new_file_mode_follows_the_umask(tmp_path) -> None:
    old = os.umask(0o027)
    try:
        path = save_model(MLP(2, [3, 1], rng=0), tmp_path / "model.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 & ~0o027, as open() would make it


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
def test_overwriting_keeps_the_files_mode(tmp_path, mode: int) -> None:
    path = tmp_path / "model.json"
    path.write_text("old contents")
    path.chmod(mode)
    save_model(MLP(2, [3, 1], rng=0), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert load_model(path).nin == 2


def test_save_to_a_bare_file_name_writes_in_the_working_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    save_model(MLP(2, [3, 1], rng=0), "bare.json")
    assert [p.name for p in tmp_path.iterdir()] == ["bare.json"]


def test_wrong_version_is_refused(tmp_path) -> None:
    path = save_model(_trained_model(), tmp_path / "model.json")
    data = json.loads(path.read_text())
    data["version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=f"unsupported format version {FORMAT_VERSION + 1}"):
        load_model(path)


def test_truncated_file_is_refused(tmp_path) -> None:
    path = save_model(_trained_model(), tmp_path / "model.json")
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ModelFileError, match="not valid JSON") as info:
        load_model(path)
    assert "model.json" in str(info.value)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(format="something.else"), "not a micrograd_nn model file"),
        (lambda d: d.pop("layers"), "missing field"),
        (lambda d: d.update(activation="swish"), "unknown activation"),
        (lambda d: d["layers"][1]["weights"].pop(), "expected weights for 2 neurons"),
        (lambda d: d["layers"][0]["weights"][0].append(1.0), "expected 3 weights"),
        (lambda d: d["layers"][0]["biases"].__setitem__(0, "0.1"), "finite biases"),
        (lambda d: d.update(nouts=[4, 2, 1]), "expected 3 layers"),
    ],
)
def test_wrong_contents_are_refused(tmp_path, change, problem: str) -> None:
    path = save_model(_trained_model(), tmp_path / "model.json")
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=problem):
        load_model(path)


def test_not_json_and_empty_files_are_refused(tmp_path) -> None:
    for content, problem in [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\xff", "not a text file"),
        (b"[1, 2]", "JSON object"),
        (b'{"format": "micrograd_nn.mlp", "version": 1, "w": NaN}', "non-finite"),
    ]:
        path = tmp_path / "odd.json"
        path.write_bytes(content)
        with pytest.raises(ModelFileError, match=problem):
            load_model(path)


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.json"
    old_model = MLP(2, [3, 1], rng=1)
    save_model(old_model, path)
    old_text = path.read_text()

    def crash(fd: int) -> None:  # the new file is half way to disk when the power goes
        raise OSError("simulated crash during save")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="simulated crash"):
        save_model(MLP(2, [3, 1], rng=2), path)
    monkeypatch.undo()
    assert path.read_text() == old_text
    assert _weights(load_model(path)) == _weights(old_model)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary file left behind


def test_non_finite_weights_are_not_saved(tmp_path) -> None:
    model = MLP(2, [1], rng=0)
    model.parameters()[0].data = float("inf")
    with pytest.raises(ValueError, match="non-finite"):
        save_model(model, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()
