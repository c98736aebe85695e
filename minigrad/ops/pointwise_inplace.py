"""The in-place variants of unary.py, rounding.py, special.py, binary.py and ternary.py (`x.sin_()`, `x.fmod_(y)`,
...), recorded as torch records them: under a recording graph the op runs out of place and x takes over its result
and grad_fn (inplace.py's `_take_over`); otherwise the result is written into x's own array."""
import numpy as np

from .. import _dtype
from .._dtype import scalar_type as _scalar_type
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from . import binary, rounding, special, ternary, unary
from .inplace import _check_inplace, _source, _take_over
from .pointwise import log1p


class _NoInplaceDerivative(Function):
    """z = f(x) written over x, for an f whose derivative torch computes from x (asinh acosh atanh): backward
    refuses, as torch's does."""

    inputs = 1

    @staticmethod
    def forward(ctx, x, z):
        return z

    @staticmethod
    def backward(ctx, g):
        name = type(ctx).__name__.replace("Backward1", "").lower()
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not implemented.")


class _AsinhInplace(_NoInplaceDerivative):
    node_name = "AsinhBackward1"


class _AcoshInplace(_NoInplaceDerivative):
    node_name = "AcoshBackward1"


class _AtanhInplace(_NoInplaceDerivative):
    node_name = "AtanhBackward1"


def _inplace_of(op, refused=None):
    """`x.op_(*args)` from the out-of-place `op(x, *args)`: the result must keep x's shape and fit its dtype.
    `refused`: the Function that records it instead, for an in-place op torch cannot differentiate."""

    def method(self, *args, **kwargs):
        _check_inplace(self)
        recording = grad_mode._enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in (*args, *kwargs.values())))
        with grad_mode.set_grad_enabled(recording):
            result = op(_source(self) if recording else self, *args, **kwargs)
        if result.data.shape != self.data.shape:
            raise RuntimeError(f"output with shape {list(self.data.shape)} doesn't match the broadcast shape "
                               f"{list(result.data.shape)}")
        if _dtype.category(result.data.dtype) > _dtype.category(self.data.dtype):
            raise RuntimeError(f"result type {_scalar_type(result.data.dtype)} can't be cast to the desired output "
                               f"type {_scalar_type(self.data.dtype)}")
        if recording and refused is not None:  # torch's derivative of these reads their input, now overwritten
            result = refused.apply(self, result.data)
        if recording:
            return _take_over(self, result)
        np.copyto(self.data, result.data, casting="unsafe")
        self._vc[0] += 1
        return self

    method.__name__ = op.__name__ + "_"
    return method


sin_, cos_, tan_, asin_, acos_, atan_ = (_inplace_of(f) for f in (unary.sin, unary.cos, unary.tan, unary.asin,
                                                                 unary.acos, unary.atan))
sinh_, cosh_ = _inplace_of(unary.sinh), _inplace_of(unary.cosh)
asinh_, acosh_, atanh_ = (_inplace_of(f, node) for f, node in ((unary.asinh, _AsinhInplace),
                                                                (unary.acosh, _AcoshInplace),
                                                                (unary.atanh, _AtanhInplace)))
exp2_, expm1_, log2_, log10_, log1p_ = (_inplace_of(f) for f in (unary.exp2, unary.expm1, unary.log2, unary.log10,
                                                                log1p))
rsqrt_, reciprocal_, square_ = (_inplace_of(f) for f in (unary.rsqrt, unary.reciprocal, unary.square))
floor_, ceil_, round_, trunc_, frac_ = (_inplace_of(f) for f in (rounding.floor, rounding.ceil, rounding.round,
                                                                rounding.trunc, rounding.frac))
sign_, sgn_, nan_to_num_ = (_inplace_of(f) for f in (rounding.sign, rounding.sgn, rounding.nan_to_num))
erf_, erfc_, erfinv_, logit_ = (_inplace_of(f) for f in (special.erf, special.erfc, special.erfinv, special.logit))
atan2_, fmod_, remainder_, floor_divide_, hypot_ = (_inplace_of(f) for f in (binary.atan2, binary.fmod,
                                                                            binary.remainder, binary.floor_divide,
                                                                            binary.hypot))
xlogy_, copysign_, heaviside_, clamp_min_, clamp_max_ = (_inplace_of(f) for f in (binary.xlogy, binary.copysign,
                                                                                 binary.heaviside, binary.clamp_min,
                                                                                 binary.clamp_max))
lerp_, addcmul_, addcdiv_ = (_inplace_of(f) for f in (ternary.lerp, ternary.addcmul, ternary.addcdiv))


def float_power_(self, exponent):
    """torch's float_power_ computes in float64 and so works only on a float64 tensor."""
    if self.data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_scalar_type(self.data.dtype)} but the "
                           "operation's result requires dtype Double")
    return _float_power_(self, exponent)


_float_power_ = _inplace_of(binary.float_power)
fix_ = trunc_
arcsin_, arccos_, arctan_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, atan_, asinh_, acosh_, atanh_
