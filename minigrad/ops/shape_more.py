"""More shape ops: flips, rolls, repeats, broadcasting, splits and joins, unfold, meshgrid. Each moves elements, so
each backward moves the gradient back: a flip's backward is the same flip, a roll's is the roll the other way, a
repeat's is a sum over the copies. (Diagonals and triangles: diagonal.py.)"""
import builtins

import numpy as np

from .._dtype import scalar_type as _scalar_type
from .._size import Size, _dim, _size_args
from ..autograd.function import Function, call
from ..tensor import Tensor
from .indexing import Index, Slice
from .shape import cat, expand, reshape, stack, transpose


def _dims_arg(dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return tuple(dims)


class Flip(Function):
    """z = x reversed along dims;   dx = g reversed along the same dims (Flip again)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return call(Flip, g, ctx.dims)


def flip(input, *dims, **kwargs):
    if not dims and "dims" not in kwargs:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    dims = _dims_arg(dims) if not kwargs else tuple(kwargs.pop("dims"))
    if kwargs:
        raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(kwargs))}'")
    n = input.data.ndim
    wrapped = tuple(_dim(d, n) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for d in wrapped if wrapped.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    if n == 0:
        wrapped = ()
    return Flip.apply(input, wrapped)


def fliplr(input):
    if input.data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    if input.data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Function):
    """z = x shifted cyclically along dims (flattened when dims is None);   dx = g rolled back by -shifts"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return call(Roll, g, back, ctx.dims)


def roll(input, shifts, dims=None):
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (builtins.int(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input.data.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(_dim(d, input.data.ndim) for d in dims)
    return Roll.apply(input, shifts, dims)


def rot90(input, k=1, dims=(0, 1)):
    dims = tuple(dims)
    n = input.data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _dim(dims[0], n), _dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return input.clone()


class Repeat(Function):
    """z = x tiled sizes[i] times along dim i;   dx = g split into its copies and summed over them"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.shape, lead = x.shape, (1,) * (len(sizes) - x.ndim)
        ctx.split = tuple(n for r, s in zip(sizes, lead + x.shape) for n in (r, s))  # (r0, s0, r1, s1, ...)
        return np.tile(x.reshape(lead + x.shape), sizes)

    @staticmethod
    def backward(ctx, g):
        if not ctx.split:
            return g
        parts = np.reshape(g, ctx.split)  # the copies of dim i along axis 2i
        return np.reshape(np.sum(parts, axis=tuple(range(0, len(ctx.split), 2))), ctx.shape)


def repeat(input, *sizes):
    sizes = _size_args(sizes)
    if len(sizes) < input.data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    shape = (1,) * (len(sizes) - input.data.ndim) + input.data.shape
    out = [r * n for r, n in zip(sizes, shape)]
    if builtins.any(n < 0 for n in out):
        raise RuntimeError(f"Trying to create tensor with negative dimension {next(n for n in out if n < 0)}: {out}")
    return Repeat.apply(input, sizes)


def tile(input, dims):
    dims = _size_args((dims,))
    return repeat(input, (1,) * (input.data.ndim - len(dims)) + dims)


class IndexSelect(Index):  # x picked along one dim by a vector of indices (torch's node name)
    pass


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # torch.repeat_interleave(repeats): the indices 0, 1, ... each repeated
        r = input.data
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for \'{_scalar_type(r.dtype)}\'')
        if r.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return Tensor._make(np.repeat(np.arange(r.size), r), None)
    x = reshape(input, -1) if dim is None else input
    d = 0 if dim is None else _dim(dim, x.data.ndim)
    n = x.data.shape[d] if x.data.ndim else 1
    r = np.asarray(repeats.data if isinstance(repeats, Tensor) else repeats)
    if r.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if r.size == 1:
        r = np.full(n, r.reshape(()), np.int64)
    elif r.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = {r.size} "
                           f"and input.size({d}) = {n}")
    if (r < 0).any():
        raise RuntimeError("Repeats must be non-negative")
    if x.data.ndim == 0:
        x = reshape(x, 1)
    return IndexSelect.apply(x, (slice(None),) * d + (np.repeat(np.arange(n), r),), advanced=True)


def broadcast_to(input, size):
    return expand(input, _size_args((size,)))


def broadcast_shapes(*shapes):
    try:
        return Size(np.broadcast_shapes(*(tuple(s) if isinstance(s, (tuple, list)) else (s,) for s in shapes)))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape {list(shapes)}") from None


def broadcast_tensors(*tensors):
    tensors = _dims_arg(tensors)
    try:
        shape = np.broadcast_shapes(*(t.data.shape for t in tensors))
    except ValueError:
        a, b = next((a, b) for a in tensors for b in tensors if not _fits(a.data.shape, b.data.shape))
        raise RuntimeError(f"The size of tensor a ({a.data.shape[-1]}) must match the size of tensor b "
                           f"({b.data.shape[-1]}) at non-singleton dimension") from None
    return tuple(expand(t, shape) for t in tensors)


def _fits(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


# ---- splits, joins, at-least ----------------------------------------------------------------------------------
def tensor_split(input, indices_or_sections, dim=0):
    d = _dim(dim, input.data.ndim)
    if input.data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    n = input.data.shape[d]
    s = indices_or_sections
    if isinstance(s, Tensor):
        if s.data.dtype.kind not in "iu":
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{_scalar_type(s.data.dtype)}")
        s = s.data.item() if s.data.ndim == 0 else s.data.tolist()
    if isinstance(s, (builtins.int, np.integer)):
        if s <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {s}")
        sizes = [n // s + 1] * (n % s) + [n // s] * (s - n % s)
        ends = np.cumsum(sizes).tolist()
        bounds = list(zip([0] + ends[:-1], ends))
    else:
        idx = [builtins.int(i) for i in s]
        bounds = list(zip([0] + idx, idx + [n]))
    return tuple(Slice.apply(input, (slice(None),) * d + (slice(a, b),)) for a, b in bounds)


def _split_along(name, input, s, d, need):
    if input.data.ndim < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor with "
                           f"{input.data.ndim} dimensions!")
    if isinstance(s, (builtins.int, np.integer)):
        n = input.data.shape[d]
        if s == 0 or n % s:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the dimension "
                               f"{n} is not divisible by the split_size {s}!")
    return tensor_split(input, s, d)


def hsplit(input, indices_or_sections):
    return _split_along("hsplit", input, indices_or_sections, 0 if input.data.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def _at_least(t, n):
    shape = t.data.shape
    if len(shape) >= n:
        return t
    if n == 3 and len(shape) == 2:
        return reshape(t, shape + (1,))
    if n == 3 and len(shape) == 1:
        return reshape(t, (1,) + shape + (1,))
    return reshape(t, (1,) * (n - len(shape)) + shape)


def _at_least_all(tensors, n):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(_at_least(t, n) for t in tensors[0])
    if len(tensors) == 1:
        return _at_least(tensors[0], n)
    return tuple(_at_least(t, n) for t in tensors)


def atleast_1d(*tensors):
    return _at_least_all(tensors, 1)


def atleast_2d(*tensors):
    return _at_least_all(tensors, 2)


def atleast_3d(*tensors):
    return _at_least_all(tensors, 3)


def _non_empty(name, tensors):
    if not len(tensors):
        raise RuntimeError(f"{name} expects a non-empty TensorList")


def hstack(tensors, *, out=None):
    _non_empty("hstack", tensors)
    ts = [_at_least(t, 1) for t in tensors]
    return cat(ts, 0 if builtins.all(t.data.ndim == 1 for t in ts) else 1, out=out)


def vstack(tensors, *, out=None):
    _non_empty("vstack", tensors)
    return cat([_at_least(t, 2) for t in tensors], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    _non_empty("dstack", tensors)
    return cat([_at_least(t, 3) for t in tensors], 2, out=out)


def column_stack(tensors, *, out=None):
    _non_empty("column_stack", tensors)
    return cat([reshape(t, (t.data.size, 1)) if t.data.ndim <= 1 else t for t in tensors], 1, out=out)


class Unfold(Function):
    """z[..., w, ..., k] = x[..., w * step + k, ...]: the windows along dim, their elements in a new last dim (a
    view);   dx = each window's gradient added back where it was read (UnfoldBackward)"""

    is_view = True
    inputs = 1

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x.shape, (dim, size, step)
        shape = x.shape[:dim] + ((x.shape[dim] - size) // step + 1,) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (x.strides[dim],)
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)  # windows may overlap

    @staticmethod
    def backward(ctx, g):
        return call(UnfoldBackward, g, ctx.shape, *ctx.args)


class UnfoldBackward(Function):
    """z = zeros(shape) with each window of g added where it was read (overlaps add up);   dz/dg = the windows of
    z again (Unfold)"""

    inputs = 1

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.args = (dim, size, step)
        windows = np.arange(g.shape[dim])[:, None] * step + np.arange(size)  # (windows, size): where each came from
        out = np.zeros(shape, g.dtype)
        np.add.at(out, (slice(None),) * dim + (windows,), np.moveaxis(g, -1, dim + 1))
        return out

    @staticmethod
    def backward(ctx, gg):
        return call(Unfold, gg, *ctx.args)


def unfold(input, dimension, size, step):
    x = input if input.data.ndim else reshape(input, 1)
    d = _dim(dimension, x.data.ndim)
    n = x.data.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    y = Unfold.apply(x, d, builtins.int(size), builtins.int(step))
    return reshape(y, (size,)) if input.data.ndim == 0 else y


def ravel(input):
    return reshape(input, -1)


def meshgrid(*tensors, indexing=None):
    tensors = _dims_arg(tensors)
    _non_empty("meshgrid", tensors)
    if indexing is None:
        import warnings

        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t.data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if len({t.data.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t.data.size for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(tensors):
        pos = order.index(i)
        out.append(expand(reshape(t, tuple(sizes[i] if k == pos else 1 for k in range(len(shape)))), shape))
    return tuple(out)


def cartesian_prod(*tensors):
    tensors = _dims_arg(tensors)
    for t in tensors:
        if t.data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([reshape(g, -1) for g in meshgrid(*tensors, indexing="ij")], 1)
