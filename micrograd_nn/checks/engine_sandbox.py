"""Running a learner's Value class on the cases, in a child process that cannot hang or crash the checker.

One forked child runs every case (fast: no process per case).  Each case has
an alarm (``signal.setitimer``): an endless loop is stopped and reported with
the learner's line it was on.  The child's memory is capped (``RLIMIT_AS``),
its prints go nowhere, and the parent kills it if an alarm does not help
(a loop inside C code); a child that dies is restarted for the cases left.
The child sends plain numbers and strings back; nothing of the learner's
code runs in the checker's own process (except where fork is unavailable).
"""

from __future__ import annotations

import importlib.util
import math
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from micrograd_nn.checks.engine_call_log import CALLS, CHILD_NAMES, children, probe, watch  # noqa: F401
from micrograd_nn.checks.engine_cases import CASES, COMMON, TIME_LIMIT, Case, Recorder, activation

MEMORY = 1 << 30  # bytes the child may allocate beyond what it inherits
SLACK = 3.0  # seconds the parent waits beyond a case's own limit before it kills the child


class EngineSpecError(ValueError):
    """check_engine was given something it cannot load: no such file, no such class, a file that does not import."""


@dataclass(frozen=True)
class Spec:
    """What to check: a class object, or a file and the name of its class."""

    cls: type | None = None
    path: str = ""
    name: str = "Value"

    @property
    def title(self) -> str:
        """How the report names the engine."""
        if self.cls is not None:
            return self.cls.__name__
        return f"{self.name} from {Path(self.path).name}"


class _CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException, so that a learner's `except Exception` does not swallow it."""


# --- in the child -------------------------------------------------------------------------------------------

def load_class(spec: Spec) -> type:
    """The class to check: spec.cls, or the class spec.name defined by the file spec.path."""
    if spec.cls is not None:
        return spec.cls
    module_spec = importlib.util.spec_from_file_location(f"_learner_engine_{os.getpid()}", spec.path)
    if module_spec is None or module_spec.loader is None:
        raise EngineSpecError(f"check_engine: cannot load {spec.path} as a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, os.path.dirname(spec.path))  # the file may import its neighbours, as when it is run
    sys.modules[module_spec.name] = module  # dataclasses and pickling look the module up
    module_spec.loader.exec_module(module)
    cls = getattr(module, spec.name, None)
    if not isinstance(cls, type):
        found = sorted(n for n, v in vars(module).items() if isinstance(v, type) and v.__module__ == module.__name__)
        raise EngineSpecError(f"check_engine: {Path(spec.path).name} has no class named {spec.name!r}"
                              f" (its classes: {', '.join(found) or 'none'}); name one as FILE.py:CLASS")
    return cls


def _probe(cls: type) -> None:
    """EngineSpecError unless cls(2.0) is a node with .data, .grad and .backward() (then it is an engine to check)."""
    try:
        node = cls(2.0)
    except Exception as err:  # noqa: BLE001
        raise EngineSpecError(f"check_engine: {cls.__name__}(2.0) raised {type(err).__name__}: {err}; "
                              f"check_engine makes leaves as {cls.__name__}(number)") from None
    lacking = [name for name in ("data", "grad") if not hasattr(node, name)]
    lacking += [] if callable(getattr(node, "backward", None)) else ["backward()"]
    if lacking:
        raise EngineSpecError(f"check_engine: {cls.__name__}(2.0) has no {', '.join(lacking)}: "
                              "an engine's node needs .data, .grad and .backward()")


def present_methods(cls: type) -> list[str]:
    """The common operators and functions the class has."""
    return [name for name in COMMON if callable(getattr(cls, name, None))] + (
        ["__rpow__"] if callable(getattr(cls, "__rpow__", None)) else [])


def _where(tb: Any, files: set[str]) -> str:
    """file:line (in function) of the innermost frame in the learner's code, or of the innermost frame at all."""
    frames = traceback.extract_tb(tb)
    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    mine = [f for f in frames if f.filename in files] or [
        f for f in frames if not f.filename.startswith((ours, "<frozen"))]
    if not mine:
        return ""
    frame = mine[-1]
    return f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"


def _number(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _composite(r: Recorder, root: Any) -> bool:
    """Whether the root was built from nodes we never named (a - b as a + (-b), -a as a * Value(-1), ...)."""
    named = {id(n) for n in r.nodes.values()}
    kids = children(root)
    if kids is None:
        return True  # cannot tell: let other ops explain its failures too
    return any(id(k) not in named for k in kids)


def _check_nodes(r: Recorder, cls: type) -> None:
    """TypeError if an op gave something that is not a node (None from a method that forgot `return out`)."""
    for name, node in r.nodes.items():
        if not (hasattr(node, "grad") and hasattr(node, "data")):
            raise TypeError(f"{name} is {type(node).__name__} {node!r:.40}, not a {cls.__name__}: "
                            "does the method that made it return its result?")


def run_case(cls: type, case: Case, act: str | None, files: set[str]) -> dict[str, Any]:
    """Run one case with the learner's class: each point's nodes (data, grad), or the exception or the timeout."""
    points, composite, phase = [], False, "forward"
    try:
        for point in case.points:
            phase = "forward"
            r = Recorder(cls, act)
            root_name = case.build(r, point)
            _check_nodes(r, cls)
            root = r.nodes[root_name]
            composite = composite or _composite(r, root)
            calls = watch(r)
            phase = "backward"
            root.backward()
            got: dict[str, Any] = {n: (_number(getattr(v, "data", None)), _number(getattr(v, "grad", None)))
                                   for n, v in r.nodes.items()}
            points.append({**got, CALLS: calls} if calls is not None else got)
        return {"points": points, "composite": composite}
    except _CaseTimeout:
        return {"timeout": True, "phase": phase, "where": _where(sys.exc_info()[2], files), "composite": composite}
    except (Exception, SystemExit) as err:  # the learner's code may raise anything (sys.exit too): it is reported
        return {"error": type(err).__name__, "message": str(err)[:300], "phase": phase, "composite": composite,
                "where": _where(err.__traceback__, files), "recursion": isinstance(err, RecursionError)}


def _on_alarm(signum: int, frame: Any) -> None:
    raise _CaseTimeout()


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY, used + MEMORY))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: no cap


def child_main(spec: Spec, names: list[str], emit: Callable[[tuple], None], isolated: bool = True) -> None:
    """Load the class, report what it has, then run each case under an alarm, emitting every step."""
    if isolated:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the checker's: it ends this child
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        _limit_memory()
        sys.setrecursionlimit(1000)
    alarms = isolated and hasattr(signal, "setitimer")
    if alarms:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, 10.0)  # loading the file gets 10 s
    try:
        cls = load_class(spec)
        _probe(cls)
        if alarms:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as err:  # noqa: BLE001
        where = _where(err.__traceback__, {os.path.abspath(spec.path)} if spec.path else set())
        if isinstance(err, SyntaxError):
            where = f"{os.path.basename(err.filename or '?')}:{err.lineno}"
            err = SyntaxError(err.msg)
        text = str(err) if isinstance(err, EngineSpecError) else f"{where}: {type(err).__name__}: {err}"[:400]
        late = f"{spec.title}: loading did not finish within 10 s (an endless loop when the file is imported?)"
        emit(("load_error", late if isinstance(err, _CaseTimeout) else text))
        return
    present = present_methods(cls)
    act = activation(set(present))
    files = _learner_files(cls, spec)
    emit(("loaded", present, act))
    hanging: dict[str, dict[str, Any]] = {}  # a method whose own case timed out -> that result
    for name in names:
        case = CASES[name]
        emit(("start", name))
        uses = set(case.needs) | ({act} if case.kind == "network" and act else set())
        stuck = next((hanging[m] for m in sorted(uses) if m in hanging), None)
        if stuck is not None:  # it would hang again: no need to wait for the alarm
            emit(("result", name, stuck))
            continue
        if alarms:
            signal.setitimer(signal.ITIMER_REAL, case.time_limit)
        try:
            result = run_case(cls, case, act, files)
        except _CaseTimeout:  # the alarm rang between the case's end and the line below
            result = {"timeout": True, "phase": "backward", "where": "", "composite": False}
        finally:
            if alarms:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if result.get("timeout") and case.kind == "op":
            hanging[case.needs[0]] = result  # the op's own method (needs[1:] serve the case's scaled point)
        emit(("result", name, result))
    _probe_last(cls, present, emit, alarms)


def _probe_last(cls: type, present: list[str], emit: Callable[[tuple], None], alarms: bool) -> None:
    """engine_call_log.probe, after every case (learner code that crashes or hangs here costs no case)."""
    emit(("probing",))
    if alarms:
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        emit(("probes", probe(cls, set(present))))
    except (Exception, SystemExit, _CaseTimeout):  # noqa: BLE001  (the cases report what the learner's code does)
        pass
    finally:
        if alarms:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _learner_files(cls: type, spec: Spec) -> set[str]:
    """The files the learner's class is written in (where its methods' code lives)."""
    files = {os.path.abspath(spec.path)} if spec.path else set()
    for klass in cls.__mro__[:-1]:  # its own methods and those it inherits (object's are not the learner's)
        for attr in vars(klass).values():
            code = getattr(getattr(attr, "fget", attr), "__code__", None)
            if code is not None:
                files.add(code.co_filename)
                files.add(os.path.abspath(code.co_filename))
    return files


# --- in the checker's process ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What the child reported: the methods the class has, the network activation, and each case's raw result."""

    present: list[str]
    act: str | None
    results: dict[str, dict[str, Any]]
    probes: dict[str, list[float | None]] = field(default_factory=dict)  # engine_call_log.probe's findings


def run_all(spec: Spec, names: list[str]) -> Outcome:
    """Run the named cases on the learner's class in a child process (in this process where fork is missing)."""
    if "fork" not in _start_methods():
        messages: list[tuple] = []
        child_main(spec, names, messages.append, isolated=False)
        return _collect(messages, names)
    outcome = Outcome([], None, {})
    todo = list(names)
    for _ in range(len(names) + 1):  # each restart finishes at least the case the last child died in
        messages, finished = _run_child(spec, todo)
        part = _collect(messages, todo)
        outcome.present, outcome.act = part.present, part.act
        outcome.probes = outcome.probes or part.probes
        outcome.results.update(part.results)
        todo = [n for n in todo if n not in outcome.results]
        if finished or not todo:
            break
    return outcome


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _run_child(spec: Spec, names: list[str]) -> tuple[list[tuple], bool]:
    """Fork one child on the cases; its messages, and whether it ran them all (else the last started case died)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    with warnings.catch_warnings():  # fork in a threaded process (Jupyter): the child only runs the cases
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=child_main, args=(spec, names, writer.send), daemon=True)
        child.start()
    writer.close()
    messages: list[tuple] = []
    limit = 15.0  # loading the file
    try:
        while True:
            if not reader.poll(limit):
                child.kill()
                messages.append(("killed", "timeout"))
                return messages, False
            message = reader.recv()
            messages.append(message)
            if message[0] == "start":
                limit = CASES[message[1]].time_limit + SLACK
            elif message[0] == "probing":
                limit = TIME_LIMIT + SLACK
    except (EOFError, OSError):
        pass
    except BaseException:  # Ctrl-C: end the child now
        child.kill()
        raise
    finally:
        reader.close()
        child.join(5.0)
        if child.is_alive():
            child.kill()
            child.join()
    done = {m[1] for m in messages if m[0] == "result"}
    if messages and messages[-1][0] == "start" and messages[-1][1] not in done:
        messages.append(("killed", _death(child.exitcode)))
        return messages, False
    return messages, True


def _death(exitcode: int | None) -> str:
    """Why a child ended: a signal's name (a crash, or the memory cap), or its exit status."""
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _collect(messages: list[tuple], names: list[str]) -> Outcome:
    """Turn the child's messages into an Outcome; a case the child died in gets a 'killed' result."""
    outcome, current = Outcome([], None, {}), None
    for message in messages:
        if message[0] == "load_error":
            raise EngineSpecError(message[1])
        if message[0] == "loaded":
            outcome.present, outcome.act = list(message[1]), message[2]
        elif message[0] == "probes":
            outcome.probes = message[1]
        elif message[0] == "start":
            current = message[1]
        elif message[0] == "result":
            outcome.results[message[1]] = message[2]
        elif message[0] == "killed" and current is not None and current not in outcome.results:
            how = message[1]
            outcome.results[current] = {"timeout": how == "timeout", "killed": how, "phase": "backward",
                                        "where": "", "composite": False, "recursion": how == "SIGSEGV"}
    if not any(m[0] == "loaded" for m in messages):
        how = next((m[1] for m in messages if m[0] == "killed"), "")
        raise EngineSpecError("check_engine: the engine's file did not finish loading: " + (
            "an endless loop when it is imported?" if how in ("timeout", "SIGKILL") else f"the process died ({how})"))
    return outcome
