"""Measuring how far minigrad and torch are apart, one training step at a time.

Relative errors are taken against the torch value's scale: for a loss, |a - b| / |b|; for a tensor,
max|a - b| / max|b| (an elementwise ratio would be dominated by the weights that happen to be near zero).
"""
import numpy as np

_TINY = 1e-30  # keeps a relative error finite when the reference is exactly zero


def tensor_error(a, b):
    """(max abs difference, relative difference) between two arrays of the same shape."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0, 0.0
    abs_err = float(np.max(np.abs(a - b)))
    return abs_err, abs_err / max(float(np.max(np.abs(b))), _TINY)


def scalar_error(a, b):
    abs_err = abs(float(a) - float(b))
    return abs_err, abs_err / max(abs(float(b)), _TINY)


def torch_array(t):
    """A torch tensor's values as a NumPy array (no copy on the CPU)."""
    return t.detach().cpu().numpy()


def buffer_error(bm, bt):
    """tensor_error of a minigrad and a torch buffer, in float64 (num_batches_tracked is an int64 counter)."""
    return tensor_error(np.asarray(bm.numpy(), np.float64), torch_array(bt).astype(np.float64))


class DriftTracker:
    """Per-step losses and differences, the per-epoch extremes, and the first step over the tolerance."""

    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.steps = {"loss_minigrad": [], "loss_torch": [], "loss_rel_diff": [],
                      "param_max_abs_diff": [], "param_max_rel_diff": [],
                      "buffer_max_abs_diff": [], "buffer_max_rel_diff": []}
        self.first_exceeded = None
        self.step = 0
        self.new_epoch(0)

    def new_epoch(self, epoch):
        self.epoch = epoch
        self.epoch_start = len(self.steps["loss_minigrad"])
        self.grad_worst = None  # (rel, abs, name, step) of the largest gradient difference in this epoch

    def _check(self, batch, quantity, name, abs_err, rel_err):
        if self.first_exceeded is None and rel_err > self.tolerance:
            self.first_exceeded = {"step": self.step, "epoch": self.epoch + 1, "batch": batch,
                                   "quantity": quantity, "name": name, "abs_error": abs_err,
                                   "rel_error": rel_err, "tolerance": self.tolerance}

    def losses(self, batch, loss_minigrad, loss_torch):
        abs_err, rel_err = scalar_error(loss_minigrad, loss_torch)
        self.steps["loss_minigrad"].append(float(loss_minigrad))
        self.steps["loss_torch"].append(float(loss_torch))
        self.steps["loss_rel_diff"].append(rel_err)
        self._check(batch, "loss", "loss", abs_err, rel_err)

    def grads(self, batch, named_pairs):
        """named_pairs: (name, minigrad param, torch param) after backward, before the optimizer step."""
        for name, pm, pt in named_pairs:
            abs_err, rel_err = tensor_error(pm.grad.numpy(), torch_array(pt.grad))
            if self.grad_worst is None or rel_err > self.grad_worst[0]:
                self.grad_worst = (rel_err, abs_err, name, self.step)
            self._check(batch, "gradient", name, abs_err, rel_err)

    def buffers(self, batch, named_pairs):
        """After the forward: batchnorm's running statistics (num_batches_tracked counts too, exactly). Call before
        `params`, which ends the step."""
        worst_abs = worst_rel = 0.0
        for name, bm, bt in named_pairs:
            abs_err, rel_err = buffer_error(bm, bt)
            worst_abs, worst_rel = max(worst_abs, abs_err), max(worst_rel, rel_err)
            self._check(batch, "buffer", name, abs_err, rel_err)
        self.steps["buffer_max_abs_diff"].append(worst_abs)
        self.steps["buffer_max_rel_diff"].append(worst_rel)

    def params(self, batch, named_pairs):
        """After the optimizer step; ends the step."""
        worst_abs = worst_rel = 0.0
        for name, pm, pt in named_pairs:
            abs_err, rel_err = tensor_error(pm.detach().numpy(), torch_array(pt))
            worst_abs, worst_rel = max(worst_abs, abs_err), max(worst_rel, rel_err)
            self._check(batch, "parameter", name, abs_err, rel_err)
        self.steps["param_max_abs_diff"].append(worst_abs)
        self.steps["param_max_rel_diff"].append(worst_rel)
        self.step += 1

    def epoch_summary(self, named_pairs, buffer_pairs=()):
        """The epoch's largest per-step loss difference, and every parameter's (and buffer's) difference at its end."""
        sl = slice(self.epoch_start, None)
        rel = self.steps["loss_rel_diff"][sl]
        worst_step = int(np.argmax(rel)) if rel else 0
        params = {name: dict(zip(("abs", "rel"), tensor_error(pm.detach().numpy(), torch_array(pt))))
                  for name, pm, pt in named_pairs}
        worst = max(params, key=lambda n: params[n]["rel"]) if params else None
        out = {"max_step_loss_rel_diff": max(rel) if rel else 0.0,
               "max_step_loss_rel_diff_at_step": self.epoch_start + worst_step,
               "max_param_abs_diff": max((p["abs"] for p in params.values()), default=0.0),
               "max_param_rel_diff": max((p["rel"] for p in params.values()), default=0.0),
               "max_param_diff_name": worst,
               "param_diff": params}
        if buffer_pairs:
            buffers = {name: dict(zip(("abs", "rel"), buffer_error(bm, bt))) for name, bm, bt in buffer_pairs}
            out.update(max_buffer_abs_diff=max(b["abs"] for b in buffers.values()),
                       max_buffer_rel_diff=max(b["rel"] for b in buffers.values()),
                       max_buffer_diff_name=max(buffers, key=lambda n: buffers[n]["rel"]),
                       max_step_buffer_rel_diff=max(self.steps["buffer_max_rel_diff"][sl], default=0.0),
                       first_step_buffer_rel_diff=(self.steps["buffer_max_rel_diff"][sl] or [0.0])[0],
                       buffer_diff=buffers)
        if self.grad_worst is not None:
            rel_err, abs_err, name, step = self.grad_worst
            out["max_grad_diff"] = {"name": name, "abs": abs_err, "rel": rel_err, "step": step}
        return out
