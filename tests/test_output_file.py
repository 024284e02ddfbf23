"""The views write their files atomically: a failed or interrupted write leaves the old file (and no litter)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import needs_dot

from micrograd_nn.engine import Value
from micrograd_nn.nn import MLP
from micrograd_nn.views import output_file
from micrograd_nn.views.output_file import write_file


def test_a_write_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "picture.svg"
    assert write_file(target, "<svg/>") == target and target.read_text() == "<svg/>"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # not the temporary file's 0o600
    target.chmod(0o640)
    write_file(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.svg"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "stepper.html"
    target.write_text("old page")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_file.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_file(target, "new page")
    assert target.read_text() == "old page" and [p.name for p in tmp_path.iterdir()] == ["stepper.html"]


def test_folders_devices_and_missing_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="is a folder"):
        write_file(tmp_path, "x")
    with pytest.raises(ValueError, match="device, pipe or socket"):
        write_file("/dev/null", "x")
    with pytest.raises(OSError, match=f"cannot write in the folder {tmp_path / 'missing'}"):
        write_file(tmp_path / "missing" / "page.html", "x")


@needs_dot
def test_the_stepper_and_the_pictures_write_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from micrograd_nn.views.network_picture import render_network
    from micrograd_nn.views.scalar_picture import render
    from micrograd_nn.views.stepper import Stepper, write_html

    model = MLP(2, [2, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    files = {name: tmp_path / name for name in ("page.html", "saved.html", "graph.svg", "network.svg", "n.dot")}
    for path in files.values():
        path.write_text("old")

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output_file.os, "replace", interrupted)
    writes = [
        lambda: write_html(loss, files["page.html"]),
        lambda: Stepper(loss).save(files["saved.html"]),
        lambda: render(loss, files["graph.svg"]),
        lambda: render_network(loss, files["network.svg"]),
        lambda: render_network(loss, files["n.dot"]),
    ]
    for write in writes:
        with pytest.raises(KeyboardInterrupt):
            write()
    assert all(path.read_text() == "old" for path in files.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    monkeypatch.undo()
    assert write_html(Value(2.0, "a") * 3, files["page.html"]).read_text().startswith("<!DOCTYPE html>")
