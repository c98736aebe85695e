"""Adamax (Adam with the infinity norm), following torch's single-tensor update operation for operation.

For each parameter p with gradient g, at step t:

    g <- -g                                        if maximize
    g <- g + weight_decay * p                      if weight_decay != 0
    m <- lerp(m, g, 1 - beta1)                     exp_avg
    u <- max(beta2 * u, |g| + eps)                 exp_inf
    p <- p - lr / (1 - beta1 ** t) * m / u
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .adam import _lerp_
from .optimizer import Optimizer, _bump_version, _check_betas, _check_options, _no_variants, _scalar

__all__ = ["Adamax"]


class Adamax(Optimizer):
    FLAGS = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))
    STATE = (("step", 0.0), ("exp_avg", None), ("exp_inf", None))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_options(lr=lr, eps=eps)
        _check_betas(betas)
        _check_options(weight_decay=weight_decay)
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = _scalar(group["lr"]), _scalar(group["eps"]), _scalar(group["weight_decay"])
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            for p, state, step, g in self._stepping(group):
                x = p.data
                cast = x.dtype.type
                if weight_decay != 0:
                    g = g + cast(weight_decay) * x
                m, u = state["exp_avg"].data, state["exp_inf"].data
                _lerp_(m, g, cast(1 - beta1))
                np.multiply(u, cast(beta2), out=u)
                np.maximum(u, np.abs(g) + cast(eps), out=u)
                clr = lr / (1 - beta1 ** step)
                x -= cast(clr) * m / u
                _bump_version(p)
        return loss
