"""Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay.

For each parameter p with gradient g (torch's single-tensor update, step for step):

    g <- -g                                   if maximize
    g <- g + weight_decay * p                 if weight_decay != 0
    if momentum != 0:
        b <- g (a copy)                       on the first step
        b <- momentum * b + (1 - dampening) * g   afterwards
        g <- g + momentum * b                 if nesterov, else g <- b
    p <- p - lr * g
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, _bump_version, _scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if differentiable:
            raise NotImplementedError("minigrad's optimizers update parameters in place outside autograd: "
                                      "differentiable=True is not supported")
        # foreach and fused pick torch kernels; minigrad has one NumPy path, so they are kept only as options
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _fill_group_defaults(self, group):
        for key, value in (("nesterov", False), ("maximize", False), ("foreach", None), ("differentiable", False),
                           ("fused", False)):
            group.setdefault(key, value)

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = _scalar(group["lr"]), _scalar(group["momentum"])
            dampening, weight_decay = _scalar(group["dampening"]), _scalar(group["weight_decay"])
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if momentum == 0 and weight_decay == 0:  # plain SGD: p -= lr * g, one temporary
                    g = p.grad.data
                    np.subtract(p.data, np.multiply(g, -lr if maximize else lr), out=p.data)
                    _bump_version(p)
                    continue
                g = -p.grad.data if maximize else p.grad.data
                if weight_decay != 0:
                    g = g + weight_decay * p.data
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(np.array(g, copy=True), None)
                    else:
                        b = buf.data
                        np.multiply(b, momentum, out=b)
                        b += (1 - dampening) * g
                    g = g + momentum * buf.data if nesterov else buf.data
                p.data += -lr * g
                _bump_version(p)
        return loss
