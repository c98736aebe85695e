"""Scans (running sums, products, extremes along a dim) and prod. The gradient of a running sum is a running sum the
other way: each x_j feeds every z_i with i >= j, so dx_j = Σ_{i>=j} g_i, a reversed cumsum. The others reduce to
that: cumprod and logcumsumexp weight g before the reversed cumsum, cummax/cummin send g back to where each
running extreme came from (a scatter-add, the backward of a gather)."""
import builtins
import math

import numpy as np

from .. import _dtype
from .._size import _dim
from ..autograd.function import Function, call
from .indexing import Gather
from .reduction import _axes, expand_back


def _scan(fn, x, d, reverse=False):
    """fn(x, axis=d) (np.cumsum, np.logaddexp.accumulate, ...), run from the end of the dim when `reverse`."""
    if not reverse:
        return fn(x, axis=d)
    return np.flip(fn(np.flip(x, d), axis=d), d)


class Cumsum(Function):
    """z_i = Σ_{j<=i} x_j along dim;   dx_j = Σ_{i>=j} g_i: the reversed cumsum of g (Cumsum with reverse=True,
    whose own backward is the forward cumsum again, so it differentiates to any order)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, dim, reverse=False, dtype=None):
        ctx.dim, ctx.reverse = dim, reverse
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64  # torch's cumsum of integers and bools is int64
        return _scan(lambda a, axis: np.cumsum(a, axis=axis, dtype=dtype), x, dim, reverse)

    @staticmethod
    def backward(ctx, g):
        return call(Cumsum, g, ctx.dim, not ctx.reverse)


def _scalar_as_1d(op, input, dim, *args, **kwargs):
    """A scan of a 0-dim tensor (dim 0 or -1) is the scan of its one-element view, viewed back as 0-dim."""
    d = _dim(dim, input.data.ndim)
    if input.data.ndim:
        return op(input, d, *args, **kwargs)
    out = op(input.reshape(1), 0, *args, **kwargs)
    return tuple(o.reshape(()) for o in out) if isinstance(out, tuple) else out.reshape(())


def cumsum(input, dim, *, dtype=None):
    np_dtype = None if dtype is None else _dtype.to_np(dtype)
    return _scalar_as_1d(lambda x, d: Cumsum.apply(x, d, dtype=np_dtype), input, dim)


class Cumprod(Function):
    """z_i = Π_{j<=i} x_j;   dz_i/dx_j = Π_{k<=i, k!=j} x_k for j <= i, so dx_j = Σ_{i>=j} g_i z_i / x_j (the
    reversed cumsum of g z, over x). With a zero in x that quotient is 0/0, and the product leaving x_j out is
    formed directly instead: for each j, the cumprod of x with x_j set to 1 (an n x n scan, only then)."""

    inputs = 1

    @staticmethod
    def forward(ctx, x, dim):
        z = np.cumprod(x, axis=dim)
        ctx.save_for_backward(x, z)
        ctx.dim, ctx.has_zero = dim, bool((x == 0).any())
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        d = ctx.dim
        if not ctx.has_zero:
            return call(Cumsum, g * z, d, True) / x
        n = x.shape[d]
        xs = np.where(np.eye(n, dtype=bool), 1.0, np.expand_dims(np.moveaxis(x, d, -1), -2))  # (..., j, k)
        leave_out = call(Cumprod, xs, xs.ndim - 1)  # [..., j, i] = Π_{k<=i, k!=j} x_k
        later = np.triu(np.ones((n, n), bool))  # [j, i]: i >= j
        gi = np.expand_dims(np.moveaxis(g, d, -1), -2)  # (..., 1, i)
        return np.moveaxis(np.sum(np.where(later, leave_out * gi, 0.0), axis=-1), -1, d)


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    elif input.data.dtype.kind in "biu":
        input = input.type(_dtype.int64)
    return _scalar_as_1d(Cumprod.apply, input, dim)


class Prod(Function):
    """z = Π x over dims;   dz/dx_j = Π_{k!=j} x_k = z / x_j. Where x_j = 0 that quotient is undefined: the
    product of the other factors is the product of the nonzero ones if x_j is its slice's only zero, else 0."""

    inputs = 1

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        ctx.axes, ctx.keepdim, ctx.dim = _axes(dim, x.ndim), keepdim, dim
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        z = np.asarray(np.prod(x, axis=ctx.axes, keepdims=keepdim, dtype=dtype))
        ctx.save_for_backward(x, z)
        if ctx.needs_input_grad[0]:
            ctx.zero = x == 0
            ctx.lone = ctx.zero & (ctx.zero.sum(axis=ctx.axes, keepdims=True) == 1)  # the only zero of its slice
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        g, z = (expand_back(a, x.shape, ctx.axes, ctx.keepdim) for a in (g, z))
        if not ctx.zero.any():
            return g * z / x
        nonzero = np.where(ctx.zero, 1.0, x)
        others = expand_back(call(Prod, nonzero, ctx.dim, ctx.keepdim), x.shape, ctx.axes, ctx.keepdim)
        return g * np.where(ctx.lone, others, z / nonzero)  # z / nonzero: 0 in a slice with a zero, else z / x


class ProdDim(Prod):
    node_name = "ProdBackward1"


def prod(input, dim=None, keepdim=False, *, dtype=None):
    np_dtype = None if dtype is None else _dtype.to_np(dtype)
    if dim is None:
        return Prod.apply(input, dtype=np_dtype)
    if not isinstance(dim, (builtins.int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    return ProdDim.apply(input, _dim(dim, input.data.ndim), keepdim, dtype=np_dtype)


class _CumExtreme(Gather):
    """z_i = max_{j<=i} x_j (or min) along dim, with index_i the j it came from (the latest of ties, as torch);
    dz_i/dx_j = 1 where j = index_i: z is a gather of x at the indices, so dx is g added into zeros there."""

    better = None  # np.maximum or np.minimum

    @classmethod
    def forward(cls, ctx, x, dim):
        z = cls.better.accumulate(x, axis=dim)
        is_new = (x == z) | np.isnan(x)  # where the running extreme is (re)taken
        steps = np.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
        index = np.maximum.accumulate(np.where(is_new, steps, 0), axis=dim)
        return Gather.forward(ctx, x, index, dim), index


class Cummax(_CumExtreme):
    better = np.maximum


class Cummin(_CumExtreme):
    better = np.minimum


def _cum_extreme(fn, name):
    def op(input, dim):
        from .reduction import _ValuesIndices

        values, indices = _scalar_as_1d(fn.apply, input, dim)
        return _ValuesIndices(values, indices, name)

    op.__name__ = name
    return op


cummax = _cum_extreme(Cummax, "cummax")
cummin = _cum_extreme(Cummin, "cummin")


class Logcumsumexp(Function):
    """z_i = log Σ_{j<=i} exp(x_j);   dz_i/dx_j = exp(x_j - z_i) for j <= i, so dx_j = exp(x_j) Σ_{i>=j} g_i
    exp(-z_i): exp(x) times the reversed cumsum of g exp(-z). That form needs exp(x) and exp(-z) to be finite and
    nonzero; beyond that (|x| or |z| past ~354 in float64, ~44 in float32) each weight exp(x_j - z_i), at most 1
    since z_i >= x_j, is formed apart: an n x n matrix per slice, summed against g."""

    inputs = 1

    @staticmethod
    def forward(ctx, x, dim):
        z = np.logaddexp.accumulate(x, axis=dim)
        ctx.save_for_backward(x, z)
        limit = np.log(np.finfo(x.dtype).max) / 2
        ctx.dim, ctx.moderate = dim, bool(np.abs(x).max(initial=0) < limit and np.abs(z).max(initial=0) < limit)
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        d = ctx.dim
        if ctx.moderate:
            return np.exp(x) * call(Cumsum, g * np.exp(-z), d, True)
        n = x.shape[d]
        xj = np.expand_dims(np.moveaxis(x, d, -1), -1)  # (..., j, 1)
        zi, gi = (np.expand_dims(np.moveaxis(a, d, -1), -2) for a in (z, g))  # (..., 1, i)
        later = np.triu(np.ones((n, n), bool))  # [j, i]: i >= j
        return np.moveaxis(np.sum(np.exp(np.where(later, xj - zi, -math.inf)) * gi, axis=-1), -1, d)


def logcumsumexp(input, dim):
    if input.data.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_dtype.scalar_type(input.data.dtype)}'")
    return _scalar_as_1d(Logcumsumexp.apply, input, dim)


