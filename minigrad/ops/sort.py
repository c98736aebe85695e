"""Sorting and order statistics. Each picks elements of x along a dim by an index computed from the values (a sort,
a k-th smallest, a middle, a most frequent): the values are a gather of x at that index, so the gradient is the
scatter back, g added into zeros where each picked value came from (GatherBackward, whose backward is the gather
again). quantile picks two neighbours and interpolates, so it scatters twice, with the weights. unique and
unique_consecutive give new values, not picked ones, and are not differentiable (as in torch)."""
import builtins

import numpy as np

from .._size import _dim
from ..autograd.function import Function, call
from ..tensor import Tensor
from .indexing import Gather, GatherBackward, _along
from .reduction import _ValuesIndices
from .scan import _scalar_as_1d
from .shape import movedim, unsqueeze


def _argsort(x, d, descending=False):
    """A stable argsort along d; NaN sorts as the largest value. Descending keeps ties in their original order:
    the ascending sort of the reversed dim, reversed back."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    return x.shape[d] - 1 - np.flip(np.argsort(np.flip(x, d), axis=d, kind="stable"), d)


class _Pick(Gather):
    """z = x taken at `index` along dim (a gather);   dx = g added into zeros at those places (GatherBackward)"""

    @staticmethod
    def forward(ctx, x, index, dim, keepdim=True):
        ctx.keepdim = keepdim
        z = Gather.forward(ctx, x, index, dim)
        return (z, index) if keepdim else (z.squeeze(dim), index.squeeze(dim))

    @staticmethod
    def backward(ctx, g):
        return Gather.backward(ctx, g if ctx.keepdim else np.expand_dims(g, ctx.dim))


class Sort(_Pick):
    """z = x in sorted order along dim: x gathered at the sorting permutation;   dx = g scattered back through it"""


class Topk(_Pick):
    """z = the k largest (or smallest) of x along dim: the first k of a sort;   dx = g scattered back to them"""


class Kthvalue(_Pick):
    """z = the k-th smallest of x along dim;   dz/dx = 1 at that element, 0 elsewhere"""


class MedianDim(_Pick):
    """z = the middle of x along dim (the lower middle for an even count);   dz/dx = 1 there, 0 elsewhere"""

    node_name = "MedianBackward1"


class NanmedianDim(_Pick):
    """The median of the non-NaN values along dim;   dz/dx = 1 there, 0 elsewhere"""

    node_name = "NanmedianBackward1"


class Mode(_Pick):
    """z = the most frequent value along dim (the smallest of equally frequent ones; index: its last occurrence,
    as torch gives for short slices, where longer ones get whichever its unstable sort puts last);   dz/dx = 1 at
    that index, 0 elsewhere"""


def sort(input, dim=-1, descending=False, stable=False):
    def op(x, d):
        return Sort.apply(x, _argsort(x.data, d, descending), d)

    values, indices = _scalar_as_1d(op, input, dim)
    return _ValuesIndices(values, indices, "sort")


def argsort(input, dim=-1, descending=False, stable=False):
    d = _dim(dim, input.data.ndim)
    if not input.data.ndim:
        return Tensor._make(np.zeros((), np.int64), None)
    return Tensor._make(_argsort(input.data, d, descending), None)


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002 - torch's name
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")

    def op(x, d):
        return Topk.apply(x, np.take(_argsort(x.data, d, largest), np.arange(k), axis=d), d)

    values, indices = _scalar_as_1d(op, input, d)
    return _ValuesIndices(values, indices, "topk")


def _pick(fn, name, input, dim, keepdim, position):
    """fn.apply at the index `position(x, d)` gives (a keepdim-shaped index into the dim), as torch's named pair."""
    def op(x, d):
        return fn.apply(x, position(x.data, d), d, keepdim)

    values, indices = _scalar_as_1d(op, input, dim)
    return _ValuesIndices(values, indices, name)


def kthvalue(input, k, dim=-1, keepdim=False):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _pick(Kthvalue, "kthvalue", input, d, keepdim,
                 lambda x, d: np.take(_argsort(x, d), [k - 1], axis=d))


def _nans(x):
    return np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)


def _median_position(ignore_nan):
    """The index of the median along d, keepdim-shaped. NaNs sort last: median gives a slice with a NaN its first
    NaN (the result is NaN, as torch), nanmedian the middle of the values before them."""
    def position(x, d):
        n, nan_count = x.shape[d], _nans(x).sum(axis=d, keepdims=True)
        if ignore_nan:
            k = np.maximum((n - nan_count - 1) // 2, 0)
        else:
            k = np.where(nan_count > 0, n - nan_count, (n - 1) // 2)
        return np.take_along_axis(_argsort(x, d), k, axis=d)

    return position


class MedianAll(Function):
    """z = the middle of all of x (the lower middle for an even count);   dz/dx = 1/k at the k elements equal to z,
    0 elsewhere (torch's even share among ties). The share is a constant mask, computed in forward."""

    node_name = "MedianBackward0"
    ignore_nan = False

    @classmethod
    def forward(cls, ctx, x):
        flat = x.reshape(-1)
        nan = _nans(flat)
        kept = np.sort(flat[~nan]) if cls.ignore_nan or not nan.any() else flat[:0]
        z = np.asarray(kept[(kept.size - 1) // 2] if kept.size else np.nan, x.dtype)
        hit = _nans(x) if np.isnan(z) else x == z
        ctx.share = hit / x.dtype.type(builtins.max(hit.sum(), 1))
        return z

    @staticmethod
    def backward(ctx, g):
        return g * ctx.share


class NanmedianAll(MedianAll):
    node_name = "NanmedianBackward0"
    ignore_nan = True


def _median(whole, by_dim, name):
    def op(input, dim=None, keepdim=False):
        if dim is None:
            return whole.apply(input)
        d = _dim(dim, input.data.ndim)
        if input.data.ndim and input.data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return _pick(by_dim, name, input, d, keepdim, _median_position(by_dim is NanmedianDim))

    op.__name__ = name
    return op


median = _median(MedianAll, MedianDim, "median")
nanmedian = _median(NanmedianAll, NanmedianDim, "nanmedian")


def _mode_position(x, d):
    """Per slice: sort, find the runs of equal values, take the first longest run (the smallest most frequent
    value); its last element in the stable sort is the value's last occurrence in x."""
    order = _argsort(x, d)
    xs = np.moveaxis(np.take_along_axis(x, order, axis=d), d, -1)  # (..., n), sorted
    n = xs.shape[-1]
    edge = np.ones(xs.shape[:-1] + (1,), bool)
    starts = np.concatenate([edge, xs[..., 1:] != xs[..., :-1]], axis=-1)  # a run begins here
    ends = np.concatenate([starts[..., 1:], edge], axis=-1)  # a run ends here
    pos = np.broadcast_to(np.arange(n), xs.shape)
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)  # where each element's run begins
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, n), -1), axis=-1), -1)  # ... and ends
    best = np.argmax(last - first, axis=-1)[..., None]  # the first element of the first longest run
    return np.take_along_axis(order, np.moveaxis(np.take_along_axis(last, best, axis=-1), -1, d), axis=d)


def mode(input, dim=-1, keepdim=False):
    d = _dim(dim, input.data.ndim)
    if input.data.ndim and input.data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return _pick(Mode, "mode", input, d, keepdim, _mode_position)


# ---- quantile ---------------------------------------------------------------------------------------------------
class Quantile(Function):
    """z = lerp(x_lo, x_hi, w) = x_lo + w (x_hi - x_lo): between the two order statistics around rank q (n - 1);
    dz/dx_lo = 1 - w, dz/dx_hi = w: g (1 - w) scattered to lo's places plus g w to hi's (two GatherBackwards);
    dz/dw = x_hi - x_lo, which reaches q when w is q (n - 1) - lo on a q that requires grad (linear only, as torch)"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, w, lo, hi, dim):
        ctx.save_for_backward(x, w)
        ctx.lo, ctx.hi, ctx.dim, ctx.shape = lo, hi, dim, x.shape
        a, b = x[_along(lo, dim)], x[_along(hi, dim)]
        return np.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))  # torch's lerp, exact at both ends

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        dx = (call(GatherBackward, g * (1 - w), ctx.lo, ctx.dim, ctx.shape)
              + call(GatherBackward, g * w, ctx.hi, ctx.dim, ctx.shape))
        return dx, (g * (x[_along(ctx.hi, ctx.dim)] - x[_along(ctx.lo, ctx.dim)]) if ctx.needs_input_grad[1] else None)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    x = input
    if x.data.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if x.data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q.data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.data.dtype != x.data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    qs = np.asarray(q.data if isinstance(q, Tensor) else q, x.data.dtype).reshape(-1)
    for v in qs:
        if not 0 <= v <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {v}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but "
                           f"got {interpolation}")
    d = 0 if dim is None else _dim(dim, x.data.ndim)
    if dim is None or x.data.ndim == 0:
        x = x.reshape(-1)
    data = x.data
    n, nans = data.shape[d], _nans(data).sum(axis=d, keepdims=True)  # nans: 1 along d
    m = n - nans if ignore_nan else np.full_like(nans, n)
    qshape = [1] * data.ndim
    qshape[d] = qs.size
    rank = qs.reshape(qshape) * (m - 1).astype(data.dtype)  # (..., K at d, ...)
    lo, hi = np.floor(rank), np.ceil(rank)
    w = rank - lo
    if interpolation == "lower":
        hi, w = lo, np.zeros_like(w)
    elif interpolation == "higher":
        lo, w = hi, np.zeros_like(w)
    elif interpolation == "nearest":
        lo = hi = np.round(rank)  # half to even, as torch.round
        w = np.zeros_like(w)
    elif interpolation == "midpoint":
        w = np.where(hi > lo, data.dtype.type(0.5), w)
    if ignore_nan:
        lo, hi = np.where(m == 0, 0, lo), np.where(m == 0, 0, hi)  # all NaN: a NaN
    else:
        lo, hi = np.where(nans > 0, n - 1, lo), np.where(nans > 0, n - 1, hi)  # a NaN in the slice: a NaN
    order = _argsort(data, d)
    lo_index, hi_index = (np.take_along_axis(order, np.broadcast_to(r, rank.shape).astype(np.int64), axis=d)
                          for r in (lo, hi))
    w = w.astype(data.dtype)
    if interpolation == "linear" and isinstance(q, Tensor) and q.requires_grad:  # w = q (m - 1) - lo, recorded
        w = q.reshape(qshape) * (m - 1).astype(data.dtype) - lo.astype(data.dtype)
    out = movedim(Quantile.apply(x, w, lo_index, hi_index, d), d, 0)  # (K, the other dims)
    if keepdim and input.data.ndim:
        out = out.reshape((qs.size,) + (1,) * input.data.ndim) if dim is None else unsqueeze(out, d + 1)
    if not isinstance(q, Tensor) or q.data.ndim == 0:
        out = out.reshape(out.shape[1:])
    return out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


# ---- not differentiable -----------------------------------------------------------------------------------------
def _results(output, inverse, counts, return_inverse, return_counts):
    out = [Tensor._make(output, None)]
    if return_inverse:
        out.append(Tensor._make(np.asarray(inverse, np.int64), None))
    if return_counts:
        out.append(Tensor._make(np.asarray(counts, np.int64), None))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    x = input.data
    if dim is None:
        output, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        d = _dim(dim, x.ndim)
        output, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _results(output, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    x = input.data
    d = None if dim is None else _dim(dim, x.ndim)
    n = x.size if d is None else x.shape[d]
    along = x.reshape(-1) if d is None else np.moveaxis(x, d, 0)
    rows = along.reshape(n, x.size // n if n else 0)  # (n, the rest): a run continues while its row repeats
    starts = np.ones(n, bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    at = np.flatnonzero(starts)
    output = x.reshape(-1)[at] if d is None else np.take(x, at, axis=d)
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(at, n))
    return _results(output, inverse.reshape(x.shape) if d is None else inverse, counts, return_inverse,
                    return_counts)


