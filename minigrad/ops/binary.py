"""Binary (and ternary) pointwise math: atan2 fmod remainder floor_divide hypot logaddexp logaddexp2 xlogy copysign
heaviside float_power clamp_min clamp_max lerp addcmul addcdiv. Each op's Function (forward, backward, the
derivative in its docstring), then its torch-level function: argument checks, broadcasting, torch's promotion.
The engine sums each gradient back over the dimensions its input was broadcast along.
"""
import builtins

import numpy as np

from .._dtype import default_float, scalar_type as _scalar_type
from ..autograd.function import Function
from ..tensor import Tensor
from ._promote import _broadcast_check, _operands, _result_np_dtype
from .compare import _split_ties
from .pointwise import pow


def _tensors(name, **args):
    """torch's TypeError for an argument that must be a Tensor (`atan2(x, 2)`)."""
    for pos, (arg, value) in enumerate(args.items(), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}")


def _checked(*xs):
    """The operands promoted to torch's common dtype, after the broadcasting check (torch's message)."""
    for a, b in zip(xs, xs[1:]):
        _broadcast_check(a, b)
    np.broadcast_shapes(*(np.shape(x.data if isinstance(x, Tensor) else x) for x in xs))
    return _operands(*xs)


def _float_checked(*xs):
    """As _checked, but integers and bools are computed in the default float dtype (torch's float ops on integer
    tensors)."""
    if _result_np_dtype(xs).kind in "biu":
        xs = [x.type(default_float()) if isinstance(x, Tensor) else builtins.float(x) for x in xs]
    return _checked(*xs)


def _floats_only(kernel, *xs):
    """torch's NotImplementedError for a float-only kernel given integers."""
    dt = _result_np_dtype(xs)
    if dt.kind in "biu":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_type(dt)}\'')


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y);   dz/dy = x / (x² + y²),   dz/dx = -y / (x² + y²)"""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        r = g / (x * x + y * y)
        return r * x, -r * y


def atan2(input, other):
    _tensors("atan2", input=input, other=other)
    return Atan2.apply(*_float_checked(input, other))


arctan2 = atan2


class Fmod(Function):
    """z = fmod(x, y) = x - trunc(x / y) y (the sign of x);   dz/dx = 1,   dz/dy = -trunc(x / y)"""

    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g, -g * np.trunc(x / y)


class FmodScalar(Function):
    """z = fmod(x, c) for a number c;   dz/dx = 1"""

    node_name = "FmodBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, c):
        return np.fmod(x, c)

    @staticmethod
    def backward(ctx, g):
        return g


def fmod(input, other):
    _tensors("fmod", input=input)
    x, y = _checked(input, other)
    return Fmod.apply(x, y) if isinstance(other, Tensor) else FmodScalar.apply(x, y)


class Remainder(Function):
    """z = x - floor(x / y) y (Python's %, the sign of y);   dz/dx = 1,   dz/dy = -floor(x / y)"""

    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g, -g * np.floor(x / y)


class RemainderScalar(FmodScalar):
    """z = x % c for a number c;   dz/dx = 1"""

    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx, x, c):
        return np.remainder(x, c)


class RemainderScalarSelf(Function):
    """z = c % y for a number c. torch gives it no derivative (its grad_fn is NotImplemented): backward refuses."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, c, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(c, y)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")


def remainder(input, other):
    x, y = _checked(input, other)
    if not isinstance(input, Tensor):
        return RemainderScalarSelf.apply(x, y)
    return Remainder.apply(x, y) if isinstance(other, Tensor) else RemainderScalar.apply(x, y)


class FloorDivide(Function):
    """z = floor(x / y). torch gives it no derivative (its grad_fn is NotImplemented): backward refuses."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def floor_divide(input, other):
    return FloorDivide.apply(*_checked(input, other))


class Hypot(Function):
    """z = √(x² + y²);   dz/dx = x / z,   dz/dy = y / z"""

    @staticmethod
    def forward(ctx, x, y):
        z = np.hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        r = g / z
        return r * x, r * y


def hypot(input, other):
    _tensors("hypot", input=input, other=other)
    _floats_only("hypot_cpu", input, other)
    return Hypot.apply(*_checked(input, other))


class Logaddexp(Function):
    """z = ln(eˣ + eʸ);   dz/dx = 1 / (1 + e^(y - x)),   dz/dy = 1 / (1 + e^(x - y))"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.logaddexp(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with np.errstate(over="ignore"):  # e^(big) = inf: that side's gradient is 0
            return g / (1 + np.exp(y - x)), g / (1 + np.exp(x - y))


def logaddexp(input, other):
    _tensors("logaddexp", input=input, other=other)
    _floats_only("logaddexp_cpu", input, other)
    return Logaddexp.apply(*_checked(input, other))


class Logaddexp2(Function):
    """z = log₂(2ˣ + 2ʸ);   dz/dx = 1 / (1 + 2^(y - x)),   dz/dy = 1 / (1 + 2^(x - y))"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.logaddexp2(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return g / (1 + np.exp2(y - x)), g / (1 + np.exp2(x - y))


def logaddexp2(input, other):
    _tensors("logaddexp2", input=input, other=other)
    _floats_only("logaddexp2_cpu", input, other)
    return Logaddexp2.apply(*_checked(input, other))


class Xlogy(Function):
    """z = x ln y, and 0 where x = 0 (unless y is NaN);   dz/dx = ln y (0 where x = 0 and y <= 0, as torch),
    dz/dy = x / y"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = np.where((x == 0) & (y <= 0), 0.0, g * np.log(y)) if need_x else None
            return gx, g * x / y if need_y else None


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"


def xlogy(input, other):
    fn = XlogyScalarSelf if not isinstance(input, Tensor) else Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    x, y = _float_checked(input, other)
    dt = _result_np_dtype([x, y])  # a number becomes a 0-dim array of that dtype: np.log(2.0) would be float64
    return fn.apply(*(v if isinstance(v, (Tensor, np.ndarray)) else np.asarray(v, dt) for v in (x, y)))


class Copysign(Function):
    """z = |x| with the sign of y;   dz/dx = sign(x) sign(z) (0 at x = 0, as torch),   dz/dy = 0"""

    @staticmethod
    def forward(ctx, x, y):
        z = np.copysign(x, y)
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, z = ctx.saved_tensors
        return g * np.sign(x) * np.sign(z), np.zeros_like(g)


class CopysignScalar(Copysign):
    node_name = "CopysignBackward1"
    inputs = 1


def copysign(input, other):
    _tensors("copysign", input=input)
    fn = Copysign if isinstance(other, Tensor) else CopysignScalar
    return fn.apply(*_float_checked(input, other))


class Heaviside(Function):
    """z = 0 for x < 0, `values` for x = 0, 1 for x > 0. torch gives it no derivative: backward refuses."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, values):
        return np.where(x == 0, values, x > 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input, values):
    _tensors("heaviside", input=input, values=values)
    if input.data.dtype != values.data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    _broadcast_check(input, values)
    return Heaviside.apply(input, values)


def float_power(input, exponent):
    """x ** y computed in float64 whatever the inputs' dtypes (torch's float_power): a cast, then pow."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power() expects at least one Tensor argument")
    base, e = ((x.double() if x.data.dtype != np.float64 else x) if isinstance(x, Tensor) else builtins.float(x)
               for x in (input, exponent))
    return pow(base, e)


class ClampMin(Function):
    """z = max(x, m) for a number m;   dz/dx = 1 where x > m, else 0 (0 on the bound, as torch)"""

    node_name = "ClampMinBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x)
        ctx.m = m
        return np.maximum(x, m)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > ctx.m)


class ClampMinTensor(Function):
    """z = max(x, m) for a tensor m;   dz/dx = 1 where x > m, dz/dm = 1 where x < m, half each on a tie (torch)"""

    node_name = "ClampMinBackward1"

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x, m)
        return np.maximum(x, m)

    @staticmethod
    def backward(ctx, g):
        x, m = ctx.saved_tensors
        return _split_ties(g, x < m, x > m, x == m)


def clamp_min(input, min):  # noqa: A002 - torch's name
    x, m = _checked(input, min)
    return ClampMinTensor.apply(x, m) if isinstance(min, Tensor) else ClampMin.apply(x, m)


class ClampMax(Function):
    """z = min(x, m) for a number m;   dz/dx = 1 where x < m, else 0 (0 on the bound, as torch)"""

    node_name = "ClampMaxBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x)
        ctx.m = m
        return np.minimum(x, m)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x < ctx.m)


class ClampMaxTensor(Function):
    """z = min(x, m) for a tensor m;   dz/dx = 1 where x < m, dz/dm = 1 where x > m, half each on a tie (torch)"""

    node_name = "ClampMaxBackward1"

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(x, m)
        return np.minimum(x, m)

    @staticmethod
    def backward(ctx, g):
        x, m = ctx.saved_tensors
        return _split_ties(g, x > m, x < m, x == m)


def clamp_max(input, max):  # noqa: A002
    x, m = _checked(input, max)
    return ClampMaxTensor.apply(x, m) if isinstance(max, Tensor) else ClampMax.apply(x, m)
