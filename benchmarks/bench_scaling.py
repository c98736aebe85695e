"""Benchmark 5: time per training sample as the batch grows (16..1024, hidden 512) and as the hidden width grows
(128..2048, batch 64), minigrad against torch CPU, on random inputs of FashionMNIST's shape.

Small batches show the fixed per-step cost (Python and dispatch); large ones show the matmul kernels.
"""
import numpy as np

from . import common, models

BATCHES = (16, 32, 64, 128, 256, 512, 1024)
HIDDENS = (128, 256, 512, 1024, 2048)


def _config(torch, minigrad, batch, hidden, cfg, rng):
    sizes = (784, hidden, hidden, 10)
    weights = common.init_weights(sizes)
    # about the same arithmetic per measurement whatever the size: enough steps to be well above timer noise
    steps = int(np.clip(cfg["scaling_flops"] / common.mlp_flops(sizes, batch), 2, 200))
    x = rng.random((steps, batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, (steps, batch))
    data = list(zip(x, y))
    contenders = {}
    for name, lib in (("minigrad", minigrad), ("torch", torch)):
        trainer = models.Trainer(lib, weights)
        batches = models.to_lib(lib, data)
        trainer.step(*batches[0])  # warm-up
        contenders[name] = (lambda t=trainer, b=batches: common.timed(t.epoch, b) / (steps * batch))
    times = common.interleave(contenders, rounds=cfg["scaling_rounds"], warmup=0)
    return {"batch": batch, "hidden": hidden, "steps": steps,
            "minigrad_us_per_sample": common.summary([t * 1e6 for t in times["minigrad"]]),
            "torch_us_per_sample": common.summary([t * 1e6 for t in times["torch"]]),
            "ratio": common.ratios(times, "minigrad", "torch")}


def run(torch, minigrad, cfg):
    rng = np.random.default_rng(0)
    batches = cfg.get("scaling_batches", BATCHES)
    hiddens = cfg.get("scaling_hiddens", HIDDENS)
    return {"batch": [_config(torch, minigrad, b, 512, cfg, rng) for b in batches],
            "hidden": [_config(torch, minigrad, common.BATCH, h, cfg, rng) for h in hiddens]}


def table(r):
    out = []
    for key, label in (("batch", "batch (hidden 512)"), ("hidden", "hidden (batch 64)")):
        rows = [f"| {label} | minigrad µs/sample | torch µs/sample | minigrad / torch |", "|---|---|---|---|"]
        for c in r[key]:
            m, t = c["minigrad_us_per_sample"], c["torch_us_per_sample"]
            rows.append(f"| {c[key]} | {m['median']:.2f} | {t['median']:.2f} | {c['ratio']['median']:.2f}x |")
        out.append("\n".join(rows))
    return "\n\n".join(out)


def plot(r, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, label in ((axes[0], "batch", "batch size (hidden 512)"), (axes[1], "hidden", "hidden width (batch 64)")):
        xs = [c[key] for c in r[key]]
        for name in ("minigrad", "torch"):
            ax.plot(xs, [c[f"{name}_us_per_sample"]["median"] for c in r[key]], marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("µs per training sample (median)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("Training time per sample: tutorial MLP, SGD, float32, CPU")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
