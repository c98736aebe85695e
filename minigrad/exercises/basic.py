"""Exercises 1-8: the arithmetic, the reductions, matmul."""
import numpy as np

from ..autograd.function import Function
from .catalog import Case, Exercise, register
from .helpers import sum_to


def _r(rng, *shape, low=None):
    """Random float64 values; with `low`, positive ones in [low, low + 1) (for div and log)."""
    return rng.standard_normal(shape) if low is None else low + rng.random(shape)


def _broadcast_pairs(rng, low=None):
    return [Case((_r(rng, 3, 4), _r(rng, 3, 4, low=low))),
            Case((_r(rng, 4, 5), _r(rng, 5, low=low))),
            Case((_r(rng, 2, 3, 4), _r(rng, 3, 1, low=low))),
            Case((_r(rng, 1, 3), _r(rng, 4, 1, low=low))),
            Case((_r(rng, 3, 3), _r(rng, 1, 3, low=low)), square=True)]


class Add(Function):
    """z = x + y, where x and y broadcast against each other: (4, 5) + (5,) -> (4, 5)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = x.shape, y.shape
        return x + y

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1, dz/dy = 1; an input that was broadcast gets the gradient summed over the broadcast axes."""
        def unbroadcast(g, shape):
            g = g.sum(axis=tuple(range(g.ndim - len(shape))))  # the leading axes the input did not have
            ones = tuple(k for k, n in enumerate(shape) if n == 1)
            return g.sum(axis=ones, keepdims=True)             # the axes where it had size 1
        return unbroadcast(g, ctx.x_shape), unbroadcast(g, ctx.y_shape)


register(Exercise(
    "add", "add with broadcasting", Add, _broadcast_pairs, lambda lib, x, y: x + y, math="z = x + y",
    formulas=("dx = g, summed to x's shape", "dy = g, summed to y's shape"), given_sum_to=False,
    hints=["The local derivative of x + y is 1 for both inputs: each gradient is g itself, before broadcasting.",
           "When y has shape (5,) and z has shape (4, 5), y was used once per row: its gradient adds up the 4 rows.",
           "Sum over the leading axes the input did not have, then (with keepdims=True) over the axes where the "
           "input had size 1.",
           "minigrad's engine (like torch's) would do this sum for a Function that returns the output's shape; the "
           "exercise asks you to write it, as the shape check shows."]))


class Mul(Function):
    """z = x * y, broadcasting."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        """dz/dx = y, dz/dy = x"""
        x, y = ctx.saved_tensors
        return sum_to(g * y, x.shape), sum_to(g * x, y.shape)


register(Exercise(
    "mul", "mul", Mul, _broadcast_pairs, lambda lib, x, y: x * y, math="z = x * y",
    formulas=("dx = g * y", "dy = g * x"),
    hints=["Each input's local derivative is the other input.",
           "Multiply by g (the chain rule), then sum back to the input's shape with sum_to."]))


class Div(Function):
    """z = x / y, broadcasting."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 / y, dz/dy = -x / y²"""
        x, y = ctx.saved_tensors
        return sum_to(g / y, x.shape), sum_to(-g * x / y**2, y.shape)


register(Exercise(
    "div", "div", Div, lambda rng: _broadcast_pairs(rng, low=0.5), lambda lib, x, y: x / y, math="z = x / y",
    formulas=("dx = g / y", "dy = -g * x / y²"),
    hints=["x / y = x * y⁻¹: the derivative in x is 1 / y.",
           "d(1/y)/dy = -1/y², so dz/dy = -x / y². Watch the sign.",
           "Multiply both by g and sum_to each input's shape."]))


def _unary(rng, low=None):
    return [Case((_r(rng, 3, 4, low=low),)), Case((_r(rng, 5, low=low),)), Case((_r(rng, 2, 3, 2, low=low),))]


class Exp(Function):
    """z = exp(x)"""

    @staticmethod
    def forward(ctx, x):
        z = np.exp(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        """dz/dx = exp(x) = z: the saved output"""
        z, = ctx.saved_tensors
        return g * z


register(Exercise(
    "exp", "exp", Exp, _unary, lambda lib, x: lib.exp(x), math="z = exp(x)", formulas=("dx = g * exp(x)",),
    hints=["exp is its own derivative.", "forward saved its output z = exp(x): the gradient is g * z."]))


class Log(Function):
    """z = log(x), x > 0"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 / x"""
        x, = ctx.saved_tensors
        return g / x


register(Exercise(
    "log", "log", Log, lambda rng: _unary(rng, low=0.5), lambda lib, x: lib.log(x), math="z = log(x)",
    formulas=("dx = g / x",), hints=["d log(x) / dx = 1 / x.", "Multiply by g: g / x."]))


def _dim_cases(rng):
    return [Case((_r(rng, 3, 4),), {"dim": 1}), Case((_r(rng, 2, 3, 4),), {"dim": 0}),
            Case((_r(rng, 4, 4),), {"dim": 1}, square=True), Case((_r(rng, 3, 5),), {"dim": 0, "keepdim": True}),
            Case((_r(rng, 2, 5, 3),), {"dim": -1})]


class Sum(Function):
    """z = x.sum(dim, keepdim)"""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        return x.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 for every summed element: g is copied along dim"""
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)  # put back the summed axis, with size 1
        return np.broadcast_to(g, ctx.shape)


register(Exercise(
    "sum", "sum over a dim", Sum, _dim_cases, lambda lib, x, dim, keepdim=False: x.sum(dim=dim, keepdim=keepdim),
    math="z = x.sum(dim)", formulas=("dx = g copied along dim",),
    hints=["Every element summed into z[i] has derivative 1: each gets g[i].",
           "g lacks the summed axis (unless keepdim): put it back with np.expand_dims(g, dim).",
           "Then np.broadcast_to(g, x.shape)."]))


class Mean(Function):
    """z = x.mean(dim, keepdim)"""

    @staticmethod
    def forward(ctx, x, dim, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        return x.mean(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 / N for each of the N = x.shape[dim] averaged elements"""
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        return np.broadcast_to(g / ctx.shape[ctx.dim], ctx.shape)


register(Exercise(
    "mean", "mean", Mean, _dim_cases, lambda lib, x, dim, keepdim=False: x.mean(dim=dim, keepdim=keepdim),
    math="z = x.mean(dim)", formulas=("dx = g / N copied along dim",),
    sizes=lambda case: [(case.inputs[0].shape[case.options["dim"]], "a mean divides by the number of values it "
                                                                     "averages, and so does its gradient")],
    hints=["A mean is a sum divided by N: start from the sum exercise.", "N is x.shape[dim], the averaged axis.",
           "np.broadcast_to(np.expand_dims(g, dim) / N, x.shape) (no expand_dims with keepdim)."]))


def _matmul_cases(rng):
    return [Case((_r(rng, 3, 4), _r(rng, 4, 5))), Case((_r(rng, 2, 6), _r(rng, 6, 3))),
            Case((_r(rng, 4, 4), _r(rng, 4, 4)), square=True), Case((_r(rng, 5, 2), _r(rng, 2, 4)))]


class MatMul(Function):
    """z = x @ y for matrices: (n, k) @ (k, m) -> (n, m)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        """dx = g @ yᵀ: (n, m) @ (m, k) -> (n, k);   dy = xᵀ @ g: (k, n) @ (n, m) -> (k, m)"""
        x, y = ctx.saved_tensors
        return g @ y.T, x.T @ g


register(Exercise(
    "matmul", "matmul", MatMul, _matmul_cases, lambda lib, x, y: x @ y, math="z = x @ y",
    formulas=("dx = g @ yᵀ", "dy = xᵀ @ g"),
    hints=["z[i, j] = Σ_k x[i, k] y[k, j]: dz[i, j]/dx[i, k] = y[k, j].",
           "Let the shapes guide you: dx must be (n, k) and g is (n, m); y is (k, m).",
           "dx = g @ y.T and dy = x.T @ g."]))
