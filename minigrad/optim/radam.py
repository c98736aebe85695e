"""RAdam (rectified Adam), following torch's single-tensor update operation for operation.

For each parameter p with gradient g, at step t:

    g <- -g                                                  if maximize
    p <- p * (1 - lr * weight_decay)                         if decoupled_weight_decay
    g <- g + weight_decay * p                                otherwise, if weight_decay != 0
    m <- lerp(m, g, 1 - beta1);  v <- beta2 * v + (1 - beta2) * g * g
    rho_inf <- 2 / (1 - beta2) - 1
    rho_t <- rho_inf - 2 t beta2 ** t / (1 - beta2 ** t)     the length of the approximated moving average
    m_hat <- m / (1 - beta1 ** t)
    if rho_t > 5:                                            the variance is tractable: rectify it
        r <- sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
        p <- p - m_hat * lr * sqrt(1 - beta2 ** t) / (sqrt(v) + eps) * r
    else:                                                    early steps: plain momentum
        p <- p - m_hat * lr
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .adam import _lerp_
from .optimizer import Optimizer, _bump_version, _check_betas, _check_options, _no_variants, _scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    FLAGS = (("maximize", False), ("foreach", None), ("capturable", False), ("differentiable", False),
             ("decoupled_weight_decay", False))
    STATE = (("step", 0.0), ("exp_avg", None), ("exp_avg_sq", None))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check_options(lr=lr, eps=eps)
        _check_betas(betas)
        _check_options(weight_decay=weight_decay)
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
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
                    if group["decoupled_weight_decay"]:
                        np.multiply(x, cast(1 - lr * weight_decay), out=x)
                    else:
                        g = g + cast(weight_decay) * x

                m, v = state["exp_avg"].data, state["exp_avg_sq"].data
                _lerp_(m, g, cast(1 - beta1))
                np.multiply(v, cast(beta2), out=v)
                v += cast(1 - beta2) * g * g
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                m_hat = m / cast(bias_correction1)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    sqrt_v = np.sqrt(v)
                    sqrt_v += cast(eps)
                    adaptive_lr = cast(bias_correction2 ** 0.5) / sqrt_v
                    x -= m_hat * cast(lr) * adaptive_lr * cast(rect)
                else:
                    x -= m_hat * cast(lr)
                _bump_version(p)
        return loss
