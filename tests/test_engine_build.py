"""The compiled engine and the plain-Python engine: the same file, the same numbers; a stale build is never used.

Also: no compiler means a clean fallback, memory is freed at once, a typo on
Value is a type error, and the library leaves the garbage collector alone.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

import micrograd_nn
from micrograd_nn.engine import Value
from micrograd_nn.engine_choice import BUILD_RECORD, COMPILED_MODULES, built_modules

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "micrograd_nn"

# A random MLP's loss and every gradient, printed with every digit (repr), by the engine the environment picks.
PROGRAM = textwrap.dedent(
    """
    import json, random
    import micrograd_nn
    from micrograd_nn import MLP, Value
    rng = random.Random(7)
    model = MLP(3, [5, 4, 1], activation="tanh", rng=1)
    xs = [[Value(rng.uniform(-2, 2)) for _ in range(3)] for _ in range(6)]
    ys = [rng.choice([-1.0, 1.0]) for _ in range(6)]
    loss = Value.sum([(model(x) - y) ** 2 for x, y in zip(xs, ys)]) * (1 / 6)
    a, b = Value(0.3), Value(-1.7)
    graph = (((a * b).exp() + a.sigmoid() / (b * b + 1.0) - abs(b).sqrt() + a.leaky_relu(0.2) ** 3) ** 2 + 1.0).log()
    loss.backward(); graph.backward()
    numbers = [loss.data, graph.data, a.grad, b.grad] + [p.grad for p in model.parameters()]
    print(json.dumps({"engine": micrograd_nn.ENGINE, "numbers": [repr(n) for n in numbers]}))
    """
)


def run_program(env_extra: dict[str, str], cwd: Path = ROOT, code: str = PROGRAM) -> dict:
    """Run `code` in a fresh interpreter with extra environment variables; its last line as JSON."""
    env = {**os.environ, **env_extra}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {"stderr": done.stderr, **json.loads(done.stdout.strip().splitlines()[-1])}


needs_build = pytest.mark.skipif(micrograd_nn.ENGINE != "compiled" or os.environ.get("MICROGRAD_NN_PURE") == "1",
                                 reason="the compiled engine is not built in this environment")


@needs_build
def test_compiled_and_plain_python_engines_give_the_same_numbers_digit_for_digit() -> None:
    compiled = run_program({"MICROGRAD_NN_PURE": "0"})
    pure = run_program({"MICROGRAD_NN_PURE": "1"})
    assert (compiled["engine"], pure["engine"]) == ("compiled", "pure Python")
    assert compiled["numbers"] == pure["numbers"]
    assert len(compiled["numbers"]) == 4 + 3 * 5 + 5 + 5 * 4 + 4 + 4 + 1


@needs_build
def test_every_compiled_module_was_built_from_the_source_beside_it() -> None:
    assert set(built_modules()) == set(COMPILED_MODULES)
    assert micrograd_nn.ENGINE == "compiled"
    assert all(not sys.modules[f"micrograd_nn.{name}"].__file__.endswith(".py") for name in COMPILED_MODULES)


@needs_build
def test_an_edited_source_is_run_as_plain_python_with_one_warning(tmp_path: Path) -> None:
    copy = tmp_path / "micrograd_nn"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    engine = copy / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8").replace(
        'return _unary("tanh", self)', 'return _unary("tanh", self) * 2.0'), encoding="utf-8")
    code = "import json, micrograd_nn\nfrom micrograd_nn import Value\n" \
           "print(json.dumps({'engine': micrograd_nn.ENGINE, 'tanh0': Value(0.5).tanh().data}))"
    edited = run_program({"MICROGRAD_NN_PURE": "0"}, cwd=tmp_path, code=code)
    assert edited["engine"] == "pure Python"
    assert edited["tanh0"] == pytest.approx(2 * 0.46211715726000974, rel=1e-15)  # the edit runs
    assert edited["stderr"].count("changed since the engine was compiled") == 1
    assert "engine.py" in edited["stderr"] and "reinstall" in edited["stderr"]
    (copy / BUILD_RECORD).unlink()  # no record of what was compiled: the build is not trusted either
    engine.write_text(engine.read_text(encoding="utf-8").replace(" * 2.0", ""), encoding="utf-8")
    assert run_program({"MICROGRAD_NN_PURE": "0"}, cwd=tmp_path, code=code)["engine"] == "pure Python"


@needs_build
@pytest.mark.parametrize("damage", ["errors.so deleted", "engine.so deleted", "engine.so corrupted"])
def test_a_partial_or_unloadable_build_runs_plain_python_with_one_warning(tmp_path: Path, damage: str) -> None:
    copy = tmp_path / "micrograd_nn"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    module, what = damage.split(".so ")
    (built,) = copy.glob(f"{module}.*.so")
    if what == "deleted":  # what the build leaves when only this module failed to compile
        built.unlink()
    else:
        built.write_bytes(b"not a shared object")
    code = "import json, micrograd_nn\nfrom micrograd_nn import Value\n" \
           "print(json.dumps({'engine': micrograd_nn.ENGINE, 'tanh': Value(0.5).tanh().data}))"
    run = run_program({"MICROGRAD_NN_PURE": "0"}, cwd=tmp_path, code=code)
    assert run["engine"] == "pure Python"
    assert run["tanh"] == 0.46211715726000974
    assert run["stderr"].count("RuntimeWarning") == 1
    assert "plain-Python engine runs" in run["stderr"] and f"{module}" in run["stderr"]
    assert "pip install -e '.[test]' --config-settings editable_mode=compat" in run["stderr"]


def test_the_stale_build_warning_names_the_readme_s_remedy() -> None:
    from micrograd_nn.engine_choice import REMEDY
    command = REMEDY.split("(")[1].rstrip(")")
    assert command.startswith(".venv/bin/pip install -e '.[test]'")
    assert f"reinstall (`{command}`) to compile it" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow  # a whole pip install (about 35 s)
def test_an_install_without_a_c_compiler_falls_back_to_plain_python(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "__pycache__", "*.so", "*.c", BUILD_RECORD, "*.egg-info"))
    target = tmp_path / "site"
    env = {**os.environ, "CC": "/bin/false", "LDSHARED": "/bin/false"}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                           "--target", str(target), str(source)], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not list((target / "micrograd_nn").glob("*.so"))
    code = "import json, micrograd_nn\nprint(json.dumps({'engine': micrograd_nn.ENGINE}))"
    result = run_program({"PYTHONPATH": str(target), "MICROGRAD_NN_PURE": "0"}, cwd=tmp_path, code=code)
    assert result["engine"] == "pure Python" and "Warning" not in result["stderr"]


def chain(steps: int) -> Value:
    y = Value(0.1, "x")
    for _ in range(steps):
        y = (y * 1.0001 + 0.5).tanh()
    return y


def test_a_dropped_graph_is_freed_at_once_and_nothing_grows_between_graphs() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        left = []
        for _ in range(4):
            before = tracemalloc.get_traced_memory()[0]
            y = chain(5000)
            y.label = "out"
            y.color = "red"  # an attribute of your own on the root
            y._a.mark = [1, 2, 3]  # and on inner nodes
            y._a._a.mark = [4, 5]
            y.backward()
            del y
            left.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()
    # Bytes: the first round may leave its 15,000 nodes of 128 B in the compiled engine's pool of reusable
    # nodes (at most 131,072, kept for the next graph; an earlier test may have filled it already); every
    # later round takes its nodes from the pool and gives them back, leaving nothing behind.
    assert left[0] < 3 * 5000 * 136 + 2_000
    assert max(left[1:]) < 2_000


def test_a_graph_with_a_micrograd_closure_op_is_freed_by_the_collector() -> None:
    import weakref

    def exp_the_micrograd_way(x: Value) -> Value:
        import math

        out = Value(math.exp(x.data), (x,), "exp")

        def _backward() -> None:
            x.grad += out.data * out.grad

        out._backward = _backward  # the closure refers to out: a reference cycle
        return out

    class Payload:
        """Something weakly referenceable to hang on the cycle."""

    out = exp_the_micrograd_way(Value(0.5) * 2)
    out.backward()
    out.payload = Payload()  # an attribute of your own on a node inside the cycle
    probe = weakref.ref(out.payload)
    del out
    gc.collect()
    assert probe() is None  # the cycle, and everything it held, is gone


def test_the_library_leaves_the_garbage_collector_settings_alone() -> None:
    before = (gc.isenabled(), gc.get_threshold())
    chain(2000).backward()
    assert (gc.isenabled(), gc.get_threshold()) == before


@pytest.mark.slow  # runs mypy (about 9 s)
def test_a_typo_on_value_is_a_type_error(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    snippet = tmp_path / "typo.py"
    snippet.write_text("from micrograd_nn import Value\n\nValue(1.0).tahn()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", str(snippet)], capture_output=True,
                          text=True, env={**os.environ, "MYPYPATH": str(ROOT)}, cwd=tmp_path, timeout=300,
                          check=False)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert errors == [f"{snippet.name}:3: error: \"Value\" has no attribute \"tahn\"  [attr-defined]"]
