"""Old import paths, in one table: each still imports, with a DeprecationWarning naming the new path.

Old names inside a module that stays (``rules.RULES``, ``rules.rule_for``) are in ``OLD_NAMES``: the
module's ``__getattr__`` asks ``old_name`` here, which warns the same way.

A path in ``MOVED`` gives the module that now holds its code, under the old
name (the same module object, so ``import micrograd_nn.stepper`` and
``micrograd_nn.views.stepper`` are one module).  A path in ``GATHERED`` used
to collect names from several modules: it gives a small module whose names
load from their homes on first use.  ``install()`` (run by
``micrograd_nn/__init__.py``) puts the finder on ``sys.meta_path``; it answers
for these paths only.  A name that moved out of a module that is still there
(``MOVED_NAMES``) is handed over by that module's ``__getattr__`` through ``old_name`` too.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
import types
import warnings
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from importlib.machinery import ModuleSpec
from typing import Any

MOVED: dict[str, str] = {
    "micrograd_nn.audit": "micrograd_nn.checks.graph_audit",
    "micrograd_nn.check": "micrograd_nn.checks.learner_backprop",
    "micrograd_nn.gradcheck": "micrograd_nn.checks.finite_differences",
    "micrograd_nn.reference": "micrograd_nn.checks.reference",
    "micrograd_nn.train": "micrograd_nn.training.train",
    "micrograd_nn.persistence": "micrograd_nn.training.persistence",
    "micrograd_nn.losses": "micrograd_nn.training.losses",
    "micrograd_nn.optim": "micrograd_nn.training.optim",
    "micrograd_nn.datasets": "micrograd_nn.training.datasets",
    "micrograd_nn.stepper": "micrograd_nn.views.stepper",
    "micrograd_nn.dot": "micrograd_nn.views.dot_text",
    "micrograd_nn.network_view": "micrograd_nn.views.network_picture",
    "micrograd_nn.views.walk": "micrograd_nn.analysis.walk",
    "micrograd_nn.views.network": "micrograd_nn.analysis.network",
    "micrograd_nn.views.replay": "micrograd_nn.analysis.replay",
    "micrograd_nn.views.naive_walk": "micrograd_nn.analysis.naive_walk",
    "micrograd_nn.views.format": "micrograd_nn.format",
    "micrograd_nn.checks.learner": "micrograd_nn.checks.learner_backprop",
    "micrograd_nn.checks.gradcheck": "micrograd_nn.checks.finite_differences",
    "micrograd_nn.checks.audit": "micrograd_nn.checks.graph_audit",
}
"""Old module path -> the module that now holds its code."""

GATHERED: dict[str, dict[str, str]] = {
    "micrograd_nn.graph": {
        "micrograd_nn.views.scalar_picture": "DEFAULT_MAX_NODES DrawOptions PictureTooLargeError draw_dot "
                                             "draw_walked neuron_keys render to_dot",
        "micrograd_nn.views.network_picture": "draw_network network_dot render_network",
        "micrograd_nn.views.picture": "Picture pipe write_picture",
        "micrograd_nn.views.dot_text": "DOT_TIMEOUT GraphvizError PictureError op_text",
        "micrograd_nn.format": "format_number",
        "micrograd_nn.analysis.walk": "Walk grads_computed on_path walk",
        "micrograd_nn.labels": "group_title=neuron_title",
    },
    "micrograd_nn.inspect": {
        "micrograd_nn.views.explain": "chain_rule_line explain rule_lines step_title",
        "micrograd_nn.analysis.replay": "ACCUMULATION_NOTE backward_steps differs_from_one_pass replay",
        "micrograd_nn.views.tables": "format_table node_table table_html",
    },
    "micrograd_nn.walk": {
        "micrograd_nn.analysis.walk": "Walk grads_computed neuron_keys neuron_outputs neuron_z on_path walk",
        "micrograd_nn.analysis.network": "ACTIVATION_OPS SUM_OPS",
        "micrograd_nn.format": "DEFAULT_PRECISION check_precision format_number",
        "micrograd_nn.labels": "neuron_sort_key group_title=neuron_title",
    },
}
"""Old module path that gathered names -> {home module: "name name old_name=home_name ..."}."""


MOVED_NAMES: dict[str, dict[str, str]] = {
    "micrograd_nn.views.network_picture": {
        "micrograd_nn.views.network_layout": "MAX_DRAWN_INPUTS WeightEdge NetworkLayout network_layout input_kinds "
                                             "loss_operations loss_id",
        "micrograd_nn.views.network_statements": "EDGE_VALUES INPUT_STYLES LEGEND",
    },
    "micrograd_nn.analysis.network": {"micrograd_nn.analysis.neurons": "Run Neuron Layer Network"},
    "micrograd_nn.checks.learner_backprop": {"micrograd_nn.checks.learner_diagnoses": "WRONG_SLOPES"},
    "micrograd_nn.cli": {"micrograd_nn.tutorials.commands": "MAX_SEED"},
}
"""Module -> {new home: "names that moved out of it"}: the module's __getattr__ hands them over (old_name)."""


def homes(old: str) -> dict[str, tuple[str, str]]:
    """The names an old gathering path offers: old name -> (home module, name there)."""
    found = {}
    for module, names in GATHERED[old].items():
        for entry in names.split():
            name, _, home_name = entry.partition("=")
            found[name] = (module, home_name or name)
    return found


def new_path(old: str) -> str:
    """Where an old path's code lives now (the homes of its names, for a gathering path), as the warning says."""
    if old in MOVED:
        return MOVED[old]
    return ", ".join(GATHERED[old])


def _gathering(old: str) -> types.ModuleType:
    """The module standing for an old gathering path: each name loads from its home when first used."""
    module = types.ModuleType(old, f"Old path: its names live in {new_path(old)}.")
    names = homes(old)

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        home, home_name = names[name]
        warnings.warn(f"{old}.{name} is an old path: use {home}.{home_name}", DeprecationWarning, stacklevel=2)
        value = getattr(importlib.import_module(home), home_name)
        setattr(module, name, value)
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__all__ = sorted(names)  # type: ignore[attr-defined]
    return module


class OldPathFinder:
    """Finds the old paths of MOVED and GATHERED (and nothing else) and loads them as their new modules."""

    def __init__(self) -> None:
        self._specs: dict[str, Any] = {}  # old path -> the moved module's own __spec__, put back after loading

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> ModuleSpec | None:
        """A spec for an old path, None for every other module."""
        if fullname in MOVED or fullname in GATHERED:
            return importlib.util.spec_from_loader(fullname, self)  # type: ignore[arg-type]
        return None

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        """The moved module itself, or the gathering path's stand-in; warns naming the new path."""
        warnings.warn(f"{spec.name} is an old import path: import from {new_path(spec.name)}", DeprecationWarning,
                      stacklevel=2)
        if spec.name in GATHERED:
            return _gathering(spec.name)
        module = importlib.import_module(MOVED[spec.name])
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module already ran under its new path; its own spec (and name) stay its own."""
        own = self._specs.pop(module.__spec__.name if module.__spec__ else "", None)
        if own is not None:
            module.__spec__ = own


def install() -> None:
    """Put the finder first on sys.meta_path (once)."""
    if not any(isinstance(finder, OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldPathFinder())  # type: ignore[arg-type]


# --- old names inside a module that stays -------------------------------------------------------

class _RuleView(MutableMapping):
    """op name -> rule, read from and written to rules.OPS: what the old ``rules.RULES`` gives."""

    def __init__(self, rules: types.ModuleType) -> None:
        """rules: the module micrograd_nn.rules, handed over by its __getattr__ (this module imports no core)."""
        self._rules = rules

    def __getitem__(self, name: str) -> Any:
        return self._rules.op_record(name).rule

    def __setitem__(self, name: str, rule: Any) -> None:
        self._rules.OPS[name] = dataclasses.replace(self._rules.op_record(name), rule=rule)

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"rules.RULES: an op's rule can be replaced, not removed ({name!r})")

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules.OPS)

    def __len__(self) -> int:
        return len(self._rules.OPS)


OLD_NAMES: dict[str, dict[str, tuple[str, Callable[[types.ModuleType], Any]]]] = {
    "micrograd_nn.rules": {
        "RULES": ("rules.OPS (a rule is OPS[name].rule; plant one with dataclasses.replace(OPS[name], rule=...))",
                  _RuleView),
        "rule_for": ("rules.op_record(name).rule", lambda rules: _RuleView(rules).__getitem__),
        "RuleTable": ("rules.OPS", lambda rules: _RuleView),
    },
}
"""Module -> {old name: (what to use instead, what the old name still gives, made from the module)}."""


def old_name(module: types.ModuleType, name: str) -> Any:
    """An old name of a module that stays (OLD_NAMES), or a name that moved out of it (MOVED_NAMES), with a
    DeprecationWarning naming what to use; AttributeError otherwise.  The module's __getattr__ calls it."""
    caller = sys._getframe(1)  # the module's __getattr__ when it runs as Python; compiled, it has no frame
    level = 3 if caller.f_globals.get("__name__") == module.__name__ else 2  # the warning names the user's line
    names = OLD_NAMES.get(module.__name__, {})
    if name in names:
        advice, value = names[name]
        warnings.warn(f"{module.__name__}.{name} is deprecated: use {advice}", DeprecationWarning, stacklevel=level)
        return value(module)
    for home, moved in MOVED_NAMES.get(module.__name__, {}).items():
        if name in moved.split():
            warnings.warn(f"{module.__name__}.{name} moved: use {home}.{name}", DeprecationWarning, stacklevel=level)
            return getattr(importlib.import_module(home), name)
    raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
