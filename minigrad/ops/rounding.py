"""Rounding and other piecewise-constant maps: floor ceil round trunc sign sgn (a zero gradient, recorded as torch
records it: the output requires grad and has a grad_fn), frac (gradient 1), nan_to_num and positive.

Integer inputs stay integers (a copy: they are already whole); bool inputs are refused where torch refuses them.
"""
import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function
from ..tensor import Tensor


def _tensor(name, input):
    """torch's TypeError for a number where a tensor is expected (`torch.sin(2.0)`)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def _no_bool(input, kernel):
    _tensor(kernel.split("_")[0], input)
    if input.data.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_type(input.data.dtype)}\'')


class _Step(Function):
    """A piecewise-constant z(x);   dz/dx = 0 (almost everywhere; torch's choice at the jumps too)"""

    inputs = 1
    numpy = None  # the NumPy ufunc, set by each subclass

    @classmethod
    def forward(cls, ctx, x, *args):
        if x.dtype.kind in "biu":  # integers are already whole (sign of a bool is the bool)
            return _sign(x) if issubclass(cls, Sign) and x.dtype.kind != "b" else x.copy()
        return cls.numpy(x, *args)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)


class Floor(_Step):
    """z = ⌊x⌋;   dz/dx = 0"""

    numpy = np.floor


def floor(input):
    _no_bool(input, "floor_vml_cpu")
    return Floor.apply(input)


class Ceil(_Step):
    """z = ⌈x⌉;   dz/dx = 0"""

    numpy = np.ceil


def ceil(input):
    _no_bool(input, "ceil_vml_cpu")
    return Ceil.apply(input)


class Trunc(_Step):
    """z = x rounded toward 0;   dz/dx = 0"""

    numpy = np.trunc


def trunc(input):
    _no_bool(input, "trunc_vml_cpu")
    return Trunc.apply(input)


fix = trunc


class Round(_Step):
    """z = x rounded to the nearest integer, ties to even;   dz/dx = 0"""

    numpy = np.round


class RoundDecimals(_Step):
    """z = x rounded to `decimals` places (ties to even);   dz/dx = 0"""

    node_name = "RoundBackward1"
    numpy = np.round


def round(input, decimals=0):  # noqa: A001 - torch's name
    _no_bool(input, "round_vml_cpu")
    if decimals == 0:
        return Round.apply(input)
    return RoundDecimals.apply(input, decimals)


def _sign(x):
    """(x > 0) - (x < 0), as torch computes it: NaN gives 0 (np.sign would give NaN)."""
    return np.subtract(x > 0, x < 0, dtype=x.dtype)


class Sign(_Step):
    """z = -1, 0 or 1 by the sign of x;   dz/dx = 0"""

    numpy = _sign


def sign(input):
    _tensor("sign", input)
    return Sign.apply(input)


class Sgn(Sign):
    """z = sgn x (for real x the sign);   dz/dx = 0"""

    node_name = "SgnBackward0"


def sgn(input):
    _tensor("sgn", input)
    return Sgn.apply(input)


class Frac(Function):
    """z = x - trunc(x);   dz/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


def frac(input):
    if _tensor("frac", input).data.dtype.kind in "biu":
        raise NotImplementedError(f'"frac_cpu" not implemented for \'{_scalar_type(input.data.dtype)}\'')
    return Frac.apply(input)


class NanToNum(Function):
    """z = x with NaN, +inf, -inf replaced by numbers;   dz/dx = 1 where x is finite, else 0"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.isfinite(x)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    _tensor("nan_to_num", input)
    if input.data.dtype.kind in "biu":  # nothing to replace
        return NanToNum.apply(input, 0, None, None)
    return NanToNum.apply(input, 0.0 if nan is None else nan, posinf, neginf)


def positive(input):
    """+x: the input itself (torch returns the same tensor)."""
    _tensor("positive", input)
    if input.data.dtype == np.bool_:
        raise NotImplementedError("The `+` operator, on a bool tensor is not supported.")
    return input
