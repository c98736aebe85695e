"""The smooth activations of nn.functional beyond relu/sigmoid/tanh: each fused Function (forward, backward, the
derivative in its docstring) above its torch-level function; the ones that are short compositions of existing ops
(mish, softsign, softmin, logsigmoid, tanhshrink, glu) are written as compositions, which differentiate to any order.
The piecewise-linear ones (leaky_relu, prelu, rrelu, hardtanh, hardsigmoid, hardswish, the shrinks, threshold) are in
activation_piecewise.py.

Backward formulas use operators, masks and NumPy functions only, so the same line runs on arrays and, for a
create_graph backward, on Tensors. `x > 0` is a bool mask: multiplying by it (or np.where on it) keeps g's dtype.
"""
import math

import numpy as np

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
        np.copyto(input.data, call(fn, input.data, *args, **options))
    input._vc[0] += 1
    return input


_ERF = np.frompyfunc(math.erf, 1, 1)


def _erf(a):
    """erf elementwise in a's dtype. NumPy has none; math.erf is exact to double precision, at ~60 ns an element
    (2 ms for a (64, 512) batch)."""
    return np.asarray(_ERF(a), dtype=a.dtype)


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
        return x * call(NormalCdf, x)

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
        return x * call(Sigmoid, x)

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
