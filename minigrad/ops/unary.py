"""Unary math: trig and hyperbolic functions, the exp/log family (exp2 expm1 log2 log10), rsqrt, reciprocal, square.
Each op's Function (forward, backward, the derivative in its docstring), then its torch-level function. Integer and
bool inputs are computed in float32, as torch does (`_float`).

The backward formulas use operators and NumPy functions only, so they differentiate again under create_graph
(`np.cos(x)` on a Tensor is `minigrad.cos`, see _dispatch.py).
"""
import math

import numpy as np

from ..autograd.function import Function
from .pointwise import _float, pow
from .rounding import _tensor

_LN2, _LN10 = math.log(2.0), math.log(10.0)  # Python floats: float32 stays float32


# ---- trigonometric ------------------------------------------------------------------------------------------------
class Sin(Function):
    """z = sin x;   dz/dx = cos x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cos(x)


def sin(input):
    return Sin.apply(_float(_tensor("sin", input)))


class Cos(Function):
    """z = cos x;   dz/dx = -sin x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)


def cos(input):
    return Cos.apply(_float(_tensor("cos", input)))


class Tan(Function):
    """z = tan x;   dz/dx = 1 / cos² x = 1 + z²  (the output is saved)"""

    @staticmethod
    def forward(ctx, x):
        z = np.tan(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (1 + z * z)


def tan(input):
    return Tan.apply(_float(_tensor("tan", input)))


class Asin(Function):
    """z = asin x;   dz/dx = 1 / √(1 - x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # |x| > 1: NaN, as torch
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / np.sqrt(1 - x * x)


def asin(input):
    return Asin.apply(_float(_tensor("asin", input)))


class Acos(Function):
    """z = acos x;   dz/dx = -1 / √(1 - x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return -g / np.sqrt(1 - x * x)


def acos(input):
    return Acos.apply(_float(_tensor("acos", input)))


class Atan(Function):
    """z = atan x;   dz/dx = 1 / (1 + x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)


def atan(input):
    return Atan.apply(_float(_tensor("atan", input)))


# ---- hyperbolic ---------------------------------------------------------------------------------------------------
class Sinh(Function):
    """z = sinh x;   dz/dx = cosh x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cosh(x)


def sinh(input):
    return Sinh.apply(_float(_tensor("sinh", input)))


class Cosh(Function):
    """z = cosh x;   dz/dx = sinh x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sinh(x)


def cosh(input):
    return Cosh.apply(_float(_tensor("cosh", input)))


class Asinh(Function):
    """z = asinh x;   dz/dx = 1 / √(x² + 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / np.sqrt(x * x + 1)


def asinh(input):
    return Asinh.apply(_float(_tensor("asinh", input)))


class Acosh(Function):
    """z = acosh x;   dz/dx = 1 / (√(x - 1) √(x + 1))  (two roots, as torch: x² - 1 would cancel near 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # x < 1: NaN
            return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (np.sqrt(x - 1) * np.sqrt(x + 1))


def acosh(input):
    return Acosh.apply(_float(_tensor("acosh", input)))


class Atanh(Function):
    """z = atanh x;   dz/dx = 1 / (1 - x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # ±1: ±inf, |x| > 1: NaN
            return np.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return g / (1 - x * x)


def atanh(input):
    return Atanh.apply(_float(_tensor("atanh", input)))


# ---- exp and log in other bases -----------------------------------------------------------------------------------
class Exp2(Function):
    """z = 2^x;   dz/dx = z ln 2"""

    @staticmethod
    def forward(ctx, x):
        z = np.exp2(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * z * _LN2


def exp2(input):
    return Exp2.apply(_float(_tensor("exp2", input)))


class Expm1(Function):
    """z = e^x - 1;   dz/dx = e^x = z + 1"""

    @staticmethod
    def forward(ctx, x):
        z = np.expm1(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (z + 1)


def expm1(input):
    return Expm1.apply(_float(_tensor("expm1", input)))


class Log2(Function):
    """z = log₂ x;   dz/dx = 1 / (x ln 2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0: -inf, x < 0: NaN
            return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)


def log2(input):
    return Log2.apply(_float(_tensor("log2", input)))


class Log10(Function):
    """z = log₁₀ x;   dz/dx = 1 / (x ln 10)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)


def log10(input):
    return Log10.apply(_float(_tensor("log10", input)))


class Rsqrt(Function):
    """z = 1 / √x;   dz/dx = -1/2 x^(-3/2) = -z³ / 2"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            z = 1 / np.sqrt(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return -0.5 * g * z * z * z


def rsqrt(input):
    return Rsqrt.apply(_float(_tensor("rsqrt", input)))


class Reciprocal(Function):
    """z = 1 / x;   dz/dx = -1 / x² = -z²"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            z = 1 / x
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return -g * z * z


def reciprocal(input):
    return Reciprocal.apply(_float(_tensor("reciprocal", input)))


def square(input):
    """x ** 2, as torch computes it (its grad_fn is PowBackward0; integers stay integers)."""
    return pow(_tensor("square", input), 2)


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh  # NumPy's names, as torch
