"""More reductions: the NaN-skipping sum and mean, min and max together, variance or deviation with the mean,
counting nonzeros, and the distance between two tensors. The NaN-skipping ones spread the gradient back like sum
and mean (`expand_back`), with 0 at the NaNs, which took no part; the rest are made of the ops in reduction.py."""
import builtins

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from .reduction import _axes, _check_dims, _correction, amax, amin, expand_back, mean, norm, std, var


class Nansum(Function):
    """z = Σ x over dims, the NaNs left out (counted as 0);   dz/dx = 1 where x is a number, 0 at the NaNs"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        ctx.nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64  # as sum: integers and bools add up as int64
        return np.asarray(np.nansum(x, axis=ctx.axes, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.nan, 0.0, expand_back(g, ctx.shape, ctx.axes, ctx.keepdim))


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return Nansum.apply(input, dim=_check_dims(input, dim), keepdim=keepdim,
                        dtype=None if dtype is None else _dtype.to_np(dtype))


class Nanmean(Function):
    """z = Σ x / m over dims, both over the m non-NaN values;   dz/dx = 1/m where x is a number, 0 at the NaNs
    (a slice of NaNs only has m = 0: its mean is NaN, and so are its gradients, 0 · 1/0, as in torch)"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        ctx.number = ~np.isnan(x)
        ctx.count = ctx.number.sum(axis=ctx.axes, keepdims=keepdim).astype(x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.nansum(x, axis=ctx.axes, keepdims=keepdim) / ctx.count)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(invalid="ignore", divide="ignore"):
            return expand_back(g / ctx.count, ctx.shape, ctx.axes, ctx.keepdim) * ctx.number  # 0/0: NaN, as torch


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    if input.data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_dtype.scalar_type(input.data.dtype)}")
    return Nanmean.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


class _MinMax(tuple):
    """torch.return_types.aminmax: a (min, max) pair with names."""

    min = property(lambda self: self[0])  # noqa: A003
    max = property(lambda self: self[1])  # noqa: A003

    def __repr__(self):
        return f"minigrad.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


def aminmax(input, *, dim=None, keepdim=False):
    """(amin, amax) at once; each differentiates as amin and amax do (the gradient shared among ties)."""
    if input.data.size == 0 and (dim is None or not input.data.ndim or input.data.shape[dim] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    dims = () if dim is None else dim
    return _MinMax((amin(input, dims, keepdim), amax(input, dims, keepdim)))


def _moment_args(input, dim, unbiased, correction):
    if isinstance(dim, builtins.bool):  # var_mean(input, unbiased)
        dim, unbiased = None, dim
    return dim, _correction(unbiased, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean): two reductions, each with its own gradient; the losses of both add up at x."""
    dim, correction = _moment_args(input, dim, unbiased, correction)
    return var(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _moment_args(input, dim, unbiased, correction)
    return std(input, dim, keepdim=keepdim, correction=correction), mean(input, dim, keepdim=keepdim)


def count_nonzero(input, dim=None):
    """How many elements are not 0, over dims (int64; no gradient)."""
    axes = _check_dims(input, dim)
    for d in axes if isinstance(axes, tuple) else ():
        if axes.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Tensor._make(np.asarray(np.count_nonzero(input.data, axis=axes), np.int64), None)


def dist(input, other, p=2):
    """‖input - other‖_p over all elements (norm of the broadcast difference)."""
    return norm(input - other, p)


class NormZero(Function):
    """z = ‖x‖_0, the number of nonzero elements over dims;   dz/dx = 0 (a count does not move under small changes;
    torch's gradient is 0 too)"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        return np.asarray(np.count_nonzero(x, axis=ctx.axes, keepdims=keepdim), x.dtype)

    @staticmethod
    def backward(ctx, g):
        return expand_back(g * 0.0, ctx.shape, ctx.axes, ctx.keepdim)
