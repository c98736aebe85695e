"""Adadelta, following torch's single-tensor update operation for operation.

For each parameter p with gradient g:

    g <- -g                                                  if maximize
    g <- g + weight_decay * p                                if weight_decay != 0
    v <- rho * v + (1 - rho) * g * g                         square_avg
    delta <- sqrt(u + eps) / sqrt(v + eps) * g               u is acc_delta, before its update
    u <- rho * u + (1 - rho) * delta * delta                 acc_delta
    p <- p - lr * delta
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _bump_version, _check_options, _no_variants, _scalar

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    FLAGS = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))
    STATE = (("step", 0.0), ("square_avg", None), ("acc_delta", None))

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_options(lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, rho = _scalar(group["lr"]), _scalar(group["rho"])
            eps, weight_decay = _scalar(group["eps"]), _scalar(group["weight_decay"])
            for p, state, _, g in self._stepping(group):
                x = p.data
                cast = x.dtype.type
                if weight_decay != 0:
                    g = g + cast(weight_decay) * x
                v, u = state["square_avg"].data, state["acc_delta"].data
                np.multiply(v, cast(rho), out=v)
                v += cast(1 - rho) * g * g
                std = np.sqrt(v + cast(eps))
                delta = np.sqrt(u + cast(eps))
                delta /= std
                delta *= g
                np.multiply(u, cast(rho), out=u)
                u += cast(1 - rho) * delta * delta
                x -= cast(lr) * delta
                _bump_version(p)
        return loss
