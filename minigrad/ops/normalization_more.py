"""rms_norm, instance_norm and dropout1d (issue 12 leftovers), compositions of differentiable minigrad ops (mean,
multiplication, power), so every derivative — the second included — is those ops' own.

rms_norm:      y = x · (mean(x², last dims) + ε)^(-1/2) · γ, ε = finfo(dtype).eps by default (torch's).
instance_norm: each (sample, channel) of (N, C, *) normalized over its own spatial dims; with running stats the
               batch's per-instance statistics (averaged over N, the variance unbiased) move them by `momentum`.
"""
import numpy as np

from ..autograd import grad_mode
from .normalization import _channel_shape, _standardize, _update, channel_dropout
from .reduction import mean


def rms_norm(input, normalized_shape, weight=None, eps=None):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input.data
    if len(shape) > x.ndim or x.shape[x.ndim - len(shape):] != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    y = input * (mean(input * input, dim=dims, keepdim=True) + eps) ** -0.5
    if weight is not None:
        y = y * weight
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    x = input.data
    if x.ndim < 3:
        raise ValueError(f"Expected 3D or higher input to instance_norm (got {x.ndim}D input)")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.data.size}")
    shape = _channel_shape(x)
    if use_input_stats:
        n = int(np.prod(x.shape[2:]))
        if n <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
        y, mu, var, _ = _standardize(input, tuple(range(2, x.ndim)), eps)
        with grad_mode.no_grad():
            if running_mean is not None:
                _update(running_mean, mu.data.reshape(x.shape[0], c).mean(0), momentum)
            if running_var is not None:
                _update(running_var, (var.data.reshape(x.shape[0], c) * (n / (n - 1))).mean(0), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        y = (input - running_mean.detach().reshape(shape)) * (running_var.detach().reshape(shape) + eps) ** -0.5
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) with probability p, the rest scaled by 1/(1-p) (as dropout2d)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input.data
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return channel_dropout(input, p, training, inplace, 3)
