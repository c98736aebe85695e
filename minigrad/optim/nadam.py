"""NAdam (Adam with Nesterov momentum), following torch's single-tensor update operation for operation.

For each parameter p with gradient g, at step t:

    g <- -g                                                  if maximize
    p <- p * (1 - lr * weight_decay)                         if decoupled_weight_decay
    g <- g + weight_decay * p                                otherwise, if weight_decay != 0
    mu_t <- beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))           the momentum schedule
    P <- P * mu_t                                            mu_product, kept in a float32 0-dim tensor as torch does
    m <- lerp(m, g, 1 - beta1)                               exp_avg
    v <- beta2 * v + (1 - beta2) * g * g                     exp_avg_sq
    denom <- sqrt(v / (1 - beta2 ** t)) + eps
    p <- p - lr * (1 - mu_t) / (1 - P) * g / denom
    p <- p - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / denom
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from .adam import _lerp_
from .optimizer import Optimizer, _bump_version, _check_betas, _check_options, _no_variants, _scalar

__all__ = ["NAdam"]


class NAdam(Optimizer):
    FLAGS = (("maximize", False), ("foreach", None), ("capturable", False), ("differentiable", False),
             ("decoupled_weight_decay", False))
    STATE = (("step", 0.0), ("mu_product", 1.0), ("exp_avg", None), ("exp_avg_sq", None))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_options(lr=lr, eps=eps)
        _check_betas(betas)
        _check_options(weight_decay=weight_decay, momentum_decay=momentum_decay)
        _no_variants(differentiable, capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = _scalar(group["lr"]), _scalar(group["eps"]), _scalar(group["weight_decay"])
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            momentum_decay = _scalar(group["momentum_decay"])
            for p, state, step, g in self._stepping(group):
                x = p.data
                cast = x.dtype.type
                bias_correction2 = 1 - beta2 ** step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        np.multiply(x, cast(1 - lr * weight_decay), out=x)
                    else:
                        g = g + cast(weight_decay) * x

                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product = state["mu_product"].data
                mu_product *= mu_product.dtype.type(mu)  # in the tensor's own dtype (float32 unless loaded into one)
                mu_product_next = float(mu_product) * mu_next

                m, v = state["exp_avg"].data, state["exp_avg_sq"].data
                _lerp_(m, g, cast(1 - beta1))
                np.multiply(v, cast(beta2), out=v)
                v += cast(1 - beta2) * g * g
                denom = np.sqrt(v / cast(bias_correction2))
                denom += cast(eps)
                x += cast(-lr * (1.0 - mu) / (1.0 - float(mu_product))) * g / denom
                x += cast((-lr * mu_next) / (1.0 - mu_product_next)) * m / denom
                _bump_version(p)
        return loss
