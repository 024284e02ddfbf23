"""Packaging promises: the top-level import is light and exposes micrograd's names."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_pull_heavy_or_optional_packages() -> None:
    code = (
        "import sys, micrograd_nn\n"
        "heavy = [m for m in ('matplotlib', 'sklearn', 'tqdm', 'graphviz', 'numpy') if m in sys.modules]\n"
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
    "micrograd_nn.walk": ["walk", "format_number"],
    "micrograd_nn.dot": ["run_dot", "quote"],
    "micrograd_nn.network_view": ["network_dot"],
}


def test_the_old_import_paths_still_work() -> None:
    import importlib

    for path, names in OLD_PATHS.items():
        module = importlib.import_module(path)
        missing = [name for name in names if not callable(getattr(module, name, None))]
        assert not missing, f"{path} lacks {missing}"


def test_an_old_path_is_the_moved_module_itself() -> None:
    import micrograd_nn.persistence
    import micrograd_nn.stepper
    from micrograd_nn.training import persistence
    from micrograd_nn.views import stepper

    assert micrograd_nn.persistence is persistence and micrograd_nn.stepper is stepper


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


ENGINE_SIDE_CALL_TIME_IMPORTS = {
    # The engine's helpers reach back for Value only inside functions, at call time (engine-side, the lead's).
    "micrograd_nn.copying": {"micrograd_nn.engine"},
    "micrograd_nn.micrograd_compat": {"micrograd_nn.engine"},
}


def test_no_import_circle() -> None:
    """Following the package's imports (function-level ones too) never leads back to where it started."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {name for name, p in paths.items() if p.name == "__init__.py"}
    graph = {name: _imports(p, set(paths)) - packages - ENGINE_SIDE_CALL_TIME_IMPORTS.get(name, set())
             for name, p in paths.items()}
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
