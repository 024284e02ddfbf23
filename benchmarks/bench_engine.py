"""Speed and memory of the Value engine against Karpathy's micrograd 0.1.0, measured in the same run.

Run:  pip install -e '.[bench]' && python benchmarks/bench_engine.py [--repeats 5] [--engine pure|both] [--quick]

``--engine both`` measures the compiled and the plain-Python engine in one run
(micrograd once, the three alternating); ``--quick`` runs shorter chains and
fewer moons steps (the same medians of fresh processes): ``--engine both
--quick`` takes about four minutes on a quiet 2-core machine.

Every measurement runs in a fresh Python process (so one library's garbage
never slows the other), both libraries alternate, and the script prints the
median of the repeats and the ratio micrograd / micrograd_nn, with the
machine's load (os.getloadavg) before and after: on a shared machine the
seconds swing with it, and benchmarks/bench_instructions.py's instruction
counts are the steady measure.

micrograd 0.1.0 has no tanh; the chain benchmark gives it one written the way
micrograd writes every op (a closure per node, as in Karpathy's lecture).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

CHAIN_STEPS = 100_000  # x -> tanh(x * 1.0001 + 0.5): three op nodes per step (--quick: QUICK_CHAIN_STEPS)
QUICK_CHAIN_STEPS = 30_000
MILLION_DEEP = 1_000_000  # y = y * 1.0000001, a million op nodes deep
WARMUP_STEPS = 2  # moons steps before the steady state: the first ones allocate every node afresh
STEADY_STEPS = 5  # moons steps measured after those (--quick: QUICK_STEADY_STEPS)
QUICK_STEADY_STEPS = 3
MEMORY_STEPS = 20_000

PRELUDE = textwrap.dedent(
    """
    import gc, json, math, random, sys, time, tracemalloc
    sys.setrecursionlimit(10**7)  # micrograd's recursive sort needs it; ours ignores it
    LIB = sys.argv[1]
    if LIB == "micrograd":
        from micrograd.engine import Value
        from micrograd.nn import MLP

        def _tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,), "tanh")

            def _backward():
                self.grad += (1 - t**2) * out.grad

            out._backward = _backward
            return out

        Value.tanh = _tanh
    else:
        from micrograd_nn import MLP, Value

    def chain(steps):
        x = Value(0.1)
        y = x
        for _ in range(steps):
            y = (y * 1.0001 + 0.5).tanh()
        return x, y
    """
)

MILLION = PRELUDE + textwrap.dedent(
    """
    start = time.perf_counter()
    x = Value(1.0)
    y = x
    for _ in range(int(sys.argv[2])):
        y = y * 1.0000001
    y.backward()
    seconds = time.perf_counter() - start
    del x, y  # frees the whole chain (without the collector's help); a crash would show here
    print(json.dumps({"seconds": seconds}))
    """
)

CHAIN = PRELUDE + textwrap.dedent(
    """
    steps = int(sys.argv[2])
    if sys.argv[3:] == ["no-gc"]:
        gc.disable()
    start = time.perf_counter()
    x, y = chain(steps)
    y.backward()
    print(json.dumps({"seconds": time.perf_counter() - start}))
    """
)

MEMORY = PRELUDE + textwrap.dedent(
    """
    steps = int(sys.argv[2])
    gc.collect()
    gc.disable()
    tracemalloc.start()
    x, y = chain(steps)
    built = tracemalloc.get_traced_memory()[0]
    y.backward()
    after_backward = tracemalloc.get_traced_memory()[0]
    del x, y
    after_drop = tracemalloc.get_traced_memory()[0]
    gc.enable()
    gc.collect()
    after_collect = tracemalloc.get_traced_memory()[0]
    ops = 3 * steps
    print(json.dumps({"built": built / ops, "after_backward": after_backward / ops,
                      "left_after_drop": after_drop / ops, "left_after_collect": after_collect / ops}))
    """
)

MOONS_STEP = PRELUDE + textwrap.dedent(
    """
    fused = sys.argv[2] == "fused"
    from sklearn.datasets import make_moons
    X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
    y = y * 2 - 1
    random.seed(1337)
    model = MLP(2, [16, 16, 1]) if LIB == "micrograd" else MLP(2, [16, 16, 1], fused=fused)
    times = []
    for _ in range(int(sys.argv[3])):
        start = time.perf_counter()
        # the step of micrograd's demo notebook, the same user code for both libraries
        inputs = [list(map(Value, row)) for row in X.tolist()]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
        times.append(time.perf_counter() - start)
    steady = sorted(times[WARMUP:])
    print(json.dumps({"first": times[0], "seconds": steady[len(steady) // 2], "loss": total.data}))
    """
).replace("WARMUP", str(WARMUP_STEPS))


ENGINE_ENV = {"compiled": {"MICROGRAD_NN_PURE": "0"}, "pure": {"MICROGRAD_NN_PURE": "1"}}
ENGINES = ["compiled"]  # which micrograd_nn engines the measurements run: main() sets them from --engine


def run(script: str, *args: str, engine: str = "compiled") -> dict:
    """Run one measurement in a fresh interpreter (micrograd_nn's engine as `engine`) and return its JSON result."""
    # one BLAS thread: scikit-learn's import starts OpenBLAS threads that would spin beside the measurement
    env = {**os.environ, **ENGINE_ENV[engine], "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def alternating(repeats: int, *cases: tuple[str, ...], key: str = "seconds") -> list[float]:
    """The median of `key` for each case (an engine, a script and its arguments), the cases' fresh processes
    alternating."""
    results: list[list[float]] = [[] for _ in cases]
    for _ in range(repeats):  # one process of each case in turn: a busy spell of the machine touches all of them
        for done, (engine, script, *args) in zip(results, cases):
            done.append(run(script, *args, engine=engine)[key])
    return [statistics.median(done) for done in results]


def versus_micrograd(repeats: int, script: str, *args: str) -> None:
    """Print micrograd's median seconds and each engine's, with the ratios and the load (micrograd's processes
    and the engines' alternate)."""
    before = load()
    theirs, *ours = alternating(repeats, ("compiled", script, "micrograd", *args),
                                *[(engine, script, "micrograd_nn", *args) for engine in ENGINES])
    figures = "   ".join(f"micrograd_nn {engine} {mine:.3f} s ratio {theirs / mine:.1f}x"
                         for engine, mine in zip(ENGINES, ours))
    print(f"  micrograd {theirs:.3f} s   {figures}   ({before}; after: {load()})")


def load() -> str:
    """The machine's load (os.getloadavg: runnable processes, averaged over 1, 5 and 15 minutes) and its cores."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    """Measure, then print each figure and its ratio against micrograd."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per measurement (median; >= 5)")
    parser.add_argument("--engine", choices=[*sorted(ENGINE_ENV), "both"], default="compiled",
                        help="micrograd_nn's engine: the compiled build (default), the same file as plain Python, "
                             "or both in one run")
    parser.add_argument("--quick", action="store_true",
                        help=f"chains of {QUICK_CHAIN_STEPS:,} steps, {QUICK_STEADY_STEPS} steady moons steps")
    args = parser.parse_args()
    r, clock = args.repeats, time.perf_counter()
    ENGINES[:] = sorted(ENGINE_ENV) if args.engine == "both" else [args.engine]
    chain_steps = QUICK_CHAIN_STEPS if args.quick else CHAIN_STEPS
    steady_steps = QUICK_STEADY_STEPS if args.quick else STEADY_STEPS
    check = "import micrograd_nn, json; print(json.dumps({'engine': micrograd_nn.ENGINE}))"
    print(f"micrograd_nn engines: {', '.join(run(check, engine=engine)['engine'] for engine in ENGINES)}")
    took = "import time; t = time.perf_counter(); import micrograd_nn, json; " \
           "print(json.dumps({'seconds': time.perf_counter() - t}))"
    imports = alternating(r, *[(engine, took) for engine in ENGINES])
    print("import micrograd_nn: " + ", ".join(f"{engine} {seconds * 1000:.0f} ms" for engine, seconds in
                                            zip(ENGINES, imports)) + f" (median of {r} fresh processes)")

    print(f"chain of {chain_steps:,} steps x -> tanh(x*1.0001 + 0.5), build + backward, median of {r}:")
    versus_micrograd(r, CHAIN, str(chain_steps))
    print("  the same with the cyclic garbage collector disabled in both (gc.disable()):")
    versus_micrograd(r, CHAIN, str(chain_steps), "no-gc")

    steps = WARMUP_STEPS + steady_steps
    print(f"moons training step, MLP(2, [16, 16, 1]), 100 points, hinge + 1e-4 L2 ({steps} steps in a process, "
          f"median of {r} processes;")
    print(f"  steady: the median of the steps after the first {WARMUP_STEPS}, whose nodes come from the freelist;")
    print("  first: the first step, every node allocated afresh):")
    cases = [("micrograd", "compiled", "micrograd", "plain")] + [
        (f"{engine}, {title}", engine, "micrograd_nn", mode)
        for engine in ENGINES for title, mode in (("node per op (default)", "plain"), ("fused=True", "fused"))]
    before = load()
    runs: dict[str, list[dict]] = {name: [] for name, *_ in cases}
    for _ in range(r):  # they alternate, so that a busy moment of the machine touches all of them
        for name, engine, lib, mode in cases:
            runs[name].append(run(MOONS_STEP, lib, mode, str(steps), engine=engine))
    medians = {name: {key: statistics.median(m[key] for m in results) for key in ("seconds", "first")}
               for name, results in runs.items()}
    base = medians["micrograd"]
    print(f"  ({before}; after: {load()})")
    print(f"  micrograd{'':34s} steady {base['seconds'] * 1000:5.0f} ms   first {base['first'] * 1000:5.0f} ms")
    for name, *_ in cases[1:]:
        step = medians[name]
        print(f"  micrograd_nn {name:30s} steady {step['seconds'] * 1000:5.0f} ms   ratio "
              f"{base['seconds'] / step['seconds']:.1f}x   first {step['first'] * 1000:5.0f} ms   ratio "
              f"{base['first'] / step['first']:.1f}x")

    print(f"memory per op node (tracemalloc, chain of {MEMORY_STEPS:,} steps):")
    for lib, engine in [("micrograd", "compiled")] + [("micrograd_nn", engine) for engine in ENGINES]:
        m = run(MEMORY, lib, str(MEMORY_STEPS), engine=engine)
        name = lib if lib == "micrograd" else f"{lib} {engine}"
        print(f"  {name:22s} built {m['built']:.0f} B   after backward {m['after_backward']:.0f} B   "
              f"left after del (no gc) {m['left_after_drop']:.0f} B   after gc.collect {m['left_after_collect']:.0f} B")

    print(f"a chain {MILLION_DEEP:,} deep, y = y * 1.0000001, build + backward, then freed "
          f"(micrograd_nn, median of {r}):")
    before = load()
    deep = alternating(r, *[(engine, MILLION, "micrograd_nn", str(MILLION_DEEP)) for engine in ENGINES])
    print("  " + "   ".join(f"{engine} {seconds:.2f} s" for engine, seconds in zip(ENGINES, deep))
          + f"   ({before}; after: {load()})")
    print(f"({time.perf_counter() - clock:.0f} s)")


if __name__ == "__main__":
    main()
