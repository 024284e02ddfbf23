"""Speed of a GPT training step on micrograd_nn's Value against a minimal microgpt-style Value, in the same run.

Run:  pip install -e '.[bench]' && python benchmarks/bench_gpt.py [--repeats 5] [--steps 20] [--quick]

The model is the one of Karpathy's microgpt (2026), written once below as
user code that takes the Value class: one layer, four heads, embedding 16,
context 16, RMSNorm, a ReLU MLP (4x hidden), token and position embeddings,
softmax attention, cross-entropy, and Adam done by hand on p.data.  It trains
on names generated from syllables (no download).  The baseline is a slotted
Value in microgpt's design (children and local gradients stored in the
forward pass, backward a loop over a topological order); micrograd_nn runs
the same code through ``from micrograd_nn import Value``.

Every measurement runs in a fresh Python process, the engines alternate, and
the script prints the median seconds per training step, the ratio
baseline / micrograd_nn for the compiled engine and for the plain-Python one
(MICROGRAD_NN_PURE=1), and checks that every step's loss agrees to 1e-12.
Both wall-clock and CPU seconds (time.process_time) are shown: on a busy
machine the CPU seconds of each process are the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time

LOSS_TOLERANCE = 1e-12  # relative, per step


class BaselineValue:
    """A scalar autograd node in microgpt's design: children in order, local gradients from the forward pass."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, BaselineValue) else BaselineValue(other)
        return BaselineValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, BaselineValue) else BaselineValue(other)
        return BaselineValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, exponent):  # a plain-number exponent
        return BaselineValue(self.data**exponent, (self,), (exponent * self.data ** (exponent - 1),))

    def log(self):
        return BaselineValue(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self):
        out = math.exp(self.data)
        return BaselineValue(out, (self,), (out,))

    def relu(self):
        return BaselineValue(max(0.0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1.0

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        """Order the graph children-first (iterative depth-first search), then apply the chain rule from the end."""
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((child, False) for child in reversed(v._children))
        self.grad = 1.0
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


def make_names(count: int = 200) -> list[str]:
    """Made-up names from syllables, the same on every run (random.Random(42))."""
    rng = random.Random(42)
    syllables = ["ka", "ri", "mo", "la", "ne", "so", "ta", "vi", "el", "an", "jo", "mi", "ra", "de", "lu", "bo"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def train(Value, steps: int, seed: int = 1337) -> tuple[list[float], list[float]]:
    """microgpt's training loop on the given Value class; return each step's loss, wall and CPU seconds."""
    n_layer, n_embd, block_size, n_head = 1, 16, 16, 4
    head_dim = n_embd // n_head
    docs = make_names()
    uchars = sorted(set("".join(docs)))
    bos = len(uchars)
    vocab_size = len(uchars) + 1

    rng = random.Random(seed)

    def matrix(nout, nin, std=0.08):
        return [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]

    state = {"wte": matrix(vocab_size, n_embd), "wpe": matrix(block_size, n_embd)}
    state["lm_head"] = matrix(vocab_size, n_embd)
    for i in range(n_layer):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            state[f"layer{i}.{name}"] = matrix(n_embd, n_embd)
        state[f"layer{i}.mlp_fc1"] = matrix(4 * n_embd, n_embd)
        state[f"layer{i}.mlp_fc2"] = matrix(n_embd, 4 * n_embd)
    params = [p for mat in state.values() for row in mat for p in row]

    def linear(x, w):
        return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]

    def softmax(logits):
        max_val = max(val.data for val in logits)
        exps = [(val - max_val).exp() for val in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def rmsnorm(x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(token_id, pos_id, keys, values):
        x = [t + p for t, p in zip(state["wte"][token_id], state["wpe"][pos_id])]
        x = rmsnorm(x)
        for li in range(n_layer):
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, state[f"layer{li}.attn_wq"])
            k = linear(x, state[f"layer{li}.attn_wk"])
            v = linear(x, state[f"layer{li}.attn_wv"])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(n_head):
                hs = h * head_dim
                q_h = q[hs : hs + head_dim]
                k_h = [ki[hs : hs + head_dim] for ki in keys[li]]
                v_h = [vi[hs : hs + head_dim] for vi in values[li]]
                attn_logits = [
                    sum(q_h[j] * k_h[t][j] for j in range(head_dim)) / head_dim**0.5 for t in range(len(k_h))
                ]
                attn_weights = softmax(attn_logits)
                x_attn.extend(sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim))
            x = linear(x_attn, state[f"layer{li}.attn_wo"])
            x = [a + b for a, b in zip(x, x_residual)]
            x_residual = x
            x = rmsnorm(x)
            x = [xi.relu() for xi in linear(x, state[f"layer{li}.mlp_fc1"])]
            x = linear(x, state[f"layer{li}.mlp_fc2"])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, state["lm_head"])

    learning_rate, beta1, beta2, eps_adam = 1e-2, 0.85, 0.99, 1e-8
    m = [0.0] * len(params)
    v = [0.0] * len(params)
    losses, wall, cpu = [], [], []
    for step in range(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        doc = docs[step % len(docs)]
        tokens = [bos] + [uchars.index(ch) for ch in doc] + [bos]
        n = min(block_size, len(tokens) - 1)
        keys, values = [[] for _ in range(n_layer)], [[] for _ in range(n_layer)]
        step_losses = []
        for pos_id in range(n):
            probs = softmax(gpt(tokens[pos_id], pos_id, keys, values))
            step_losses.append(-probs[tokens[pos_id + 1]].log())
        loss = (1 / n) * sum(step_losses)
        loss.backward()
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1 - beta2) * p.grad**2
            m_hat = m[i] / (1 - beta1 ** (step + 1))
            v_hat = v[i] / (1 - beta2 ** (step + 1))
            p.data -= learning_rate * m_hat / (v_hat**0.5 + eps_adam)
            p.grad = 0.0
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        losses.append(loss.data)
    return losses, wall, cpu


def worker(lib: str, steps: int) -> None:
    """Train in this process and print one JSON line: losses, seconds per step, and the engine that ran."""
    if lib == "baseline":
        value_class, engine = BaselineValue, "baseline"
    else:
        from micrograd_nn import ENGINE, Value

        value_class, engine = Value, ENGINE
    losses, wall, cpu = train(value_class, steps)
    print(json.dumps({"losses": losses, "wall": wall, "cpu": cpu, "engine": engine}))


def run(lib: str, steps: int, pure: bool = False) -> dict:
    """Train in a fresh interpreter and return its JSON result."""
    env = {k: val for k, val in os.environ.items() if k != "MICROGRAD_NN_PURE"}
    if pure:
        env["MICROGRAD_NN_PURE"] = "1"
    command = [sys.executable, os.path.abspath(__file__), "--worker", lib, "--steps", str(steps)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def largest_difference(reference: list[float], other: list[float]) -> float:
    """The largest relative difference between two runs' per-step losses."""
    if len(reference) != len(other):
        raise RuntimeError(f"runs trained {len(reference)} and {len(other)} steps")
    return max(abs(a - b) / max(abs(a), 1e-300) for a, b in zip(reference, other))


def main() -> None:
    """Measure the three engines alternately, check the losses agree, then print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per engine (median)")
    parser.add_argument("--steps", type=int, default=20, help="training steps per process")
    parser.add_argument("--quick", action="store_true", help="10 training steps per process")
    parser.add_argument("--worker", choices=("baseline", "micrograd_nn"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.steps = 10
    if args.worker:
        worker(args.worker, args.steps)
        return
    clock = time.perf_counter()

    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {"baseline": [], "compiled": [], "pure": []}
    for _ in range(args.repeats):  # alternate, so that a busy spell of the machine hits all three
        runs["baseline"].append(run("baseline", args.steps))
        runs["compiled"].append(run("micrograd_nn", args.steps))
        runs["pure"].append(run("micrograd_nn", args.steps, pure=True))

    engines = sorted({r["engine"] for r in runs["compiled"]})
    engine = engines[0] if len(engines) == 1 else " / ".join(engines)  # mixed if the build changed mid-run
    if any(r["engine"] != "pure Python" for r in runs["pure"]):
        raise RuntimeError("MICROGRAD_NN_PURE=1 did not give the plain-Python engine")
    reference = runs["baseline"][0]["losses"]
    worst = {name: max(largest_difference(reference, r["losses"]) for r in done) for name, done in runs.items()}

    def per_step(name: str, clock: str) -> float:
        return statistics.median(statistics.median(r[clock]) for r in runs[name])

    print(f"GPT training step (microgpt: 1 layer, 4 heads, n_embd 16, block 16), {args.steps} steps per process,")
    print(f"median over steps, then over {args.repeats} fresh processes per engine (wall clock | CPU time);")
    print(f"machine load (os.getloadavg, 1 minute) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
          f"on {os.cpu_count()} cores:")
    base_wall, base_cpu = per_step("baseline", "wall"), per_step("baseline", "cpu")
    print(f"  baseline (slotted microgpt Value)    {base_wall:.4f} s/step | {base_cpu:.4f} s/step")
    for name, title in (("compiled", f"ENGINE={engine!r}"), ("pure", "MICROGRAD_NN_PURE=1")):
        wall, cpu = per_step(name, "wall"), per_step(name, "cpu")
        print(
            f"  micrograd_nn, {title:22s} {wall:.4f} s/step | {cpu:.4f} s/step   "
            f"ratio baseline/ours {base_wall / wall:.2f}x | {base_cpu / cpu:.2f}x"
        )
    print(
        f"largest relative loss difference from the baseline over {args.steps} steps: "
        f"compiled {worst['compiled']:.2e}   pure {worst['pure']:.2e}   (baseline repeats {worst['baseline']:.2e})"
    )
    print(f"({time.perf_counter() - clock:.0f} s)")
    if engine != "compiled":
        print(f"note: micrograd_nn ran as {engine!r}, not compiled (build it with pip install -e .)", file=sys.stderr)
    if max(worst.values()) > LOSS_TOLERANCE:
        sys.exit(f"FAIL: losses differ by more than {LOSS_TOLERANCE:g} (relative) between the engines")


if __name__ == "__main__":
    main()
