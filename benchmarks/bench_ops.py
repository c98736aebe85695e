"""Benchmark 4: one op forward + backward through autograd, at the tutorial's sizes and at tiny sizes.

At tiny sizes the arithmetic is nothing, so the time is the fixed cost of the machinery: argument handling,
recording the node, the engine's walk, accumulating into .grad. Each call: forward, backward with a given gradient
(or .backward() for a scalar), then the inputs' .grad reset to None, the same in both frameworks.
"""
import numpy as np

from . import common

F32 = np.float32


def _linear(lib, x, w, b):
    return lib.nn.functional.linear(x, w, b)


def _cross_entropy(lib, x, t):
    return lib.nn.functional.cross_entropy(x, t)


# (name, input shapes (None marks class targets), fn(lib, *tensors), tiny?)
OPS = [
    ("linear (64, 784) -> 512", [(64, 784), (512, 784), (512,)], _linear, False),
    ("matmul (64, 512) @ (512, 512)", [(64, 512), (512, 512)], lambda lib, a, b: a @ b, False),
    ("relu (64, 512)", [(64, 512)], lambda lib, a: lib.relu(a), False),
    ("add (64, 512) + (512,)", [(64, 512), (512,)], lambda lib, a, b: a + b, False),
    ("mul (64, 512) * (64, 512)", [(64, 512), (64, 512)], lambda lib, a, b: a * b, False),
    ("exp (64, 512)", [(64, 512)], lambda lib, a: lib.exp(a), False),
    ("sum (64, 512)", [(64, 512)], lambda lib, a: a.sum(), False),
    ("mean dim=1 (64, 512)", [(64, 512)], lambda lib, a: a.mean(1), False),
    ("flatten (64, 1, 28, 28)", [(64, 1, 28, 28)], lambda lib, a: lib.flatten(a, 1), False),
    ("log_softmax (64, 10)", [(64, 10)], lambda lib, a: lib.log_softmax(a, 1), False),
    ("cross_entropy (64, 10)", [(64, 10), None], _cross_entropy, False),
    ("add (4, 4) + (4, 4)", [(4, 4), (4, 4)], lambda lib, a, b: a + b, True),
    ("mul (4, 4) * (4, 4)", [(4, 4), (4, 4)], lambda lib, a, b: a * b, True),
    ("relu (4, 4)", [(4, 4)], lambda lib, a: lib.relu(a), True),
    ("exp (4, 4)", [(4, 4)], lambda lib, a: lib.exp(a), True),
    ("sum (4, 4)", [(4, 4)], lambda lib, a: a.sum(), True),
    ("matmul (4, 4) @ (4, 4)", [(4, 4), (4, 4)], lambda lib, a, b: a @ b, True),
    ("linear (4, 4) -> 4", [(4, 4), (4, 4), (4,)], _linear, True),
    ("cross_entropy (4, 3)", [(4, 3), None], _cross_entropy, True),
]
HEADLINE = "mul (4, 4) * (4, 4)"  # "one small op": the fixed cost the 20 µs target is about


def _arrays(shapes, rng):
    out = []
    for s in shapes:
        if s is None:  # class targets for the logits before them
            out.append(rng.integers(0, out[0].shape[1], out[0].shape[0]))
        else:
            out.append(rng.standard_normal(s).astype(F32))
    return out


def _case(lib, fn, arrays):
    """The timed closure: forward, backward, reset .grad."""
    ts = []
    for a in arrays:
        t = lib.from_numpy(a.copy())
        if a.dtype == F32:
            t.requires_grad_(True)
        ts.append(t)
    leaves = [t for t in ts if t.requires_grad]
    out = fn(lib, *ts)
    grad = None if out.dim() == 0 else lib.from_numpy(np.ones(tuple(out.shape), F32))

    def call():
        fn(lib, *ts).backward(grad)
        for t in leaves:
            t.grad = None

    return call


def run(torch, minigrad, cfg):
    rng = np.random.default_rng(0)
    results = []
    for name, shapes, fn, tiny in OPS:
        arrays = _arrays(shapes, rng)
        cases = {"minigrad": _case(minigrad, fn, arrays), "torch": _case(torch, fn, arrays)}
        contenders = {k: (lambda c=c: common.per_call(c, min_time=cfg["op_min_time"])) for k, c in cases.items()}
        times = common.interleave(contenders, rounds=cfg["op_rounds"], warmup=1)
        results.append({"op": name, "tiny": tiny, "minigrad_us": common.summary([t * 1e6 for t in times["minigrad"]]),
                        "torch_us": common.summary([t * 1e6 for t in times["torch"]]),
                        "ratio": common.ratios(times, "minigrad", "torch")})
    headline = next(r for r in results if r["op"] == HEADLINE)
    return {"ops": results, "headline_op": HEADLINE, "headline_minigrad_us": headline["minigrad_us"]["median"],
            "headline_torch_us": headline["torch_us"]["median"]}


def table(r):
    rows = ["| op (forward + backward) | minigrad µs | torch µs | minigrad / torch |", "|---|---|---|---|"]
    for o in r["ops"]:
        m, t = o["minigrad_us"], o["torch_us"]
        rows.append(f"| {o['op']}{' (tiny)' if o['tiny'] else ''} | {m['median']:.1f} ({m['min']:.1f}–{m['max']:.1f})"
                    f" | {t['median']:.1f} ({t['min']:.1f}–{t['max']:.1f}) | {o['ratio']['median']:.2f}x |")
    return "\n".join(rows)
