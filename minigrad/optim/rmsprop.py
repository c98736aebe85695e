"""RMSprop, following torch's single-tensor update operation for operation.

For each parameter p with gradient g:

    g <- -g                                        if maximize
    g <- g + weight_decay * p                      if weight_decay != 0
    v <- alpha * v + (1 - alpha) * g * g           square_avg
    if centered:
        m <- lerp(m, g, 1 - alpha)                 grad_avg
        avg <- sqrt(v - m * m) + eps
    else:
        avg <- sqrt(v) + eps
    if momentum > 0:
        b <- momentum * b + g / avg                momentum_buffer
        p <- p - lr * b
    else:
        p <- p - lr * g / avg
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .adam import _lerp_
from .optimizer import (Optimizer, _bump_version, _check_options, _no_variants, _scalar, _scalar_state,
                        _tensor_steps, _zeros_state)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_options(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _fill_group_defaults(self, group):
        for key, value in (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                           ("differentiable", False), ("capturable", False)):
            group.setdefault(key, value)
        _tensor_steps(self, group, "step")

    def _state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _scalar_state()
            state["square_avg"] = _zeros_state(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _zeros_state(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_state(p)
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = _scalar(group["lr"]), _scalar(group["alpha"]), _scalar(group["eps"])
            weight_decay, momentum = _scalar(group["weight_decay"]), _scalar(group["momentum"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._state(p, group)
                x = p.data
                cast = x.dtype.type  # scalars enter the update in the parameter's dtype, as in torch's kernels
                g = -p.grad.data if group["maximize"] else p.grad.data
                state["step"].data += 1
                if weight_decay != 0:
                    g = g + cast(weight_decay) * x

                v = state["square_avg"].data
                np.multiply(v, cast(alpha), out=v)
                v += cast(1 - alpha) * g * g
                if group["centered"]:
                    m = state["grad_avg"].data
                    _lerp_(m, g, cast(1 - alpha))
                    avg = np.sqrt(v - m * m)
                else:
                    avg = np.sqrt(v)
                avg += cast(eps)

                if momentum > 0:
                    b = state["momentum_buffer"].data
                    np.multiply(b, cast(momentum), out=b)
                    b += g / avg
                    x -= cast(lr) * b
                else:
                    x -= cast(lr) * g / avg
                _bump_version(p)
        return loss
