"""Reductions: dims checked and wrapped, dtypes as torch gives them, (values, indices) for max/min by dim."""
import builtins

import numpy as np

from .. import _dtype
from .._size import _dim
from ..functions import reduce as R
from ..tensor import Tensor
from .pointwise import _scalar_type, abs, maximum, minimum, pow, sqrt


def _check_dims(input, dim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(_dim(d, input.data.ndim) for d in dim)
    return _dim(dim, input.data.ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    fn = R.Sum if dim is None else _SumDim
    return fn.apply(input, dim=_check_dims(input, dim), keepdim=keepdim,
                    dtype=None if dtype is None else _dtype.to_np(dtype))


class _SumDim(R.Sum):
    node_name = "SumBackward1"


class _MeanDim(R.Mean):
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
    fn = R.Mean if dim is None else _MeanDim
    return fn.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


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
    return R.Var.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                       keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, builtins.bool):
        dim, unbiased = None, dim
    _need_float_var(input)
    return R.Std.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                       keepdim=keepdim)


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


max = _extreme(R.MaxAll, R.MaxDim, "max")  # noqa: A001
min = _extreme(R.MinAll, R.MinDim, "min")  # noqa: A001


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
    return R.Amax.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    _nonempty_dims(input, _check_dims(input, dim), "amin")
    return R.Amin.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def logsumexp(input, dim, keepdim=False):
    if input.data.dtype.kind != "f":
        input = input.float()
    return R.LogSumExp.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    return R.Softmax.apply(input, dim=_dim(dim, input.data.ndim))


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    return R.LogSoftmax.apply(input, dim=_dim(dim, input.data.ndim))


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


def norm(input, p="fro", dim=None, keepdim=False):
    if p in ("fro", 2, 2.0):
        return sqrt(sum(input * input, dim=dim, keepdim=keepdim))
    if p in (1, 1.0):
        return sum(abs(input), dim=dim, keepdim=keepdim)
    return pow(sum(pow(abs(input), p), dim=dim, keepdim=keepdim), 1.0 / p)
