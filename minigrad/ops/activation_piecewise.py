"""The piecewise activations: leaky_relu, prelu, rrelu, hardtanh (relu6), hardsigmoid, hardswish, softshrink,
hardshrink, threshold. Each Function (forward, backward, the derivative in its docstring) above its torch-level
function. Their derivatives are masks (`x > 0`, a bool array) times g, or np.where between g and a multiple of g,
which keeps g's dtype and runs on Tensors as well during a create_graph backward.
"""
import numpy as np

from .._dtype import scalar_type
from ..autograd.function import Function
from .activation import _in_place


class LeakyRelu(Function):
    """z = x for x > 0, else s x;   dz/dx = 1 for x > 0, else s"""

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.s = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return np.where(x > 0, g, g * ctx.s)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _in_place(input, LeakyRelu, negative_slope) if inplace else LeakyRelu.apply(input, negative_slope)


class Prelu(Function):
    """z = x for x > 0, else w x (w broadcast over the channel dim 1);
    dz/dx = 1 for x > 0, else w;     dz/dw = 0 for x > 0, else x  (summed over all but the channel dim)"""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return np.where(x > 0, x, x * w)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        neg = x <= 0
        return np.where(neg, g * w, g), g * x * neg


def prelu(input, weight):
    if weight.data.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.data.ndim}")
    n = weight.data.size
    channels = input.data.shape[1] if input.data.ndim >= 2 else 1
    if n != 1 and (input.data.ndim == 0 or channels != n):
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{n} and channel size = {channels}.")
    if input.data.ndim < 2:  # no channel dim: the one weight is a scalar
        w = weight.reshape(())
    else:  # (C,) -> (C, 1, ..., 1), against (N, C, d1, ...)
        w = weight.reshape((n,) + (1,) * (input.data.ndim - 2))
    return Prelu.apply(input, w)


class RreluNoise(Function):
    """z = a x with a fixed per-element slope a (1 for x >= 0, drawn in [lower, upper] otherwise);   dz/dx = a"""

    node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx, x, a):
        ctx.a = a
        return x * a

    @staticmethod
    def backward(ctx, g):
        return g * ctx.a


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Eval: leaky_relu with the mean slope (lower + upper) / 2. Training: a slope drawn uniformly per negative
    element from minigrad's generator (so `manual_seed` makes it reproducible; the draws are not torch's)."""
    if not training:
        s = (lower + upper) / 2
        return leaky_relu(input, s, inplace)
    x = input.data
    from .. import random

    a = random._gen(None).uniform(lower, upper, x.shape).astype(x.dtype)
    a = np.where(x >= 0, np.ones((), x.dtype), a)
    return _in_place(input, RreluNoise, a) if inplace else RreluNoise.apply(input, a)


class Hardtanh(Function):
    """z = min(max(x, lo), hi);   dz/dx = 1 for lo < x < hi, else 0"""

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        ctx.save_for_backward(x)
        ctx.bounds = (min_val, max_val)
        return np.minimum(np.maximum(x, np.asarray(min_val, x.dtype)), np.asarray(max_val, x.dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return g * ((x > lo) & (x < hi))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _in_place(input, Hardtanh, min_val, max_val) if inplace else Hardtanh.apply(input, min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


class Hardsigmoid(Function):
    """z = min(max(x/6 + 1/2, 0), 1);   dz/dx = 1/6 for -3 < x < 3, else 0"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(np.maximum(x + 3, 0), 6).astype(x.dtype, copy=False) / 6

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > -3) & (x < 3)) * _ONE_SIXTH_F32


_ONE_SIXTH_F32 = float(np.float32(1 / 6))  # torch's backward multiplies by 1/6 rounded to float32, in float64 too


def hardsigmoid(input, inplace=False):
    return _in_place(input, Hardsigmoid) if inplace else Hardsigmoid.apply(input)


class Hardswish(Function):
    """z = x hardsigmoid(x): 0 for x <= -3, x for x >= 3, x (x + 3) / 6 between;
    dz/dx = 0 for x < -3, 1 for x > 3, x/3 + 1/2 between (torch's choice at the ends: -3 -> 1/2 ... 3 -> 3/2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.minimum(np.maximum(x + 3, 0), 6).astype(x.dtype, copy=False) * (1 / 6)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x >= -3) & (x <= 3)) * (x * (1 / 3) + 0.5) + g * (x > 3)


def hardswish(input, inplace=False):
    return _in_place(input, Hardswish) if inplace else Hardswish.apply(input)

class Softshrink(Function):
    """z = x - λ for x > λ, x + λ for x < -λ, else 0;   dz/dx = 1 for |x| > λ, else 0"""

    @staticmethod
    def forward(ctx, x, lambd=0.5):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, np.zeros((), x.dtype)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd))


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(input.data.dtype).max:g}] for input dtype "
                           f"{scalar_type(input.data.dtype)}, but found {lambd:g}")
    return Softshrink.apply(input, lambd)


class Hardshrink(Function):
    """z = x for |x| > λ, else 0;   dz/dx = 1 for |x| > λ, else 0"""

    @staticmethod
    def forward(ctx, x, lambd=0.5):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return x * ((x > lambd) | (x < -lambd))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lambd) | (x < -ctx.lambd))


def hardshrink(input, lambd=0.5):
    return Hardshrink.apply(input, lambd)


class Threshold(Function):
    """z = x for x > threshold, else value;   dz/dx = 1 for x > threshold, else 0"""

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return np.where(x > threshold, x, np.asarray(value, x.dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > ctx.threshold)


def threshold(input, threshold, value, inplace=False):
    return _in_place(input, Threshold, threshold, value) if inplace else Threshold.apply(input, threshold, value)


_threshold = threshold  # for threshold_, whose argument `threshold` hides the function (as in torch's source)


# ---- the in-place spellings (F.leaky_relu_(x) is F.leaky_relu(x, inplace=True)) ----
def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)
