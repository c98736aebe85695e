"""Normalization: batch_norm, layer_norm, group_norm — and channel dropout (dropout2d), the other per-channel layer.

y = (x - μ) · (σ² + ε)^(-1/2) · γ + β, with μ and σ² (biased) over the normalized dims. Training-mode batch norm, the
CNN's hot layer, is one Function (torch's NativeBatchNormBackward0) with the classic fused backward
dx = γ/σ · (g - mean(g) - x̂ · mean(g · x̂)); layer_norm, group_norm and eval-mode batch norm are compositions of
minigrad's differentiable ops (mean, subtraction, multiplication, power), so their gradients are those ops' own.
"""
import math

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


def _channel_shape(x):
    return (-1,) + (1,) * (x.ndim - 2)  # (C,) -> (C, 1, 1, ...) against (N, C, *)


def _standardize(x, dims, eps):
    """x̂ = (x - μ) · r with r = (σ² + ε)^(-1/2), μ and σ² (biased) over `dims`: (x̂, μ, σ², r), arrays or Tensors.
    The means are sums over the count (what np.mean computes), with an empty batch's statistics 0, not NaN."""
    count = max(1, math.prod(x.shape[d] for d in dims))
    mu = np.sum(x, axis=dims, keepdims=True) / count
    xc = x - mu
    var = np.sum(xc * xc, axis=dims, keepdims=True) / count
    r = (var + eps) ** -0.5
    return xc * r, mu, var, r


class BatchNorm(Function):
    """Training-mode batch norm of (N, C, *), statistics over every dim but C:   y = x̂ · γ + β,   x̂ = (x - μ) · r
        dx = γ·r · (g - mean(g) - x̂ · mean(g · x̂)),   dγ = Σ g · x̂,   dβ = Σ g
    (sums and means over every dim but C). It returns μ and σ² too, for the running statistics. A plain backward
    reuses forward's x̂ and r; a create_graph backward recomputes them from x with minigrad's ops (the formula is
    the same code), so the backward is differentiated again."""

    node_name = "NativeBatchNormBackward0"
    inputs = 3

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        dims = (0,) + tuple(range(2, x.ndim))
        xhat, mu, var, r = _standardize(x, dims, eps)
        shape = _channel_shape(x)
        y = xhat * weight.reshape(shape) if weight is not None else xhat.copy()
        if bias is not None:
            y += bias.reshape(shape)
        ctx.save_for_backward(x, weight)
        ctx.xhat, ctx.r, ctx.dims, ctx.eps = xhat, r, dims, eps
        ctx.n = max(1, math.prod(x.shape[d] for d in dims))  # the values per channel (1 for an empty batch)
        return y, mu.reshape(-1), var.reshape(-1)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if type(x) is np.ndarray:
            xhat, r = ctx.xhat, ctx.r
        else:  # create_graph: x̂ and r as functions of x
            xhat, _, _, r = _standardize(x, ctx.dims, ctx.eps)
        n = ctx.n
        g_sum = np.sum(g, axis=ctx.dims, keepdims=True)
        gx_sum = np.sum(g * xhat, axis=ctx.dims, keepdims=True)
        dx = None
        if need[0]:
            scale = r if w is None else r * np.reshape(w, _channel_shape(x))
            dx = (g - g_sum / n - xhat * (gx_sum / n)) * scale
        dw = np.reshape(gx_sum, (-1,)) if need[1] else None
        db = np.reshape(g_sum, (-1,)) if need[2] else None
        return dx, dw, db


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
        n = x.size // c if c else 0
        if n == 1:  # an empty batch passes (torch's check is the same)
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    if training or running_mean is None:
        y, mu, var = BatchNorm.apply(input, weight, bias, eps)
        n = x.size // c if c else 0
        if training and running_mean is not None and n:  # an empty batch leaves them as they were (as torch)
            _update(running_mean, mu.data, momentum)
            _update(running_var, var.data * (n / max(n - 1, 1)), momentum)
        return y
    shape = _channel_shape(x)
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
    y = _standardize(input, tuple(range(x.ndim - len(shape), x.ndim)), eps)[0]
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
    y = _standardize(input.reshape(x.shape[0], num_groups, x.size // max(1, x.shape[0] * num_groups)), (2,), eps)[0]
    y = y.reshape(x.shape)
    shape = _channel_shape(x)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def channel_dropout(input, p, training, inplace, batched_ndim):
    """Zero whole channels with probability p (one draw per channel: per (N, C) of a batched input of
    `batched_ndim` dims, per C of anything else, as torch reads it) and scale the rest by 1/(1-p): x times a
    constant mask, so the gradient is g times the same mask. dropout1d, dropout2d and dropout3d are this."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from ..random import _gen

    x = input.data
    lead = x.shape[:2] if x.ndim == batched_ndim else x.shape[:1]
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


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Whole channels of (N, C, H, W) zeroed (a 3-D input is one unbatched (C, H, W) image)."""
    return channel_dropout(input, p, training, inplace, 4)
