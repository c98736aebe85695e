"""ASGD (averaged stochastic gradient descent), following torch's single-tensor update operation for operation.

For each parameter p with gradient g, at step t (eta and mu live in float32 0-dim tensors, as in torch):

    g <- -g                                                  if maximize
    g <- g + weight_decay * p                                if weight_decay != 0
    p <- p * (1 - lambd * eta)                               decay
    p <- p - eta * g                                         the SGD step
    ax <- ax + mu * (p - ax)      (ax <- p when mu == 1)     the running average of the iterates
    eta <- lr / (1 + lambd * lr * t) ** alpha
    mu <- 1 / max(1, t - t0)                                 averaging starts after t0 steps
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .optimizer import (Optimizer, _bump_version, _check_options, _no_variants, _scalar, _scalar_state,
                        _tensor_steps, _zeros_state)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_options(lr=lr, weight_decay=weight_decay)
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _fill_group_defaults(self, group):
        for key, value in (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False)):
            group.setdefault(key, value)
        _tensor_steps(self, group, "step", "eta", "mu")

    def _state(self, p, lr):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _scalar_state()
            state["eta"] = _scalar_state(lr)
            state["mu"] = _scalar_state(1.0)
            state["ax"] = _zeros_state(p)
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha = _scalar(group["lr"]), _scalar(group["lambd"]), _scalar(group["alpha"])
            t0, weight_decay = _scalar(group["t0"]), _scalar(group["weight_decay"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._state(p, lr)
                x = p.data
                cast = x.dtype.type
                step_t = state["step"].data
                step_t += 1
                g = -p.grad.data if group["maximize"] else p.grad.data
                if weight_decay != 0:
                    g = g + cast(weight_decay) * x
                eta = float(state["eta"].data)
                np.multiply(x, cast(1 - lambd * eta), out=x)
                x -= cast(eta) * g
                ax, mu = state["ax"].data, state["mu"].data
                if float(mu) != 1:
                    ax += (x - ax) * cast(mu)
                else:
                    np.copyto(ax, x)
                step = float(step_t)
                # the new values pass through float32, as torch builds them with torch.as_tensor
                state["eta"].data[...] = np.float32(lr / ((1 + lambd * lr * step) ** alpha))
                state["mu"].data[...] = np.float32(1 / max(1, step - t0))
                _bump_version(p)
        return loss
