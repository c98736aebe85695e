"""Normalization: batch_norm, layer_norm, group_norm — and channel dropout (dropout2d), the other per-channel layer.

Each is a composition of minigrad's differentiable ops (mean, subtraction, multiplication, power), so its gradient
and every higher one are those ops' own: y = (x - μ) · (σ² + ε)^(-1/2) · γ + β, with μ and σ² (biased) over the
normalized dims. The classic fused backward, dx = (γ/σ)(g - mean(g) - x̂ · mean(g · x̂)), is what this graph computes.
"""
import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor
from .reduction import mean


def _normalize(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over `dims`, and the batch's mean and biased variance (Tensors)."""
    mu = mean(x, dim=dims, keepdim=True)
    xc = x - mu
    var = mean(xc * xc, dim=dims, keepdim=True)
    return xc * (var + eps) ** -0.5, mu, var


def _channel_shape(x):
    return (-1,) + (1,) * (x.ndim - 2)  # (C,) -> (C, 1, 1, ...) against (N, C, *)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel of (N, C, *) by the batch's statistics (training, or no running stats) or by the
    running ones; in training the running stats move by `momentum` toward the batch's (the variance unbiased)."""
    x = input.data
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.data.size}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode")
    if training:
        n = x.size // c
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    shape = _channel_shape(x)
    if training or running_mean is None:
        dims = (0,) + tuple(range(2, x.ndim))
        y, mu, var = _normalize(input, dims, eps)
        if training and running_mean is not None:
            n = x.size // c
            with grad_mode.no_grad():
                _update(running_mean, mu.data.reshape(-1), momentum)
                _update(running_var, var.data.reshape(-1) * (n / max(n - 1, 1)), momentum)
    else:
        rm = running_mean.detach().reshape(shape)
        rv = running_var.detach().reshape(shape)
        y = (input - rm) * (rv + eps) ** -0.5
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _update(buffer, batch_value, momentum):
    """buffer ← (1 - momentum) · buffer + momentum · batch_value, in place (a running statistic)."""
    b = buffer.data
    b *= b.dtype.type(1 - momentum)
    b += (momentum * batch_value).astype(b.dtype)
    buffer._vc[0] += 1


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last len(normalized_shape) dims, then scale and shift elementwise."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input.data
    if x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    y, _, _ = _normalize(input, tuple(range(x.ndim - len(shape), x.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the channels of (N, C, *) into num_groups groups and normalize each sample's group as one."""
    x = input.data
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(x.shape)} and num_groups={num_groups}")
    y, _, _ = _normalize(input.reshape(x.shape[0], num_groups, -1), (2,), eps)
    y = y.reshape(x.shape)
    shape = _channel_shape(x)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) with probability p (one draw per channel) and scale the rest by 1/(1-p):
    x times a constant mask, so the gradient is g times the same mask."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from ..random import _gen

    x = input.data
    lead = x.shape[:2] if x.ndim == 4 else x.shape[:1]  # a 3-D input is one unbatched (C, H, W) image
    mask = (_gen().random(lead, dtype=np.float32) >= np.float32(p)).astype(x.dtype)
    if p < 1:
        mask *= x.dtype.type(1 / (1 - p))
    out = input * Tensor._make(mask.reshape(lead + (1,) * (x.ndim - len(lead))), None)
    if inplace:  # as F.dropout's: the input takes the product's values and node
        from .inplace import _check_inplace
        _check_inplace(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, out.requires_grad or input.requires_grad
        input._vc[0] += 1
        return input
    return out

