"""More reads and writes by index: index_select/add/copy/fill, masked_*, take, scatter_add and scatter_reduce, the
*_scatter ops, and the integer-valued lookups (nonzero, searchsorted, bucketize, bincount, histc). As in indexing.py
the gradient of a read is a write into zeros and the gradient of a write is a read, each a Function, so they
differentiate to any order."""
import builtins

import numpy as np

from .._dtype import scalar_type as _scalar_type
from .._size import _dim
from ..autograd.function import Function, call
from ..tensor import Tensor
from .compare import where
from .indexing import Gather, Index, IndexBackward, _along
from .inplace import IndexPut, _fill
from .shape import expand
from .shape_more import Diagonal, IndexSelect, _diag_view, _two_dims, tril, triu


def _index_vector(name, index, n=None):
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    if n is not None and idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    return idx


def _at(d, idx):
    return (slice(None),) * d + (idx,)


def index_select(input, dim, index):
    d = _dim(dim, input.data.ndim)
    x = input if input.data.ndim else input.reshape(1)
    idx = _index_vector("index_select", index, x.data.shape[d])
    if input.data.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    out = IndexSelect.apply(x, _at(d, idx), advanced=True)
    return out.reshape(()) if input.data.ndim == 0 else out


def _check_source(name, input, d, idx, source):
    want = list(input.data.shape)
    if want:
        want[d] = idx.size
    if list(np.shape(source.data)) != want and not (source.data.size == idx.size and input.data.ndim <= 1):
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {list(input.data.shape)} at dimension {d} and source slice shape: "
                           f"{list(source.data.shape)} at dimension 0.")


class IndexAdd(Function):
    """z = x with alpha * src added at index along a dim (repeats add up);   dx = g,   dsrc = alpha * g[index]"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, index, alpha):
        ctx.index, ctx.alpha = index, alpha
        z = x.copy()
        np.add.at(z, index, src * alpha if alpha != 1 else src)
        return z

    @staticmethod
    def backward(ctx, g):
        part = call(Index, g, ctx.index, True)
        return g, (part * ctx.alpha if ctx.alpha != 1 else part)


def index_add(input, dim, index, source, *, alpha=1):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = _index_vector("index_add", index, n)
    _check_source("index_add_", input, d, idx, source)
    if input.data.ndim == 0:
        return IndexAdd.apply(input.reshape(1), source.reshape(1), (idx,), alpha).reshape(())
    return IndexAdd.apply(input, source, _at(d, idx), alpha)


class IndexCopy(IndexPut):
    node_name = "IndexCopyBackward0"


class IndexFill(IndexPut):
    node_name = "IndexFillBackward0"


def index_copy(input, dim, index, source):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = _index_vector("index_copy", index, n)
    _check_source("index_copy_", input, d, idx, source)
    if input.data.ndim == 0:
        return IndexCopy.apply(input.reshape(1), source.reshape(1), (idx,), True).reshape(())
    return IndexCopy.apply(input, source, _at(d, idx), True)


def index_fill(input, dim, index, value):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = np.unique(_index_vector("index_fill", index, n))  # each place filled once (value's gradient: their sum)
    if isinstance(value, Tensor) and value.data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.data.ndim} dimension(s).")
    if not isinstance(value, Tensor):
        value = np.asarray(value, input.data.dtype)
    elif value.dtype != input.dtype:
        value = value.to(input.dtype)
    if input.data.ndim == 0:
        return IndexFill.apply(input.reshape(1), value, (idx,), True).reshape(())
    return IndexFill.apply(input, value, _at(d, idx), True)


def _bool_mask(name, mask):
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {_scalar_type(m.dtype)}")
    return m


def masked_fill(input, mask, value):
    m = _bool_mask("masked_fill_", mask)
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.data.ndim} dimension(s).")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    else:
        value = np.asarray(value, input.data.dtype)
    shape = np.broadcast_shapes(input.data.shape, m.shape)
    return where(Tensor._make(np.broadcast_to(m, shape), None), value, input)


def masked_select(input, mask):
    m = _bool_mask("masked_select:", mask)
    shape = np.broadcast_shapes(input.data.shape, m.shape)
    x = expand(input, shape) if shape != input.data.shape else input
    return Index.apply(x, (np.broadcast_to(m, shape),), advanced=True)


class MaskedScatter(Function):
    """z = x with the True places of mask filled by src's leading elements in order;   dx = g with those places
    zeroed,   dsrc = g read at them, padded with zeros to src's size"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, mask):
        ctx.mask, ctx.count, ctx.src_shape = mask, builtins.int(mask.sum()), src.shape
        z = x.copy()
        z[mask] = src.reshape(-1)[:ctx.count]
        return z

    @staticmethod
    def backward(ctx, g):
        gx = call(IndexPut, g, 0.0, ctx.mask, True)
        part = call(Index, g, ctx.mask, True)  # (count,)
        size = builtins.int(np.prod(ctx.src_shape))
        return gx, np.reshape(call(IndexBackward, part, (slice(0, ctx.count),), (size,)), ctx.src_shape)


def masked_scatter(input, mask, source):
    m = _bool_mask("masked_scatter_", mask)
    shape = np.broadcast_shapes(input.data.shape, m.shape)
    m = np.broadcast_to(m, shape)
    if source.data.size < m.sum():
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as ones in mask, but "
                           f"got {source.data.size} elements and {builtins.int(m.sum())} ones")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but got {input.dtype} and "
                           f"{source.dtype}")
    x = expand(input, shape) if shape != input.data.shape else input
    return MaskedScatter.apply(x, source, m)


def take(input, index):
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_scalar_type(idx.dtype)}")
    n = input.data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Index.apply(input.reshape(-1), (idx.astype(np.int64, copy=False),), advanced=True)


def take_along_dim(input, indices, dim=None):
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_scalar_type(idx.dtype)}")
    if dim is None:
        return take(input, idx.reshape(-1))
    n = input.data.ndim
    d = _dim(dim, n)
    if idx.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {n} dimensions for input, and {idx.ndim} dimensions for indices")
    shape_x = list(np.broadcast_shapes(*(tuple(s[:d]) + (1,) + tuple(s[d + 1:])
                                         for s in (input.data.shape, idx.shape))))
    shape_i = list(shape_x)
    shape_x[d], shape_i[d] = input.data.shape[d], idx.shape[d]
    x = expand(input, tuple(shape_x)) if tuple(shape_x) != input.data.shape else input
    i = np.broadcast_to(idx, tuple(shape_i)).astype(np.int64)
    size = builtins.max(x.data.shape[d], 1)
    return Gather.apply(x, i % size, d)


# ---- scatter_add, scatter_reduce ------------------------------------------------------------------------------
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
            fill = -np.inf if reduce == "amax" else np.inf
            z = x.copy() if include_self else np.where(hit, np.array(fill, x.dtype), x)
            ufunc.at(z, at, src)
        else:
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        z = z.astype(x.dtype, copy=False)
        ctx.keep = (~hit if not include_self else np.ones(x.shape, bool))  # where x counts in the result
        if reduce == "mean":
            ctx.scale = 1.0 / np.maximum(count, 1)  # constant
        if reduce in ("amax", "amin"):
            x_tie = x == z  # torch counts x among the ties even where include_self=False left it out
            src_tie = src == z[at]
            ties = x_tie.astype(np.int64)
            np.add.at(ties, at, src_tie)
            ctx.x_tie, ctx.src_tie, ctx.ties = x_tie, src_tie, np.maximum(ties, 1)
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
        raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype")
    return _scatter_apply(ScatterReduce, input, src, idx, d, reduce, include_self)


# ---- the *_scatter ops: a copy of input with one part replaced by src ---------------------------------------------
class SelectScatter(IndexPut):
    node_name = "SelectScatterBackward0"


class SliceScatter(IndexPut):
    node_name = "SliceScatterBackward0"


def _check_part(name, part_shape, src):
    if tuple(src.data.shape) != tuple(part_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.data.shape)}, slice size = {list(part_shape)}")


def select_scatter(input, src, dim, index):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.data.shape)} at "
                         f"dimension {d}")
    at = _at(d, builtins.int(index) % n)
    _check_part("select_scatter", input.data[at].shape, src)
    return SelectScatter.apply(input, src, at, False)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    d = _dim(dim, input.data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    at = _at(d, slice(start, end, step))
    _check_part("slice_scatter", input.data[at].shape, src)
    return SliceScatter.apply(input, src, at, False)


class DiagonalScatter(Function):
    """z = x with a diagonal replaced by src;   dx = g with that diagonal zeroed,   dsrc = g's diagonal"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        z = x.copy()
        _diag_view(z, offset, d1, d2)[...] = src
        return z

    @staticmethod
    def backward(ctx, g):
        return call(DiagonalScatter, g, 0.0, *ctx.args), call(Diagonal, g, *ctx.args)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    d1, d2 = _two_dims(dim1, dim2, input.data.ndim)
    _check_part("diagonal_scatter", _diag_view(input.data, offset, d1, d2).shape, src)
    return DiagonalScatter.apply(input, src, builtins.int(offset), d1, d2)


# ---- in place --------------------------------------------------------------------------------------------------
def _write_back(op):
    """The plain (no graph) path of an in-place op: its out-of-place result written over self."""

    def fn(self, *args, **kwargs):
        self.data[...] = op(self, *args, **kwargs).data

    fn.__name__ = op.__name__ + "_"
    return _fill(record=op)(fn)


index_add_ = _write_back(index_add)
index_copy_ = _write_back(index_copy)
index_fill_ = _write_back(index_fill)
masked_fill_ = _write_back(masked_fill)
masked_scatter_ = _write_back(masked_scatter)
scatter_add_ = _write_back(scatter_add)
scatter_reduce_ = _write_back(scatter_reduce)
tril_ = _write_back(tril)
triu_ = _write_back(triu)


# ---- integer lookups: no gradient -------------------------------------------------------------------------------
def nonzero(input, *, as_tuple=False):
    a = input.data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64), None) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor._make(np.argwhere(a).astype(np.int64), None)


def argwhere(input):
    return nonzero(input)


def _sorted_search(seq, values, side, sorter):
    if seq.ndim <= 1:
        s = seq[sorter] if sorter is not None else seq
        return np.searchsorted(s, values, side=side)
    out = np.empty(values.shape, np.int64)
    for k in np.ndindex(seq.shape[:-1]):
        s = seq[k][sorter[k]] if sorter is not None else seq[k]
        out[k] = np.searchsorted(s, values[k], side=side)
    return out


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    seq = sorted_sequence.data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input, seq.dtype) if scalar else input.data
    if seq.ndim > 1 and (scalar or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    order = None if sorter is None else sorter.data
    out = _sorted_search(seq, values, "right" if right else "left", order)
    return Tensor._make(np.asarray(out, np.int32 if out_int32 else np.int64), None)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    b = boundaries.data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    values = input.data if isinstance(input, Tensor) else np.asarray(input)
    out = np.searchsorted(b, values, side="right" if right else "left")
    return Tensor._make(np.asarray(out, np.int32 if out_int32 else np.int64), None)


def bincount(input, weights=None, minlength=0):
    a = input.data
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None or a.size == 0:  # (torch gives int64 for an empty input even with weights)
        return Tensor._make(np.bincount(a, minlength=minlength).astype(np.int64), None)
    w = weights.data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = w.dtype if w.dtype.kind == "f" else np.float64
    return Tensor._make(np.bincount(a, w.astype(np.float64), minlength=minlength).astype(dtype), None)


def histc(input, bins=100, min=0, max=0):  # noqa: A002 - torch's names
    a = input.data
    if a.dtype.kind != "f":
        raise RuntimeError(f'"histogram_cpu" not implemented for \'{_scalar_type(a.dtype)[:-6] or a.dtype}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and a.size:
        lo, hi = builtins.float(a.min()), builtins.float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {min} max {max}")
    lo, hi = np.asarray(lo, a.dtype), np.asarray(hi, a.dtype)
    inside = a[(a >= lo) & (a <= hi)]
    pos = ((inside - lo) / (hi - lo) * bins).astype(np.int64)  # torch's linear rule; the top edge in the last bin
    counts = np.bincount(np.minimum(pos, bins - 1), minlength=bins)
    return Tensor._make(counts.astype(a.dtype), None)
