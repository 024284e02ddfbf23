"""Every file written atomically: a failed write (a full disk) keeps the old file; errors name the caller and file."""

from __future__ import annotations

import errno
import os

import pytest

from micrograd_nn import Value
from micrograd_nn.atomic_write import check_target, write_atomically
from micrograd_nn.nn import MLP
from micrograd_nn.training.persistence import load_model, save_model
from micrograd_nn.views.network_picture import render_network
from micrograd_nn.views.scalar_picture import render
from micrograd_nn.views.stepper import Stepper, write_html


def _disk_full(monkeypatch) -> None:
    """The disk fills up while the new file is flushed to it (as a write past the last free block does)."""

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


def _graph() -> Value:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    out = (a * b).tanh()
    out.backward()
    return out


def _network_loss() -> Value:
    model = MLP(2, [2, 1], rng=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return loss


WRITERS = {
    "save_model": lambda path: save_model(MLP(2, [1], rng=0), path),
    "write_html": lambda path: write_html(_graph(), path),
    "Stepper.save": lambda path: Stepper(_graph()).save(path),
    "render": lambda path: render(_graph(), path),
    "render_network": lambda path: render_network(_network_loss(), path),
}
SUFFIX = {"save_model": ".json", "write_html": ".html", "Stepper.save": ".html", "render": ".svg",
          "render_network": ".svg"}


@pytest.mark.parametrize("caller", list(WRITERS))
def test_a_full_disk_keeps_the_old_file_and_names_the_function_and_file(caller: str, tmp_path, monkeypatch) -> None:
    """Before: write_text truncated the old page first; a full disk left half a page (and said only ENOSPC)."""
    path = tmp_path / f"out{SUFFIX[caller]}"
    path.write_text("the good old file\n", encoding="utf-8")
    _disk_full(monkeypatch)
    with pytest.raises(OSError) as caught:
        WRITERS[caller](path)
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == (
        f"[Errno {errno.ENOSPC}] {caller}: cannot write {path}: No space left on device "
        "(the old file is kept as it was)"
    )
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "the good old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


@pytest.mark.parametrize("caller", list(WRITERS))
def test_a_nul_byte_in_the_name_is_named_with_the_function(caller: str, tmp_path) -> None:
    """Before: save_model said only "embedded null byte"."""
    path = str(tmp_path / f"a\x00b{SUFFIX[caller]}")
    with pytest.raises(ValueError, match=rf"^{caller.replace('.', '[.]')}: cannot write '.*a\\x00b.*': a file name "
                                         r"cannot hold a NUL character"):
        WRITERS[caller](path)


@pytest.mark.parametrize("caller", list(WRITERS))
def test_each_writer_still_writes_its_file(caller: str, tmp_path) -> None:
    path = tmp_path / f"out{SUFFIX[caller]}"
    assert WRITERS[caller](path) == path
    text = path.read_text(encoding="utf-8")
    assert text.startswith({".json": "{", ".html": "<!DOCTYPE html>", ".svg": "<?xml"}[SUFFIX[caller]])
    if caller == "save_model":
        assert load_model(path).layers[0].neurons[0].w[0].data == MLP(2, [1], rng=0).layers[0].neurons[0].w[0].data


@pytest.mark.parametrize("caller", list(WRITERS))
def test_a_read_only_folder_is_refused_with_the_function_and_folder(caller: str, read_only_folder) -> None:
    """check_target creates and removes a test file: a folder that exists but cannot be written is said at once."""
    path = read_only_folder / f"out{SUFFIX[caller]}"
    with pytest.raises(PermissionError) as caught:
        check_target(path, caller)
    code = caught.value.errno  # EACCES for a read-only mode, EPERM for root in an immutable folder
    assert code in (errno.EACCES, errno.EPERM)
    assert str(caught.value) == f"[Errno {code}] {caller}: cannot write in the folder {read_only_folder}: " \
                                f"{os.strerror(code)}"
    with pytest.raises(PermissionError, match=f"{caller.replace('.', '[.]')}: cannot write in the folder"):
        WRITERS[caller](path)
    assert list(read_only_folder.iterdir()) == []


def test_write_atomically_keeps_the_mode_and_writes_bytes_or_text(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_atomically(path, "néw", "test")
    assert path.read_bytes() == "néw".encode() and (os.stat(path).st_mode & 0o777) == 0o640
    write_atomically(path, b"\x89PNG", "test")
    assert path.read_bytes() == b"\x89PNG"


def test_a_pictures_own_save_and_render_write_atomically(tmp_path, monkeypatch) -> None:
    """graphviz's Digraph.save opened the .gv file for writing first; the picture's save and render keep it whole."""
    from micrograd_nn.views.scalar_picture import draw_dot

    picture = draw_dot(_graph())
    source = tmp_path / "sub" / "g.gv"
    assert picture.save(source) == str(source) and source.read_text(encoding="utf-8") == picture.source
    rendered = picture.render(tmp_path / "sub" / "g", format="svg")
    assert open(rendered, encoding="utf-8").read().startswith("<?xml")
    _disk_full(monkeypatch)
    with pytest.raises(OSError, match=rf"^\[Errno {errno.ENOSPC}\] save: cannot write {source}: No space left"):
        draw_dot(_graph() * 2.0).save(source)
    monkeypatch.undo()
    assert source.read_text(encoding="utf-8") == picture.source
