"""Integer-valued lookups with no gradient: nonzero, argwhere, searchsorted, bucketize, bincount, histc. Their
results are made with `Tensor._make(array, None)`: nothing is recorded, as in torch."""
import builtins

import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..tensor import Tensor


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
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_scalar_type(a.dtype)}\'')
    if a.ndim != 1 or (a.size and a.min() < 0):
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
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_scalar_type(a.dtype)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and a.size:
        lo, hi = builtins.float(a.min()), builtins.float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {min} max {max}")
    lo, hi = np.asarray(lo, a.dtype), np.asarray(hi, a.dtype)
    inside = a[(a >= lo) & (a <= hi)]
    pos = ((inside - lo) * bins / (hi - lo)).astype(np.int64)  # torch's rule, in its order (multiply, then divide:
    # the other order moved -1e-16 in [-1, 2] across the edge at 0); the top edge goes in the last bin
    counts = np.bincount(np.minimum(pos, bins - 1), minlength=bins)
    return Tensor._make(counts.astype(a.dtype), None)
