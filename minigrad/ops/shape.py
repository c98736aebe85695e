"""Shape ops: views, reshapes, joins and splits, with torch's shape errors."""
import builtins
import math

import numpy as np

from .. import _dtype
from .._size import _dim, _size_args
from ..functions import shape as S
from ._promote import _operands
from .pointwise import _out


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


def reshape(input, *shape):
    shape = _infer_shape(_size_args(shape), input.data.size)
    return S.View.apply(input, shape)


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
    return S.View.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input.data.shape
    if not shape:
        return reshape(input, 1)
    s, e = _dim(start_dim, len(shape)), _dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return S.View.apply(input, new)


def unflatten(input, dim, sizes):
    d = _dim(dim, input.data.ndim)
    shape = input.data.shape
    sizes = _infer_shape(sizes, shape[d])
    return S.View.apply(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input.data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = {_dim(d, len(shape)) for d in ((dim,) if isinstance(dim, builtins.int) else dim)}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    fn = _SqueezeAll if dim is None else (S.Squeeze if isinstance(dim, builtins.int) else _SqueezeDims)
    return fn.apply(input, new)


class _SqueezeAll(S.Squeeze):  # torch names the three overloads' nodes apart
    node_name = "SqueezeBackward0"


class _SqueezeDims(S.Squeeze):
    node_name = "SqueezeBackward2"


def unsqueeze(input, dim):
    d = _dim(dim, input.data.ndim + 1)
    shape = input.data.shape
    return S.Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])


def transpose(input, dim0, dim1):
    n = input.data.ndim
    return S.Transpose.apply(input, _dim(dim0, n), _dim(dim1, n))


swapaxes = swapdims = transpose


def t(input):
    if input.data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.data.ndim}D")
    if input.data.ndim < 2:
        return S.View.apply(input, input.data.shape)
    return S.T.apply(input, 0, 1)


def permute(input, *dims):
    dims = _size_args(dims)
    n = input.data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = "
                           f"{len(dims)}")
    return S.Permute.apply(input, tuple(_dim(d, n) for d in dims))


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
    return S.Expand.apply(input, target)


def expand_as(input, other):
    return expand(input, other.shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
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
    return _out(S.Cat.apply(*tensors, dim=d), out)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    tensors = _operands(*tensors) if len({t.data.dtype for t in tensors}) > 1 else tensors
    return _out(S.Stack.apply(*tensors, dim=_dim(dim, tensors[0].data.ndim + 1)), out)


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
    index = (slice(None),) * d + (slice(builtins.int(start), builtins.int(start) + length),)
    return S.Slice.apply(input, index)


def select(input, dim, index):
    d = _dim(dim, input.data.ndim)
    return S.Select.apply(input, (slice(None),) * d + (builtins.int(index),))
