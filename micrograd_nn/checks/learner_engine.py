"""check_engine: run a learner's own Value class on cases with known answers, and name the bug behind each failure.

    from micrograd_nn.checks import check_engine
    report = check_engine("my_engine.py")      # its class Value; or "my_engine.py:Scalar", or the class itself
    print(report)                              # the table, then the summary line
    report.passed, report.missing, report.cases  # for code: each case's .case .verdict .bug .diagnosis .op

The cases are in engine_cases.py (each op alone at several points, plain
numbers on either side, nodes used twice, a diamond, a chain 10,000 deep, a
neuron and an MLP); every gradient, of leaves and of inner nodes, is compared
with micrograd_nn's Value on the same graph (itself checked by central
differences).  The learner's code runs in a child process with time and memory
limits (engine_sandbox.py); the diagnoses are in engine_diagnoses.py (with the
known wrong formulas in engine_wrong_formulas.py).
"""

from __future__ import annotations

import html
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from micrograd_nn.checks.engine_cases import CASES, COMMON, Case, Point, activation, references
from micrograd_nn.checks.engine_diagnoses import Finding, Verdict, close, diagnose, label
from micrograd_nn.checks.engine_sandbox import EngineSpecError, Spec, run_all

__all__ = ["check_engine", "EngineReport", "CaseResult", "EngineSpecError"]
COLUMNS = ("case", "expected", "got", "verdict", "diagnosis")


@dataclass
class CaseResult:
    """One case of the report: its name, the verdict ("pass", "fail", "skipped"), the bug and the diagnosis."""

    case: str
    verdict: str
    bug: str | None = None
    diagnosis: str = ""
    op: str | None = None  # the op, when bug is "local_derivative"
    expected: str = ""
    got: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The case as the JSON report has it (op only for a local_derivative bug)."""
        out: dict[str, Any] = {"case": self.case, "verdict": self.verdict, "bug": self.bug,
                               "diagnosis": self.diagnosis}
        if self.bug == "local_derivative":
            out["op"] = self.op
        return out


@dataclass
class EngineReport:
    """check_engine's answer: passed (no case failed), missing (common operators the class lacks), cases."""

    engine: str
    passed: bool
    missing: list[str]
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def bugs(self) -> list[str]:
        """The bugs found, each once, in the order the report first names them."""
        return list(dict.fromkeys(c.bug for c in self.cases if c.bug))

    @property
    def summary(self) -> str:
        """One line: how many cases pass, fail, are skipped; the bugs; what is missing."""
        count = {v: sum(c.verdict == v for c in self.cases) for v in ("pass", "fail", "skipped")}
        ran = count["pass"] + count["fail"]
        head = f"check_engine({self.engine}): "
        if self.passed:
            head += f"all {ran} cases pass"
        else:
            named = ", ".join(self.bugs) or "unexplained"
            head += f"{count['fail']} of {ran} cases fail ({named})"
        if count["skipped"]:
            head += f", {count['skipped']} skipped"
        if self.missing:
            head += f"; missing: {', '.join(self.missing)}"
        return head

    @property
    def table(self) -> str:
        """The cases as a text table: case, expected, got, verdict, diagnosis."""
        rows = [COLUMNS]
        rows += [(c.case, c.expected, c.got, c.verdict, c.diagnosis) for c in self.cases]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        return "\n".join(("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4]).rstrip()
                         for row in rows)

    def __str__(self) -> str:
        return f"{self.table}\n{self.summary}"

    def as_dict(self) -> dict[str, Any]:
        """The report as the CLI's --json prints it: passed, missing, cases."""
        return {"passed": self.passed, "missing": list(self.missing), "cases": [c.as_dict() for c in self.cases]}

    def to_json(self) -> str:
        """as_dict() as one JSON object."""
        return json.dumps(self.as_dict(), indent=1)

    def _repr_html_(self) -> str:
        colours = {"pass": "#1a7f37", "fail": "#cf222e", "skipped": "#6e7781"}
        keep = "style='white-space:nowrap;text-align:left'"
        cells = "".join(
            f"<tr><td {keep}><code>{html.escape(c.case)}</code></td><td {keep}>{html.escape(c.expected)}</td>"
            f"<td {keep}>{html.escape(c.got)}</td><td style='color:{colours[c.verdict]};font-weight:bold'>{c.verdict}"
            f"</td><td style='text-align:left'>{html.escape(c.diagnosis)}</td></tr>" for c in self.cases)
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in COLUMNS)
        return (f"<div><p><b>{html.escape(self.summary)}</b></p><table style='font-size:12px'>"
                f"<thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table></div>")


def check_engine(engine: type | str | os.PathLike) -> EngineReport:
    """Check a learner's Value class (or "file.py", "file.py:Class") case by case: d(root)/d(node) for every node."""
    spec = _spec(engine)
    start = time.perf_counter()
    cases = list(CASES.values())
    outcome = run_all(spec, [c.name for c in cases])
    present = set(outcome.present)
    act = activation(present)
    run = [c for c in cases if all(m in present for m in c.needs)]
    refs = {c.name: list(references(c.name, act)) for c in run}
    raws = {c.name: outcome.results.get(c.name, {"timeout": True, "where": ""}) for c in run}
    verdicts = diagnose(run, raws, refs, outcome.probes)
    results = [_row(c, verdicts.get(c.name), raws.get(c.name), refs.get(c.name), present) for c in cases]
    missing = [name for name in COMMON if name not in present]
    passed = not any(r.verdict == "fail" for r in results)
    return EngineReport(spec.title, passed, missing, results, time.perf_counter() - start)


def _spec(engine: Any) -> Spec:
    """A Spec from a class, a path, or "path:Class"; EngineSpecError naming what is wrong."""
    if isinstance(engine, type):
        return Spec(cls=engine)
    if not isinstance(engine, (str, os.PathLike)):
        raise EngineSpecError(f"check_engine: expected a class or a file name such as 'my_engine.py' or "
                              f"'my_engine.py:Value', got {type(engine).__name__} {engine!r:.60}")
    text = os.fspath(engine)
    path, name = text, "Value"
    head, colon, tail = text.rpartition(":")
    if colon and tail.isidentifier() and head:
        path, name = head, tail
    if os.path.isdir(path):
        raise EngineSpecError(f"check_engine: {path} is a folder: name the engine's .py file in it")
    if not os.path.isfile(path):
        raise EngineSpecError(f"check_engine: no such file: {path}")
    if not path.endswith(".py"):
        raise EngineSpecError(f"check_engine: {path} is not a Python file (.py)")
    return Spec(path=os.path.abspath(path), name=name)


def _row(case: Case, verdict: Verdict | None, raw: dict[str, Any] | None, refs: list[Point] | None,
         present: set[str]) -> CaseResult:
    """The report's row for one case."""
    if verdict is None or raw is None or refs is None:
        lacking = [m for m in case.needs if m not in present]
        return CaseResult(case.name, "skipped", diagnosis=f"the class has no {', '.join(lacking)}")
    finding = verdict.finding
    if finding is None:
        shown = _shown(raw, refs[0])
        return CaseResult(case.name, "pass", expected=shown, got=shown)
    return CaseResult(case.name, "fail", finding.bug, _text(finding, verdict), finding.op if
                      finding.bug == "local_derivative" else None, finding.expected, finding.got)


def _text(finding: Finding, verdict: Verdict) -> str:
    """The diagnosis: the full text where the bug is first found, a pointer to that case elsewhere."""
    if verdict.because_of and not finding.evidence.startswith("the same"):
        return f"{finding.evidence} (the same {label(finding)} as in `{verdict.because_of}`)"
    return finding.evidence if verdict.because_of else finding.text


def _shown(raw: dict[str, Any], ref: Point) -> str:
    """A passing case's first leaves' gradients, as the table shows them."""
    leaves = [n for n in ref.compared if not ref.ops.get(n)]
    got = raw["points"][0]
    shown = [f"d{n} = {got[n][1]:.6g}" for n in leaves[:2] if close(got[n][1], ref.grad[n])]
    return ", ".join(shown) + (", ..." if len(leaves) > 2 else "")
