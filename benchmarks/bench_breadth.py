"""Benchmark 8: the breadth of ops (torch's op set beyond the tutorial), forward + backward at the tutorial's size.

Each op runs on (64, 512) float32 inputs (positive where its domain needs it), one thread each, timed like benchmark
4: forward, backward with a gradient of ones, .grad reset. An op slower than 2x torch carries the reason in
REASONS, printed beside it in the table.
"""
import numpy as np

from . import common
from .bench_ops import _case

SHAPE = (64, 512)
POS, ANY, UNIT = "pos", "any", "unit"  # input domains: (0.5, 2.5), normal, (-0.9, 0.9)


def _f(name):
    return lambda lib, *a: getattr(lib, name)(*a)


def _nnf(name, **kw):
    return lambda lib, *a: getattr(lib.nn.functional, name)(*a, **kw)


def _loss(name, **kw):  # the target needs no gradient (torch refuses one for some losses)
    return lambda lib, a, t: getattr(lib.nn.functional, name)(a, t.detach(), **kw)


def _m(name, *args):
    return lambda lib, a: getattr(a, name)(*args)


# (name, input domains, fn(lib, *tensors))
OPS = [(n, [d], _f(n)) for n, d in [
    ("sin", ANY), ("cos", ANY), ("tan", UNIT), ("asin", UNIT), ("atan", ANY), ("sinh", ANY), ("cosh", ANY),
    ("asinh", ANY), ("atanh", UNIT), ("exp2", ANY), ("expm1", ANY), ("log2", POS), ("log10", POS), ("log1p", POS),
    ("rsqrt", POS), ("reciprocal", POS), ("square", ANY), ("erf", ANY), ("erfc", ANY), ("erfinv", UNIT),
    ("logit", UNIT)]] + [(n, [ANY, POS], _f(n)) for n in (
        "atan2", "hypot", "logaddexp", "fmod", "remainder", "copysign", "float_power", "xlogy")] + [
    ("lerp", [ANY, ANY], lambda lib, a, b: lib.lerp(a, b, 0.3)),
    ("addcmul", [ANY, ANY, ANY], lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5)),
    ("addcdiv", [ANY, ANY, POS], lambda lib, a, b, c: lib.addcdiv(a, b, c, value=0.5)),
] + [(n, [ANY], _nnf(n)) for n in (
    "gelu", "silu", "mish", "elu", "celu", "selu", "leaky_relu", "relu6", "hardtanh", "hardsigmoid", "hardswish",
    "softplus", "softsign", "logsigmoid", "tanhshrink", "softshrink", "hardshrink")] + [
    ("gelu tanh", [ANY], _nnf("gelu", approximate="tanh")),
    ("softmin", [ANY], _nnf("softmin", dim=1)),
    ("glu", [ANY], _nnf("glu", dim=1)),
    ("normalize", [ANY], _nnf("normalize", dim=1)),
    ("cosine_similarity", [ANY, ANY], _nnf("cosine_similarity")),
    ("smooth_l1_loss", [ANY, ANY], _loss("smooth_l1_loss")),
    ("huber_loss", [ANY, ANY], _loss("huber_loss")),
    ("kl_div", [ANY, POS], _loss("kl_div", reduction="batchmean")),
    ("soft_margin_loss", [ANY, ANY], _loss("soft_margin_loss")),
    ("prod dim=1", [POS], _m("prod", 1)),
    ("cumsum dim=1", [ANY], _m("cumsum", 1)),
    ("cumprod dim=1", [POS], _m("cumprod", 1)),
    ("logcumsumexp dim=1", [ANY], _m("logcumsumexp", 1)),
    ("sort dim=1", [ANY], lambda lib, a: a.sort(1)[0]),
    ("topk 8", [ANY], lambda lib, a: a.topk(8, 1)[0]),
    ("median dim=1", [ANY], lambda lib, a: a.median(1)[0]),
    ("quantile 0.3", [ANY], lambda lib, a: lib.quantile(a, 0.3, dim=1)),
    ("norm p=3 dim=1", [ANY], lambda lib, a: a.norm(3, 1)),
    ("logsumexp dim=1", [ANY], _m("logsumexp", 1)),
    ("var dim=1", [ANY], _m("var", 1)),
]
_TRANSCENDENTAL = ("exp/expm1/log1p/tanh in NumPy: a pass and a temporary each, and the backward recomputes them; "
                   "torch fuses each direction into one vectorised loop")
_MASKS = ("masks and np.where: 3-4 passes with temporaries where torch makes one (its kernel is ~20 µs: the op "
          "is memory-bound, so every extra pass shows)")
_ERF = ("NumPy has no erf: minigrad computes it in float64 by series, Taylor expansion and continued fraction "
        "(ops/special.py, ~100 ns an element) where torch calls a vectorised C erf")
_SORT = "a full sort along the dim (np.sort / np.argsort) where torch selects"
_COMPOSED = ("a composition of ~7 recorded ops (sub, abs, lt, where, muls, mean), a pass and a node each; torch's "
             "loss is one fused kernel")
REASONS = {
    "elu": _TRANSCENDENTAL, "celu": _TRANSCENDENTAL, "selu": _TRANSCENDENTAL, "softplus": _TRANSCENDENTAL,
    "silu": _TRANSCENDENTAL, "logsigmoid": _TRANSCENDENTAL, "gelu tanh": _TRANSCENDENTAL, "mish": _TRANSCENDENTAL,
    "glu": "sigmoid of one half times the other, as separate passes and a concatenated gradient; torch fuses",
    "leaky_relu": _MASKS, "hardswish": _MASKS, "hardsigmoid": _MASKS, "softshrink": _MASKS, "hardtanh": _MASKS,
    "relu6": _MASKS, "hardshrink": _MASKS,
    "erf": _ERF, "erfc": _ERF, "erfinv": _ERF + " (and erfinv adds two Halley steps, each an erf)",
    "gelu": _ERF + " (gelu's Φ goes through it)",
    "fmod": "NumPy's float32 fmod/remainder are scalar loops (~10x torch's); the backward adds a trunc/floor pass",
    "remainder": "NumPy's float32 fmod/remainder are scalar loops (~10x torch's); the backward adds a trunc/floor pass",
    "logaddexp": "NumPy's logaddexp, then the backward's two exponentials of the differences, as separate passes",
    "hypot": "squares, a sqrt, and the backward's two divisions, each a separate pass",
    "cumsum dim=1": "the backward is a reversed cumsum: two flips (copies) around np.cumsum; torch does one kernel",
    "median dim=1": _SORT, "quantile 0.3": _SORT, "topk 8": _SORT + " (the k largest by a partial sort)",
    "smooth_l1_loss": _COMPOSED, "huber_loss": _COMPOSED, "softmin": "softmax of -x: a negation pass more",
    "cosine_similarity": "norms, a clamp, products and a division as separate recorded ops; torch fuses",
    "cumprod dim=1": "the backward divides a reversed cumsum of g z by x (three passes with copies)",
    "soft_margin_loss": "log(1 + e^(-y x)) as three recorded ops (mul, softplus, mean); torch's loss is one kernel",
}


def _arrays(domains, rng):
    out = []
    for d in domains:
        x = rng.standard_normal(SHAPE)
        if d == POS:
            x = rng.uniform(0.5, 2.5, SHAPE)
        elif d == UNIT:
            x = rng.uniform(-0.9, 0.9, SHAPE)
        out.append(x.astype(np.float32))
    return out


def run(torch, minigrad, cfg):
    rng = np.random.default_rng(0)
    results = []
    for name, domains, fn in OPS:
        arrays = _arrays(domains, rng)
        cases = {"minigrad": _case(minigrad, fn, arrays), "torch": _case(torch, fn, arrays)}
        contenders = {k: (lambda c=c: common.per_call(c, min_time=cfg.get("breadth_min_time", 0.01)))
                      for k, c in cases.items()}
        times = common.interleave(contenders, rounds=cfg.get("breadth_rounds", 3), warmup=1)
        results.append({"op": name, "minigrad_us": common.summary([t * 1e6 for t in times["minigrad"]]),
                        "torch_us": common.summary([t * 1e6 for t in times["torch"]]),
                        "ratio": common.ratios(times, "minigrad", "torch")})
    slow = [r["op"] for r in results if r["ratio"]["median"] > 2]
    return {"ops": results, "over_2x": slow, "over_2x_without_reason": [o for o in slow if o not in REASONS]}


def table(r):
    rows = [f"| op (forward + backward, {SHAPE} float32) | minigrad µs | torch µs | minigrad / torch | why, if > 2x |",
            "|---|---|---|---|---|"]
    for o in r["ops"]:
        m, t, ratio = o["minigrad_us"], o["torch_us"], o["ratio"]["median"]
        why = REASONS.get(o["op"], "(no reason written yet)") if ratio > 2 else ""
        rows.append(f"| {o['op']} | {m['median']:.1f} | {t['median']:.1f} | {ratio:.2f}x | {why} |")
    rows.append(f"\n{len(r['ops'])} ops; {len(r['over_2x'])} slower than 2x torch, "
                f"{len(r['over_2x_without_reason'])} of them without a reason written")
    return "\n".join(rows)
