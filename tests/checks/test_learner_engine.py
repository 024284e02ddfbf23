"""check_engine (issue 24): a gallery of broken engines, each diagnosed by its one bug; correct engines pass."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import pytest

from micrograd_nn import Value
from micrograd_nn.checks import check_engine
from micrograd_nn.checks.engine_cases import CASES, references
from micrograd_nn.checks.engine_diagnoses import BUGS
from micrograd_nn.checks.learner_engine import EngineReport, EngineSpecError
from micrograd_nn.cli import main

ENGINES = Path(__file__).parent / "engines"
DEEP = "chain 10,000 deep: x = x + b"

GALLERY = {  # file -> (the bug, the op for a local_derivative bug, the case whose diagnosis names it first)
    "bug_accumulate.py": ("accumulate", None, "a + a"),
    "bug_order.py": ("order", None, "diamond: e = a*b; (e*c) * (e + d)"),
    "bug_order_forward.py": ("order", None, "a * b"),
    "bug_chain_factor.py": ("chain_factor", None, "a * b"),
    "bug_tanh.py": ("local_derivative", "tanh", "tanh(a)"),
    "bug_pow.py": ("local_derivative", "**", "a ** n"),
    "bug_quotient.py": ("local_derivative", "/", "a / b"),
    "bug_relu_mask.py": ("local_derivative", "relu", "relu(a)"),
    "bug_mul_own.py": ("local_derivative", "*", "a * b"),
    "bug_reflected.py": ("reflected", None, "2 + a"),
    "bug_rsub_swapped.py": ("reflected", None, "2 - a"),
    "bug_radd_recursion.py": ("reflected", None, "2 + a"),
    "bug_number_not_wrapped.py": ("number_not_wrapped", None, "a + 2"),
    "bug_seed.py": ("seed", None, "a * b"),
    "bug_late_binding.py": ("late_binding", None, "tanh(a)"),
    "bug_recursion_depth.py": ("recursion_depth", None, DEEP),
    "bug_timeout.py": ("timeout", None, "tanh(a)"),
    "bug_exception.py": ("exception", None, "exp(a)"),
    "bug_microgpt_accumulate.py": ("accumulate", None, "a + a"),
    "bug_microgpt_relu_mask.py": ("local_derivative", "relu", "relu(a)"),
    "bug_microgpt_chain_factor.py": ("chain_factor", None, "a * b"),
    "bug_bfs_order.py": ("order", None, "shared: s = a*b; (s + c) * (s*d) + s"),
    "bug_no_visited.py": ("order", None, "diamond: e = a*b; (e*c) * (e + d)"),
    "bug_eq_hash.py": ("order", None, "diamond: e = a*b; (e*c) * (e + d)"),
    "bug_self_grad.py": ("chain_factor", None, "a * b"),
    "bug_tanh_brackets.py": ("chain_factor", None, "tanh(a)"),
    "bug_seed_late.py": ("seed", None, "a * b"),
    "bug_log.py": ("local_derivative", "log", "log(a)"),
    "bug_eq_unhashable.py": ("exception", None, "a * b"),
    "bug_microgpt_seed_late.py": ("seed", None, "a * b"),
    "bug_microgpt_bfs_order.py": ("order", None, "shared: s = a*b; (s + c) * (s*d) + s"),
    "bug_microgpt_self_grad.py": ("chain_factor", None, "a * b"),
    "bug_exp_no_assign.py": ("local_derivative", "exp", "exp(a)"),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, EngineReport]:
    """Each engine of tests/checks/engines checked once."""
    return {path.name: check_engine(str(path)) for path in sorted(ENGINES.glob("*.py"))}


def _case(report: EngineReport, name: str):
    return next(c for c in report.cases if c.case == name)


def test_the_gallery_holds_every_file_of_the_folder() -> None:
    broken = {p.name for p in ENGINES.glob("bug_*.py")}
    assert broken == set(GALLERY) and len(broken) >= 12
    assert {bug for bug, _, _ in GALLERY.values()} == set(BUGS)  # every named bug has an engine that shows it


@pytest.mark.parametrize("name", sorted(GALLERY))
def test_each_broken_engine_gets_its_one_diagnosis(reports: dict[str, EngineReport], name: str) -> None:
    bug, op, first = GALLERY[name]
    report = reports[name]
    failed = [c for c in report.cases if c.verdict == "fail"]
    assert not report.passed and failed
    assert {c.bug for c in failed} == {bug}, [(c.case, c.bug, c.diagnosis) for c in failed]
    assert {c.op for c in failed} == {op}
    assert all((c.op is not None) == (c.bug == "local_derivative") for c in report.cases)
    assert report.bugs == [bug]
    assert _case(report, first).verdict == "fail"
    assert " — " in _case(report, first).diagnosis or " — " in _case(report, _named_first(report)).diagnosis
    lacking = ["tanh", "sigmoid"] if "microgpt" in name else []
    assert report.missing == (["__radd__", "__rmul__"] if name == "bug_reflected.py" else lacking)


def _named_first(report: EngineReport) -> str:
    """The case whose diagnosis names the bug in full (the others point to it)."""
    return next(c.case for c in report.cases if c.verdict == "fail" and "(the same" not in c.diagnosis
                and not c.diagnosis.startswith("the same"))


def test_the_log_of_backward_calls_names_the_order(reports: dict[str, EngineReport]) -> None:
    """Breadth-first, no visited set, a set fooled by __eq__: the log shows which node ran too early or never."""
    bfs = _case(reports["bug_bfs_order.py"], "shared: s = a*b; (s + c) * (s*d) + s")
    assert bfs.diagnosis.startswith("`shared: s = a*b; (s + c) * (s*d) + s` gives db = 2, expected -90: s's _backward "
                                    "ran (with s.grad = 1) before u's, though u uses s: s passed its gradient on")
    twice = _case(reports["bug_no_visited.py"], "diamond: e = a*b; (e*c) * (e + d)")
    assert re.match(r"`diamond: e = a\*b; \(e\*c\) \* \(e \+ d\)` gives db = -1[04], expected -8: e's _backward ran 2 "
                    "times", twice.diagnosis)
    never = _case(reports["bug_eq_hash.py"], "diamond: e = a*b; (e*c) * (e + d)")
    assert re.search(r": [fg]'s _backward never ran: backward\(\) did not reach it \(is it missing from the nodes "
                     r"backward\(\) walks, or taken for an equal node by a set\?\)", never.diagnosis)
    # microgpt's shape has no _backward to log: `a * b` passing rules out the missing `* out.grad`
    gpt = _case(reports["bug_microgpt_bfs_order.py"], "shared: s = a*b; (s + c) * (s*d) + s")
    assert gpt.diagnosis.startswith("`shared: s = a*b; (s + c) * (s*d) + s` gives db = 2, expected -90, though "
                                    "`a * b` passes: a node passed its gradient on before it had all of it")


def test_the_right_local_derivative_times_the_wrong_upstream_is_chain_factor(
        reports: dict[str, EngineReport]) -> None:
    """self.grad for out.grad, and 1 - t**2 * out.grad: the probe of the op's _backward shows what it multiplies by."""
    mul = _case(reports["bug_self_grad.py"], "a * b")
    assert mul.diagnosis.startswith(
        "`a * b` gives da = 0, expected -3: the _backward of a × b multiplies the right local derivative for a by its "
        "own gradient (self.grad, or child.grad), not by out.grad (at a = 2, b = -3 with a.grad = 0.5 and out.grad = "
        "2 it adds -1.5, not -6) — multiply each local derivative by out.grad")
    assert _case(reports["bug_self_grad.py"], "a * a").diagnosis == "the same missing `* out.grad` as in `a * b`"
    tanh = _case(reports["bug_tanh_brackets.py"], "tanh(a)")
    assert "only in part by out.grad: 1 - X * out.grad where (1 - X) * out.grad was meant" in tanh.diagnosis
    gpt = _case(reports["bug_microgpt_self_grad.py"], "a * b")
    assert gpt.diagnosis.startswith("`a * b` gives db = 0, expected 2: backward() multiplies the right local "
                                    "derivative for b by its own gradient")
    assert _case(reports["bug_microgpt_self_grad.py"], "a + a").bug == "chain_factor"


def test_a_seed_set_after_the_pass(reports: dict[str, EngineReport]) -> None:
    row = _case(reports["bug_seed_late.py"], "a * b")
    assert row.diagnosis.startswith("out.grad was 0 when out's _backward ran, and 1 only afterwards: backward() set "
                                    "the seed after passing gradients on — backward() must first set self.grad = 1")
    gpt = _case(reports["bug_microgpt_seed_late.py"], "a * b")
    assert gpt.diagnosis.startswith("after out.backward() its grad is 1 but every gradient below it is 0, in every "
                                    "case: backward() set the seed after passing gradients on")


def test_an_eq_without_hash_and_log_over_its_output(reports: dict[str, EngineReport]) -> None:
    row = _case(reports["bug_eq_unhashable.py"], "a + 2")
    assert row.diagnosis.startswith("forward raised TypeError: unhashable type: 'Value' at bug_eq_unhashable.py:")
    assert row.diagnosis.endswith("add `__hash__ = object.__hash__` (nodes are told apart by identity, not by value)")
    log = _case(reports["bug_log.py"], "log(a)")
    assert "at a = 0.2 is -0.621335 in your engine, expected 5 (1/ln(a): 1 over the output, not over the input)" in \
        log.diagnosis


@pytest.mark.parametrize("name", ["ok_relu_at_zero.py", "ok_zero_grads_first.py"])
def test_defensible_variants_pass(reports: dict[str, EngineReport], name: str) -> None:
    """relu's kink at 0 is not judged; zeroing every grad at the start of backward() is no bug."""
    report = reports[name]
    assert report.passed and report.bugs == [] and report.missing == []


def test_state_kept_between_backward_calls_is_not_given_a_classic_name(reports: dict[str, EngineReport]) -> None:
    report = reports["stale_state.py"]
    failed = [c for c in report.cases if c.verdict == "fail"]
    assert [(c.case, c.bug) for c in failed] == [("fresh graph: (a + c) * b * a again", None)]
    assert failed[0].diagnosis.startswith("`fresh graph: (a + c) * b * a again` gives da = -18.5, expected -13.5, "
                                          "though the same graph on new leaves is right")


def test_the_accumulate_diagnosis_shows_the_evidence(reports: dict[str, EngineReport]) -> None:
    row = _case(reports["bug_accumulate.py"], "a + a")
    assert (row.expected, row.got) == ("da = 2", "da = 1")
    assert row.diagnosis.startswith("`a + a` gives da = 1, expected 2: a is used twice, but its gradient holds")
    assert "`+=`, not `=`" in row.diagnosis
    compound = _case(reports["bug_accumulate.py"], "MLP 3-3-1, squared error")
    assert compound.bug == "accumulate" and "as in `a + a`" in compound.diagnosis


def test_a_wrong_local_derivative_is_matched_to_the_known_wrong_formula(reports: dict[str, EngineReport]) -> None:
    tanh = _case(reports["bug_tanh.py"], "tanh(a)")
    assert "at a = -1.3 is -0.861723 in your engine, expected 0.257433" in tanh.diagnosis
    assert "(tanh(a) itself, not 1 - tanh(a)**2)" in tanh.diagnosis
    assert "(n * a**n: the exponent not lowered by one)" in _case(reports["bug_pow.py"], "a ** n").diagnosis
    assert "is 0.75 in your engine, expected -0.75 (+a/b**2: the sign flipped)" in _case(
        reports["bug_quotient.py"], "a / b").diagnosis
    assert "(1 where a < 0: the mask on the wrong side)" in _case(reports["bug_relu_mask.py"], "relu(a)").diagnosis
    # a / b = a * b**-1 in the lecture's engine: its failure is the power rule's, named once, not the quotient's
    assert _case(reports["bug_pow.py"], "2 / a").diagnosis == "the same wrong local derivative of ** as in `a ** n`"


def test_order_and_chain_factor_are_told_apart(reports: dict[str, EngineReport]) -> None:
    order = _case(reports["bug_order.py"], "diamond: e = a*b; (e*c) * (e + d)")
    # a set's order decides which use of e comes first: db is -8 - 2 or -8 - 6, never -8
    assert re.match(r"`diamond: e = a\*b; \(e\*c\) \* \(e \+ d\)` gives db = -1[04], expected -8: e's _backward ran 2 "
                    "times, so e passed its gradient on 2 times", order.diagnosis)  # the log of _backward calls says so
    assert _case(reports["bug_order.py"], "two levels: (a*b + c) * d").verdict == "pass"
    assert _case(reports["bug_order.py"], DEEP).bug == "order"  # its recursion is the same bug, not a second one
    chain = _case(reports["bug_chain_factor.py"], "two levels: (a*b + c) * d")
    assert chain.diagnosis.startswith("`two levels: (a*b + c) * d` gives dab = 1, expected 4, the local derivative")
    assert _case(reports["bug_chain_factor.py"], "a * b").diagnosis.startswith(  # right one level down only
        "`y = a * b; out = y * c` gives db = 2, expected 5, the local derivative of a × b alone: right one level")
    forward = _case(reports["bug_order_forward.py"], "a * b")
    assert forward.diagnosis.startswith("`y = a * b; out = y * c` gives db = 0, expected 5: y's _backward ran (with "
                                        "y.grad = 0) before out's, though out uses y: y passed its gradient on before")


def test_errors_are_reported_with_the_learners_own_line(reports: dict[str, EngineReport]) -> None:
    exc = _case(reports["bug_exception.py"], "exp(a)")
    assert "AttributeError: 'Value' object has no attribute 'gard' at bug_exception.py:66 in _backward" in exc.diagnosis
    hang = _case(reports["bug_timeout.py"], "tanh(a)")
    assert re.match(r"backward did not finish within 2 s \(stopped at bug_timeout.py:5[89] in _backward\)",
                    hang.diagnosis)
    deep = _case(reports["bug_recursion_depth.py"], DEEP)
    assert "RecursionError" in deep.diagnosis and "bug_recursion_depth.py:" in deep.diagnosis
    missing = _case(reports["bug_reflected.py"], "2 + a")
    assert "the class has no __radd__" in missing.diagnosis


@pytest.mark.parametrize("name", ["lecture.py", "microgpt_style.py"])
def test_correct_engines_pass_every_case_they_support(reports: dict[str, EngineReport], name: str) -> None:
    report = reports[name]
    assert report.passed and report.bugs == []
    skipped = {c.case for c in report.cases if c.verdict == "skipped"}
    if name == "lecture.py":
        assert report.missing == [] and skipped == {"2 ** a"}
    else:
        assert report.missing == ["tanh", "sigmoid"] and skipped == {"tanh(a)", "sigmoid(a)", "2 ** a"}
    assert _case(report, DEEP).verdict == "pass"
    assert _case(report, "MLP 3-3-1, squared error").verdict == "pass"


def test_our_own_value_passes_every_case() -> None:
    report = check_engine(Value)
    assert report.passed and report.missing == []
    assert [c.verdict for c in report.cases] == ["pass"] * len(CASES)


@pytest.mark.parametrize("name", ["micrograd_0_1_0.py", "microgpt_recursive.py"])
def test_a_recursive_topological_sort_fails_only_the_deep_chain(reports: dict[str, EngineReport], name: str) -> None:
    report = reports[name]
    failed = [c for c in report.cases if c.verdict == "fail"]
    assert [(c.case, c.bug) for c in failed] == [(DEEP, "recursion_depth")]
    assert report.missing == (["tanh", "exp", "log", "sigmoid"] if name.startswith("micrograd") else
                              ["tanh", "sigmoid"])
    assert "build the topological order with a loop" in failed[0].diagnosis


def test_micrograd_0_1_0_as_installed() -> None:
    engine = pytest.importorskip("micrograd.engine")
    report = check_engine(engine.Value)
    assert [(c.case, c.bug) for c in report.cases if c.verdict == "fail"] == [(DEEP, "recursion_depth")]
    assert report.missing == ["tanh", "exp", "log", "sigmoid"]


def test_a_class_defined_here_is_checked_in_the_child_too() -> None:
    class Scalar:  # a lecture engine with d(a*b)/db = a forgotten, as a class object (a notebook's case)
        def __init__(self, data, children=()):
            self.data, self.grad, self._prev, self._backward = data, 0.0, set(children), lambda: None

        def __mul__(self, other):
            other = other if isinstance(other, Scalar) else Scalar(other)
            out = Scalar(self.data * other.data, (self, other))

            def _backward():
                self.grad += other.data * out.grad
            out._backward = _backward
            return out

        def backward(self):
            self.grad = 1.0
            self._backward()

    report = check_engine(Scalar)
    row = _case(report, "a * b")
    assert (row.verdict, row.bug, row.op) == ("fail", "local_derivative", "*")
    assert row.diagnosis.endswith(
        "with respect to b at a = 2, b = -3 is 0 in your engine, expected 2 (0: no gradient reaches this input "
        "(a line of _backward, or `out._backward = _backward`, missing?)) — for a × b: d/db = a")
    assert report.engine == "Scalar"


def test_a_file_and_a_class_name(tmp_path: Path) -> None:
    source = (ENGINES / "bug_tanh.py").read_text().replace("class Value:", "class Scalar:").replace(
        "Value(", "Scalar(").replace("isinstance(other, Value)", "isinstance(other, Scalar)")
    path = tmp_path / "mine.py"
    path.write_text(source)
    report = check_engine(f"{path}:Scalar")
    assert report.bugs == ["local_derivative"] and report.engine == "Scalar from mine.py"
    with pytest.raises(EngineSpecError, match=r"mine.py has no class named 'Value' \(its classes: Scalar\)"):
        check_engine(path)


def test_an_engine_file_may_import_its_neighbours_and_call_sys_exit(tmp_path: Path) -> None:
    (tmp_path / "lecture_copy.py").write_text((ENGINES / "lecture.py").read_text().replace(
        "self.grad += 1 / self.data * out.grad", "import sys; sys.exit(5)"))
    (tmp_path / "mine.py").write_text("from lecture_copy import Value\n")
    report = check_engine(tmp_path / "mine.py")
    failed = [c for c in report.cases if c.verdict == "fail"]
    assert [(c.case, c.bug) for c in failed] == [("log(a)", "exception")]
    assert failed[0].diagnosis.startswith("backward raised SystemExit: 5 at lecture_copy.py:")


def test_what_cannot_be_checked_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineSpecError, match="no such file: .*nope.py"):
        check_engine(tmp_path / "nope.py")
    with pytest.raises(EngineSpecError, match="is a folder: name the engine's .py file in it"):
        check_engine(tmp_path)
    (tmp_path / "engine.txt").write_text("class Value: pass\n")
    with pytest.raises(EngineSpecError, match=r"engine.txt is not a Python file \(.py\)"):
        check_engine(tmp_path / "engine.txt")
    with pytest.raises(EngineSpecError, match="expected a class or a file name"):
        check_engine(3)  # type: ignore[arg-type]
    (tmp_path / "bad.py").write_text("class Value:\n    def f(:\n")
    with pytest.raises(EngineSpecError, match=r"bad.py:2: SyntaxError"):
        check_engine(tmp_path / "bad.py")
    (tmp_path / "empty.py").write_text("class Value:\n    pass\n")
    with pytest.raises(EngineSpecError, match=r"Value\(2.0\) raised TypeError"):
        check_engine(tmp_path / "empty.py")
    (tmp_path / "nograd.py").write_text("class Value:\n    def __init__(self, x):\n        self.data = x\n")
    with pytest.raises(EngineSpecError, match=r"Value\(2.0\) has no grad, backward\(\)"):
        check_engine(tmp_path / "nograd.py")


def test_a_learner_that_ends_the_process_or_eats_memory_is_reported(tmp_path: Path) -> None:
    lecture = (ENGINES / "lecture.py").read_text()
    broken = lecture.replace("self.grad += out.data * out.grad", "import os; os._exit(3)").replace(
        "self.grad += 1 / self.data * out.grad", "self.grad += len([0] * 10**10)")
    (tmp_path / "wild.py").write_text("print('noise at import')\n" + broken)
    start = time.perf_counter()
    report = check_engine(tmp_path / "wild.py")
    assert time.perf_counter() - start < 20
    assert _case(report, "exp(a)").diagnosis.startswith("the process running backward died (exit status 3)")
    assert "MemoryError" in _case(report, "log(a)").diagnosis and "wild.py:" in _case(report, "log(a)").diagnosis
    assert {c.bug for c in report.cases if c.verdict == "fail"} == {"exception"}
    assert _case(report, "tanh(a)").verdict == "pass"  # the child was restarted for the cases after the crash


def test_the_reference_agrees_with_central_differences() -> None:
    for name, case in CASES.items():
        for act in ("tanh", "relu", None) if case.kind == "network" else (None,):
            for point in references(name, act):
                assert point.central, name
                for node, slope in point.central.items():
                    assert math.isclose(point.grad[node], slope, rel_tol=1e-5, abs_tol=1e-6), (name, node)
                assert set(point.central) <= set(point.compared)  # no gradient left unjudged


def test_the_report_reads_as_a_table_html_and_json(reports: dict[str, EngineReport]) -> None:
    report = reports["bug_tanh.py"]
    text = str(report).splitlines()
    assert str(report) == f"{report.table}\n{report.summary}"
    assert text[0].split() == ["case", "expected", "got", "verdict", "diagnosis"]
    assert text[-1] == "check_engine(Value from bug_tanh.py): 3 of 30 cases fail (local_derivative), 1 skipped"
    row = next(line for line in text if line.startswith("tanh(a) "))
    assert row.split()[1:7] == ["da", "=", "0.257433", "da", "=", "-0.861723"] and " fail " in row
    html = report._repr_html_()
    assert html.count("<tr>") == len(CASES) + 1 and "3 of 30 cases fail" in html
    data = json.loads(report.to_json())
    assert set(data) == {"passed", "missing", "cases"} and data["passed"] is False
    tanh = next(c for c in data["cases"] if c["case"] == "tanh(a)")
    assert tanh == {"case": "tanh(a)", "verdict": "fail", "bug": "local_derivative", "op": "tanh",
                    "diagnosis": _case(report, "tanh(a)").diagnosis}
    assert all(set(c) == {"case", "verdict", "bug", "diagnosis"} for c in data["cases"] if c["bug"] is None)


def test_cli_exit_status_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check-engine", str(ENGINES / "lecture.py")]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary == "check_engine(Value from lecture.py): all 30 cases pass, 1 skipped"
    assert main(["check-engine", str(ENGINES / "bug_seed.py"), "--json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["passed"] is False and {c["bug"] for c in data["cases"] if c["verdict"] == "fail"} == {"seed"}
    assert main(["check-engine", str(tmp_path / "nope.py")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"micrograd-nn check-engine: no such file: {tmp_path / 'nope.py'}"
    assert main(["check-engine", f"{ENGINES / 'lecture.py'}:Scalar"]) == 2
    assert "has no class named 'Scalar'" in capsys.readouterr().err


def test_the_readme_shows_what_check_engine_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's engine with its bug, then with the bug fixed, prints the output the README shows."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Your own engine, checked")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    broken, fixed = re.findall(r"```text\n(.*?)\n```", section, re.S)[:2]
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip() == broken
    bug = "            self.grad = out.grad\n            other.grad = out.grad\n"
    assert code.count(bug) == 1
    repaired = code.replace(bug, bug.replace(" = ", " += ")).split("report = ")[0]
    repaired += "print(check_engine(Value).summary)\n"
    exec(compile(repaired, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip() == fixed


@pytest.mark.slow
def test_code_that_ignores_the_alarm_is_killed_and_the_rest_still_runs(tmp_path: Path) -> None:
    """sum() over a C iterator never lets the alarm in: the checker kills the child and starts another one."""
    source = (ENGINES / "lecture.py").read_text().replace("import math\n", "import itertools\nimport math\n").replace(
        "self.grad += out.data * out.grad", "self.grad += out.data * out.grad + sum(itertools.repeat(0, 10**12))")
    (tmp_path / "stuck.py").write_text(source)
    report = check_engine(tmp_path / "stuck.py")
    failed = [c for c in report.cases if c.verdict == "fail"]
    assert [(c.case, c.bug) for c in failed] == [("exp(a)", "timeout")]
    assert failed[0].diagnosis.startswith("backward did not finish within 2 s (stopped in code that could not be")
    assert _case(report, "tanh(a)").verdict == "pass" and report.seconds < 20


def test_without_fork_the_cases_run_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where fork is missing (Windows) the same cases run here, without the child's limits, with the same verdicts."""
    from micrograd_nn.checks import engine_sandbox

    monkeypatch.setattr(engine_sandbox, "_start_methods", lambda: ["spawn"])
    report = check_engine(ENGINES / "bug_tanh.py")
    assert [(c.case, c.bug, c.op) for c in report.cases if c.verdict == "fail"] == [
        ("tanh(a)", "local_derivative", "tanh"), ("neuron: act(w1*x1 + w2*x2 + b)", "local_derivative", "tanh"),
        ("MLP 3-3-1, squared error", "local_derivative", "tanh")]


def test_the_command_shows_no_traceback_for_a_learners_file(tmp_path: Path) -> None:
    """The real entry point: a file that does not import is one line on stderr and exit status 2."""
    import subprocess
    import sys

    (tmp_path / "broken.py").write_text("class Value:\n    def __init__(self, data)\n        pass\n")
    done = subprocess.run([sys.executable, "-m", "micrograd_nn", "check-engine", str(tmp_path / "broken.py")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "micrograd-nn check-engine: broken.py:2: SyntaxError: expected ':'\n"
    done = subprocess.run([sys.executable, "-m", "micrograd_nn", "check-engine", str(ENGINES / "bug_order.py"),
                           "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == ""
    assert {c["bug"] for c in json.loads(done.stdout)["cases"] if c["verdict"] == "fail"} == {"order"}


def test_an_operation_that_returns_nothing_is_said_so(tmp_path: Path) -> None:
    source = (ENGINES / "lecture.py").read_text().replace(
        "            self.grad += (out.data > 0) * out.grad\n        out._backward = _backward\n        return out\n",
        "            self.grad += (out.data > 0) * out.grad\n        out._backward = _backward\n")
    (tmp_path / "noreturn.py").write_text(source)
    failed = [c for c in check_engine(tmp_path / "noreturn.py").cases if c.verdict == "fail"]
    assert [(c.case, c.bug) for c in failed] == [("relu(a)", "exception")]
    assert failed[0].diagnosis == ("forward raised TypeError: out is NoneType None, not a Value: does the method that "
                                   "made it return its result? — end each operation with `return out`")
