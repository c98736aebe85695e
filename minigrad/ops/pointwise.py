"""Arithmetic and elementwise math: each op's Function (forward, backward, the derivative in its docstring), then
its torch-level function. Inputs broadcast; the engine sums each gradient back to its input's shape.

The backward formulas are written with operators and NumPy functions, so they run on arrays (a plain backward) and
on Tensors (a create_graph backward, where `np.log(x)` reaches `minigrad.log` and is recorded) alike.
"""
import builtins

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..tensor import Tensor
from ._promote import _as_tensor, _broadcast_check, _operands, _out, _promoted, _result_np_dtype


def _binary(fn, a, b):
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.data.dtype == b.data.dtype:  # the common path
        if a.data.shape != b.data.shape:
            _broadcast_check(a, b)
        return fn.apply(a, b)
    return _promoted(fn, a, b)


class Add(Function):
    """z = x + y;   dz/dx = 1,   dz/dy = 1"""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = other * alpha
    z = _binary(Add, input, other)
    return z if out is None else _out(z, out)


class Sub(Function):
    """z = x - y;   dz/dx = 1,   dz/dy = -1"""

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, -g


class RSub(Function):
    """z = c - y for a number c (`1 - x`);   dz/dy = -1"""

    node_name = "RsubBackward1"
    inputs = 1

    @staticmethod
    def forward(ctx, y, c):
        return c - y

    @staticmethod
    def backward(ctx, g):
        return -g


def _is_bool(x):
    return isinstance(x, (builtins.bool, np.bool_)) or (isinstance(x, Tensor) and x.data.dtype == np.bool_)


def sub(input, other, *, alpha=1, out=None):
    if _is_bool(input) or _is_bool(other):
        raise NotImplementedError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1:
        other = other * alpha
    if not isinstance(input, (Tensor, np.ndarray)) and isinstance(other, Tensor) and out is None:  # number - tensor
        c, y = _operands(input, other)
        return RSub.apply(y, c)
    z = _binary(Sub, input, other)
    return z if out is None else _out(z, out)


class Mul(Function):
    """z = x * y;   dz/dx = y,   dz/dy = x"""

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad[:2]
        # as torch: each side is saved only if the other needs its gradient (x * constant keeps no copy of x, and
        # x may then be modified in place without spoiling backward)
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return None if y is None else g * y, None if x is None else g * x


def mul(input, other, *, out=None):
    z = _binary(Mul, input, other)
    return z if out is None else _out(z, out)


class Div(Function):
    """z = x / y;   dz/dx = 1/y,   dz/dy = -x/y² = -z/y"""

    @staticmethod
    def forward(ctx, x, y):
        z = x / y
        ctx.save_for_backward(y, z if ctx.needs_input_grad[1] else None)  # z only for dz/dy, as torch
        return z

    @staticmethod
    def backward(ctx, g):
        y, z = ctx.saved_tensors
        gx = g / y
        return gx, None if z is None else -gx * z


class DivRounding(Function):
    """z = x / y rounded toward 0 ("trunc") or down ("floor");   dz/dx = 0,   dz/dy = 0 (a step function: torch
    records it, DivBackward2, with zero gradients)"""

    node_name = "DivBackward2"
    inputs = 2

    @staticmethod
    def forward(ctx, x, y, mode):
        if np.result_type(x, y).kind in "iu" and np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        if mode == "floor":
            return np.floor_divide(x, y)
        r = np.trunc(np.true_divide(x, y))
        return r.astype(np.result_type(x, y), copy=False)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.zeros_like(g)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        a, b = _true_div_operands(input, other)
        z = _binary(Div, a, b)
        return z if out is None else _out(z, out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    _broadcast_check(input, other)
    a, b = _operands(_as_tensor(input), other)
    return _out(DivRounding.apply(a, b, rounding_mode), out)


def _true_div_operands(a, b):
    """Integer / integer is a float in torch: both sides go to the default float dtype first."""
    ints = builtins.all((isinstance(x, Tensor) and x.data.dtype.kind in "biu") or isinstance(x, (builtins.int, np.integer))
                        for x in (a, b))
    if ints:
        a = a.type(_dtype.default_float()) if isinstance(a, Tensor) else builtins.float(a)
        b = b.type(_dtype.default_float()) if isinstance(b, Tensor) else builtins.float(b)
    return a, b


def true_divide(input, other):
    return div(input, other)


class Neg(Function):
    """z = -x;   dz/dx = -1"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


def neg(input):
    if input.data.dtype == np.bool_:
        raise NotImplementedError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                                  "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(input)


class Pow(Function):
    """z = x ** e with a constant e;   dz/dx = e * x^(e-1)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, e):
        ctx.save_for_backward(x)
        ctx.e = e
        return x ** e

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        e = ctx.e
        if e == 0:
            return np.zeros_like(x), None
        return g * e * x ** (e - 1), None


class PowTensor(Function):
    """z = x ** y;   dz/dx = y * x^(y-1),   dz/dy = z * ln(x)  (taken as 0 where x = 0 and y >= 0, as torch)"""

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        z = x ** y
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = np.where(y == 0, 0.0, g * y * x ** (y - 1))  # 0 ** 0: torch's 0, not 0 * inf
            gy = np.where((x == 0) & (y >= 0), 0.0, g * z * np.log(x))
        return gx, gy


class RPow(Function):
    """z = c ** y for a number c (`2 ** x`);   dz/dy = z ln c  (0 where c = 0 and y >= 0, as torch)"""

    node_name = "PowBackward2"
    inputs = 1

    @staticmethod
    def forward(ctx, y, c):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 is inf, (-2) ** 0.5 nan, as in torch
            z = c ** y
            ctx.log_c = np.log(c)  # in c's dtype, which is z's
        ctx.save_for_backward(y, z)
        ctx.c = c
        return z

    @staticmethod
    def backward(ctx, g):
        y, z = ctx.saved_tensors
        with np.errstate(invalid="ignore"):  # c <= 0: torch's inf and nan, without warnings
            gy = g * z * ctx.log_c
        return np.where(y >= 0, 0.0, gy) if ctx.c == 0 else gy


def pow(input, exponent):  # noqa: A001 - torch's name
    if isinstance(exponent, Tensor):
        base = input
        if not isinstance(base, Tensor):
            dt = _result_np_dtype([exponent, base])
            base = np.asarray(base, dt)
            exponent = exponent if exponent.data.dtype == dt else exponent.type(_dtype.from_numpy_dtype(dt))
            return RPow.apply(exponent, base)
        return _binary(PowTensor, base, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if input.data.dtype.kind in "iub" and isinstance(exponent, builtins.float):
        input = input.type(_dtype.default_float())
    if input.data.dtype.kind in "iu" and isinstance(exponent, builtins.int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return Pow.apply(input, exponent)


def _float(input):
    """torch computes exp/log/... of integers in the default float dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.type(_dtype.default_float()) if input.data.dtype.kind in "iub" else input


class Exp(Function):
    """z = e^x;   dz/dx = e^x = z  (so the output is saved, not the input)"""

    @staticmethod
    def forward(ctx, x):
        z = np.exp(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z


def exp(input):
    return Exp.apply(_float(input))


class Log(Function):
    """z = ln x;   dz/dx = 1/x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


def log(input):
    return Log.apply(_float(input))


class Log1p(Function):
    """z = ln(1 + x);   dz/dx = 1 / (1 + x)"""

    node_name = "Log1PBackward0"  # torch's spelling

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # -1: -inf, below: NaN, silently as torch
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x)


def log1p(input):
    return Log1p.apply(_float(input))


class Sqrt(Function):
    """z = √x;   dz/dx = 1 / (2√x) = 1 / (2z)"""

    @staticmethod
    def forward(ctx, x):
        z = np.sqrt(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g / (2 * z)


def sqrt(input):
    return Sqrt.apply(_float(input))


class Abs(Function):
    """z = |x|;   dz/dx = sign(x)  (0 at 0, as torch)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sign(x)


def abs(input):  # noqa: A001
    return Abs.apply(input)


_ZEROS = {}  # dtype -> a read-only array of zeros, the largest asked for so far


def _zeros_like(x):
    """Zeros of x's shape and dtype, shared and read-only. np.maximum against a scalar runs NumPy's scalar loop,
    against an array its vectorized one: ReLU at (64, 16, 28, 28) float32 took 0.24 ms, and 0.10 ms this way."""
    buf = _ZEROS.get(x.dtype)
    if buf is None or buf.size < x.size:
        buf = _ZEROS[x.dtype] = np.zeros(x.size, x.dtype)
        buf.flags.writeable = False
    return buf[:x.size].reshape(x.shape)


class Relu(Function):
    """z = max(x, 0);   dz/dx = 1 where z > 0, else 0"""

    @staticmethod
    def forward(ctx, x):
        z = np.maximum(x, _zeros_like(x)) if x.size > 4096 else np.maximum(x, 0)  # (small: the scalar is fine)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        # a multiply by the 0/1 mask, not np.where: where branches on every element and a ReLU mask is a coin flip,
        # so it ran 10x slower (130 µs vs 14 µs at (64, 512)); bool * float keeps g's dtype. `not z <= 0` rather
        # than `z > 0`: a NaN passes its gradient through, as torch's threshold_backward does
        return g * ~(z <= 0)


def relu(input):
    return Relu.apply(input)


class Sigmoid(Function):
    """z = 1 / (1 + e^-x);   dz/dx = z (1 - z)"""

    @staticmethod
    def forward(ctx, x):
        # e^-|x| never overflows: for x < 0, sigmoid(x) = e^x / (1 + e^x)
        e = np.exp(-np.abs(x))
        z = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z * (1 - z)


def sigmoid(input):
    return Sigmoid.apply(_float(input))


class Tanh(Function):
    """z = tanh x;   dz/dx = 1 - z²"""

    @staticmethod
    def forward(ctx, x):
        z = np.tanh(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (1 - z * z)


def tanh(input):
    return Tanh.apply(_float(input))


class Cast(Function):
    """z = x converted to another dtype;   dz/dx = 1 (the engine converts the gradient back to x's dtype)"""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Clone(Function):
    """z = a copy of x;   dz/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g
