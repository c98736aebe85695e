"""Adam and AdamW, following torch's single-tensor (foreach=False) update operation for operation.

For each parameter p with gradient g, at step t (counted in a float32 0-dim tensor, as torch counts it):

    g <- -g                                           if maximize
    p <- p * (1 - lr * weight_decay)                  AdamW (decoupled weight decay)
    g <- g + weight_decay * p                         Adam with weight_decay != 0
    m <- lerp(m, g, 1 - beta1)                        first moment
    v <- beta2 * v + (1 - beta2) * g * g              second moment
    v_max <- max(v_max, v), and v_max is used for v   if amsgrad
    denom <- sqrt(v) / sqrt(1 - beta2 ** t) + eps
    p <- p - lr / (1 - beta1 ** t) * m / denom

The bias corrections are Python floats (float64), as in torch; they reach a float32 update as float32 scalars.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, _bump_version, _scalar

__all__ = ["Adam", "AdamW"]


def _lerp_(start, end, weight):
    """start <- start + weight * (end - start) in place, in torch's form: for |weight| >= 0.5 it computes
    end - (end - start) * (1 - weight), which is exact at weight = 1. `weight` is a scalar of start's dtype."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        np.subtract(end, (end - start) * (1 - weight), out=start)


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor) and b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        if differentiable or capturable or fused:
            raise NotImplementedError("minigrad has one NumPy update path: differentiable, capturable and fused "
                                      "(torch's autograd, CUDA-graph and fused-kernel variants) are not supported")
        # foreach picks a torch kernel; minigrad has one NumPy path, so it is kept only as an option
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _fill_group_defaults(self, group):
        for key, value in (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                           ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None)):
            group.setdefault(key, value)
        for p in group["params"]:  # a plain-number step (an old state dict) becomes a float32 0-dim tensor
            st = self.state.get(p)
            if st and not isinstance(st["step"], Tensor):
                st["step"] = Tensor._make(np.array(float(st["step"]), np.float32), None)

    def _state(self, p, amsgrad):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = Tensor._make(np.zeros((), np.float32), None)
            state["exp_avg"] = Tensor._make(np.zeros_like(p.data), None)
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p.data), None)
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p.data), None)
        return state

    @no_grad()
    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = _scalar(group["lr"]), _scalar(group["eps"]), _scalar(group["weight_decay"])
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self._state(p, amsgrad)
                x = p.data
                g = -p.grad.data if group["maximize"] else p.grad.data
                cast = x.dtype.type  # scalars enter the update in the parameter's dtype, as torch's kernels take them
                step_t = state["step"].data
                step_t += 1

                if weight_decay != 0:
                    if decoupled:
                        np.multiply(x, cast(1 - lr * weight_decay), out=x)
                    else:
                        g = g + cast(weight_decay) * x
                m, v = state["exp_avg"].data, state["exp_avg_sq"].data
                _lerp_(m, g, cast(1 - beta1))
                np.multiply(v, cast(beta2), out=v)
                v += cast(1 - beta2) * g * g

                step = float(step_t)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                step_size = lr / bias_correction1
                if amsgrad:
                    v_max = state["max_exp_avg_sq"].data
                    np.maximum(v_max, v, out=v_max)
                    v = v_max
                denom = np.sqrt(v) / cast(bias_correction2_sqrt)
                denom += cast(eps)
                x += cast(-step_size) * m / denom
                _bump_version(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p shrinks by lr * weight_decay before the Adam step, and the decay never
    enters the moments."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _fill_group_defaults(self, group):
        super()._fill_group_defaults(group)
        group["decoupled_weight_decay"] = True
