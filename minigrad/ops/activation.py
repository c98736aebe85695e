"""The activations of nn.functional beyond relu/sigmoid/tanh: each fused Function (forward, backward, the derivative
in its docstring) above its torch-level function; the ones that are short compositions of existing ops (mish,
softsign, softmin, logsigmoid, tanhshrink, glu) are written as compositions, which differentiate to any order.

Backward formulas use operators, masks and NumPy functions only, so the same line runs on arrays and, for a
create_graph backward, on Tensors. `x > 0` is a bool mask: multiplying by it (or np.where on it) keeps g's dtype.
"""
import math

import numpy as np

from .._dtype import scalar_type
from .._size import _dim
from ..autograd import grad_mode
from ..autograd.function import Function, call
from .inplace import _check_inplace
from .pointwise import Sigmoid, _float, abs, tanh
from .softmax import softmax


def _in_place(input, fn, *args, **options):
    """fn's result written into `input` itself; under a recording graph `input` takes over the new node (as torch's
    in-place activations do). The op runs on a copy, so what it saved is not overwritten."""
    _check_inplace(input)
    if grad_mode._enabled and input.requires_grad:
        out = fn.apply(input.clone(), *args, **options)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, True
    else:
        np.copyto(input.data, fn.forward(_NoCtx(), input.data, *args, **options))
    input._vc[0] += 1
    return input


class _NoCtx:
    def save_for_backward(self, *arrays):
        pass


def _erf(a):
    """erf elementwise in a's dtype (NumPy has none; math.erf is exact to double precision)."""
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(a.dtype, copy=False)


_SQRT_2PI = math.sqrt(2 * math.pi)


class NormalCdf(Function):
    """Φ(x) = (1 + erf(x / √2)) / 2;   dΦ/dx = φ(x) = e^(-x²/2) / √(2π). Used by gelu's backward, so that gelu
    differentiates again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + _erf(x * (1 / math.sqrt(2)))) * 0.5

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.exp(x * x * -0.5) * (1 / _SQRT_2PI)


_K = math.sqrt(2 / math.pi)


class Gelu(Function):
    """approximate='none':  z = x Φ(x);   dz/dx = Φ(x) + x φ(x)
    approximate='tanh':  z = x/2 (1 + tanh u),  u = √(2/π) (x + 0.044715 x³);
                         dz/dx = (1 + tanh u)/2 + x/2 (1 - tanh² u) √(2/π) (1 + 3·0.044715 x²)
                               = σ(2u) + 2x σ(2u) σ(-2u) √(2/π) (1 + 3·0.044715 x²)"""

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return x * 0.5 * (1 + np.tanh((x + x * x * x * 0.044715) * _K))
        return x * NormalCdf.forward(_NoCtx(), x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            # (1 + tanh u)/2 = σ(2u) and (1 - tanh² u)/4 = σ(2u) σ(-2u): no 1 - t² cancels in float32 where the
            # curve saturates (which made the second derivative 1000x too large at x = 5)
            u2 = (x + x * x * x * 0.044715) * (2 * _K)
            s, s_neg = call(Sigmoid, u2), call(Sigmoid, -u2)
            return g * (s + x * s * s_neg * (1 + x * x * (3 * 0.044715)) * (2 * _K))
        return g * (call(NormalCdf, x) + x * np.exp(x * x * -0.5) * (1 / _SQRT_2PI))


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate=approximate)


class Silu(Function):
    """z = x σ(x);   dz/dx = σ(x) (1 + x (1 - σ(x)))"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * Sigmoid.forward(_NoCtx(), x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = call(Sigmoid, x)
        return g * s * (1 + x * (1 - s))


def silu(input, inplace=False):
    return _in_place(input, Silu) if inplace else Silu.apply(input)


def mish(input, inplace=False):
    """x tanh(softplus(x)): a composition, differentiable to any order."""
    if inplace:
        _check_inplace(input)
        out = mish(input.clone() if grad_mode._enabled and input.requires_grad else input)
        np.copyto(input.data, out.data)
        if out.grad_fn is not None:
            input.grad_fn, input._requires_grad = out.grad_fn, True
        input._vc[0] += 1
        return input
    return input * tanh(softplus(input))


class Elu(Function):
    """The ELU family (torch's elu with scale and input_scale):
        z = s x  for x > 0,   s α (e^(i x) - 1)  otherwise;     dz/dx = s  for x > 0,   s α i e^(i x)  otherwise
    elu: s = i = 1;   selu: α, s fixed constants, i = 1;   celu: s = 1, i = 1/α"""

    @staticmethod
    def forward(ctx, x, alpha=1.0, scale=1.0, input_scale=1.0):
        ctx.save_for_backward(x)
        ctx.c = (alpha, scale, input_scale)
        neg = (np.exp(np.minimum(x, 0) * input_scale) - 1) * (alpha * scale)
        return np.where(x > 0, x * scale, neg)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.c
        pos = x > 0
        return np.where(pos, g * scale, g * np.exp(np.minimum(x, 0) * input_scale) * (alpha * scale * input_scale))


def elu(input, alpha=1.0, inplace=False):
    return _in_place(input, Elu, alpha) if inplace else Elu.apply(input, alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    args = (_SELU_ALPHA, _SELU_SCALE)
    return _in_place(input, Elu, *args) if inplace else Elu.apply(input, *args)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    args = (alpha, 1.0, 1.0 / alpha)
    return _in_place(input, Elu, *args) if inplace else Elu.apply(input, *args)


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


class Softplus(Function):
    """z = log(1 + e^(βx)) / β, and z = x where βx > threshold (torch's linear region);
    dz/dx = σ(βx), and 1 where βx > threshold"""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        ctx.save_for_backward(x)
        ctx.c = (beta, threshold)
        bx = x * beta
        soft = (np.log1p(np.exp(-np.abs(bx))) + np.maximum(bx, 0)) * (1 / beta)
        return np.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.c
        bx = x * beta
        return np.where(bx > threshold, g, g * call(Sigmoid, bx))


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(_float(input), beta, threshold)


def softsign(input):
    """x / (1 + |x|), a composition (torch's own definition)."""
    return input / (abs(input) + 1)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        from ..nn.functional import _softmax_dim

        dim = _softmax_dim("softmin", input.ndim)
    return softmax(-input, dim, dtype=dtype)


def logsigmoid(input):
    """log σ(x) = -softplus(-x), stable for any |x| (softplus has no linear region for -x > 20 here: threshold
    is set out of reach)."""
    return -softplus(-input, 1.0, math.inf)


def tanhshrink(input):
    """x - tanh x, a composition (torch's own definition)."""
    return input - tanh(input)


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


def glu(input, dim=-1):
    """a σ(b) with a, b the two halves of `input` along `dim`: a composition."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.split(n // 2, d)
    return a * Sigmoid.apply(b)


# ---- the in-place spellings of nn.functional (F.elu_(x) is F.elu(x, inplace=True)) ----
def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)
