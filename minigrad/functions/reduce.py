"""Reductions. Each backward spreads the gradient back over the reduced dims (`_expand_back`)."""
import math

import numpy as np

from ..autograd.function import Function


def _axes(dim, ndim):
    """torch's `dim` (None, int or tuple) as a NumPy axis tuple; None means every dim."""
    if dim is None or ndim == 0:  # a 0-dim tensor takes dim 0 or -1, and there is nothing to reduce
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return tuple(range(ndim))
    return tuple(d % max(ndim, 1) for d in dims)


def _expand_back(g, shape, axes, keepdim):
    """A reduced gradient broadcast back to the input's shape (a read-only view, never a copy)."""
    if g.shape == shape:
        return g
    kept = g.shape if keepdim else tuple(1 if i in axes else n for i, n in enumerate(shape))  # reduced dims as 1
    g = g.reshape(kept)
    try:  # what np.broadcast_to builds (stride 0 along the reduced dims), at a tenth of its ~4 µs per call
        out = np.ndarray(shape, g.dtype, g, 0, tuple(0 if k != n else s for k, n, s in zip(kept, shape, g.strides)))
    except (TypeError, ValueError, BufferError):  # g's memory is not one contiguous block
        return np.broadcast_to(g, shape)
    out.flags.writeable = False
    return out


class Sum(Function):
    """z = Σ x over dims;   dz/dx = 1 everywhere"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64  # torch sums integers and bools as int64
        return np.asarray(x.sum(axis=ctx.axes, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)


class Mean(Function):
    """z = Σ x / n over dims;   dz/dx = 1/n"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        ctx.n = math.prod(x.shape[a] for a in ctx.axes)
        return np.asarray(x.mean(axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / g.dtype.type(ctx.n), ctx.shape, ctx.axes, ctx.keepdim)


class Var(Function):
    """z = Σ (x - x̄)² / (n - c) over dims;   dz/dx = 2 (x - x̄) / (n - c)"""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _axes(dim, x.ndim)
        n = math.prod(x.shape[a] for a in axes)
        centred = x - x.mean(axis=axes, keepdims=True)
        ctx.save_for_backward(centred)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, max(n - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((centred * centred).sum(axis=axes, keepdims=keepdim) / x.dtype.type(ctx.denom))

    @staticmethod
    def backward(ctx, g):
        (centred,) = ctx.saved_tensors
        g = _expand_back(g, centred.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * centred * centred.dtype.type(2 / ctx.denom if ctx.denom else np.inf)


class Std(Function):
    """z = √var(x);   dz/dx = (x - x̄) / ((n - c) z)  (0 where z = 0, as torch)"""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _axes(dim, x.ndim)
        n = math.prod(x.shape[a] for a in axes)
        centred = x - x.mean(axis=axes, keepdims=True)
        denom = max(n - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.sqrt((centred * centred).sum(axis=axes, keepdims=True) / x.dtype.type(denom))
        ctx.save_for_backward(centred, z)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, denom
        return z if keepdim else np.asarray(z.squeeze(axis=axes) if x.ndim else z)

    @staticmethod
    def backward(ctx, g):
        centred, z = ctx.saved_tensors
        g = _expand_back(g, centred.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g * centred / (z * centred.dtype.type(ctx.denom))
        return np.where(z == 0, np.zeros((), gx.dtype), gx)


class _Extreme(Function):
    """Whole-tensor max/min and amax/amin: the gradient is shared evenly among the tied extremes, as torch."""

    reduce = None
    nan_wins = False  # whole-tensor max/min: a NaN result sends the gradient to the NaNs (torch's rule)

    @classmethod
    def forward(cls, ctx, x, dim=None, keepdim=False):
        axes = _axes(dim, x.ndim)
        z = np.asarray(cls.reduce(x, axis=axes, keepdims=True))
        ctx.save_for_backward(x, z)
        ctx.axes, ctx.keepdim = axes, keepdim
        return z if keepdim else np.asarray(z.squeeze(axis=axes) if x.ndim else z)

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        hit = x == z
        if type(ctx).function.nan_wins and np.isnan(z).any():
            hit = np.isnan(x)
        count = hit.sum(axis=ctx.axes, keepdims=True)
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        return g * (hit / count).astype(g.dtype, copy=False)


class Amax(_Extreme):
    reduce = staticmethod(np.max)


class Amin(_Extreme):
    reduce = staticmethod(np.min)


class MaxAll(_Extreme):
    node_name = "MaxBackward1"
    nan_wins = True
    reduce = staticmethod(np.max)


class MinAll(_Extreme):
    node_name = "MinBackward1"
    nan_wins = True
    reduce = staticmethod(np.min)


class _ExtremeDim(Function):
    """max/min over one dim -> (values, indices); the gradient goes to the chosen index only."""

    inputs = 1

    arg = None

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=False):
        d = dim % max(x.ndim, 1)
        idx = np.expand_dims(cls.arg(x, axis=d), d) if x.ndim else np.asarray(0)
        values = np.take_along_axis(x, idx, axis=d) if x.ndim else x.copy()
        ctx.save_for_backward(idx)
        ctx.d, ctx.keepdim, ctx.shape = d, keepdim, x.shape
        if not keepdim and x.ndim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return values, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        if not ctx.shape:
            return g.copy()
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.d)
        out = np.zeros(ctx.shape, g.dtype)
        np.put_along_axis(out, idx, g, axis=ctx.d)
        return out


class MaxDim(_ExtremeDim):
    node_name = "MaxBackward0"
    arg = staticmethod(np.argmax)


class MinDim(_ExtremeDim):
    node_name = "MinBackward0"
    arg = staticmethod(np.argmin)


class LogSumExp(Function):
    """z = log Σ e^x over dims (computed around the max);   dz/dx = e^(x - z) = softmax(x)"""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        axes = _axes(dim, x.ndim)
        m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
        m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))  # all -inf (or inf) stays as it is
        with np.errstate(divide="ignore"):
            z = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.save_for_backward(x, z)
        ctx.axes, ctx.keepdim = axes, keepdim
        return z if keepdim else np.asarray(z.squeeze(axis=axes) if x.ndim else z)

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        g = _expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        return g * np.exp(x - z)


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
        return gz - z * gz.sum(axis=ctx.dim, keepdims=True)


class LogSoftmax(Function):
    """z = x - logsumexp(x) along dim;   dx = g - e^z Σ g"""

    @staticmethod
    def forward(ctx, x, dim):
        shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)
        z = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g - np.exp(z) * g.sum(axis=ctx.dim, keepdims=True)
