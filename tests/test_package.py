"""Packaging promises: the top-level import is light and exposes micrograd's names."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_pull_heavy_or_optional_packages() -> None:
    code = (
        "import sys, micrograd_nn\n"
        "heavy = [m for m in ('matplotlib', 'sklearn', 'tqdm', 'graphviz', 'numpy', 'torch') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_micrograd_import_paths_work() -> None:
    from micrograd_nn import MLP, Layer, Neuron, Value
    from micrograd_nn.engine import Value as EngineValue
    from micrograd_nn.nn import MLP as NnMLP
    from micrograd_nn.nn import Layer as NnLayer
    from micrograd_nn.nn import Module
    from micrograd_nn.nn import Neuron as NnNeuron

    assert (Value, MLP, Layer, Neuron) == (EngineValue, NnMLP, NnLayer, NnNeuron)
    assert issubclass(MLP, Module)


def test_the_lectures_draw_dot_is_a_top_level_name_loaded_on_use() -> None:
    code = (
        "import sys, micrograd_nn\n"
        "print('micrograd_nn.views.scalar_picture' in sys.modules, 'graphviz' in sys.modules)\n"
        "from micrograd_nn import draw_dot\n"
        "from micrograd_nn.views.scalar_picture import draw_dot as defined\n"
        "print(draw_dot is defined, 'draw_dot' in micrograd_nn.__all__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "True", "True"]


FRONT_DOORS = ("micrograd_nn.views", "micrograd_nn.checks", "micrograd_nn.training", "micrograd_nn.live")


def test_each_front_door_gives_the_defining_modules_names_and_loads_them_on_use() -> None:
    """`from micrograd_nn.views import draw, write_html` works; importing a front door loads none of its modules."""
    code = (
        "import importlib, json, sys\n"
        f"doors = {FRONT_DOORS!r}\n"
        "out = {}\n"
        "for door in doors:\n"
        "    before = set(sys.modules)\n"
        "    package = importlib.import_module(door)\n"
        "    loaded = sorted(m for m in set(sys.modules) - before if m.startswith(door + '.'))\n"
        "    found = {}\n"
        "    for name in package.__all__:\n"
        "        value = getattr(package, name)\n"
        "        found[name] = getattr(value, '__module__', None)\n"
        "    out[door] = [loaded, found]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    doors = json.loads(done.stdout)
    assert doors["micrograd_nn.views"][0] == [] and doors["micrograd_nn.checks"][0] == []
    assert doors["micrograd_nn.training"][0] == []
    for door, (_, found) in doors.items():
        assert found and all(module and module.startswith(door + ".") for module in found.values()), (door, found)
    from micrograd_nn.checks import check_gradients, gradcheck
    from micrograd_nn.checks.finite_differences import gradcheck as defined_gradcheck
    from micrograd_nn.checks.learner_backprop import check_gradients as defined_check
    from micrograd_nn.training import SGD, fit
    from micrograd_nn.training.optim import SGD as DefinedSGD
    from micrograd_nn.training.train import fit as defined_fit
    from micrograd_nn.views import draw, write_html
    from micrograd_nn.views.scalar_picture import draw_dot
    from micrograd_nn.views.stepper import write_html as defined_write_html

    assert (draw, write_html, gradcheck, check_gradients, fit, SGD) == (
        draw_dot, defined_write_html, defined_gradcheck, defined_check, defined_fit, DefinedSGD)
    with pytest.raises(AttributeError, match="'micrograd_nn.views' has no attribute 'drow'"):
        __import__("micrograd_nn.views").views.drow  # noqa: B018


def test_a_front_door_still_hands_over_its_modules() -> None:
    """A name that is also a module (views.explain) stays the module: front doors export no such names."""
    import importlib

    for door in FRONT_DOORS:
        package = importlib.import_module(door)
        folder = ROOT / Path(*door.split("."))
        modules = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
        assert not set(package.__all__) & modules, door
    from micrograd_nn.views import explain

    assert explain.__name__ == "micrograd_nn.views.explain"


OLD_PATHS = {
    "micrograd_nn.graph": ["draw_dot", "to_dot", "render", "draw_network", "network_dot", "render_network"],
    "micrograd_nn.inspect": ["explain", "backward_steps", "node_table", "format_table"],
    "micrograd_nn.stepper": ["write_html", "show"],
    "micrograd_nn.audit": ["audit_gradients"],
    "micrograd_nn.check": ["check_gradients"],
    "micrograd_nn.gradcheck": ["gradcheck"],
    "micrograd_nn.reference": ["ReferenceMLP"],
    "micrograd_nn.train": ["fit"],
    "micrograd_nn.persistence": ["save_model", "load_model"],
    "micrograd_nn.losses": ["mse"],
    "micrograd_nn.optim": ["SGD"],
    "micrograd_nn.datasets": ["moons"],
    "micrograd_nn.walk": ["walk", "format_number", "group_title"],
    "micrograd_nn.dot": ["run_dot", "quote"],
    "micrograd_nn.network_view": ["network_dot"],
    "micrograd_nn.views.walk": ["walk"],
    "micrograd_nn.views.network": ["find_network"],
    "micrograd_nn.views.replay": ["replay", "backward_steps"],
    "micrograd_nn.views.naive_walk": ["naive_walk"],
    "micrograd_nn.views.format": ["format_number"],
    "micrograd_nn.checks.learner": ["check_gradients"],
    "micrograd_nn.checks.gradcheck": ["gradcheck"],
    "micrograd_nn.checks.audit": ["audit_gradients"],
}


def test_the_old_import_paths_still_work_and_warn_naming_the_new_path() -> None:
    """Each old path imports (in a fresh interpreter), with a DeprecationWarning naming where its names live now."""
    code = (
        "import importlib, json, sys, warnings\n"
        "from micrograd_nn._old_paths import new_path\n"
        f"paths = {OLD_PATHS!r}\n"
        "out = {}\n"
        "for path, names in paths.items():\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        module = importlib.import_module(path)\n"
        "        missing = [n for n in names if not callable(getattr(module, n, None))]\n"
        "    said = [str(w.message) for w in caught if w.category is DeprecationWarning]\n"
        "    out[path] = [missing, bool(said) and new_path(path) in said[0]]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    assert json.loads(done.stdout) == {path: [[], True] for path in OLD_PATHS}


def test_an_old_path_is_the_moved_module_itself() -> None:
    import importlib

    from micrograd_nn.analysis import walk
    from micrograd_nn.training import persistence
    from micrograd_nn.views import stepper

    for old in ("micrograd_nn.persistence", "micrograd_nn.views.walk", "micrograd_nn.stepper"):
        sys.modules.pop(old, None)  # imported afresh, so that the import warns
    with pytest.warns(DeprecationWarning, match="micrograd_nn.training.persistence"):
        old = importlib.import_module("micrograd_nn.persistence")
    assert old is persistence and old.__spec__.name == "micrograd_nn.training.persistence"
    with pytest.warns(DeprecationWarning, match="micrograd_nn.analysis.walk"):
        assert importlib.import_module("micrograd_nn.views.walk") is walk
    assert importlib.import_module("micrograd_nn.stepper") is stepper
    assert stepper.__spec__.name == "micrograd_nn.views.stepper"  # a package still: its submodules import
    importlib.import_module("micrograd_nn.views.stepper.page")


def test_an_old_gathering_path_names_each_names_new_home() -> None:
    import importlib

    from micrograd_nn.labels import neuron_title
    from micrograd_nn.views.scalar_picture import draw_dot

    sys.modules.pop("micrograd_nn.graph", None)
    sys.modules.pop("micrograd_nn.walk", None)
    with pytest.warns(DeprecationWarning, match="micrograd_nn.graph is an old import path"):
        module = importlib.import_module("micrograd_nn.graph")
    with pytest.warns(DeprecationWarning, match=r"micrograd_nn\.graph\.draw_dot is an old path: use "
                                                r"micrograd_nn\.views\.scalar_picture\.draw_dot"):
        assert module.draw_dot is draw_dot
    with pytest.warns(DeprecationWarning, match="use micrograd_nn.labels.neuron_title"):
        assert importlib.import_module("micrograd_nn.walk").group_title is neuron_title
    with pytest.raises(AttributeError, match="'micrograd_nn.graph' has no attribute 'nothing'"):
        module.nothing  # noqa: B018


def test_the_old_paths_table_points_at_modules_that_exist() -> None:
    """Every new path of the table imports, and every name a gathering path offers is found in its home."""
    import importlib

    from micrograd_nn._old_paths import GATHERED, MOVED, homes

    for new in MOVED.values():
        importlib.import_module(new)
    for old in GATHERED:
        for name, (home, home_name) in homes(old).items():
            assert hasattr(importlib.import_module(home), home_name), f"{old}.{name}: {home}.{home_name} is gone"


def test_the_package_root_holds_no_forwarding_module() -> None:
    """Every module at the package root has code of its own: no file that only hands over another module."""
    import ast

    forwarding = []
    for path in (ROOT / "micrograd_nn").glob("*.py"):
        body = [node for node in ast.parse(path.read_text(encoding="utf-8")).body
                if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        if body and all(isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign)) for node in body):
            forwarding.append(path.name)
    assert forwarding == []
    from micrograd_nn._old_paths import GATHERED, MOVED

    old_files = [f"{old.split('.')[1]}.py" for old in [*MOVED, *GATHERED] if old.count(".") == 1]
    assert len(old_files) == 15 and not [name for name in old_files if (ROOT / "micrograd_nn" / name).exists()]


PACKAGE = ROOT / "micrograd_nn"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules path imports anywhere in it (functions too), leaving out `if TYPE_CHECKING:` blocks."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
               and getattr(block.test, "id", "") == "TYPE_CHECKING" for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name in modules}


def test_no_import_circle() -> None:
    """Following the package's imports (function-level ones too) never leads back to where it started: no exemption
    (the engine's helpers get the engine from engine_link, not by importing it back)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {name for name, p in paths.items() if p.name == "__init__.py"}
    graph = {name: _imports(p, set(paths)) - packages for name, p in paths.items()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            assert state.get(target) != 1, "import circle: " + " -> ".join([*trail, name, target])
            if target not in state:
                visit(target, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_no_function_outside_the_tutorials_is_over_60_lines() -> None:
    import ast

    long = []
    for path in PACKAGE.rglob("*.py"):
        if "tutorials" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert long == []


def test_only_the_labels_module_reads_parameter_labels() -> None:
    """Label strings are parsed in micrograd_nn/labels.py alone: no label regex or label slicing elsewhere."""
    import re

    telltales = re.compile(r"\.label\.(?:rsplit|split|endswith|startswith|partition)|\(\?P<neuron>|n\(\\d\+\)|\\.b\b")
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path.name != "labels.py" and telltales.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_module_shadows_the_standard_library_with_code() -> None:
    """A module named like a standard-library one (inspect) may only be a thin re-export of an old path."""
    for path in PACKAGE.rglob("*.py"):
        if path.stem in sys.stdlib_module_names:
            code = [line for line in path.read_text(encoding="utf-8").splitlines()
                    if line and not line.startswith(("from ", "import ", '"""', "    ", "]", "__all__", "sys.modules"))]
            assert code == [], f"{path.relative_to(ROOT)} holds code: {code[:3]}"


LAYER_IMPORTS = {
    "core": {"core"},
    "analysis": {"core", "analysis"},
    "training": {"core", "training"},
    "views": {"core", "analysis", "views"},
    "checks": {"core", "analysis", "training", "checks"},
    "live": {"core", "training", "live"},
}
"""Which layers each layer's modules import (CONTRIBUTING's diagram); cli.py, expression.py and tutorials/ use any,
and a package's front door (its __init__) loads its own modules."""

LAYER_CROSSINGS = {("micrograd_nn.dead_layers", "micrograd_nn.training.diagnose")}
"""Known crossings, to be removed: nn.py's dead-layer watch (dead_layers.py, issue 22) diagnoses with training's
diagnose; the diagnosis it needs belongs beside it in the core."""


def _layer(module: str) -> str:
    """A module's layer: its folder under micrograd_nn (a front door's too), or "core" for the root's modules."""
    parts = module.split(".")
    if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir():
        return parts[1]
    return "top" if parts[-1] in ("cli", "cli_practice", "expression", "__main__") else "core"


def test_each_layer_imports_only_the_layers_above_it() -> None:
    """Data flows one way: analysis/ reads the core, views/ and checks/ read analysis/, checks/ never imports views/."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    wrong = []
    for name, path in sorted(paths.items()):
        allowed = LAYER_IMPORTS.get(_layer(name))
        if allowed is None:
            continue
        for target in sorted(_imports(path, set(paths) | {_module_name(p) for p in PACKAGE.rglob("__init__.py")})):
            target_layer = "core" if target == "micrograd_nn" else _layer(target)  # the root: Value, MLP
            if target_layer not in allowed and (name, target) not in LAYER_CROSSINGS:
                wrong.append(f"{name} ({_layer(name)}) imports {target} ({target_layer})")
    assert wrong == []


def test_a_name_that_moved_out_of_a_module_is_handed_over_with_a_warning() -> None:
    """Each name of the old-paths table's MOVED_NAMES still reads from its old module, warning with its new home."""
    import importlib
    import warnings

    from micrograd_nn._old_paths import MOVED_NAMES

    for module, homes_of in MOVED_NAMES.items():
        old = importlib.import_module(module)
        for home, names in homes_of.items():
            for name in names.split():
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    value = getattr(old, name)
                assert value is getattr(importlib.import_module(home), name)
                said = [str(w.message) for w in caught if w.category is DeprecationWarning]
                assert said == [] or said == [f"{module}.{name} moved: use {home}.{name}"], said
    with pytest.warns(DeprecationWarning, match="use micrograd_nn.views.network_layout.network_layout"):
        from micrograd_nn.views.network_picture import network_layout  # noqa: F401
    with pytest.raises(ImportError, match="cannot import name 'nothing'"):
        from micrograd_nn.views.network_picture import nothing  # noqa: F401


def test_no_module_outside_the_tutorials_is_over_450_lines() -> None:
    """One person can hold a module in their head: at most 450 lines each (the tutorials are stories, exempt)."""
    long = [f"{path.relative_to(ROOT)}: {lines} lines" for path in sorted(PACKAGE.rglob("*.py"))
            if "tutorials" not in path.parts
            for lines in [len(path.read_text(encoding="utf-8").splitlines())] if lines > 450]
    assert long == []


def test_the_tests_follow_the_packages_folders() -> None:
    """tests/<folder>/ exists only for a folder of the package, and a test named after a module of a folder lives in
    that folder's tests (tests/views/test_stepper.py, not tests/test_stepper.py)."""
    tests = ROOT / "tests"
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"} <= folders
    in_folders = {p.stem: p.parent.name for folder in folders for p in (PACKAGE / folder).glob("*.py")} | {
        p.name: p.parent.name for folder in folders for p in (PACKAGE / folder).iterdir() if p.is_dir()
        and p.name != "__pycache__" and p.name != "static"}
    misplaced = [f"tests/{p.name} belongs in tests/{in_folders[p.stem[5:]]}/" for p in tests.glob("test_*.py")
                 if p.stem[5:] in in_folders]
    assert misplaced == []
