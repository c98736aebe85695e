"""Elementwise ops. Inputs broadcast; the engine sums each gradient back to its input's shape."""
import numpy as np

from ..autograd.function import Function


class Add(Function):
    """z = x + y;   dz/dx = 1,   dz/dy = 1"""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g


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


class Neg(Function):
    """z = -x;   dz/dx = -1"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


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
            gx = np.where(y == 0, np.zeros((), g.dtype), g * y * x ** (y - 1))  # 0 ** 0: torch's 0, not 0 * inf
            gy = g * z * np.log(x)
        gy = np.where((x == 0) & (y >= 0), np.zeros((), gy.dtype), gy)
        return gx, gy


class RPow(Function):
    """z = c ** y for a number c (`2 ** x`);   dz/dy = z ln c  (0 where c = 0 and y >= 0, as torch)"""

    node_name = "PowBackward2"
    inputs = 1

    @staticmethod
    def forward(ctx, y, c):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 is inf, (-2) ** 0.5 nan, as in torch
            z = c ** y
        ctx.save_for_backward(y, z)
        ctx.c = c
        return z

    @staticmethod
    def backward(ctx, g):
        y, z = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # c <= 0: torch's inf and nan, without warnings
            gy = g * z * np.log(ctx.c).astype(g.dtype)
        return np.where(y >= 0, np.zeros((), g.dtype), gy) if ctx.c == 0 else gy


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


class Relu(Function):
    """z = max(x, 0);   dz/dx = 1 where z > 0, else 0"""

    @staticmethod
    def forward(ctx, x):
        z = np.maximum(x, 0)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        # a multiply by the 0/1 mask, not np.where: where branches on every element and a ReLU mask is a coin flip,
        # so it ran 10x slower (130 µs vs 14 µs at (64, 512)); bool * float keeps g's dtype. `not z <= 0` rather
        # than `z > 0`: a NaN passes its gradient through, as torch's threshold_backward does
        return g * ~(z <= 0)


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


class Clamp(Function):
    """z = min(max(x, lo), hi);   dz/dx = 1 where lo < x < hi, else 0 (0 on a bound too, as torch)"""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.bounds = (min, max)
        z = x
        if min is not None:
            z = np.maximum(z, np.asarray(min, dtype=x.dtype))
        if max is not None:
            z = np.minimum(z, np.asarray(max, dtype=x.dtype))
        return z if z is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        keep = np.ones(x.shape, bool)
        if lo is not None:
            keep &= x > lo
        if hi is not None:
            keep &= x < hi
        return np.where(keep, g, 0).astype(g.dtype, copy=False)


class ClampTensor(Function):
    """z = min(max(x, lo), hi) with tensor bounds (either may be None). dz/dx = 1 strictly inside, dz/dlo = 1 below
    lo, dz/dhi = 1 above hi (or everywhere when lo > hi: z is hi then); a tie with one bound shares the gradient
    half and half, and x = lo = hi sends it all to x -- torch's choices, probed value by value."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        m = x if lo is None else np.maximum(x, lo)
        z = m if hi is None else np.minimum(m, hi)
        return z if z is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        if hi is None:
            g_x, g_lo = _split_ties(g, x < lo, x > lo, x == lo)
            return g_x, g_lo, None
        if lo is None:
            g_x, g_hi = _split_ties(g, x > hi, x < hi, x == hi)
            return g_x, None, g_hi
        half = g.dtype.type(0.5)
        w_x = ((x > lo) & (x < hi)) + ((x == lo) & (x == hi))
        w_x = w_x + half * (((x == lo) & (x < hi)) + ((x == hi) & (x > lo)))
        w_lo = ((x < lo) & (lo <= hi)) + half * ((x == lo) & (lo < hi))
        w_hi = ((x > hi) | (lo > hi)) + half * ((x == hi) & (hi > lo))
        return g * w_x.astype(g.dtype), g * w_lo.astype(g.dtype), g * w_hi.astype(g.dtype)


class Maximum(Function):
    """z = max(x, y);   dz/dx = 1/2 where x = y, 0 where x < y, else 1 (and the mirror for y), as torch: where
    either is NaN, both get the whole gradient"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x < y, x > y, x == y)


class Minimum(Function):
    """z = min(x, y);   dz/dx = 1/2 where x = y, 0 where x > y, else 1 (and the mirror for y), as torch"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _split_ties(g, x > y, x < y, x == y)


def _split_ties(g, x_loses, y_loses, tie):
    """g to each side that did not lose, halved on a tie (masks as 0/1 weights: cheaper than nested np.where)."""
    half = g.dtype.type(0.5)
    wx = ~x_loses * (1 - half * tie)
    wy = ~y_loses * (1 - half * tie)
    return g * wx.astype(g.dtype, copy=False), g * wy.astype(g.dtype, copy=False)


class Where(Function):
    """z = cond ? x : y;   dz/dx = cond,   dz/dy = not cond  (cond comes last: it is no graph input)"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        zero = np.zeros((), g.dtype)
        return np.where(cond, g, zero), np.where(cond, zero, g)


class Cast(Function):
    """z = x converted to another dtype;   dz/dx = 1, converted back"""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Fill(Function):
    """z = x overwritten by values that do not depend on it (fill_, uniform_, normal_);   dz/dx = 0"""

    node_name = "FillBackward2"
    inputs = 1

    @staticmethod
    def forward(ctx, x, values):
        return np.array(np.broadcast_to(values, x.shape), x.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g)


class Zero(Fill):
    node_name = "ZeroBackward0"


class Copy(Function):
    """z = src written over x (copy_, fill_ with a tensor);   dz/dx = 0,   dz/dsrc = 1 (the engine sums it back
    over src's broadcast dims and casts it to src's dtype)"""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        return np.array(np.broadcast_to(src, x.shape), x.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), g


class FillTensor(Copy):  # fill_ with a 0-dim tensor: the same rule, torch's name
    node_name = "FillBackward3"


class Clone(Function):
    """z = a copy of x;   dz/dx = 1"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g
