"""Shape ops: they move elements around, so each backward moves the gradient back the same way."""
import numpy as np

from ..autograd.function import Function


class View(Function):
    """z = x with a new shape;   dx = g reshaped back"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Unsqueeze(View):
    node_name = "UnsqueezeBackward0"


class Squeeze(View):
    node_name = "SqueezeBackward1"


class Transpose(Function):
    """z = x with dims d0 and d1 swapped;   dx = g with them swapped back"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx, g):
        return np.swapaxes(g, *ctx.dims)


class T(Transpose):
    pass


class Permute(Function):
    """z = x with dims reordered;   dx = g with the inverse order"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return np.transpose(g, ctx.inverse)


class Expand(Function):
    """z = x broadcast to a bigger shape (no copy);   dx = g summed over the broadcast dims (the engine does it)"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g


class Index(Function):
    """z = x[index];   dx = g scattered back into zeros, repeated indices adding up"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, index, advanced=False):
        ctx.index, ctx.advanced, ctx.shape = index, advanced, x.shape
        return x[index]

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype)
        if ctx.advanced:
            np.add.at(out, ctx.index, g)
        else:
            out[ctx.index] = g
        return out


class IndexPut(Function):
    """z = x with z[index] = v  (`x[index] = v`);   dx = g with g[index] zeroed,   dv = g[index] (the engine sums
    it down to v's shape when v was broadcast)"""

    node_name = "CopySlices"
    inputs = 2

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index = index
        z = x.copy()
        z[index] = v
        return z

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.index] = 0
        return gx, g[ctx.index]


class Scatter(Function):
    """z = x with src written at `index` along `dim` (scatter_);   dx = g with the written places zeroed,
    dsrc = g read back at `index` (src beyond index's extent was not used: 0 there)"""

    node_name = "ScatterBackward0"
    inputs = 2

    @staticmethod
    def forward(ctx, x, src, index, dim):
        ctx.index, ctx.dim, ctx.src_shape = index, dim, np.shape(src)
        if isinstance(src, np.ndarray):  # torch reads src[:index.shape[0], :index.shape[1], ...]; 0-dim as 1-dim
            src = src.reshape(1) if src.ndim == 0 else src
            src = src[tuple(slice(0, n) for n in index.shape)]
        z = x.copy()
        np.put_along_axis(z, index, src, axis=dim)
        return z

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        np.put_along_axis(gx, ctx.index, 0, axis=ctx.dim)
        part = np.take_along_axis(g, ctx.index, axis=ctx.dim)
        g_src = np.zeros(ctx.src_shape or (1,), g.dtype)
        g_src[tuple(slice(0, n) for n in part.shape)] = part
        return gx, g_src.reshape(ctx.src_shape)


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


class Select(Index):
    is_view = True

    @staticmethod
    def forward(ctx, x, index, advanced=False):
        # `...` after the ints: NumPy then returns a 0-dim view, not a copied scalar, so x[0, 2] aliases x as in torch
        index = tuple(index)
        return Index.forward(ctx, x, index if any(p is Ellipsis for p in index) else index + (Ellipsis,))


class Slice(Index):
    is_view = True


class Cat(Function):
    """z = the inputs joined along dim;   each dx = its slice of g"""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ctx.bounds = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.bounds, axis=ctx.dim))


class Stack(Function):
    """z = the inputs stacked along a new dim;   each dx = its index of g along that dim"""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.dim, 0))
