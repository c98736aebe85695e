"""Benchmarks 2 and 3: the tutorial's whole pipeline, and where each step's time goes.

FashionMNIST(train=True, transform=ToTensor()) + DataLoader(batch_size=64, shuffle=True) + the training loop:
minigrad's own dataset/transform/loader against torchvision + torch's DataLoader, both reading the same raw IDX
files. The loop is instrumented (four perf_counter reads per step, well under a microsecond) so the same run gives
the epoch time and the step breakdown: data (fetching the next batch), forward (model + loss), backward, and the
optimizer step with zero_grad.
"""
import gzip
import os
import shutil
import tempfile
import time

from . import common, models

PHASES = ("data", "forward", "backward", "step")


def raw_root():
    """A root with FashionMNIST/raw/ holding the four files uncompressed, as torchvision wants them (it refuses
    to read the .gz files without download=True, and there is no network). Made once, then reused."""
    root = os.path.join(tempfile.gettempdir(), "minigrad-bench-data")
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for prefix in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                   "t10k-labels-idx1-ubyte"):
        dst = os.path.join(raw, prefix)
        if not os.path.exists(dst):
            with gzip.open(os.path.join(common.DATA_DIR, prefix + ".gz"), "rb") as f, open(dst + ".part", "wb") as g:
                shutil.copyfileobj(f, g)
            os.replace(dst + ".part", dst)
    return root


def make_loader(lib, root):
    """The tutorial's training_data and train_dataloader, in minigrad's or torchvision + torch's spelling."""
    if lib.__name__ == "minigrad":
        from minigrad.utils.data import DataLoader
        from minigrad.vision import datasets, transforms
    else:
        from torch.utils.data import DataLoader
        from torchvision import datasets, transforms
    t = time.perf_counter()
    data = datasets.FashionMNIST(root=root, train=True, download=False, transform=transforms.ToTensor())
    load_s = time.perf_counter() - t
    return DataLoader(data, batch_size=common.BATCH, shuffle=True), load_s


def instrumented_epoch(trainer, loader, max_steps=None):
    """One pass over the loader (or its first `max_steps` batches): total seconds, per-phase seconds, steps."""
    phase = dict.fromkeys(PHASES, 0.0)
    steps = 0
    clock = time.perf_counter
    start = t0 = clock()
    it = iter(loader)
    while max_steps is None or steps < max_steps:
        try:
            x, y = next(it)
        except StopIteration:
            break
        t1 = clock()
        loss = trainer.loss_fn(trainer.model(x), y)
        t2 = clock()
        loss.backward()
        t3 = clock()
        trainer.optimizer.step()
        trainer.optimizer.zero_grad()
        t4 = clock()
        phase["data"] += t1 - t0
        phase["forward"] += t2 - t1
        phase["backward"] += t3 - t2
        phase["step"] += t4 - t3
        steps += 1
        t0 = clock()
    return clock() - start, phase, steps


def run(torch, minigrad, cfg):
    root = raw_root()
    weights = common.init_weights()
    runs, loads = {}, {}
    for name, lib in (("minigrad", minigrad), ("torch", torch)):
        loader, loads[name] = make_loader(lib, root)
        trainer = models.Trainer(lib, weights)
        instrumented_epoch(trainer, loader, max_steps=cfg["pipeline_warmup_steps"])  # warm-up
        runs[name] = (trainer, loader, len(loader))
    phases = {name: [] for name in runs}

    def contender(name):
        trainer, loader, n = runs[name]

        def go():
            total, phase, steps = instrumented_epoch(trainer, loader, cfg["pipeline_steps"])
            phases[name].append({k: v / steps for k, v in phase.items()})
            return total * n / steps  # scaled to a whole epoch when only the first batches ran

        return go

    contenders = {name: contender(name) for name in runs}
    times = common.interleave(contenders, rounds=cfg["pipeline_rounds"], warmup=0)
    steps = {name: n for name, (_, _, n) in runs.items()}
    breakdown = {name: {k: common.summary([p[k] * 1e3 for p in ps]) for k in PHASES} for name, ps in phases.items()}
    other = _other_threads(torch, contenders, cfg)
    return {"other_threads": other,
        "epoch_s": {k: common.summary(v) for k, v in times.items()}, "raw": times, "dataset_load_s": loads,
        "steps_per_epoch": steps, "timed_steps": cfg["pipeline_steps"] or steps["minigrad"],
        "speedup_minigrad_over_torch": common.ratios(times, "torch", "minigrad"),
        "breakdown_ms_per_step": breakdown,
    }


def _other_threads(torch, contenders, cfg):
    """The pipeline again with every library at `cfg["epoch_other_threads"]` threads (then restored)."""
    n = cfg.get("epoch_other_threads")
    before, blas_before = torch.get_num_threads(), common.blas_threads()[0]
    if not n or n == before:
        return None
    torch.set_num_threads(n)
    common.set_blas_threads(n)
    try:
        times = common.interleave(contenders, rounds=cfg.get("epoch_other_rounds", cfg["pipeline_rounds"]), warmup=0)
    finally:
        torch.set_num_threads(before)
        common.set_blas_threads(blas_before)
    return {"threads": n, "epoch_s": {k: common.summary(v) for k, v in times.items()}, "raw": times,
            "speedup_minigrad_over_torch": common.ratios(times, "torch", "minigrad")}


def table(r):
    rows = ["| pipeline | epoch (median) | min – max | dataset construction |", "|---|---|---|---|"]
    for name, s in r["epoch_s"].items():
        label = "minigrad (vision + utils.data)" if name == "minigrad" else "torchvision + torch DataLoader"
        rows.append(f"| {label} | {s['median']:.2f} s | {s['min']:.2f} – {s['max']:.2f} s | "
                    f"{r['dataset_load_s'][name]:.2f} s |")
    o = r.get("other_threads")
    if o is not None:
        for name, s in o["epoch_s"].items():
            label = "minigrad" if name == "minigrad" else "torchvision + torch"
            rows.append(f"| {label}, {o['threads']} threads | {s['median']:.2f} s | {s['min']:.2f} – {s['max']:.2f} s "
                        "| - |")
    sp = r["speedup_minigrad_over_torch"]
    note = (f"\n\nminigrad is **{sp['median']:.1f}x** faster (median of per-round ratios; range {sp['min']:.1f}–"
            f"{sp['max']:.1f}x). Each round timed the first {r['timed_steps']} of "
            f"{r['steps_per_epoch']['minigrad']} shuffled batches, scaled to the whole epoch; the step breakdown "
            "below is from the first thread setting.")
    if o is not None:
        so = o["speedup_minigrad_over_torch"]
        note += f" With {o['threads']} threads each: **{so['median']:.1f}x** ({so['min']:.1f}–{so['max']:.1f}x)."
    return "\n".join(rows) + note


def breakdown_table(r):
    rows = ["| ms per step | " + " | ".join(PHASES) + " | total |", "|---" * (len(PHASES) + 2) + "|"]
    for name, b in r["breakdown_ms_per_step"].items():
        cells = [f"{b[k]['median']:.3f}" for k in PHASES]
        total = sum(b[k]["median"] for k in PHASES)
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {total:.3f} |")
    return "\n".join(rows)
