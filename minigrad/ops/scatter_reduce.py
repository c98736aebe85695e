"""scatter_add and scatter_reduce: src's elements combined into the places index points to. The gradient reads g
back at those places (Gather), so each differentiates to any order."""
import builtins

import numpy as np

from .._size import _dim
from ..autograd.function import Function, call
from ..tensor import Tensor
from .index_more import _write_back
from .indexing import Gather, IndexBackward, _along


def _scatter_index(name, input, dim, index, src):
    d = _dim(dim, input.data.ndim)
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    idx = idx.astype(np.int64, copy=False)
    if idx.ndim == 0 and input.data.ndim <= 1:
        idx = idx.reshape(1)
    if idx.ndim != builtins.max(input.data.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    for k, m in enumerate(idx.shape):
        if input.data.ndim and (m > src.data.reshape(idx.shape if src.data.ndim == 0 else src.data.shape)
                                .shape[k] or (k != d and m > input.data.shape[k])):
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                               f"{list(input.data.shape)} apart from dimension {d} and to be no larger size than src "
                               f"{list(src.data.shape)}")
    size = input.data.shape[d] if input.data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise RuntimeError(f"index {idx.max() if idx.max() >= size else idx.min()} is out of bounds for dimension {d} "
                           f"with size {size}")
    return d, idx


def _pad(part, src_shape):
    """A gradient for the used part of src, as one for all of src (zeros beyond the used part)."""
    if part.shape == tuple(src_shape):
        return part
    return call(IndexBackward, part, tuple(slice(0, n) for n in part.shape), tuple(src_shape))


def _float(dtype):
    return dtype if dtype.kind == "f" else np.float64


class ScatterReduce(Function):
    """z = x with src's elements combined into the places index points to (sum, mean, prod, amax, amin), x itself
    counting or not (include_self).
      sum:       dx = g (0 where scattered to, without self),  dsrc = g[index]
      mean:      dx = g / count,  dsrc = (g / count)[index]        (count: how many were averaged at each place)
      prod:      dx = g * z / x,  dsrc = (g * z)[index] / src; where a value is 0 these are the products of the
                 others instead (torch's way: the same scatter with the zero replaced by 1)
      amax/amin: the gradient is shared among the values equal to the result:  dx = g * (x == z) / ties,
                 dsrc = (g / ties)[index] * (src == z[index])"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, index, dim, reduce, include_self):
        ctx.index, ctx.dim, ctx.reduce, ctx.include_self = index, dim, reduce, include_self  # src: index's shape
        at = _along(index, dim)
        hit = np.zeros(x.shape, bool)
        hit[at] = True
        count = np.zeros(x.shape, np.int64)
        np.add.at(count, at, 1)
        if reduce in ("sum", "mean"):
            z = np.where(hit, 0, x) if not include_self else x.copy()
            np.add.at(z, at, src)
            if reduce == "mean":
                count = count + (1 if include_self else 0)
                z = np.where(hit, z / np.maximum(count, 1), z) if z.dtype.kind == "f" else \
                    np.where(hit, z // np.maximum(count, 1), z)
        elif reduce == "prod":
            z = np.where(hit, 1, x) if not include_self else x.copy()
            np.multiply.at(z, at, src)
        elif reduce in ("amax", "amin"):
            ufunc = np.maximum if reduce == "amax" else np.minimum
            low, high = (-np.inf, np.inf) if x.dtype.kind == "f" else (np.iinfo(x.dtype).min, np.iinfo(x.dtype).max)
            fill = low if reduce == "amax" else high  # the identity of max / min
            z = x.copy() if include_self else np.where(hit, np.array(fill, x.dtype), x)
            ufunc.at(z, at, src)
        else:
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        z = z.astype(x.dtype, copy=False)
        ctx.keep = (~hit if not include_self else np.ones(x.shape, bool))  # where x counts in the result
        if reduce == "mean":
            ctx.scale = (1.0 / np.maximum(count, 1)).astype(_float(x.dtype))  # a constant, in x's float dtype
        if reduce in ("amax", "amin"):
            x_tie = x == z  # torch counts x among the ties even where include_self=False left it out
            src_tie = src == z[at]
            ties = x_tie.astype(np.int64)
            np.add.at(ties, at, src_tie)
            ctx.x_tie, ctx.src_tie, ctx.ties = x_tie, src_tie, np.maximum(ties, 1).astype(_float(x.dtype))
        if reduce == "prod":
            zeros = np.zeros(x.shape, np.int64)
            np.add.at(zeros, at, src == 0)
            ctx.src_zero, ctx.src_single = src == 0, (src == 0) & (zeros[at] == 1)  # a src that is its place's only 0
            ctx.save_for_backward(x, src, z)
        return z

    @staticmethod
    def backward(ctx, g):
        index, dim, reduce = ctx.index, ctx.dim, ctx.reduce
        if reduce == "sum":
            return np.where(ctx.keep, g, 0.0), call(Gather, g, index, dim)
        if reduce == "mean":
            gs = g * ctx.scale
            return np.where(ctx.keep, gs, 0.0), call(Gather, gs, index, dim)
        if reduce == "prod":  # the product of the others: z / value, or where the value is 0 the scatter without it
            x, src, z = ctx.saved_tensors
            x1 = np.where(x == 0, 1.0, x)
            others = call(ScatterReduce, x1, src, index, dim, "prod", ctx.include_self)
            src1 = np.where(ctx.src_single, 1.0, src)
            without = call(ScatterReduce, x, src1, index, dim, "prod", ctx.include_self)
            gsrc = np.where(ctx.src_single, call(Gather, g * without, index, dim),
                            call(Gather, g * z, index, dim) / np.where(ctx.src_zero, 1.0, src))
            return np.where(ctx.keep, g * others / x1, 0.0), gsrc
        gs = g / ctx.ties
        return np.where(ctx.keep & ctx.x_tie, gs, 0.0), np.where(ctx.src_tie, call(Gather, gs, index, dim), 0.0)


class ScatterAdd(ScatterReduce):
    """scatter_add: scatter_reduce with "sum" and x included"""


def _scatter_apply(fn, input, src, idx, d, *args):
    """fn on input and the part of src that index reads; src's gradient padded back to its full shape."""
    if input.data.ndim == 0:
        return _scatter_apply(fn, input.reshape(1), src.reshape(1) if src.data.ndim == 0 else src, idx, 0,
                              *args).reshape(())
    if src.data.ndim == 0:
        src = src.reshape((1,) * input.data.ndim)
    if tuple(idx.shape) != src.data.shape:
        src = _UsedPart.apply(src, idx.shape)
    return fn.apply(input, src, idx, d, *args)


class _UsedPart(Function):
    """z = src[:n0, :n1, ...];   dsrc = g padded with zeros"""

    node_name = "SliceBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, src, shape):
        ctx.src_shape = src.shape
        return src[tuple(slice(0, n) for n in shape)]

    @staticmethod
    def backward(ctx, g):
        return _pad(g, ctx.src_shape)


def scatter_add(input, dim, index, src):
    d, idx = _scatter_index("scatter_add", input, dim, index, src)
    return _scatter_apply(ScatterAdd, input, src, idx, d, "sum", True)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    d, idx = _scatter_index("scatter_reduce", input, dim, index, src)
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # torch takes these two as aliases
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return _scatter_apply(ScatterReduce, input, src, idx, d, reduce, include_self)


scatter_add_ = _write_back(scatter_add)
scatter_reduce_ = _write_back(scatter_reduce)
