"""Benchmark 1: one training epoch of the tutorial MLP on pre-batched FashionMNIST (batch 64, SGD lr 1e-3, float32).

Contenders, alternating within each round: minigrad, torch CPU eager, torch CUDA (when a GPU is present) and the
hand-written NumPy floor; plus the compute floor, the model's FLOPs at the machine's measured sgemm rate.
"""
import time

from . import common, models
from .numpy_mlp import NumpyMLP


def run(torch, minigrad, cfg):
    x, y = common.fashion_mnist(limit=cfg["train_limit"])
    data = common.batches(x, y)
    weights = common.init_weights()
    numpy_net = NumpyMLP(weights)
    contenders = {"numpy floor": lambda: common.timed(numpy_net.epoch, data)}
    mg = models.Trainer(minigrad, weights)
    mg_data = models.to_lib(minigrad, data)
    contenders["minigrad"] = lambda: common.timed(mg.epoch, mg_data)
    tc = models.Trainer(torch, weights)
    tc_data = models.to_lib(torch, data)
    contenders["torch CPU"] = lambda: common.timed(tc.epoch, tc_data)
    if torch.cuda.is_available():
        tg = models.Trainer(torch, weights)
        tg.model.to("cuda")
        tg.optimizer = torch.optim.SGD(tg.model.parameters(), lr=common.LR)
        tg_data = models.to_lib(torch, data, device="cuda")

        def cuda_epoch():
            torch.cuda.synchronize()
            t = time.perf_counter()
            tg.epoch(tg_data)
            torch.cuda.synchronize()  # kernels run asynchronously: wait for the last one
            return time.perf_counter() - t

        contenders["torch CUDA"] = cuda_epoch

    # same start, same batches: after the warm-up epoch all CPU contenders must hold the same weights
    times = common.interleave(contenders, rounds=cfg["epoch_rounds"], warmup=1)
    other = _other_threads(torch, contenders, cfg)
    agree = max(models.max_weight_diff(mg.weights(), tc.weights()),
                models.max_weight_diff(numpy_net.params, tc.weights()))

    flops = common.mlp_flops(common.TUTORIAL_SIZES, common.BATCH) * len(data)
    rate = common.sgemm_rate()
    result = {
        "steps_per_epoch": len(data), "samples": len(x), "flops_per_epoch": flops, "sgemm_gflops": rate / 1e9,
        "compute_floor_s": flops / rate, "max_weight_diff_vs_torch": agree,
        "times": {k: common.summary(v) for k, v in times.items()}, "raw": times,
        "ratio_minigrad_over_torch": common.ratios(times, "minigrad", "torch CPU"),
        "ratio_minigrad_over_numpy": common.ratios(times, "minigrad", "numpy floor"),
        "ratio_numpy_over_torch": common.ratios(times, "numpy floor", "torch CPU"),
    }
    if other is not None:
        result["other_threads"] = other
    return result


def _other_threads(torch, contenders, cfg):
    """The same contenders again with `cfg["epoch_other_threads"]` BLAS/intra-op threads (then restored): on a small
    shared machine the libraries' default thread pools behave very differently from one thread each."""
    n = cfg.get("epoch_other_threads")
    before = torch.get_num_threads()
    if not n or n == before:
        return None
    blas_before = common.blas_threads()[0]
    torch.set_num_threads(n)
    common.set_blas_threads(n)
    try:
        cpu = {k: v for k, v in contenders.items() if k != "torch CUDA"}
        times = common.interleave(cpu, rounds=cfg.get("epoch_other_rounds", cfg["epoch_rounds"]), warmup=1)
    finally:
        torch.set_num_threads(before)
        common.set_blas_threads(blas_before)
    return {"threads": n, "times": {k: common.summary(v) for k, v in times.items()}, "raw": times,
            "ratio_minigrad_over_torch": common.ratios(times, "minigrad", "torch CPU"),
            "ratio_minigrad_over_numpy": common.ratios(times, "minigrad", "numpy floor"),
            "ratio_numpy_over_torch": common.ratios(times, "numpy floor", "torch CPU")}


def table(r):
    rows = ["| contender | epoch time (median) | min – max | vs torch CPU (median of per-round ratios) |",
            "|---|---|---|---|"]
    ratio_to_torch = {"minigrad": r["ratio_minigrad_over_torch"]["median"],
                      "numpy floor": r["ratio_numpy_over_torch"]["median"], "torch CPU": 1.0}
    for name, s in r["times"].items():
        ratio = ratio_to_torch.get(name)
        rt = f"{ratio:.2f}x" if ratio is not None else "-"
        rows.append(f"| {name} | {s['median']:.3f} s | {s['min']:.3f} – {s['max']:.3f} s | {rt} |")
    rows.append(f"| compute floor ({r['sgemm_gflops']:.1f} GFLOP/s sgemm x {r['flops_per_epoch'] / 1e9:.2f} GFLOP) "
                f"| {r['compute_floor_s']:.3f} s | - | - |")
    o = r.get("other_threads")
    if o is not None:
        rows += ["", f"The same with {o['threads']} threads for every library (their pools share the cores with the "
                 "other contenders' and with anything else running):", "",
                 "| contender | epoch time (median) | min – max | vs torch CPU |", "|---|---|---|---|"]
        ratio = {"minigrad": o["ratio_minigrad_over_torch"]["median"],
                 "numpy floor": o["ratio_numpy_over_torch"]["median"], "torch CPU": 1.0}
        for name, s in o["times"].items():
            rows.append(f"| {name} | {s['median']:.3f} s | {s['min']:.3f} – {s['max']:.3f} s | {ratio[name]:.2f}x |")
    return "\n".join(rows) + (f"\n\n{r['steps_per_epoch']} steps of batch {common.BATCH} over {r['samples']} samples; "
                              f"largest weight difference from torch after the rounds: "
                              f"{r['max_weight_diff_vs_torch']:.2e}.")
