"""Shape ops: views, reshapes, joins and splits. They move elements around, so each backward moves the gradient
back the same way; the torch-level functions give torch's shape errors."""
import builtins
import math

import numpy as np

from .. import _dtype
from .._size import _dim, _size_args
from ..autograd.function import Function
from ._promote import _operands, _out


def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


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


def reshape(input, *shape):
    shape = _infer_shape(_size_args(shape), input.data.size)
    return View.apply(input, shape)


def view(input, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        raise NotImplementedError("view(dtype) is not supported by minigrad")
    shape = _infer_shape(_size_args(shape), input.data.size)
    try:
        np.ndarray.view(input.data).shape = shape  # NumPy refuses when the new shape needs a copy
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
            "contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return View.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input.data.shape
    if not shape:
        return reshape(input, 1)
    s, e = _dim(start_dim, len(shape)), _dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return View.apply(input, new)


def unflatten(input, dim, sizes):
    d = _dim(dim, input.data.ndim)
    shape = input.data.shape
    sizes = _infer_shape(sizes, shape[d])
    return View.apply(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input.data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = {_dim(d, len(shape)) for d in ((dim,) if isinstance(dim, builtins.int) else dim)}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    fn = SqueezeAll if dim is None else (Squeeze if isinstance(dim, builtins.int) else SqueezeDims)
    return fn.apply(input, new)


class SqueezeAll(Squeeze):  # torch names the three overloads' nodes apart
    node_name = "SqueezeBackward0"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


def unsqueeze(input, dim):
    d = _dim(dim, input.data.ndim + 1)
    shape = input.data.shape
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])


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


def transpose(input, dim0, dim1):
    n = input.data.ndim
    d0, d1 = _dim(dim0, n), _dim(dim1, n)
    if n == 0:  # a 0-dim tensor takes dims 0 and -1; swapping them changes nothing
        return View.apply(input, ())
    return Transpose.apply(input, d0, d1)


swapaxes = swapdims = transpose


def t(input):
    if input.data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.data.ndim}D")
    if input.data.ndim < 2:
        return View.apply(input, input.data.shape)
    return T.apply(input, 0, 1)


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


def permute(input, *dims):
    dims = _size_args(dims)
    n = input.data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = "
                           f"{len(dims)}")
    dims = tuple(_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


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


def movedim(input, source, destination):
    n = input.data.ndim
    src = [_dim(d, n) for d in ((source,) if isinstance(source, builtins.int) else source)]
    dst = [_dim(d, n) for d in ((destination,) if isinstance(destination, builtins.int) else destination)]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


moveaxis = movedim


def matrix_transpose(input):
    """Tensor.mT: the last two dims swapped."""
    if input.data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {input.data.ndim}-D "
                           "tensor.")
    return transpose(input, -2, -1)


def expand(input, *sizes):
    sizes = _size_args(sizes)
    shape = input.data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    target = tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    for i, s in enumerate(shape):
        if s != 1 and s != target[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match the existing size "
                               f"({s}) at non-singleton dimension {i + lead}.  Target sizes: {list(sizes)}.  Tensor "
                               f"sizes: {list(shape)}")
    return Expand.apply(input, target)


def expand_as(input, other):
    return expand(input, other.shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


class Cat(Function):
    """z = the inputs joined along dim;   each dx = its slice of g"""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ends = np.cumsum([x.shape[dim] for x in xs]).tolist()
        ctx.pieces = [(slice(None),) * dim + (slice(a, b),) for a, b in zip([0] + ends[:-1], ends)]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(g[piece] for piece in ctx.pieces)


def cat(tensors, dim=0, *, out=None):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    if builtins.any(t.data.ndim != 1 for t in tensors):  # torch's legacy rule: a (0,) tensor joins anything
        tensors = [t for t in tensors if not (t.data.ndim == 1 and t.data.size == 0)] or tensors[:1]
    ref = tensors[0].data
    d = _dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.data.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.data.ndim}")
        for k in range(ref.ndim):
            if k != d and t.data.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[k]} "
                                   f"but got size {t.data.shape[k]} for tensor number {i} in the list.")
    tensors = _operands(*tensors) if len({t.data.dtype for t in tensors}) > 1 else tensors
    return _out(Cat.apply(*tensors, dim=d), out)


concat = concatenate = cat


class Stack(Function):
    """z = the inputs stacked along a new dim;   each dx = its index of g along that dim"""

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim, ctx.n = dim, len(xs)
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(g[(slice(None),) * ctx.dim + (i,)] for i in range(ctx.n))


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    tensors = _operands(*tensors) if len({t.data.dtype for t in tensors}) > 1 else tensors
    return _out(Stack.apply(*tensors, dim=_dim(dim, tensors[0].data.ndim + 1)), out)
