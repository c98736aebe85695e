"""Reading by index: `x[i]`, narrow, select, split, gather. The gradient of a read is a write: each backward puts
the gradient back where the values came from, into zeros (repeated indices adding up), and that write is itself a
Function whose backward is the read again, so both differentiate to any order."""
import builtins

import numpy as np

from .._size import _dim
from ..autograd.function import Function, call
from ..tensor import Tensor
from . import shape


class Index(Function):
    """z = x[index];   dx = g put back into zeros at index (IndexBackward)"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, index, advanced=False):
        ctx.index, ctx.advanced, ctx.shape = index, advanced, x.shape
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return call(IndexBackward, g, ctx.index, ctx.shape, ctx.advanced)


class IndexBackward(Function):
    """z = zeros(shape) with z[index] += g;   dz/dg = g read back at index (Index)"""

    inputs = 1

    @staticmethod
    def forward(ctx, g, index, shape, advanced=False):
        ctx.index, ctx.advanced = index, advanced
        out = np.zeros(shape, g.dtype)
        if advanced:
            np.add.at(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return call(Index, gg, ctx.index, ctx.advanced)


class Select(Index):
    is_view = True

    @staticmethod
    def forward(ctx, x, index, advanced=False):
        # `...` after the ints: NumPy then returns a 0-dim view, not a copied scalar, so x[0, 2] aliases x as in torch
        index = tuple(index)
        return Index.forward(ctx, x, index if any(p is Ellipsis for p in index) else index + (Ellipsis,))


class Slice(Index):
    is_view = True


def _index_parts(index):
    """A torch-style index as a NumPy one: tensors become arrays. Returns (index, uses_advanced_indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    out, advanced = [], False
    for p in parts:
        if isinstance(p, Tensor):
            p = p.data
        if isinstance(p, (list, np.ndarray)):
            p = np.asarray(p)
            if p.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
        out.append(p)
    return tuple(out), advanced


def _check_index(input, idx):
    """torch's errors where NumPy would say something else, or allow what torch does not."""
    if input.data.ndim == 0 and builtins.any(p is not None and p is not Ellipsis and not isinstance(p, slice)
                                             for p in idx):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")
    dim, ellipsis = 0, builtins.any(p is Ellipsis for p in idx)
    for p in idx:
        if isinstance(p, slice) and p.step is not None and p.step <= 0:
            raise ValueError("step must be greater than zero")
        if isinstance(p, np.ndarray) and p.dtype == np.bool_ and not ellipsis:  # (after ..., NumPy's own check)
            shape = input.data.shape[dim:dim + p.ndim]
            for k, (m, n) in enumerate(zip(p.shape, shape)):
                if m != n:
                    raise IndexError(f"The shape of the mask {list(p.shape)} at index {k} does not match the shape "
                                     f"of the indexed tensor {list(input.data.shape)} at index {dim + k}")
            dim += p.ndim
        elif p is not None:
            dim += 1


def getitem(input, index):
    idx, advanced = _index_parts(index)
    _check_index(input, idx)
    if advanced:
        return Index.apply(input, idx, advanced=True)
    if idx.count(None) == 1 and builtins.all(p is None or p is Ellipsis or p == slice(None) for p in idx):
        return shape.Unsqueeze.apply(input, input.data[idx].shape)  # x[None], x[:, None]: torch's UnsqueezeBackward0
    try:
        if builtins.all(isinstance(p, (builtins.int, np.integer)) for p in idx):
            return Select.apply(input, idx)
        return Slice.apply(input, idx)
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None  # NumPy's words for torch's message


def split(tensor, split_size_or_sections, dim=0):
    d = _dim(dim, tensor.data.ndim)
    n = tensor.data.shape[d]
    if isinstance(split_size_or_sections, builtins.int):
        step = split_size_or_sections
        if step <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
    return tuple(narrow(tensor, d, start, size) for start, size in zip(np.cumsum([0] + sizes[:-1]), sizes))


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input.data.shape[_dim(dim, input.data.ndim)]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def unbind(input, dim=0):
    d = _dim(dim, input.data.ndim)
    return tuple(select(input, d, i) for i in range(input.data.shape[d]))


def narrow(input, dim, start, length):
    d = _dim(dim, input.data.ndim)
    size = input.data.shape[d]
    start = builtins.int(start) + (size if start < 0 else 0)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    index = (slice(None),) * d + (slice(builtins.int(start), builtins.int(start) + length),)
    return Slice.apply(input, index)


def select(input, dim, index):
    d = _dim(dim, input.data.ndim)
    return Select.apply(input, (slice(None),) * d + (builtins.int(index),))


def _along(index, dim):
    """The full NumPy index that picks index[i, j, ...] along `dim` and i, j, ... along the other dims."""
    nd = index.ndim
    grids = [np.arange(n).reshape((1,) * k + (n,) + (1,) * (nd - k - 1)) for k, n in enumerate(index.shape)]
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    """z[i][j] = x[index[i][j]][j] (for dim=0), and so on;   dx = g added into zeros at the gathered places"""

    inputs = 1

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.index, ctx.dim, ctx.shape = index, dim, x.shape
        return x[_along(index, dim)]

    @staticmethod
    def backward(ctx, g):
        return call(GatherBackward, g, ctx.index, ctx.dim, ctx.shape)


class GatherBackward(Function):
    """z = zeros(shape) with g added at the gathered places (scatter_add);   dz/dg = z read back there (Gather)"""

    inputs = 1

    @staticmethod
    def forward(ctx, g, index, dim, shape):
        ctx.index, ctx.dim = index, dim
        out = np.zeros(shape, g.dtype)
        np.add.at(out, _along(index, dim), g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return call(Gather, gg, ctx.index, ctx.dim)


def gather(input, dim, index, *, sparse_grad=False):
    d = _dim(dim, input.data.ndim)
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("gather(): Expected dtype int64 for index")
    idx = idx.astype(np.int64, copy=False)
    if idx.size == 0:  # torch checks no shapes for an empty index: the result is empty, of the index's shape
        return Index.apply(shape.reshape(input, -1), (np.zeros(idx.shape, np.int64),), advanced=True)
    if input.data.ndim == 0 or (idx.ndim == 0 and input.data.ndim == 1):  # 0-dim as 1-dim, the result as index
        if idx.ndim > 1:
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        return shape.reshape(gather(shape.reshape(input, -1), d, idx.reshape(-1)), idx.shape)
    if idx.ndim != input.data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k, n in enumerate(idx.shape):
        if k != d and n > input.data.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(input.data.shape)} apart from dimension {d}")
    bad = idx[(idx < 0) | (idx >= input.data.shape[d])]  # torch takes no negative index here
    if bad.size:
        raise RuntimeError(f"index {bad[0]} is out of bounds for dimension {d} with size {input.data.shape[d]}")
    return Gather.apply(input, idx, d)
