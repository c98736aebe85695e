"""Choosing between values: clamp, maximum/minimum, where (differentiable: the gradient goes to what was chosen);
comparisons, logical ops and rounding (not differentiable: they return new tensors without a graph)."""
import builtins

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._promote import _as_tensor, _broadcast_check, _data, _operands
from .._dtype import scalar_type as _scalar_type
from .pointwise import _binary


class Clamp(Function):
    """z = min(max(x, lo), hi);   dz/dx = 1 where lo < x < hi, else 0 (0 on a bound too, as torch)"""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        z = x
        if min is not None:
            z = np.maximum(z, np.asarray(min, dtype=x.dtype))
        if max is not None:
            z = np.minimum(z, np.asarray(max, dtype=x.dtype))
        return z if z is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        if lo is not None:
            g = g * (x > lo)
        if hi is not None:
            g = g * (x < hi)
        return g


class ClampTensor(Function):
    """z = min(max(x, lo), hi) with tensor bounds (either may be None). dz/dx = 1 strictly inside, dz/dlo = 1 below
    lo, dz/dhi = 1 above hi (or everywhere when lo > hi: z is hi then); a tie with one bound shares the gradient
    half and half, and x = lo = hi sends it all to x -- torch's choices, probed value by value."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        m = x if lo is None else np.maximum(x, lo)
        z = m if hi is None else np.minimum(m, hi)
        return z if z is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        if hi is None:
            g_x, g_lo = _split_ties(g, x < lo, x > lo, x == lo)
            return g_x, g_lo, None
        if lo is None:
            g_x, g_hi = _split_ties(g, x > hi, x < hi, x == hi)
            return g_x, None, g_hi
        half = 0.5 * g
        g_x = g * (((x > lo) & (x < hi)) | ((x == lo) & (x == hi))) + half * (((x == lo) & (x < hi)) |
                                                                              ((x == hi) & (x > lo)))
        g_lo = g * ((x < lo) & (lo <= hi)) + half * ((x == lo) & (lo < hi))
        g_hi = g * ((x > hi) | (lo > hi)) + half * ((x == hi) & (hi > lo))
        return g_x, g_lo, g_hi


def clamp(input, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        bounds = [_as_tensor(b) for b in (min, max) if b is not None]
        for b in bounds:
            _broadcast_check(input, b)
        x, *bounds = _operands(input, *bounds)
        lo = bounds.pop(0) if min is not None else None
        hi = bounds.pop(0) if max is not None else None
        return ClampTensor.apply(x, lo, hi)
    return Clamp.apply(input, min=min, max=max)


clip = clamp


class Maximum(Function):
    """z = max(x, y);   dz/dx = 1/2 where x = y, 0 where x < y, else 1 (and the mirror for y), as torch: where
    either is NaN, both get the whole gradient"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x < y, x > y, x == y)


def maximum(input, other):
    return _binary(Maximum, input, other)


class Minimum(Function):
    """z = min(x, y);   dz/dx = 1/2 where x = y, 0 where x > y, else 1 (and the mirror for y), as torch"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x > y, x < y, x == y)


def minimum(input, other):
    return _binary(Minimum, input, other)


def _split_ties(g, x_loses, y_loses, tie):
    """g to each side that did not lose, halved on a tie (a tie never loses), as masks that multiply g."""
    half = 0.5 * g
    return g * ~x_loses - half * tie, g * ~y_loses - half * tie


class Where(Function):
    """z = cond ? x : y;   dz/dx = cond,   dz/dy = not cond  (cond comes last: it is no graph input)"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        return np.where(cond, g, 0.0), np.where(cond, 0.0, g)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return tuple(Tensor._make(i, None) for i in np.nonzero(_data(condition)))
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_scalar_type(cond.dtype)}")
    _broadcast_check(input, other)
    _broadcast_check(Tensor._make(cond, None), input if isinstance(input, Tensor) else other)
    x, y = _operands(input, other)
    return Where.apply(x, y, cond)


# ---- not differentiable -----------------------------------------------------------------------------------------
def _compare(ufunc):
    def op(input, other):
        _broadcast_check(input, other)
        a, b = _operands(input, other)
        return Tensor._make(np.asarray(ufunc(_data(a), _data(b))), None)

    return op


eq, ne, lt, le, gt, ge = (_compare(u) for u in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                                                np.greater_equal))
logical_and, logical_or, logical_xor = (_compare(u) for u in (np.logical_and, np.logical_or, np.logical_xor))


def bitwise_not(input):
    """`~x`: logical not of a bool tensor, the bitwise not of an integer one."""
    kind = input.data.dtype.kind
    if kind not in "biu":
        raise TypeError(f"~ (operator.invert) is only implemented on integer and Boolean-type tensors, not on a "
                        f"{_scalar_type(input.data.dtype)} tensor")
    return Tensor._make(np.asarray(np.logical_not(input.data) if kind == "b" else np.invert(input.data)), None)


def logical_not(input):
    return Tensor._make(np.logical_not(_data(input)), None)


def equal(input, other):
    return input.shape == other.shape and builtins.bool(np.array_equal(input.data, other.data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(np.allclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(input.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def _unary(ufunc):
    def op(input):
        return Tensor._make(np.asarray(ufunc(_data(input))), None)

    return op


isnan, isinf, isfinite = (_unary(u) for u in (np.isnan, np.isinf, np.isfinite))

from .rounding import ceil, floor, round, sign  # noqa: E402,F401 - their home is rounding.py (zero gradients, as torch)
