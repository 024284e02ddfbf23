"""Every extra the README names for a task installs what that task runs (pyproject.toml's optional dependencies).

The task runs in a fresh process (the notebook in a fresh kernel, as JupyterLab runs it) where only what the
extra installs can be imported: the core dependencies, the extra's own requirements and theirs (as the installed
packages' metadata gives them); every other installed distribution raises ModuleNotFoundError there.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
NOTEBOOK = ROOT / "demos" / "backprop_walkthrough.ipynb"
tomllib = pytest.importorskip("tomllib")  # Python 3.11+
requirements = pytest.importorskip("packaging.requirements")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

# Installed first in the task's process: a distribution the extra does not install cannot be imported there
BLOCKER = """
import sys as _sys

class _NotInstalledByTheExtra:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (the extra does not install it)", name=name)
        return None

_sys.meta_path.insert(0, _NotInstalledByTheExtra())
"""
LIVE_TASK = """
from micrograd_nn.live import LiveWidget, Recorder
from micrograd_nn.nn import MLP
LiveWidget(Recorder(MLP(2, [2, 1], rng=0), [[0.0, 1.0]], [1.0], loss="mse"))
"""


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def installed_by(extra: str) -> set[str]:
    """The distributions `pip install '.[extra]'` installs: core and extra requirements, and theirs, recursively."""
    return closure([*PROJECT["dependencies"], *PROJECT["optional-dependencies"][extra]])


def closure(todo: list[str]) -> set[str]:
    """The distributions these requirements name, and their requirements, recursively (our extras expanded)."""
    found: set[str] = set()
    while todo:
        req = requirements.Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = _name(req.name)
        if name == "micrograd-nn":  # one of our own extras: its requirements
            todo += [r for e in req.extras for r in PROJECT["optional-dependencies"][e]]
            continue
        if name in found:
            continue
        found.add(name)
        try:
            todo += importlib.metadata.requires(req.name) or []
        except importlib.metadata.PackageNotFoundError:
            pass  # not installed here: its own requirements are not known (the task's run shows if they matter)
    return found


def blocked(extra: str, host: tuple[str, ...] = ()) -> set[str]:
    """The top-level modules of installed distributions that neither the extra nor the host installs."""
    provided = installed_by(extra) | closure(list(host)) | {"micrograd-nn"}
    owners = importlib.metadata.packages_distributions()
    return {module for module, dists in owners.items() if not provided & {_name(d) for d in dists}}


def test_the_readme_names_only_extras_that_exist_and_this_file_runs_their_tasks() -> None:
    named = set(re.findall(r"pip install[^`]*?'\.\[(\w+)\]'", README))
    assert named <= set(PROJECT["optional-dependencies"])
    # torch's task (to_torch, MLP.from_torch) runs in tests/test_torch_bridge.py
    assert {"notebook", "live", "demos", "test", "bench", "torch"} >= named >= {"notebook", "live"}


def test_the_live_extra_installs_what_the_live_widget_imports() -> None:
    pytest.importorskip("anywidget")
    code = BLOCKER.format(blocked=blocked("live")) + LIVE_TASK
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dot") is None, reason="the notebook's pictures need Graphviz's dot")
def test_the_notebook_extra_installs_what_the_notebook_imports() -> None:
    """`pip install -e '.[notebook]'`, then the notebook top to bottom (section 6 needs anywidget, moons sklearn)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    modules = blocked("notebook", host=("ipykernel",))  # JupyterLab runs the notebook in an ipykernel
    notebook.cells.insert(0, nbformat.v4.new_code_cell(BLOCKER.format(blocked=modules)))
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()  # CellExecutionError naming the cell and the import if the extra misses one
