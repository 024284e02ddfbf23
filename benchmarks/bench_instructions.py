"""Machine instructions per unit of work (callgrind's Ir) for micrograd_nn and its baselines, in one run.

Run:  pip install -e '.[bench]' && python benchmarks/bench_instructions.py [--jobs 2] [--quick]

Wall-clock ratios on a shared machine swing with its load; the number of
instructions a piece of work executes does not.  Each figure here is the
difference between two runs of the same script under Valgrind's callgrind,
one doing more of the work than the other, divided by how much more: the
interpreter's start, the imports and the set-up cancel out.  Counted:

- chain: ``x -> tanh(x * 1.0001 + 0.5)`` built and backpropagated, per op
  node (three per step), over a chain of CHAIN_STEPS steps;
- x * y kept alive: ``[x * y for _ in range(n)]``, per node;
- moons step: one training step of micrograd's moons demo, MLP(2, [16, 16, 1])
  on 100 points (a node per op, and ``fused=True``), in the steady state;
- GPT step: one training step of bench_gpt.py's microgpt-style model.

Baselines: micrograd 0.1.0 (with a closure-style tanh, as bench_engine.py
gives it), and bench_gpt.py's slotted microgpt-style ``Value``.  Each runs
with PYTHONHASHSEED=0, so a run repeats its counts to within a few parts in
ten thousand.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHAIN_STEPS = 20_000  # the chain is CHAIN_STEPS steps long; the baseline run builds none
KEPT = 50_000  # x * y nodes kept alive in a list
ENGINES = {"compiled": "0", "pure": "1"}  # MICROGRAD_NN_PURE for each of micrograd_nn's engines


# --- the work, run in the measured process ---------------------------------------------------------------

def value_class(lib: str) -> type:
    """The Value class of a library: micrograd_nn's, micrograd 0.1.0's (with a tanh), or the microgpt-style one."""
    if lib == "micrograd_nn":
        from micrograd_nn import Value

        return Value
    if lib == "microgpt":
        sys.path.insert(0, str(HERE))
        from bench_gpt import BaselineValue

        return BaselineValue
    from micrograd.engine import Value as MicrogradValue

    def tanh(self):  # type: ignore[no-untyped-def]
        t = math.tanh(self.data)
        out = MicrogradValue(t, (self,), "tanh")

        def _backward():  # type: ignore[no-untyped-def]
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    MicrogradValue.tanh = tanh
    return MicrogradValue


def chain(Value: type, steps: int) -> None:
    """Build x -> tanh(x * 1.0001 + 0.5) `steps` times, then backpropagate."""
    x = Value(0.1)
    y = x
    for _ in range(steps):
        y = (y * 1.0001 + 0.5).tanh()
    y.backward()


def kept(Value: type, count: int) -> list:
    """`count` nodes x * y, all kept alive."""
    x, y = Value(1.5), Value(-0.5)
    return [x * y for _ in range(count)]


def moons(n: int = 100, seed: int = 1337) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with noise (as scikit-learn's make_moons), labels -1 and 1."""
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        t = math.pi * (i // 2) / (n // 2 - 1)
        x, y = (math.cos(t), math.sin(t)) if i % 2 == 0 else (1.0 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0.0, 0.1), y + rng.gauss(0.0, 0.1)])
        labels.append(-1.0 if i % 2 == 0 else 1.0)
    return points, labels


def moons_steps(lib: str, steps: int, fused: bool) -> None:
    """`steps` steps of micrograd's moons demo (hinge loss, 1e-4 L2, SGD), the same user code for both libraries."""
    random.seed(1337)
    if lib == "micrograd":
        from micrograd.engine import Value
        from micrograd.nn import MLP

        model = MLP(2, [16, 16, 1])
    else:
        from micrograd_nn import MLP, Value

        model = MLP(2, [16, 16, 1], fused=fused)
    X, y = moons()
    for _ in range(steps):
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad


def gpt_steps(lib: str, steps: int) -> None:
    """`steps` training steps of bench_gpt.py's model."""
    sys.path.insert(0, str(HERE))
    from bench_gpt import train

    train(value_class(lib), steps)


def worker(work: str, lib: str, amount: int) -> None:
    """Do one piece of work in this process (the measured one)."""
    sys.setrecursionlimit(10**7)  # micrograd's recursive topological sort needs it; the others ignore it
    if work == "chain":
        chain(value_class(lib), amount)
    elif work == "kept":
        kept(value_class(lib), amount)
    elif work in ("moons", "moons-fused"):
        moons_steps(lib, amount, fused=work == "moons-fused")
    elif work == "gpt":
        gpt_steps(lib, amount)
    else:
        raise SystemExit(f"unknown work {work!r}")


# --- counting -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """One figure: `work` done `small` and `large` times; the count is per (large - small) * per unit."""

    title: str
    work: str
    small: int
    large: int
    units: int  # units per amount (3 op nodes per chain step)
    unit: str  # "node", "step"


def instructions(work: str, lib: str, amount: int, engine: str) -> int:
    """The instructions (callgrind's Ir) of one process doing `work` `amount` times."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "MICROGRAD_NN_PURE": ENGINES[engine], "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                   sys.executable, os.path.abspath(__file__), "--worker", work, lib, str(amount)]
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
        match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no instruction total in {out}")
        return int(match.group(1))


def per_unit(pool: ThreadPoolExecutor, measure: Measure, lib: str, engine: str = "compiled") -> object:
    """A future of the instructions per unit of `measure` for one library."""
    small = pool.submit(instructions, measure.work, lib, measure.small, engine)
    large = pool.submit(instructions, measure.work, lib, measure.large, engine)

    class Result:
        def result(self) -> float:
            return (large.result() - small.result()) / ((measure.large - measure.small) * measure.units)

    return Result()


def main() -> None:
    """Count, then print a table: instructions per unit for each library and engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="callgrind processes at once")
    parser.add_argument("--quick", action="store_true", help="only micrograd_nn compiled (no baselines, no pure)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        work, lib, amount = args.worker
        worker(work, lib, int(amount))
        return

    chain_m = Measure(f"chain x -> tanh(x*1.0001 + 0.5), {CHAIN_STEPS:,} steps, build + backward",
                      "chain", 0, CHAIN_STEPS, 3, "node")
    kept_m = Measure(f"x * y, {KEPT:,} nodes kept alive", "kept", 0, KEPT, 1, "node")
    # micrograd_nn reuses freed nodes from its third step on: its steady step is the 3rd and 4th;
    # micrograd has no pool of freed nodes, so its second step is its steady state (and each costs it ~1.7e9)
    moons_m = Measure("moons step MLP(2, [16, 16, 1]), 100 points, a node per op", "moons", 2, 4, 1, "step")
    fused_m = Measure("the same step, fused=True", "moons-fused", 2, 4, 1, "step")
    moons_baseline = Measure(moons_m.title, "moons", 1, 2, 1, "step")
    gpt_m = Measure("GPT training step (bench_gpt.py), steps 2 and 3", "gpt", 1, 3, 1, "step")

    started = time.perf_counter()
    engines = ["compiled"] if args.quick else ["compiled", "pure"]
    rows: list[tuple[str, str, dict[str, object]]] = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        plan = [(chain_m, [("micrograd", chain_m)]), (kept_m, [("micrograd", kept_m), ("microgpt", kept_m)]),
                (moons_m, [("micrograd", moons_baseline)]), (fused_m, []), (gpt_m, [("microgpt", gpt_m)])]
        for measure, baselines in plan:
            cells = {engine: per_unit(pool, measure, "micrograd_nn", engine) for engine in engines}
            for lib, baseline_measure in [] if args.quick else baselines:
                cells[lib] = per_unit(pool, baseline_measure, lib)
            rows.append((measure.title, measure.unit, cells))
        print(f"instructions (callgrind Ir) per unit; {sys.executable}, PYTHONHASHSEED=0")
        for title, unit, cells in rows:
            figures = "   ".join(f"{name} {cell.result():,.0f}" for name, cell in cells.items())  # type: ignore[attr-defined]
            print(f"  {title}, per {unit}:\n    {figures}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
