"""Diagonals and triangles: diagonal (a view), diag, diag_embed, diagflat, trace, tril, triu, diagonal_scatter.
Reading a diagonal and writing one into zeros are each other's backward, so both differentiate to any order."""
import builtins

import numpy as np

from .._size import _dim
from ..autograd.function import Function, call
from .index_more import _check_part, _write_back
from .shape import reshape


def _diag_view(x, offset, d1, d2):
    """The diagonal of dims d1, d2 (above the main one by offset) as a writable view: the other dims in order, then
    the diagonal's."""
    n1, n2 = x.shape[d1], x.shape[d2]
    length = builtins.max(0, builtins.min(n1, n2 - offset) if offset >= 0 else builtins.min(n1 + offset, n2))
    start = [0] * x.ndim
    if length:
        start[d2 if offset >= 0 else d1] = builtins.abs(offset)
    base = x[tuple(slice(s, None) for s in start)]
    keep = [k for k in range(x.ndim) if k not in (d1, d2)]
    shape = tuple(x.shape[k] for k in keep) + (length,)
    strides = tuple(x.strides[k] for k in keep) + (x.strides[d1] + x.strides[d2],)
    return np.lib.stride_tricks.as_strided(base, shape, strides, writeable=x.flags.writeable)


class Diagonal(Function):
    """z = the diagonal of x in dims d1, d2 (a view);   dx = zeros with g written on that diagonal"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        return call(DiagonalBackward, g, ctx.shape, *ctx.args)


class DiagonalBackward(Function):
    """z = zeros(shape) with g on a diagonal (also diag_embed);   dz/dg = that diagonal read back (Diagonal)"""

    inputs = 1

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return call(Diagonal, gg, *ctx.args)


class DiagEmbed(DiagonalBackward):
    pass


def _two_dims(dim1, dim2, n):
    d1, d2 = _dim(dim1, n), _dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    d1, d2 = _two_dims(dim1, dim2, input.data.ndim)
    return Diagonal.apply(input, builtins.int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    n = input.data.ndim + 1
    d1, d2 = _two_dims(dim1, dim2, n)
    side = (input.data.shape[-1] if input.data.ndim else 1) + builtins.abs(offset)
    rest = list(input.data.shape[:-1])
    for d in sorted((d1, d2)):
        rest.insert(d, side)
    return DiagEmbed.apply(input if input.data.ndim else reshape(input, 1), tuple(rest), builtins.int(offset), d1, d2)


def diag(input, diagonal=0):
    n = input.data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        return Diagonal.apply(input, builtins.int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


def diagflat(input, offset=0):
    return diag_embed(reshape(input, -1), offset, 0, 1)


class Trace(Function):
    """z = the sum of x's diagonal;   dx = g on the diagonal, zeros elsewhere"""

    inputs = 1

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.trace(x)

    @staticmethod
    def backward(ctx, g):
        return call(DiagonalBackward, np.broadcast_to(g, (builtins.min(ctx.shape),)), ctx.shape, 0, 0, 1)


def trace(input):
    if input.data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.data.ndim}")
    return Trace.apply(input)


class Tril(Function):
    """z = x with the part above diagonal k zeroed;   dx = g with the same part zeroed (Tril again)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return call(Tril, g, ctx.k)


class Triu(Function):
    """z = x with the part below diagonal k zeroed;   dx = g with the same part zeroed (Triu again)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return call(Triu, g, ctx.k)


def tril(input, diagonal=0):
    if input.data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, builtins.int(diagonal))


def triu(input, diagonal=0):
    if input.data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, builtins.int(diagonal))


class DiagonalScatter(Function):
    """z = x with a diagonal replaced by src;   dx = g with that diagonal zeroed,   dsrc = g's diagonal"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        z = x.copy()
        _diag_view(z, offset, d1, d2)[...] = src
        return z

    @staticmethod
    def backward(ctx, g):
        return call(DiagonalScatter, g, 0.0, *ctx.args), call(Diagonal, g, *ctx.args)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    d1, d2 = _two_dims(dim1, dim2, input.data.ndim)
    _check_part("diagonal_scatter", _diag_view(input.data, offset, d1, d2).shape, src)
    return DiagonalScatter.apply(input, src, builtins.int(offset), d1, d2)


tril_ = _write_back(tril)
triu_ = _write_back(triu)
