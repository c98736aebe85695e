"""Benchmark: a Hessian-vector product on the tutorial MLP (784-512-512-10, batch 64, float32), with respect to all
six parameters, of the cross-entropy loss, minigrad against torch CPU.

Two ways in each framework: `autograd.functional.hvp` (torch's double-backward trick: a third backward through the
recorded second one) and a plain double backward (g = grad(loss, params, create_graph=True), then grad(g, params, v),
which is v^T H = H v since H is symmetric). One call = the forward, the backwards, the product; nothing is kept.

    python -m benchmarks.bench_hvp            # one BLAS / intra-op thread each, a few rounds
    python -m benchmarks.bench_hvp --quick    # seconds, to check it runs
"""
import argparse
import sys

import numpy as np

from . import common

ROUNDS, MIN_TIME = 5, 0.5
QUICK_ROUNDS, QUICK_MIN_TIME = 1, 0.0


def _data(batch=common.BATCH):
    """The first FashionMNIST batch when the files are there, else random images of its shape."""
    try:
        x, y = common.fashion_mnist(limit=batch)
    except OSError:
        rng = np.random.default_rng(0)
        x, y = rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)
    return x, y


def _loss_of_parameters(lib, x, y):
    """The tutorial MLP's loss as a function of (W1, b1, W2, b2, W3, b3): Flatten, Linear, ReLU, Linear, ReLU, Linear,
    cross-entropy."""
    F = lib.nn.functional
    flat = lib.flatten(x, 1)

    def loss(w1, b1, w2, b2, w3, b3):
        h = F.relu(F.linear(flat, w1, b1))
        h = F.relu(F.linear(h, w2, b2))
        return F.cross_entropy(F.linear(h, w3, b3), y)

    return loss


def _cases(lib, weights, x, y, v):
    params = tuple(lib.from_numpy(a.copy()) for wb in weights for a in wb)
    vs = tuple(lib.from_numpy(a.copy()) for a in v)
    xs, ys = lib.from_numpy(x), lib.from_numpy(y)
    loss = _loss_of_parameters(lib, xs, ys)

    def functional_hvp():
        return lib.autograd.functional.hvp(loss, params, vs)[1]

    def double_backward():
        leaves = tuple(p.detach().requires_grad_(True) for p in params)
        g = lib.autograd.grad(loss(*leaves), leaves, create_graph=True)
        return lib.autograd.grad(g, leaves, vs)

    return {"functional.hvp": functional_hvp, "double backward": double_backward}


def run(torch, minigrad, cfg):
    weights = common.init_weights()
    x, y = _data()
    rng = np.random.default_rng(1)
    v = [rng.standard_normal(a.shape).astype(np.float32) for wb in weights for a in wb]
    cases = {}
    for name, lib in (("minigrad", minigrad), ("torch", torch)):
        for how, fn in _cases(lib, weights, x, y, v).items():
            cases[f"{name} {how}"] = fn
    # the four compute the same H v: the largest difference relative to the largest entry of torch's
    ref = [t.numpy() for t in cases["torch functional.hvp"]()]
    agreement = {}
    for k, fn in cases.items():
        got = [t.detach().numpy() for t in fn()]
        agreement[k] = max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(got, ref))
    contenders = {k: (lambda c=c: common.per_call(c, min_time=cfg.get("hvp_min_time", MIN_TIME)))
                  for k, c in cases.items()}
    times = common.interleave(contenders, rounds=cfg.get("hvp_rounds", ROUNDS), warmup=1)
    results = {k: common.summary([t * 1e3 for t in ts]) for k, ts in times.items()}
    return {"ms": results, "max_rel_diff_vs_torch": agreement,
            "ratio_functional": common.ratios(times, "minigrad functional.hvp", "torch functional.hvp"),
            "ratio_double_backward": common.ratios(times, "minigrad double backward", "torch double backward")}


def table(r):
    rows = ["| Hessian-vector product, tutorial MLP, batch 64 | ms per call | max rel. diff vs torch |",
            "|---|---|---|"]
    for k, s in r["ms"].items():
        rows.append(f"| {k} | {s['median']:.1f} ({s['min']:.1f}–{s['max']:.1f}) | "
                    f"{r['max_rel_diff_vs_torch'][k]:.1e} |")
    rows.append(f"\nminigrad / torch: functional.hvp {r['ratio_functional']['median']:.2f}x, "
                f"double backward {r['ratio_double_backward']['median']:.2f}x (median of per-round ratios)")
    return "\n".join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_hvp", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="one round, one call each: checks the script runs")
    p.add_argument("--threads", type=int, default=1, help="BLAS / intra-op threads for both frameworks (default 1)")
    args = p.parse_args(argv)
    import torch

    import minigrad

    torch.set_num_threads(args.threads)
    common.set_blas_threads(args.threads)
    cfg = (dict(hvp_rounds=QUICK_ROUNDS, hvp_min_time=QUICK_MIN_TIME) if args.quick
           else dict(hvp_rounds=ROUNDS, hvp_min_time=MIN_TIME))
    r = run(torch, minigrad, cfg)
    info = common.machine_info(torch)
    print(f"numpy BLAS threads {info['numpy_blas_threads']}, torch threads {info['torch_threads']}, "
          f"cpu_count {info['cpu_count']}", file=sys.stderr)
    print(table(r))
    return r


if __name__ == "__main__":
    main()
