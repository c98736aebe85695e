"""Reductions: each Function's backward spreads the gradient back over the reduced dims (`expand_back`), then the
torch-level function (dims checked and wrapped, dtypes as torch gives them, (values, indices) for max/min by dim)."""
import builtins
import math

import numpy as np

from .. import _dtype
from .._dtype import scalar_type as _scalar_type
from .._size import _dim
from ..autograd.function import Function
from ..tensor import Tensor
from .compare import maximum, minimum


def _axes(dim, ndim):
    """torch's `dim` (None, int or tuple) as a NumPy axis tuple; None means every dim."""
    if dim is None or ndim == 0:  # a 0-dim tensor takes dim 0 or -1, and there is nothing to reduce
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return tuple(range(ndim))
    return tuple(d % builtins.max(ndim, 1) for d in dims)


def expand_back(g, shape, axes, keepdim):
    """A reduced gradient broadcast back to the input's shape: a read-only view of an array, never a copy; for a
    Tensor (a create_graph backward), reshape then expand, both recorded."""
    if g.shape == shape:
        return g
    kept = list(g.shape if keepdim else shape)
    for a in axes:
        kept[a] = 1  # the reduced dims, as 1
    g = g.reshape(kept)
    if type(g) is not np.ndarray:
        return g.expand(shape)
    strides = list(g.strides)
    for a in axes:
        strides[a] = 0 if shape[a] != 1 else strides[a]
    try:  # what np.broadcast_to builds (stride 0 along the reduced dims), at a tenth of its ~4 µs per call
        out = np.ndarray(shape, g.dtype, g, 0, tuple(strides))
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
        return expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)


class SumDim(Sum):  # torch names the overloads' nodes apart
    node_name = "SumBackward1"


def _check_dims(input, dim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(_dim(d, input.data.ndim) for d in dim)
        for k, d in enumerate(dims):
            if d in dims[:k]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return dims
    return _dim(dim, input.data.ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    if not isinstance(input, Tensor):
        raise TypeError(f"sum(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dim is None:
        return Sum.apply(input, keepdim=keepdim, dtype=None if dtype is None else _dtype.to_np(dtype))
    return SumDim.apply(input, dim=_check_dims(input, dim), keepdim=keepdim,
                        dtype=None if dtype is None else _dtype.to_np(dtype))


class Mean(Function):
    """z = Σ x / n over dims;   dz/dx = 1/n"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.axes, ctx.keepdim, ctx.shape = _axes(dim, x.ndim), keepdim, x.shape
        ctx.n = math.prod(x.shape[a] for a in ctx.axes)
        return np.asarray(x.mean(axis=ctx.axes, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return expand_back(g / ctx.n, ctx.shape, ctx.axes, ctx.keepdim)


class MeanDim(Mean):
    node_name = "MeanBackward1"


def _need_float(input, what):
    if input.data.dtype.kind != "f":
        raise RuntimeError(
            f"{what}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_scalar_type(input.data.dtype)}"
        )


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    _need_float(input, "mean")
    fn = Mean if dim is None else MeanDim
    return fn.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def centred(x, axes):
    """x - mean(x) over `axes`: the one centred-moment helper of var and std, forward and backward (on Tensors it
    is recorded, so var's gradient 2 (x - x̄) / (n - c) differentiates again)."""
    return x - np.mean(x, axis=axes, keepdims=True)


class Var(Function):
    """z = Σ (x - x̄)² / (n - c) over dims;   dz/dx = 2 (x - x̄) / (n - c)"""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _axes(dim, x.ndim)
        d = centred(x, axes)
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, builtins.max(math.prod(x.shape[a] for a in axes) - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(ctx.denom))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        g = expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * centred(x, ctx.axes) * (2 / ctx.denom if ctx.denom else math.inf)


class Std(Function):
    """z = √var(x);   dz/dx = (x - x̄) / ((n - c) z)  (0 where z = 0, as torch)"""

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _axes(dim, x.ndim)
        d = centred(x, axes)
        denom = builtins.max(math.prod(x.shape[a] for a in axes) - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.asarray(np.sqrt((d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(denom)))
        ctx.save_for_backward(x, z)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, denom
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        g = expand_back(g, x.shape, ctx.axes, ctx.keepdim)
        z = expand_back(z, x.shape, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(z == 0, 0.0, g * centred(x, ctx.axes) / (z * ctx.denom))


def _need_float_var(input):
    if input.data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, builtins.bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    _need_float_var(input)
    return Var.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                     keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, builtins.bool):
        dim, unbiased = None, dim
    _need_float_var(input)
    return Std.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                     keepdim=keepdim)


class _Extreme(Function):
    """Whole-tensor max/min and amax/amin: z = the extreme;  dz/dx = 1/k at each of the k tied extremes, 0 elsewhere
    (torch's even share). The share is a constant mask, so it is computed in forward."""

    reduce = None
    nan_wins = False  # whole-tensor max/min: a NaN result sends the gradient to the NaNs (torch's rule)

    @classmethod
    def forward(cls, ctx, x, dim=None, keepdim=False):
        axes = _axes(dim, x.ndim)
        z = np.asarray(cls.reduce(x, axis=axes, keepdims=True))
        if ctx.needs_input_grad[0]:
            hit = np.isnan(x) if cls.nan_wins and np.isnan(z).any() else x == z
            ctx.share = hit / hit.sum(axis=axes, keepdims=True).astype(x.dtype)
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        return z if keepdim else np.asarray(z.squeeze(axis=axes) if x.ndim else z)

    @staticmethod
    def backward(ctx, g):
        return expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) * ctx.share


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
    """max/min over one dim -> (values, indices);  dz/dx = 1 at the chosen index only (a constant mask)."""

    inputs = 1
    arg = None

    @classmethod
    def forward(cls, ctx, x, dim, keepdim=False):
        d = dim % builtins.max(x.ndim, 1)
        idx = np.expand_dims(cls.arg(x, axis=d), d) if x.ndim else np.asarray(0)
        values = np.take_along_axis(x, idx, axis=d) if x.ndim else x.copy()
        if ctx.needs_input_grad[0] and x.ndim:
            ctx.chosen = np.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1)) == idx
        ctx.d, ctx.keepdim, ctx.ndim = d, keepdim, x.ndim
        if not keepdim and x.ndim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return values, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, g):
        if not ctx.ndim:
            return g
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.d)
        return np.where(ctx.chosen, g, 0.0)


class MaxDim(_ExtremeDim):
    node_name = "MaxBackward0"
    arg = staticmethod(np.argmax)


class MinDim(_ExtremeDim):
    node_name = "MinBackward0"
    arg = staticmethod(np.argmin)


class _ValuesIndices(tuple):
    """torch.return_types.max: a (values, indices) pair with names."""

    def __new__(cls, values, indices, name):
        t = super().__new__(cls, (values, indices))
        t.name = name
        return t

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"minigrad.return_types.{self.name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _extreme(whole, by_dim, name):
    def op(input, dim=None, keepdim=False, *, other=None):
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            return (maximum if name == "max" else minimum)(input, dim)
        _nonempty_dims(input, None if dim is None else _dim(dim, input.data.ndim), name)
        if dim is None:
            return whole.apply(input)
        values, indices = by_dim.apply(input, _dim(dim, input.data.ndim), keepdim=keepdim)
        return _ValuesIndices(values, indices, name)

    return op


max = _extreme(MaxAll, MaxDim, "max")  # noqa: A001
min = _extreme(MinAll, MinDim, "min")  # noqa: A001


def _nonempty_dims(input, dims, name):
    """torch's errors for a max-like reduction over nothing."""
    shape = input.data.shape
    if dims in (None, ()):
        if input.data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                               "reduction dim with the 'dim' argument.")
        return
    for d in ((dims,) if isinstance(dims, builtins.int) else dims) if shape else ():
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(input, dim=(), keepdim=False):
    _nonempty_dims(input, _check_dims(input, dim), "amax")
    return Amax.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    _nonempty_dims(input, _check_dims(input, dim), "amin")
    return Amin.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


# ---- not differentiable -----------------------------------------------------------------------------------------
def _arg(fn):
    def op(input, dim=None, keepdim=False):
        if dim is None:
            r = np.asarray(fn(input.data.reshape(-1)), np.int64)
            return Tensor._make(r.reshape((1,) * input.data.ndim) if keepdim else r, None)
        d = _dim(dim, input.data.ndim)
        r = fn(input.data, axis=d, keepdims=keepdim) if input.data.ndim else np.asarray(0)
        return Tensor._make(np.asarray(r, np.int64), None)

    return op


argmax, argmin = _arg(np.argmax), _arg(np.argmin)


def all(input, dim=None, keepdim=False):  # noqa: A001
    return Tensor._make(np.asarray(np.all(input.data, axis=_check_dims(input, dim), keepdims=keepdim)), None)


def any(input, dim=None, keepdim=False):  # noqa: A001
    return Tensor._make(np.asarray(np.any(input.data, axis=_check_dims(input, dim), keepdims=keepdim)), None)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm (Σ |x|^p)^(1/p) over dims, made of differentiable ops: p = inf is max |x| and -inf min |x|
    (their gradient shared among ties, as amax's), p = 0 counts the nonzeros (gradient 0)."""
    from .pointwise import abs, pow, sqrt

    if dtype is not None:
        input = input.type(dtype)
    if p == "nuc":
        raise NotImplementedError("norm(p='nuc'): the nuclear norm (the sum of singular values) needs an SVD, which "
                                  "minigrad does not have; use p='fro' or a vector p-norm")
    if isinstance(p, str) and p != "fro":
        raise RuntimeError(f"norm(): unsupported norm type {p!r}; expected 'fro', 'nuc' or a number")
    if p in (math.inf, -math.inf):
        return (amax if p > 0 else amin)(abs(input), () if dim is None else dim, keepdim)
    if p == 0:
        from .reduction_more import NormZero

        return NormZero.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)
    if p in ("fro", 2, 2.0):
        return sqrt(sum(input * input, dim=dim, keepdim=keepdim))
    if p in (1, 1.0):
        return sum(abs(input), dim=dim, keepdim=keepdim)
    return pow(sum(pow(abs(input), p), dim=dim, keepdim=keepdim), 1.0 / p)

