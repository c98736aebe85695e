"""Benchmark 9: one training epoch of the small FashionMNIST CNN (`minigrad compare --model cnn`'s model: conv,
batchnorm, ReLU, max-pool twice, then a linear layer) on pre-batched data (batch 64, SGD lr 1e-3, float32).

Contenders, alternating within each round: minigrad and torch CPU eager, at the same thread count, from the same
initial weights (drawn by torch, copied bit for bit) and the same batches, in train mode (batch statistics).
"""
import numpy as np

from . import common, models


class CNNTrainer(models.Trainer):
    """The CNN, its loss and SGD; `epoch(data)` is the tutorial's training loop body over the batches."""

    def __init__(self, lib, model, lr=common.LR):
        self.lib, self.model = lib, model
        self.model.train()
        self.loss_fn = lib.nn.CrossEntropyLoss()
        self.optimizer = lib.optim.SGD(self.model.parameters(), lr=lr)

    def weights(self):
        return [(p.detach().cpu().numpy(),) for p in self.model.parameters()]


def cnn_pair(torch, minigrad, seed=0):
    """The torch CNN (reference/model.py) and minigrad's (minigrad/cli/model.py) with the same state, bit for bit."""
    from minigrad.cli.model import CNN as MinigradCNN
    from reference.model import CNN as TorchCNN
    torch.manual_seed(seed)
    t_model, m_model = TorchCNN(), MinigradCNN()
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    return t_model, m_model


def run(torch, minigrad, cfg):
    x, y = common.fashion_mnist(limit=cfg["train_limit"])
    data = common.batches(x, y)
    t_model, m_model = cnn_pair(torch, minigrad)
    mg, tc = CNNTrainer(minigrad, m_model), CNNTrainer(torch, t_model)
    mg_data, tc_data = models.to_lib(minigrad, data), models.to_lib(torch, data)
    contenders = {"minigrad": lambda: common.timed(mg.epoch, mg_data),
                  "torch CPU": lambda: common.timed(tc.epoch, tc_data)}
    times = common.interleave(contenders, rounds=cfg.get("cnn_rounds", 2), warmup=1)
    # same start, same batches, same number of epochs: the weights differ by float32 drift only
    agree = max(float(np.abs(a - b).max()) for (a,), (b,) in zip(mg.weights(), tc.weights()))
    return {"steps_per_epoch": len(data), "samples": len(x), "threads": torch.get_num_threads(),
            "blas_threads": common.blas_threads()[0], "blas_core": common.blas_core(),
            "max_weight_diff_vs_torch": agree,
            "times": {k: common.summary(v) for k, v in times.items()}, "raw": times,
            "ratio_minigrad_over_torch": common.ratios(times, "minigrad", "torch CPU")}


def table(r):
    rows = ["| contender | epoch time (median) | min – max | vs torch CPU (median of per-round ratios) |",
            "|---|---|---|---|"]
    ratio = {"minigrad": r["ratio_minigrad_over_torch"]["median"], "torch CPU": 1.0}
    for name, s in r["times"].items():
        rows.append(f"| {name} | {s['median']:.3f} s | {s['min']:.3f} – {s['max']:.3f} s | {ratio[name]:.2f}x |")
    return "\n".join(rows) + (f"\n\n{r['steps_per_epoch']} steps of batch {common.BATCH} over {r['samples']} samples, "
                              f"{r['threads']} torch intra-op thread(s), {r['blas_threads']} BLAS thread(s) for "
                              f"NumPy (OpenBLAS kernels: {r.get('blas_core', 'not recorded')}); largest weight "
                              f"difference from torch after the rounds (float32 drift): "
                              f"{r['max_weight_diff_vs_torch']:.2e}.")
