"""The README's promises: its first example prints what it says, and CI runs its test command verbatim."""

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_first_example_prints_what_the_comment_says() -> None:
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    expected = re.search(r"print\(.*\)\s+# (.*)", code).group(1).strip()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == expected


def test_ci_runs_the_readme_test_command() -> None:
    section = README.split("Run the tests:", 1)[1]
    command = re.search(r"```bash\n(.*?)\n```", section, re.S).group(1).strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_lecture_example_prints_what_its_comments_say() -> None:
    section = README.split("### micrograd's lecture, unchanged", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = [m.group(1).strip() for m in re.finditer(r"^print\(.*\)\s+# (.*)$", code, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip().splitlines() == expected
    assert len(expected) == 2


def test_check_your_own_backprop_example_prints_what_it_says() -> None:
    section = README.split("## Check your own backprop", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 11
    expected = re.search(r"print\(.*\)\s+# (.*)", code).group(1).strip()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == expected == "True"


def test_check_your_own_backprop_example_catches_a_forgotten_slope() -> None:
    """The same snippet with the hidden layer's sigmoid slope left out is reported, not passed."""
    section = README.split("## Check your own backprop", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    broken = code.replace("delta @ W2.T * h * (1 - h)", "delta @ W2.T")
    assert broken != code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(broken, "README.md", "exec"), {})
    assert out.getvalue().strip() == "False"


def test_network_model_example_prints_what_it_says() -> None:
    section = README.split("The network in a graph is found once", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = re.search(r"print\(.*\)\s+# (.*)", code).group(1).strip()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == expected


def test_the_quick_run_line_is_the_one_contributing_gives() -> None:
    line = re.search(r'```bash\n(.*-m "not slow".*)\n```', README).group(1)
    assert line in (ROOT / "CONTRIBUTING.md").read_text()
    assert "ruff check ." in line and "mypy" in line
def _section_prints_what_its_comments_say(heading: str, count: int) -> None:
    """Run the first python block after heading; each print(...)  # comment must print the comment."""
    section = README.split(heading, 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = [m.group(1).strip() for m in re.finditer(r"^print\(.*\)\s+# (.*)$", code, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip().splitlines() == expected
    assert len(expected) == count


def test_the_first_network_example_is_the_lecture_network_and_prints_what_it_says() -> None:
    """A learner of the lecture sees its tanh network and loop first (micrograd's ReLU MLP dies on that loop)."""
    section = README.split("## Networks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    assert 'MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh"' in code
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert [block for block in blocks if "MLP(" in block][0] == code
    _section_prints_what_its_comments_say("## Networks", 1)


def test_the_lecture_network_example_prints_what_it_says() -> None:
    """The ReLU network dies on the lecture's loop, diagnose says where, the lecture's tanh network learns."""
    _section_prints_what_its_comments_say("### The lecture's network, and dead ReLUs", 3)


def test_the_sgd_example_prints_what_it_says() -> None:
    _section_prints_what_its_comments_say("`micrograd_nn.training.optim` has `SGD` and `Adam`.", 1)


def test_the_naive_walk_example_prints_what_it_says() -> None:
    _section_prints_what_its_comments_say("- **Why a topological order**", 2)


@pytest.mark.slow
def test_mypy_sees_the_readmes_editable_install(tmp_path: Path) -> None:
    """After the README's editable install, mypy run on a script in another folder finds micrograd_nn (a typo fails)."""
    import os
    import subprocess
    import sys

    section = README.split("Run the tests:", 1)[1]
    command = re.search(r"```bash\n(.*?)\n```", section, re.S).group(1)
    install = re.search(r"\.venv/bin/pip install (-e .*?) &&", command).group(1)
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=120)
    python = tmp_path / "venv" / "bin" / "python"
    env = {**os.environ, "MICROGRAD_NN_PURE": "1"}  # no compiling: the layout of the install is what counts
    arguments = [arg.replace("'", "").replace(".[test]", str(ROOT)) for arg in install.split()]
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", *arguments], cwd=ROOT, env=env,
                   check=True, timeout=600, capture_output=True)
    script = tmp_path / "elsewhere" / "my_script.py"
    script.parent.mkdir()
    script.write_text("from micrograd_nn import Value\n\nValue(1.0).tahn()\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--python-executable", str(python),
                           script.name], cwd=script.parent, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and 'my_script.py:3: error: "Value" has no attribute "tahn"' in done.stdout, done.stdout


def test_the_practice_example_prints_what_it_says(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the snippet writes worksheet.html
    _section_prints_what_its_comments_say("### Predict, then see: practice mode", 3)
    assert "practice-data" in (tmp_path / "worksheet.html").read_text()


def test_the_practice_commands_print_what_the_readme_shows(tmp_path, monkeypatch, capsys) -> None:
    import shlex

    from micrograd_nn.cli import main

    section = README.split("### Predict, then see: practice mode", 1)[1]
    commands = re.search(r"```bash\n(.*?)\n```", section, re.S).group(1).splitlines()
    shown = re.search(r"```text\n(.*?)\n```", section, re.S).group(1).splitlines()
    monkeypatch.chdir(tmp_path)
    printed = []
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == ".venv/bin/micrograd-nn"
        assert main(argv[1:]) == 0
        printed += capsys.readouterr().out.splitlines()
    assert printed == shown and len(shown) == 2


def test_the_forward_mode_example_prints_what_it_says() -> None:
    _section_prints_what_its_comments_say("## Forward mode beside reverse mode", 2)


def test_the_outgrow_scalars_example_prints_what_it_says() -> None:
    """The moons network trained here, carried over to PyTorch, trained on there and brought back."""
    pytest.importorskip("torch")
    _section_prints_what_its_comments_say("## When you outgrow scalars", 2)


def test_the_forward_vs_reverse_command_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    from micrograd_nn.cli import main

    section = README.split("## Forward mode beside reverse mode", 1)[1]
    command = re.search(r"```bash\n(.*?)\n```", section, re.S).group(1).strip()
    shown = re.search(r"```text\n(.*?)\n```", section, re.S).group(1)
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out.strip() == shown


def _python_blocks(text: str) -> list[tuple[int, str]]:
    """Each ```python block of a Markdown text, with the line it starts on."""
    return [(text[: m.start()].count("\n") + 2, m.group(1)) for m in re.finditer(r"```python\n(.*?)```", text, re.S)]


def _comment_head(line: str) -> tuple[str, bool] | None:
    """What a `print(...)  # text` line says it prints: the comment up to two spaces, and whether it is an excerpt
    (a comment ending in "..." is found inside the printed text; any other begins it)."""
    match = re.match(r"\s*print\(.*\)\s+# (.*)$", line)
    if match is None:
        return None
    comment = match.group(1).strip()
    return re.split(r"\s{2,}| \.\.\.$", comment)[0].strip(), comment.endswith("...")


DOCS = {"README.md": README, "CONTRIBUTING.md": (ROOT / "CONTRIBUTING.md").read_text()}
DOC_BLOCKS = [(name, line, code) for name, text in DOCS.items() for line, code in _python_blocks(text)]


@pytest.mark.parametrize(("doc", "line", "code"), DOC_BLOCKS, ids=[f"{d}:{n}" for d, n, _ in DOC_BLOCKS])
def test_every_python_example_of_the_docs_runs_and_prints_what_its_comments_say(
    doc: str, line: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each ```python block of the README and CONTRIBUTING runs as printed (in a fresh folder), and each
    `print(...)  # text` line prints text (up to two spaces; a comment ending in "..." is an excerpt)."""
    import shutil

    if "draw_dot" in code or "render" in code or "write_html" in code:
        if shutil.which("dot") is None:
            pytest.skip("needs Graphviz's dot")
    for extra in re.findall(r"^(?:import|from) (torch|anywidget|sklearn|matplotlib)\b", code, re.M):
        pytest.importorskip(extra)  # an optional extra the example says to install
    monkeypatch.chdir(tmp_path)
    printed: dict[int, list[str]] = {}

    def recording_print(*args: object, sep: str | None = " ", end: str | None = "\n", **_: object) -> None:
        import sys

        printed.setdefault(sys._getframe(1).f_lineno, []).append((sep or " ").join(map(str, args)))

    exec(compile(code, f"{doc}:{line}", "exec"), {"print": recording_print, "__name__": "__main__"})
    for number, source in enumerate(code.splitlines(), 1):
        said = _comment_head(source)
        if said is not None:
            head, excerpt = said
            assert number in printed, f"{doc}:{line + number - 1} printed nothing"
            shown = printed[number][0]
            assert head in shown if excerpt else shown.startswith(head), (f"{doc}:{line + number - 1}", shown, head)
