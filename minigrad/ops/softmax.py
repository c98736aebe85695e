"""softmax, log_softmax and logsumexp: exponentials normalised along a dim, all around the one log-sum-exp."""
import numpy as np

from .._dtype import scalar_type as _scalar_type
from .._size import _dim
from ..autograd.function import Function
from .reduction import _axes, _check_dims, expand_back


def shifted_logsumexp(x, axis):
    """(m, log Σ e^(x - m)) along `axis` (kept as size 1), with m the max: logsumexp is their sum, but they are kept
    apart so that x - logsumexp can be formed as (x - m) - log Σ, which never rounds m + log Σ first (at logits
    512, float32 would lose the 0.69 to 512's ulp; torch's log_softmax does not). The one log-sum-exp of minigrad:
    logsumexp, log_softmax and cross-entropy use it. An all -inf (or inf) slice keeps m = 0."""
    m = np.max(x, axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))
    with np.errstate(divide="ignore"):
        return m, np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


class LogSumExp(Function):
    """z = log Σ e^x over dims (computed around the max);   dz/dx = e^(x - z) = softmax(x)"""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        axes = _axes(dim, x.ndim)
        m, log_s = shifted_logsumexp(x, axes)
        z = np.asarray(m + log_s if keepdim else (m + log_s).squeeze(axis=axes) if x.ndim else m + log_s)
        ctx.save_for_backward(x, z)
        ctx.axes, ctx.keepdim = axes, keepdim
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        g = expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        return g * np.exp(x - expand_back(z, x.shape, ctx.axes, ctx.keepdim))


def logsumexp(input, dim, keepdim=False):
    if input.data.dtype.kind != "f":
        input = input.float()
    return LogSumExp.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


class Softmax(Function):
    """z = e^x / Σ e^x along dim;   dx = z * (g - Σ g z)"""

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x - np.max(x, axis=dim, keepdims=True, initial=-np.inf))  # initial: an empty x is fine
        z = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        gz = g * z
        return gz - z * np.sum(gz, axis=ctx.dim, keepdims=True)


def _float_kernel(input, kernel):
    if input.data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_type(input.data.dtype)}\'')


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    _float_kernel(input, "softmax_lastdim_kernel_impl")
    return Softmax.apply(input, dim=_dim(dim, input.data.ndim))


class LogSoftmax(Function):
    """z = x - logsumexp(x) along dim;   dx = g - e^z Σ g"""

    @staticmethod
    def forward(ctx, x, dim):
        m, log_s = shifted_logsumexp(x, dim)
        z = (x - m) - log_s
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g - np.exp(z) * np.sum(g, axis=ctx.dim, keepdims=True)


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    _float_kernel(input, "log_softmax_lastdim_kernel_impl")
    return LogSoftmax.apply(input, dim=_dim(dim, input.data.ndim))
