"""The error function and its kin (erf erfc erfinv), and logit. NumPy has no erf, so it is computed here, in
float64 whatever the input's dtype (then rounded to it), vectorised, by three classical expansions:

    erf x  = 2/√π e^(-x²) Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1))          |x| < 0.5  (all terms positive; 25 terms)
    erfc x = erfc c + 2/√π e^(-c²) Σₙ (-1)ⁿ Hₙ₋₁(c) hⁿ / n!            0.5 <= x < 2, c = x rounded to 1/8,
                                                                         h = x - c (Taylor, Hermite polynomials
                                                                         by their recurrence; 15 terms)
    erfc x = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))     x >= 2     (Laplace's continued
                                                                         fraction, 100 levels)

The 13 values erfc(c) at the Taylor centres come from Python's math.erfc, once, at import. erf is 1 - erfc for
|x| >= 0.5 (erfc < 0.48 there: nothing cancels), erfc is 1 - erf below 0.5 (erf < 0.53). e^(-x²) is taken in two
factors so that the rounding of x² does not show up for large x. erfinv is a closed-form first guess (Winitzki's)
refined by two Halley steps on erf (or on erfc near ±1, where erf cannot tell values apart).
Measured against torch (float64, tests/test_ops_pointwise_more.py): erf and erfc within 8e-16 relative (erfc above
26.5, where it is subnormal, to its absolute precision), erfinv within 1e-15 but for |y| = 1 - 2^-53, 2e-15, where
the two answers give back the same y (erfinv is ill-conditioned there).
"""
import math

import numpy as np

from ..autograd.function import Function
from .pointwise import _float
from .rounding import _tensor

_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / _SQRT_PI
_ERFC_EIGHTHS = np.array([math.erfc(k / 8) for k in range(17)])  # erfc(k/8), k = 0..16: the Taylor centres


def _exp_neg_square(a):
    """e^(-a²) for a >= 0: with h = a rounded to 1/16 (h² is exact), e^(-h²) e^(-(a-h)(a+h))."""
    h = np.floor(a * 16.0) / 16.0
    return np.exp(-h * h) * np.exp(-(a - h) * (a + h))


def _erf_series(a):  # |a| < 0.5
    term = a.copy()
    total = a.copy()
    two_a2 = 2.0 * a * a
    for n in range(1, 25):
        term = term * two_a2 / (2 * n + 1)
        total = total + term
    return _TWO_OVER_SQRT_PI * _exp_neg_square(np.abs(a)) * total


def _erfc_taylor(a):  # 0.5 <= a < 2
    k = np.round(a * 8.0)
    c = k / 8.0
    h = a - c  # |h| <= 1/16
    h_prev, h_n = np.zeros_like(c), np.ones_like(c)  # Hermite H_{n-2}, H_{n-1}, starting at n = 1
    power = np.ones_like(c)  # hⁿ / n!
    total = np.zeros_like(c)
    for n in range(1, 16):
        power = power * h / n
        total = total + (power if n % 2 == 0 else -power) * h_n
        h_prev, h_n = h_n, 2.0 * c * h_n - 2.0 * (n - 1) * h_prev
    return _ERFC_EIGHTHS[k.astype(np.intp)] + _TWO_OVER_SQRT_PI * np.exp(-c * c) * total


def _erfc_fraction(a):  # a >= 2
    a = np.minimum(a, 30.0)  # erfc(30) underflows to 0 already; keeps inf out of the arithmetic (NaN stays NaN)
    k = a.copy()
    for n in range(100, 0, -1):
        k = a + (0.5 * n) / k
    return _exp_neg_square(a) / (_SQRT_PI * k)


def _erfc_positive(a):
    """erfc(a) for a >= 0.5 (and NaN)."""
    out = np.empty_like(a)
    mid = a < 2.0
    out[mid] = _erfc_taylor(a[mid])
    out[~mid] = _erfc_fraction(a[~mid])
    return out


def _erf64(x):
    x = np.asarray(x, np.float64)
    a = np.abs(x)
    out = np.empty_like(a)
    small = a < 0.5
    out[small] = _erf_series(a[small])
    out[~small] = 1.0 - _erfc_positive(a[~small])
    return np.copysign(out, x)


def _erfc64(x):
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    tail = ~(x < 0.5)  # NaN too
    out[tail] = _erfc_positive(x[tail])
    out[~tail] = 1.0 - _erf64(x[~tail])
    return out


def _erfinv64(y):
    y = np.asarray(y, np.float64)
    u = np.abs(y)
    inside = u < 1.0
    v = np.where(inside, u, 0.5)  # the iteration runs on |y| < 1 only; the rest is filled in at the end
    w = np.log1p(-v * v)
    t = 2.0 / (math.pi * 0.147) + 0.5 * w
    x = np.sqrt(np.sqrt(t * t - w / 0.147) - t)  # Winitzki: relative error ~2e-3
    near_one = v >= 0.5
    for _ in range(2):  # Halley on f(x) = erf x - v = (1 - v) - erfc x; f../f. = -2x (cubic: 2e-3, 1e-8, 1e-24)
        f = np.empty_like(x)  # each element evaluates only the function it needs
        f[near_one] = (1.0 - v[near_one]) - _erfc64(x[near_one])
        f[~near_one] = _erf64(x[~near_one]) - v[~near_one]
        step = f / (_TWO_OVER_SQRT_PI * _exp_neg_square(x))
        x = x - step / (1.0 + x * step)
    x = np.where(inside, x, np.where(u == 1.0, np.inf, np.nan))
    return np.copysign(x, y)


class Erf(Function):
    """z = erf x = 2/√π ∫₀ˣ e^(-t²) dt;   dz/dx = 2/√π e^(-x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf64(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _TWO_OVER_SQRT_PI * np.exp(-x * x)


def erf(input):
    return Erf.apply(_float(_tensor("erf", input)))


class Erfc(Function):
    """z = erfc x = 1 - erf x;   dz/dx = -2/√π e^(-x²)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erfc64(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * _TWO_OVER_SQRT_PI * np.exp(-x * x)


def erfc(input):
    return Erfc.apply(_float(_tensor("erfc", input)))


class Erfinv(Function):
    """z = erf⁻¹ x;   dz/dx = 1 / erf'(z) = √π/2 e^(z²)  (the output is saved)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore", divide="ignore"):
            z = _erfinv64(x).astype(x.dtype, copy=False)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return g * (0.5 * _SQRT_PI) * np.exp(z * z)


def erfinv(input):
    return Erfinv.apply(_float(_tensor("erfinv", input)))


class Logit(Function):
    """z = ln(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given;   dz/dx = 1 / (x (1 - x)), and 0
    outside [eps, 1 - eps] (where the clamp is flat)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        if eps is not None:  # torch's order of the two tests matters when eps > 1/2 (then lo > hi)
            x = np.where(x < eps, eps, np.where(x > 1.0 - eps, 1.0 - eps, x)).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g / (x * (1 - x))
        if ctx.eps is None:
            return gx
        eps = ctx.eps
        return np.where((x < eps) | (x > 1.0 - eps), 0.0, gx)


def logit(input, eps=None):
    eps = None if eps is None or eps < 0 else float(eps)  # a negative eps means none, as in torch
    return Logit.apply(_float(_tensor("logit", input)), eps)
