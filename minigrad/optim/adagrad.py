"""Adagrad, following torch's single-tensor (dense) update operation for operation.

Every parameter's state is made at construction: step = 0 and sum = initial_accumulator_value. Then at step t:

    g <- -g                                        if maximize
    g <- g + weight_decay * p                      if weight_decay != 0
    clr <- lr / (1 + (t - 1) * lr_decay)           the decayed learning rate (a Python float)
    s <- s + g * g                                 sum
    p <- p - clr * g / (sqrt(s) + eps)
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, _bump_version, _check_options, _no_variants, _scalar, _scalar_state, _tensor_steps

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_options(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, eps=eps)
        _no_variants(differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch makes the state of every parameter up front
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_state()
                state["sum"] = Tensor._make(np.full_like(p.data, initial_accumulator_value), None)

    def _fill_group_defaults(self, group):
        for key, value in (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None)):
            group.setdefault(key, value)
        _tensor_steps(self, group, "step")

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay = _scalar(group["lr"]), _scalar(group["lr_decay"])
            weight_decay, eps = _scalar(group["weight_decay"]), _scalar(group["eps"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                x = p.data
                cast = x.dtype.type
                step_t = state["step"].data
                step_t += 1
                g = -p.grad.data if group["maximize"] else p.grad.data
                if weight_decay != 0:
                    g = g + cast(weight_decay) * x
                clr = lr / (1 + (float(step_t) - 1) * lr_decay)
                s = state["sum"].data
                s += g * g
                std = np.sqrt(s)
                std += cast(eps)
                x -= cast(clr) * g / std
                _bump_version(p)
        return loss
