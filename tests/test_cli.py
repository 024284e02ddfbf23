"""The command line refuses a user's mistakes early, on one line, with exit status 2 and no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_nn.tutorials
from micrograd_nn import __version__
from micrograd_nn.cli import main
from micrograd_nn.nn import MLP
from micrograd_nn.training.persistence import save_model


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run argv, expect exit status 2 and a one-line message; return it."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert captured.err.startswith(f"micrograd-nn {argv[0]}: ")
    assert captured.out == ""  # refused before anything was printed (or trained)
    return captured.err


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any demo or tour run fail the test: the output folder must be refused before training starts."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started before the output folder was checked")

    monkeypatch.setattr(micrograd_nn.tutorials, "run_demo", forbidden)
    monkeypatch.setattr(micrograd_nn.tutorials, "run_tour", forbidden)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"micrograd-nn {__version__} ({micrograd_nn.ENGINE} engine)\n"
    assert micrograd_nn.ENGINE in ("compiled", "pure Python")


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "-a*b", "--set", "a=2", "b=3"],
        ["explain", "--set", "a=2", "b=3", "-a*b"],
        ["explain", "-a*b", "--set", "a=2", "b=3", "--max-nodes", "50"],
        ["explain", "--set", "a=2", "b=3", "--", "-a*b"],
    ],
)
def test_an_expression_may_start_with_a_minus(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--no-table"] if "--" not in argv else argv) == 0
    out = capsys.readouterr().out
    assert "Result: dout/da = -3.0000, dout/db = -2.0000" in out  # out = -(a*b)


def test_a_missing_or_extra_expression_is_still_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in [
        (["explain", "--set", "a=2"], "the following arguments are required: EXPR"),
        (["explain", "a", "-b", "--set", "a=2"], "unrecognized arguments: -b"),
        (["explain", "-a", "-b", "--set", "a=2"], "unrecognized arguments: -a -b"),
    ]:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2 and message in capsys.readouterr().err


def test_a_caret_suggests_two_stars(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "a^2", "--set", "a=3"]) == 2
    assert "unexpected character '^' (powers are written **, e.g. a**2)" in capsys.readouterr().err


def test_the_format_follows_the_option_and_a_missing_suffix_is_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["explain", "a*b", "--set", "a=2", "b=3", "--no-table", "--no-explain"]
    assert main([*base, "--dot", str(tmp_path / "pic"), "--html", str(tmp_path / "page")]) == 0
    assert (tmp_path / "pic.dot").read_text().startswith("digraph")
    assert (tmp_path / "page.html").read_text().startswith("<!DOCTYPE html>")
    assert f"wrote {tmp_path / 'pic.dot'}" in capsys.readouterr().out
    mismatches = [("--png", "out.svg", ".svg"), ("--svg", "out.png", ".png"), ("--html", "x.dot", ".dot")]
    for option, name, suffix in mismatches:
        err = _refused([*base, option, str(tmp_path / name)], capsys)
        assert f"the name ends in {suffix} but {option} writes {option[2:].upper()}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "pic.dot"]  # nothing else written


def test_a_picture_gets_the_format_of_its_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if subprocess.run(["which", "dot"], capture_output=True).returncode != 0:
        pytest.skip("the Graphviz program 'dot' is not installed")
    base = ["explain", "a*b", "--set", "a=2", "b=3", "--no-table", "--no-explain"]
    assert main([*base, "--svg", str(tmp_path / "pic"), "--png", str(tmp_path / "PIC.PNG")]) == 0
    assert "<svg" in (tmp_path / "pic.svg").read_text()
    assert (tmp_path / "PIC.PNG").read_bytes().startswith(b"\x89PNG")


def test_demo_and_tour_refuse_an_output_file_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_training: None
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    err = _refused(["demo", "regression", "--out", str(afile)], capsys)
    assert f"{afile} is a file, not a folder" in err
    err = _refused(["tour", "--out", str(afile / "sub")], capsys)
    assert f"cannot write in the folder {afile / 'sub' / 'tour'}: Not a directory" in err
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "moons").write_text("a file where the demo's folder goes")
    err = _refused(["demo", "moons", "--out", str(tmp_path / "out")], capsys)
    assert f"{tmp_path / 'out' / 'moons'} is a file, not a folder" in err


def test_a_read_only_output_folder_is_refused_before_training(
    read_only_folder: Path, capsys: pytest.CaptureFixture[str], no_training: None
) -> None:
    """As root too: the read_only_folder fixture makes the folder immutable where the mode bits do not bind."""
    err = _refused(["tour", "--out", str(read_only_folder / "sub")], capsys)
    assert "cannot write in the folder" in err or "cannot make the folder" in err
    assert "Permission denied" in err or "Operation not permitted" in err
    for option in ("--svg", "--dot", "--html"):
        err = _refused(["explain", "a*b", "--set", "a=1", "b=2", option, str(read_only_folder / "x")], capsys)
        assert f"cannot write in the folder {read_only_folder}" in err


def test_a_folder_that_cannot_be_written_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_training: None
) -> None:
    """Root ignores permission bits, so the refused write itself is simulated here."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    err = _refused(["demo", "digits", "--out", str(tmp_path)], capsys)
    assert f"cannot write in the folder {tmp_path / 'digits'}: Permission denied" in err


def test_demo_argument_mistakes_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(["demo", "moons", "--mnist-csv", "x.csv", "--out", str(tmp_path)], capsys)
    assert "apply only to the digits demo" in err
    err = _refused(["demo", "digits", "--mnist-csv", str(tmp_path / "missing.csv"), "--out", str(tmp_path)], capsys)
    assert "missing.csv: no such file" in err
    err = _refused(["demo", "digits", "--mnist-csv", str(tmp_path), "--out", str(tmp_path)], capsys)
    assert f"--mnist-csv {tmp_path}: not a regular file" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("7,0,0\n")
    err = _refused(["demo", "digits", "--mnist-csv", str(bad), "--out", str(tmp_path), "--quiet"], capsys)
    assert "line 1 has 3 columns" in err
    with pytest.raises(SystemExit) as info:
        main(["demo", "moons", "--seed", "-1"])
    assert info.value.code == 2 and "expected a whole number from 0 to 4294967295, got -1" in capsys.readouterr().err


def test_ctrl_c_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(micrograd_nn.tutorials, "run_demo", interrupted)
    try:
        status = main(["demo", "moons", "--out", str(tmp_path)])
    except KeyboardInterrupt:  # caught here so that a regression fails this test instead of stopping pytest
        pytest.fail("Ctrl-C escaped main() as a traceback")
    assert status == 130
    assert capsys.readouterr().err == "micrograd-nn demo: interrupted\n"


def test_an_internal_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug in the demo")

    monkeypatch.setattr(micrograd_nn.tutorials, "run_demo", bug)
    with pytest.raises(ZeroDivisionError, match="a bug in the demo"):
        main(["demo", "moons", "--out", str(tmp_path)])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "not a regular file (a folder)"),
        (lambda tmp: _edited_model(tmp, lambda d: d["layers"][0]["biases"].__setitem__(0, 10**400)), "too large"),
        (lambda tmp: _edited_model(tmp, lambda d: d.update(activation=["relu"])), "unknown activation ['relu']"),
        (lambda tmp: _written(tmp, "[" * 100_000 + "]" * 100_000), "nested too deeply"),
    ],
)
def test_graph_refuses_bad_model_files_on_one_line(
    make, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)
    err = _refused(["graph", "--model", str(path)], capsys)
    assert f"cannot load {path}: " in err and message in err
    assert err.count(str(path)) == 1  # before: "cannot load bad.json: bad.json: ..."


def test_graph_names_a_bad_or_missing_model_file_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{bad")
    assert _refused(["graph", "--model", str(bad)], capsys) == (
        f"micrograd-nn graph: cannot load {bad}: not valid JSON (truncated or damaged?): Expecting property name "
        "enclosed in double quotes at line 1 column 2\n")
    missing = tmp_path / "missing.json"
    assert _refused(["graph", "--model", str(missing)], capsys) == (
        f"micrograd-nn graph: cannot load {missing}: No such file or directory\n")


def _edited_model(folder: Path, change) -> Path:
    path = save_model(MLP(2, [2, 1], rng=0), folder / "model.json")
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


def _written(folder: Path, text: str) -> Path:
    path = folder / "hostile.json"
    path.write_text(text)
    return path


def _limit_memory() -> None:
    """In the child: at most 1 GiB of memory, so a regression that reads /dev/zero fails instead of swapping."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))


@pytest.mark.skipif(not os.path.exists("/dev/zero") or not hasattr(os, "mkfifo"), reason="POSIX devices and pipes")
def test_graph_on_a_device_or_named_pipe_neither_reads_nor_hangs(tmp_path: Path) -> None:
    pipe = tmp_path / "model.json"
    os.mkfifo(pipe)
    code = "from micrograd_nn.cli import main; raise SystemExit(main())"
    for path in ("/dev/zero", str(pipe)):
        done = subprocess.run(
            [sys.executable, "-c", code, "graph", "--model", path],
            capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory,
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr == (
            f"micrograd-nn graph: cannot load {path}: not a regular file (a device, pipe or socket); "
            "a model file is JSON written by save_model\n"
        )


def test_set_refuses_two_values_for_one_name(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(["explain", "a", "--set", "a=1", "a=2"], capsys)
    assert "--set gives 'a' two values" in err


def test_every_output_makes_its_missing_folders_as_the_tour_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule: before, `tour --out new` made its folder while `explain --svg nodir/x.svg` refused it."""
    for option in ("--dot", "--html", "--svg"):
        path = tmp_path / f"new{option}" / "deeper" / "x"
        assert main(["explain", "a*b", "--set", "a=1", "b=2", option, str(path), "--no-table", "--no-explain"]) == 0
        assert path.with_suffix("." + option[2:]).is_file()
    capsys.readouterr()
    save_model(MLP(2, [1], rng=0), tmp_path / "models" / "m.json")
    assert (tmp_path / "models" / "m.json").is_file()


def test_a_file_where_an_output_folder_goes_is_refused_before_anything_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for option in ("--dot", "--html", "--svg"):
        err = _refused(["explain", "a*b", "--set", "a=1", "b=2", option, str(afile / "sub" / "x")], capsys)
        assert err == f"micrograd-nn explain: {option} {afile / 'sub' / 'x'}: {afile} is a file, not a folder\n"
    with pytest.raises(NotADirectoryError) as caught:
        save_model(MLP(2, [1], rng=0), afile / "m.json")
    assert str(caught.value) == f"save_model: cannot make the folder {afile}: {afile} is a file, not a folder"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["graph", "--target", "1", "--network", "--focus", "L9.n9"], "--network draws a picture: add --svg FILE"),
        (["graph", "--target", "1", "--network", "--focus", "L9.n9", "--dot", "f.dot"], "no neuron 'L9.n9'"),
        (["graph", "--target", "1", "--focus", "L1.n1", "--svg", "f.svg"], "--focus L1.n1 needs --network"),
        (["graph", "--target", "1", "--html-forward"], "add --html FILE"),
        (["graph", "--target", "1", "--html-mode", "layers"], "add --html FILE"),
        (["graph", "--target", "1", "--collapse", "--network", "--dot", "f.dot"], "leave out --collapse"),
        (["graph", "--target", "1", "--audit", "--network", "--dot", "f.dot"], "leave out --network"),
        (["graph", "--html", "p.html", "--collapse"], "--collapse: the stepper page visits every node"),
        (["graph", "--html", "p.html", "--collapse", "--html-mode", "layers"], "cannot draw collapsed neurons"),
        (["graph", "--svg", "g.svg", "--html", "p.html", "--collapse"], "in a run without --html"),
        (["explain", "a", "--set", "a=1", "--network", "--dot", "f.dot"], "no neurons in this graph"),
        (["tour", "--out", ""], "--out: the folder name is empty"),
    ],
)
def test_options_that_would_be_ignored_are_refused(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


@pytest.mark.parametrize("seed", ["4294967296", "-1", "1" + "0" * 30])
def test_a_seed_outside_the_generators_range_is_refused(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "moons", "--seed", seed, "--quiet"])
    assert exit_info.value.code == 2
    assert "--seed" in capsys.readouterr().err


def test_the_cli_graph_names_the_error_node(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--target", "1", "--no-table"]) == 0
    out = capsys.readouterr().out
    assert "loss = error ** 2" in out and "v4" not in out.split("step 1 of", 1)[1].splitlines()[0]
