"""save_model / load_model: exact round trip, refusal of wrong or damaged files, atomic save."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd_nn.nn import MLP
from micrograd_nn.training.persistence import FORMAT_VERSION, ModelFileError, load_model, save_model


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


def _saved_data(tmp_path) -> tuple[Path, dict]:
    path = save_model(_trained_model(), tmp_path / "model.json")
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["layers"][0]["biases"].__setitem__(0, 10**400),
         "layer 1: expected 4 finite biases; the bias of neuron 1 is an integer of about 400 digits, too large"),
        (lambda d: d["layers"][1]["weights"][1].__setitem__(2, -(10**309)),
         "layer 2 neuron 2: every weight must be a finite number; weight 3 is an integer of about 309 digits, too"),
        (lambda d: d["layers"][0]["biases"].__setitem__(1, True), "the bias of neuron 2 is True"),
        (lambda d: d.update(activation=["relu"]), r"unknown activation \['relu'\]; expected one of"),
        (lambda d: d.update(output_activation={"name": "linear"}), r"unknown output_activation \{'name': 'linear'\}"),
        (lambda d: d.update(init=None), "unknown init None"),
        (lambda d: d.update(checksum=[1]), r"checksum must be a string of 64 hex digits, found \[1\]"),
        (lambda d: d.update(format=["micrograd_nn.mlp"] * 40), r"format is \['micrograd_nn.mlp', .*\.\.\., expected"),
        (lambda d: d.update(nin=2.0), "nin must be a positive integer, found 2.0"),
    ],
)
def test_every_field_is_type_checked_and_named(tmp_path, change, problem: str) -> None:
    path, data = _saved_data(tmp_path)
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=problem) as info:
        load_model(path)
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "micrograd_nn.mlp", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"format": "micrograd_nn.mlp", "version": 2, "nin": 1' + "0" * 5000 + "}", "an integer of 5001 digits"),
    ],
)
def test_hostile_json_is_a_model_file_error(tmp_path, text: str, problem: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=problem):
        load_model(path)


def _load_elsewhere(path: str | Path) -> subprocess.CompletedProcess:
    """load_model(path) in a child process with 1 GiB of memory and a minute (a regression must not hang the tests)."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    code = "from micrograd_nn.training.persistence import load_model; import sys; load_model(sys.argv[1])"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60, preexec_fn=limit_memory
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="POSIX devices and pipes")
def test_a_device_or_named_pipe_is_refused_without_reading(tmp_path) -> None:
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    for path in ("/dev/zero", pipe):  # endless bytes; a reader that waits for a writer
        done = _load_elsewhere(path)
        assert "ModelFileError" in done.stderr and "not a regular file (a device, pipe or socket)" in done.stderr


def test_folders_and_oversized_files_are_refused_before_reading(tmp_path, monkeypatch) -> None:
    import micrograd_nn.training.persistence

    with pytest.raises(ModelFileError, match=r"not a regular file \(a folder\)"):
        load_model(tmp_path)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(micrograd_nn.training.persistence.MAX_MODEL_BYTES + 1)  # sparse: no disk space used
    with pytest.raises(ModelFileError, match="larger than 67108864 bytes"):
        load_model(huge)
    path = save_model(_trained_model(), tmp_path / "model.json")
    monkeypatch.setattr(micrograd_nn.training.persistence, "MAX_MODEL_BYTES", path.stat().st_size - 1)
    with pytest.raises(ModelFileError, match="larger than"):
        load_model(path)
    monkeypatch.setattr(micrograd_nn.training.persistence, "MAX_MODEL_BYTES", path.stat().st_size)
    assert _weights(load_model(path)) == _weights(_trained_model())  # exactly at the limit is fine
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.json")


def test_saving_through_a_symlink_writes_the_linked_file(tmp_path) -> None:
    real = tmp_path / "models" / "real.json"
    real.parent.mkdir()
    save_model(MLP(2, [1], rng=1), real)
    link = tmp_path / "link.json"
    link.symlink_to(Path("models") / "real.json")  # a relative link, as `ln -s` makes
    new = MLP(2, [1], rng=2)
    assert save_model(new, link) == link
    assert link.is_symlink() and os.readlink(link) == str(Path("models") / "real.json")
    assert _weights(load_model(real)) == _weights(new)
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.json"]


def test_unclear_save_paths_get_clear_errors(tmp_path) -> None:
    model = MLP(2, [1], rng=0)
    with pytest.raises(ValueError, match="save_model: the path is empty"):
        save_model(model, "")
    with pytest.raises(IsADirectoryError, match=f"save_model: {tmp_path} is a folder"):
        save_model(model, tmp_path)
    assert save_model(model, tmp_path / "new" / "model.json").is_file()  # every output makes its folders


def test_the_temporary_file_is_named_as_a_save_in_progress(tmp_path, monkeypatch) -> None:
    seen: list[str] = []
    real_fsync = os.fsync

    def look(fd: int) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", look)
    save_model(MLP(2, [1], rng=0), tmp_path / "model.json")
    assert any(re.fullmatch(rf"\.model\.json\.saving-{os.getpid()}-\w+\.tmp", name) for name in seen), seen


@pytest.mark.skipif(os.name != "posix", reason="kill -9 is POSIX")
def test_a_save_killed_with_sigkill_leaves_a_temporary_file_the_next_save_deletes(tmp_path) -> None:
    path = tmp_path / "model.json"
    save_model(MLP(2, [3, 1], rng=1), path)
    code = (
        "import os, signal, sys\n"
        "from micrograd_nn.nn import MLP\n"
        "from micrograd_nn.training.persistence import save_model\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed half way through the save\n"
        "save_model(MLP(2, [3, 1], rng=2), sys.argv[1])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
    assert proc.wait(timeout=60) == -signal.SIGKILL
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.json"]
    assert len(leftovers) == 1 and leftovers[0].startswith(f".model.json.saving-{proc.pid}-")
    assert _weights(load_model(path)) == _weights(MLP(2, [3, 1], rng=1))  # the old file is whole
    other = tmp_path / ".other.json.saving-999999999-abc.tmp"  # another file's leftover: not ours to delete
    other.write_text("")
    newest = MLP(2, [3, 1], rng=3)
    save_model(newest, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "model.json"]
    assert _weights(load_model(path)) == _weights(newest)


def test_a_live_saves_temporary_file_is_kept(tmp_path) -> None:
    path = tmp_path / "model.json"
    live = tmp_path / f".model.json.saving-{os.getppid()}-abc.tmp"  # our parent process is alive
    live.write_text("")
    save_model(MLP(2, [1], rng=0), path)
    assert live.exists()


def test_a_folder_that_cannot_be_written_is_named(tmp_path, monkeypatch) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".model.json.saving-1-x.tmp"))

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)  # as a read-only folder does (root ignores modes)
    with pytest.raises(PermissionError, match=f"save_model: cannot write in the folder {tmp_path}: Permission denied"):
        save_model(MLP(2, [1], rng=0), tmp_path / "model.json")


def test_only_an_mlp_is_saved(tmp_path) -> None:
    from micrograd_nn.nn import Layer

    with pytest.raises(TypeError, match="only an MLP can be saved, got Layer"):
        save_model(Layer(2, 1, rng=0), tmp_path / "layer.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_saving_over_a_pipe_or_device_is_refused(tmp_path) -> None:
    pipe = tmp_path / "model.json"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match=f"save_model: {pipe} is a device, pipe or socket, not a file"):
        save_model(MLP(2, [1], rng=0), pipe)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode) and sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_network_without_biases_and_with_mixed_activations_round_trips(tmp_path) -> None:
    import numpy as np

    from micrograd_nn.nn import MLP as Network

    weights = [np.array([[0.5, -1.0, 0.25], [2.0, 0.75, -0.5]]), np.array([[1.5], [-2.0], [0.5]])]
    model = Network.from_matrices(weights, None, activations=["tanh", "sigmoid"])
    path = save_model(model, tmp_path / "no_bias.json")
    again = load_model(path)
    assert not again.has_biases and [layer.neurons[0].activation for layer in again.layers] == ["tanh", "sigmoid"]
    assert again([0.3, -0.7]).data == model([0.3, -0.7]).data
    for got, want in zip(again.to_matrices()[0], weights):
        assert np.array_equal(got, want)


def test_reference_mlp_reads_a_network_without_biases() -> None:
    import numpy as np

    from micrograd_nn.checks.reference import ReferenceMLP, mlp_gradients
    from micrograd_nn.nn import MLP as Network
    from micrograd_nn.training.losses import mse

    weights = [np.array([[0.5, -1.0], [2.0, 0.75]]), np.array([[1.5], [-2.0]])]
    model = Network.from_matrices(weights, None, activations=["sigmoid", "linear"])
    X, y = np.array([[0.3, -0.7], [1.0, 2.0]]), np.array([[1.0], [0.0]])
    loss = mse([model(row) for row in X.tolist()], y.tolist())
    loss.backward()
    value, grads_w, grads_b = ReferenceMLP.from_mlp(model).loss_and_grads(X, y, "mse")
    assert value == pytest.approx(loss.data, rel=1e-12)
    ours_w, ours_b = mlp_gradients(model)
    for mine, ref in zip(ours_w, grads_w):
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-15)
    assert all(not b.any() for b in ours_b)  # no biases: their gradient is reported as 0
