"""Elementwise ops, comparisons and `out=`: scalars and tensors promoted as torch promotes them."""
import builtins
import re

import numpy as np

from .. import _dtype
from ..autograd import grad_mode
from ..functions import elementwise as E
from ..tensor import Tensor
from ._promote import _as_tensor, _binary, _broadcast_check, _operands, _result_np_dtype

_SCALAR_TYPES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
                 "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def _scalar_type(np_dtype):
    """torch's ScalarType name of a dtype, as its error messages print it: Float, Long, Bool."""
    return _SCALAR_TYPES.get(np.dtype(np_dtype).name, str(np_dtype))


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = other * alpha
    return _out(_binary(E.Add, input, other), out)


def _is_bool(x):
    return isinstance(x, (builtins.bool, np.bool_)) or (isinstance(x, Tensor) and x.data.dtype == np.bool_)


def sub(input, other, *, alpha=1, out=None):
    if _is_bool(input) or _is_bool(other):
        raise NotImplementedError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1:
        other = other * alpha
    if not isinstance(input, Tensor) and isinstance(other, Tensor) and out is None:  # number - tensor
        c, y = _operands(input, other)
        return E.RSub.apply(y, c)
    return _out(_binary(E.Sub, input, other), out)


def mul(input, other, *, out=None):
    return _out(_binary(E.Mul, input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        a, b = _true_div_operands(input, other)
        return _out(_binary(E.Div, a, b), out)
    a, b = _operands(_as_tensor(input), other)
    a = a.data if isinstance(a, Tensor) else a
    b = b.data if isinstance(b, Tensor) else b
    r = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))
    return _out(Tensor._make(np.asarray(r), None), out)


def _true_div_operands(a, b):
    """Integer / integer is a float in torch: both sides go to float32 first."""
    ints = builtins.all((isinstance(x, Tensor) and x.data.dtype.kind in "biu") or isinstance(x, (builtins.int, np.integer))
               for x in (a, b))
    if ints:
        a = a.float() if isinstance(a, Tensor) else builtins.float(a)
        b = b.float() if isinstance(b, Tensor) else builtins.float(b)
    return a, b


def true_divide(input, other):
    return div(input, other)


def neg(input):
    if input.data.dtype == np.bool_:
        raise NotImplementedError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                                  "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return E.Neg.apply(input)


def pow(input, exponent):  # noqa: A001 - torch's name
    if isinstance(exponent, Tensor):
        base = input
        if not isinstance(base, Tensor):
            dt = _result_np_dtype([exponent, base])
            base = np.asarray(base, dt)
            exponent = exponent if exponent.data.dtype == dt else exponent.type(_dtype.from_numpy_dtype(dt))
            return E.RPow.apply(exponent, base)
        return _binary(E.PowTensor, base, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if input.data.dtype.kind in "iub" and isinstance(exponent, builtins.float):
        input = input.float()
    return E.Pow.apply(input, exponent)


def _float_unary(fn):
    def op(input):
        if input.data.dtype.kind in "iub":
            input = input.float()  # torch computes exp/log/... of integers in the default float dtype
        return fn.apply(input)

    return op


exp, log, sqrt, sigmoid, tanh = (_float_unary(f) for f in (E.Exp, E.Log, E.Sqrt, E.Sigmoid, E.Tanh))


def abs(input):  # noqa: A001
    return E.Abs.apply(input)


def relu(input):
    return E.Relu.apply(input)


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
        return E.ClampTensor.apply(x, lo, hi)
    return E.Clamp.apply(input, min=min, max=max)


clip = clamp


def maximum(input, other):
    return _binary(E.Maximum, input, other)


def minimum(input, other):
    return _binary(E.Minimum, input, other)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return tuple(Tensor._make(i, None) for i in np.nonzero(condition.data))
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_scalar_type(cond.dtype)}")
    x, y = _operands(input, other)
    return E.Where.apply(x, y, cond)


def _compare(ufunc):
    def op(input, other):
        a, b = _operands(input, other)
        a = a.data if isinstance(a, Tensor) else a
        b = b.data if isinstance(b, Tensor) else b
        return Tensor._make(np.asarray(ufunc(a, b)), None)

    return op


eq, ne, lt, le, gt, ge = (_compare(u) for u in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                                                np.greater_equal))
logical_and, logical_or, logical_xor = (_compare(u) for u in (np.logical_and, np.logical_or, np.logical_xor))


def logical_not(input):
    return Tensor._make(np.logical_not(input.data), None)


def equal(input, other):
    return input.shape == other.shape and builtins.bool(np.array_equal(input.data, other.data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(np.allclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(input.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def isnan(input):
    return Tensor._make(np.isnan(input.data), None)


def isinf(input):
    return Tensor._make(np.isinf(input.data), None)


def isfinite(input):
    return Tensor._make(np.isfinite(input.data), None)


def sign(input):
    return Tensor._make(np.sign(input.data), None)


def floor(input):
    return Tensor._make(np.floor(input.data), None)


def ceil(input):
    return Tensor._make(np.ceil(input.data), None)


def round(input, decimals=0):  # noqa: A001
    return Tensor._make(np.round(input.data, decimals), None)


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _out(result, out):
    """`out=`: write the result into an existing tensor of the right shape."""
    if out is None:
        return result
    if grad_mode._enabled and (result._requires_grad or out._requires_grad):
        name = re.sub("Backward[0-9]*$", "", type(result.grad_fn).__name__).lower() if result.grad_fn else "op"
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    if out.shape != result.shape:
        out.data = np.empty(result.data.shape, out.data.dtype)
    np.copyto(out.data, result.data, casting="same_kind")
    out._vc[0] += 1
    return out
