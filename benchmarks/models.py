"""The tutorial's model and training step, written once for both frameworks.

`lib` is `torch` or `minigrad`: the same source runs on either, which is the point of a drop-in API.
"""
import numpy as np

from . import common


def build_mlp(lib, weights):
    """nn.Sequential(Flatten, Linear, ReLU, Linear, ReLU, Linear) with the given [(W, b), ...] copied in."""
    nn = lib.nn
    layers = [nn.Flatten()]
    for i, (w, b) in enumerate(weights):
        linear = nn.Linear(w.shape[1], w.shape[0])
        with lib.no_grad():
            linear.weight.copy_(lib.from_numpy(w.copy()))
            linear.bias.copy_(lib.from_numpy(b.copy()))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Trainer:
    """Model, loss and SGD of the tutorial; `step(x, y)` is its training loop body."""

    def __init__(self, lib, weights, lr=common.LR):
        self.lib = lib
        self.model = build_mlp(lib, weights)
        self.loss_fn = lib.nn.CrossEntropyLoss()
        self.optimizer = lib.optim.SGD(self.model.parameters(), lr=lr)

    def step(self, x, y):
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss

    def epoch(self, data):
        loss = None
        for x, y in data:
            loss = self.step(x, y)
        return loss

    def weights(self):
        """[(W, b), ...] as NumPy arrays, to check that contenders computed the same thing."""
        linears = [m for m in self.model if isinstance(m, self.lib.nn.Linear)]
        return [(m.weight.detach().cpu().numpy(), m.bias.detach().cpu().numpy()) for m in linears]


def to_lib(lib, data, device=None):
    """Pre-batched NumPy [(x, y), ...] as the framework's tensors (zero-copy on the CPU)."""
    out = [(lib.from_numpy(x), lib.from_numpy(y)) for x, y in data]
    if device is not None:
        out = [(x.to(device), y.to(device)) for x, y in out]
    return out


def max_weight_diff(a, b):
    return max(float(np.abs(x - y).max()) for pa, pb in zip(a, b) for x, y in zip(pa, pb))
