"""One home per fact: each fact the package states (activations, losses, labels, colours, the number format, the
argument checks, the derivative text) is defined in one module, and a grep of the whole package finds no second
definition.  A table of per-name math elsewhere (NumPy, the live page's JavaScript) is allowed only where this
file checks its names against the one list."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import micrograd_nn
from micrograd_nn import colours, errors, labels, nn, rules
from micrograd_nn import format as number_format
from micrograd_nn.training import losses

PACKAGE = Path(micrograd_nn.__file__).parent
ACTIVATION_OPS = {name for name, op in rules.OPS.items() if op.activation}
LOSS_NAMES = set(losses.LOSSES)


def sources(suffix: str) -> Iterator[tuple[str, str]]:
    """(path inside the package, text) of every file with this suffix."""
    for path in sorted(PACKAGE.rglob(f"*{suffix}")):
        if "__pycache__" not in path.parts and not path.name.endswith(".min.js"):
            yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def string_tables(text: str) -> Iterator[tuple[str, set[str], int]]:
    """(name assigned, strings listed, line) for every dict (its keys), list, tuple or set literal of strings."""
    tree = ast.parse(text)
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names[id(node.value)] = target.id
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = node.elts
        else:
            continue
        strings = {item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)}
        if names.get(id(node)) != "__all__":  # a module's public names are not a list of the facts
            yield names.get(id(node), ""), strings, node.lineno


def tables_naming(wanted: set[str], at_least: int = 2) -> dict[tuple[str, str], tuple[set[str], int]]:
    """Every literal table in the package listing at least `at_least` of the wanted names, by (file, variable)."""
    found = {}
    for where, text in sources(".py"):
        for name, strings, line in string_tables(text):
            if len(strings & wanted) >= at_least:
                found[(where, name or f"line {line}")] = (strings, line)
    return found


def test_the_activations_are_listed_once_and_read_from_the_op_records() -> None:
    assert set(nn.ACTIVATIONS) == ACTIVATION_OPS | {"linear"}
    for name in ACTIVATION_OPS:
        assert nn.ACTIVATIONS[name] is getattr(micrograd_nn.Value, rules.OPS[name].method)
    # elsewhere only per-name math, checked here to cover the one list exactly (or, for slips, part of it)
    math_tables = {("training/array_activations.py", "ACTIVATIONS"), ("training/array_activations.py", "SLOPES")}
    # WRONG_SLOPES: learners' slips per activation; check_engine's tables (checks/engine_*.py) are about the
    # functions a learner's own class may have (the lecture's tanh exp log relu sigmoid), another fact
    found = tables_naming(ACTIVATION_OPS)
    learner_engine_tables = {key for key in found if key[0].startswith("checks/engine_")}
    learner_engine_tables.add(("rules.py", "UNARY"))  # and the op numbers of rules.py, the home of the op records
    part_tables = {("checks/learner_diagnoses.py", "WRONG_SLOPES"), *learner_engine_tables}
    for key, (strings, _line) in found.items():
        assert key in math_tables | part_tables, (
            f"{key[0]}: {key[1]} lists activations {sorted(strings & ACTIVATION_OPS)}; read micrograd_nn.nn.ACTIVATIONS"
        )
        if key in math_tables:
            assert strings == set(nn.ACTIVATIONS), f"{key}: the NumPy math must cover exactly nn.ACTIVATIONS"
        elif key not in learner_engine_tables:  # those also name exp and log
            assert strings <= set(nn.ACTIVATIONS)


def test_the_losses_are_listed_once() -> None:
    assert set(losses.LOSS_TEXT) == LOSS_NAMES
    found = tables_naming(LOSS_NAMES)
    outside = sorted(key for key in found if key[0] != "training/losses.py")
    assert not outside, f"loss names listed outside training/losses.py: {outside}; read micrograd_nn.training.losses"
    assert {("training/losses.py", "LOSSES"), ("training/losses.py", "LOSS_TEXT")} <= set(found)
    from micrograd_nn.training import train

    assert train.LOSSES is losses.LOSSES


def javascript_table_keys(text: str, name: str) -> set[str]:
    """The keys of `const NAME = { key: ..., ... };` in JavaScript (keys at the start of a line)."""
    match = re.search(rf"const {name} = \{{\n(.*?)\n  \}};", text, re.DOTALL)
    assert match, f"no table {name} in live.js"
    return set(re.findall(r"^\s{4}(\w+):", match.group(1), re.MULTILINE))


def test_the_live_page_is_given_its_lists_and_keeps_only_math_per_name() -> None:
    (text,) = [t for where, t in sources(".js") if where == "live/static/live.js"]
    assert javascript_table_keys(text, "ACTIVATION_MATH") == set(nn.ACTIVATIONS)
    assert javascript_table_keys(text, "LOSS_MATH") <= LOSS_NAMES
    from micrograd_nn.live.architecture import page_facts

    facts = page_facts()
    assert facts["activations"] == list(nn.ACTIVATIONS) and facts["losses"] == list(losses.LOSSES)
    assert facts["colours"] == colours.page_scale() and facts["format"] == number_format.page_format()
    assert "page.activations" in text and "page.losses" in text and "page.format" in text and "page.colours" in text


LABEL_BUILDING = [
    re.compile(r"""f["'][^"'\n]*(?<![\\\w])(?:L\{|n\{|w\{|x\{)"""),  # f"L{k}.n{j}", f"x{i}"
    re.compile(r"""`[^`\n]*(?<![\w])(?:L\$\{|\.n\$\{|\.w\$\{|x\$\{)"""),  # JavaScript `L${l}.n${j}`, `x${i}`
]


@pytest.mark.parametrize("suffix", [".py", ".js"])
def test_labels_are_built_only_by_labels_py(suffix: str) -> None:
    offenders = [
        f"{where}:{number}: {line.strip()}"
        for where, text in sources(suffix) if where != "labels.py"
        for number, line in enumerate(text.splitlines(), 1)
        if any(pattern.search(line) for pattern in LABEL_BUILDING)
    ]
    assert not offenders, "labels built by hand (use micrograd_nn.labels):\n" + "\n".join(offenders)
    assert labels.weight_label(labels.neuron_key(1, 3), 2) == "L1.n3.w2"


COLOUR_MAKING = re.compile(r"hsl\(|hsv|\bhue\b", re.IGNORECASE)


def test_one_colour_scale() -> None:
    offenders = [
        f"{where}:{number}: {line.strip()}"
        for suffix in (".py", ".js") for where, text in sources(suffix) if where != "colours.py"
        for number, line in enumerate(text.splitlines(), 1) if COLOUR_MAKING.search(line)
    ]
    assert not offenders, "colours made outside colours.py:\n" + "\n".join(offenders)
    assert colours.signed_colour(2.0, 2.0) == colours.graphviz_text(colours.STOPS["fill"]["positive"][-1])
    assert colours.signed_colour(-0.5, 2.0, "line", css=True) == colours.page_scale()["stops"]["line"]["negative"][8]
    assert colours.signed_colour(float("nan"), 1.0) == colours.NEUTRAL["fill"]


NUMBER_FORMATTING = re.compile(r"""\{[^{}:]*:[^{}]*\.\d*[efg]\}|\{[^{}:]*:\.\{|toPrecision|toExponential""")


def test_one_number_format_for_every_view_and_page() -> None:
    """Views and pages write numbers only through format.py (the JavaScript through its fmt, from
    page_format); a colour's own digits (colours.py) are not a number shown."""
    homes = {"format.py", "colours.py"}
    offenders = []
    for suffix in (".py", ".js"):
        for where, text in sources(suffix):
            if where in homes or not where.startswith(("views/", "live/static/", "live/page.py", "live/widget.py")):
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if NUMBER_FORMATTING.search(line) and not (where.endswith("live.js") and "function fmt" in text
                                                           and _inside_fmt(text, number)):
                    offenders.append(f"{where}:{number}: {line.strip()}")
    assert not offenders, "numbers formatted outside format.py:\n" + "\n".join(offenders)
    assert number_format.page_format() == {"precision": number_format.DEFAULT_PRECISION,
                                           "scientific_at": number_format.SCIENTIFIC_AT}


def _inside_fmt(text: str, line_number: int) -> bool:
    """Is this line of live.js inside its one fmt function (the rule of format_number, in JavaScript)?"""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "function fmt(" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  }"))
    return start < line_number - 1 <= end


WHOLE_OR_FINITE = re.compile(r"isinstance\([^)]*\bIntegral\b|raise \w*Error\(.*must be a (?:whole|finite) number")


def test_argument_checks_live_in_errors_py() -> None:
    """"a whole number >= 1" and "a finite number" are checked (and worded) in errors.py only."""
    offenders = [
        f"{where}:{number}: {line.strip()}"
        for where, text in sources(".py") if where != "errors.py" and not where.startswith("tutorials/")
        for number, line in enumerate(text.splitlines(), 1) if WHOLE_OR_FINITE.search(line)
    ]
    assert not offenders, "argument checks outside errors.py:\n" + "\n".join(offenders)
    with pytest.raises(ValueError, match="n must be a whole number >= 1, got True"):
        errors.whole_number(True, "n")
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got inf"):
        errors.finite_real(float("inf"), "lr", above=0.0)
    assert errors.whole_number(2**70, "n") == 2**70 and not errors.is_finite_real(10**400)


def test_each_derivative_is_written_once() -> None:
    """The record's derivatives are the one text: the rule's docstring is made from it, and explain evaluates no
    second form of it (no in_numbers templates, no eval)."""
    for name, op in rules.OPS.items():
        assert op.rule.__doc__ == f"{op.description()}  (rules.OPS[{name!r}])"
        assert not hasattr(op, "in_numbers")
    engine_text = (PACKAGE / "engine.py").read_text(encoding="utf-8")
    assert "d/d" not in engine_text, "engine.py restates a derivative: each is written once, in its rules.OPS record"
    explain_text = (PACKAGE / "views" / "explain.py").read_text(encoding="utf-8")
    assert "eval(" not in explain_text and "in_numbers" not in explain_text
    tree = ast.parse((PACKAGE / "rules.py").read_text(encoding="utf-8"))
    rule_names = {op.rule.__name__ for op in rules.OPS.values()}
    written = {f.name: ast.get_docstring(f) or "" for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert rule_names <= set(written)
    for name in rule_names:
        summary = written[name].split("\n")[0]
        assert "d/d" not in summary, f"rules.{name}'s docstring restates its derivative: the record has it"


@pytest.mark.parametrize("name", ["_static", "_script_safe", "static_text", "script_safe", "page_data"])
def test_page_helpers_are_defined_once(name: str) -> None:
    homes = [where for where, text in sources(".py") if re.search(rf"^def {name}\(", text, re.MULTILINE)]
    assert homes in ([], ["inline.py"]), f"{name} defined in {homes}: use micrograd_nn.inline"


def test_one_lookup_api_for_ops() -> None:
    text = (PACKAGE / "rules.py").read_text(encoding="utf-8")
    assert "class RuleTable" not in text and not re.search(r"^RULES\s*=|^def rule_for", text, re.MULTILINE)
    assert rules.op_record("tanh") is rules.OPS["tanh"]
