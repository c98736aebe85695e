"""More reads and writes by index: index_select/add/copy/fill, masked_*, take, take_along_dim, select_scatter and
slice_scatter, and their in-place forms. As in indexing.py the gradient of a read is a write into zeros and the
gradient of a write is a read, each a Function, so they differentiate to any order. (scatter_add/scatter_reduce:
scatter_reduce.py; diagonals: diagonal.py; nonzero and the other integer lookups: lookup.py.)"""
import builtins

import numpy as np

from .._dtype import scalar_type as _scalar_type
from .._size import _dim
from ..autograd.function import Function, call
from ..tensor import Tensor
from .indexing import Gather, Index, IndexBackward
from .inplace import IndexPut, _fill
from .shape import expand
from .shape_more import IndexSelect


def _index_vector(name, index, n, d):
    """index as a 1-D int64 array, checked with the words torch uses for each op (they differ)."""
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    kind = _scalar_type(idx.dtype)
    if idx.dtype.kind not in "iu" or (name in ("index_copy", "index_fill") and kind != "Long"):
        if name == "index_copy":
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {kind}")
        if name == "index_fill":
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if idx.ndim > 1:
        if name == "index_fill":
            raise RuntimeError("Index has to be a vector/scalar")
        raise IndexError(f"{name}{'_' if name != 'index_select' else ''}(): Index is supposed to be a vector"
                         + (f", but got dim: {idx.ndim} with type: {kind} and size: {list(idx.shape)}"
                            if name != "index_select" else ""))
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    low = -n if name == "index_fill" else 0  # index_fill alone takes negative indices
    bad = idx[(idx < low) | (idx >= n)]
    if bad.size:
        if name == "index_select":
            raise IndexError("index out of range in self")
        msg = f"index {bad[0]} is out of bounds for dimension {d} with size {n}"
        raise (RuntimeError(msg) if name == "index_add" else IndexError(
            ("index_copy_(): " if name == "index_copy" else "") + msg))
    return idx % builtins.max(n, 1)


def _at(d, idx):
    return (slice(None),) * d + (idx,)


def index_select(input, dim, index):
    d = _dim(dim, input.data.ndim)
    x = input if input.data.ndim else input.reshape(1)
    idx = _index_vector("index_select", index, x.data.shape[d], d)
    if input.data.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    out = IndexSelect.apply(x, _at(d, idx), advanced=True)
    return out.reshape(()) if input.data.ndim == 0 else out


def _check_source(name, input, d, idx, source):
    n = source.data.shape[d] if source.data.ndim else 1
    if n != idx.size:
        if name == "index_copy_":
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) ({n})")
        raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): ({n}), "
                           f"for dim: {d}")
    want = list(input.data.shape)
    if want:
        want[d] = idx.size
    if list(np.shape(source.data)) != want and not (source.data.size == idx.size and input.data.ndim <= 1):
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {list(input.data.shape)} at dimension {d} and source slice shape: "
                           f"{list(source.data.shape)} at dimension 0.")


class IndexAdd(Function):
    """z = x with alpha * src added at index along a dim (repeats add up);   dx = g,   dsrc = alpha * g[index]"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, index, alpha):
        ctx.index, ctx.alpha = index, alpha
        z = x.copy()
        np.add.at(z, index, src * alpha if alpha != 1 else src)
        return z

    @staticmethod
    def backward(ctx, g):
        part = call(Index, g, ctx.index, True)
        return g, (part * ctx.alpha if ctx.alpha != 1 else part)


def index_add(input, dim, index, source, *, alpha=1):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = _index_vector("index_add", index, n, d)
    _check_source("index_add_", input, d, idx, source)
    if input.data.ndim == 0:
        return IndexAdd.apply(input.reshape(1), source.reshape(1), (idx,), alpha).reshape(())
    return IndexAdd.apply(input, source, _at(d, idx), alpha)


class IndexCopy(IndexPut):
    node_name = "IndexCopyBackward0"


class IndexFill(IndexPut):
    node_name = "IndexFillBackward0"


def index_copy(input, dim, index, source):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = _index_vector("index_copy", index, n, d)
    _check_source("index_copy_", input, d, idx, source)
    if input.data.ndim == 0:
        return IndexCopy.apply(input.reshape(1), source.reshape(1), (idx,), True).reshape(())
    return IndexCopy.apply(input, source, _at(d, idx), True)


def index_fill(input, dim, index, value):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d] if input.data.ndim else 1
    idx = np.unique(_index_vector("index_fill", index, n, d))  # each place filled once (value's gradient: their sum)
    if isinstance(value, Tensor) and value.data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.data.ndim} dimension(s).")
    if not isinstance(value, Tensor):
        value = np.asarray(value, input.data.dtype)
    elif value.dtype != input.dtype:
        value = value.to(input.dtype)
    if input.data.ndim == 0:
        return IndexFill.apply(input.reshape(1), value, (idx,), True).reshape(())
    return IndexFill.apply(input, value, _at(d, idx), True)


_C_NAMES = {"int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int", "uint8": "unsigned char",
            "float16": "c10::Half", "float32": "float", "float64": "double"}  # how masked_fill_'s error names dtypes


def _bool_mask(name, mask):
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        if name == "masked_select:":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        kind = _C_NAMES.get(m.dtype.name, m.dtype.name) if name == "masked_fill_" else _scalar_type(m.dtype)
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {kind}")
    return m


class MaskedFill(Function):
    """z = value where mask, x elsewhere;   dx = g where not mask,   dvalue = g where mask (the engine sums it to
    value's 0-dim shape)"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.mask = mask
        return np.where(mask, value, x)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.mask, 0.0, g), np.where(ctx.mask, g, 0.0)


def masked_fill(input, mask, value):
    m = _bool_mask("masked_fill_", mask)
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.data.ndim} dimension(s).")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    else:
        value = np.asarray(value, input.data.dtype)
    return MaskedFill.apply(input, value, m)


class MaskedSelect(Index):  # x[mask] (torch's node name)
    pass


def masked_select(input, mask):
    m = _bool_mask("masked_select:", mask)
    shape = np.broadcast_shapes(input.data.shape, m.shape)
    x = expand(input, shape) if shape != input.data.shape else input
    return MaskedSelect.apply(x, (np.broadcast_to(m, shape),), advanced=True)


class MaskedScatter(Function):
    """z = x with the True places of mask filled by src's leading elements in order;   dx = g with those places
    zeroed,   dsrc = g read at them, padded with zeros to src's size"""

    inputs = 2

    @staticmethod
    def forward(ctx, x, src, mask):
        ctx.mask, ctx.count, ctx.src_shape = mask, builtins.int(mask.sum()), src.shape
        z = x.copy()
        z[mask] = src.reshape(-1)[:ctx.count]
        return z

    @staticmethod
    def backward(ctx, g):
        gx = call(IndexPut, g, 0.0, ctx.mask, True)
        part = call(Index, g, ctx.mask, True)  # (count,)
        size = builtins.int(np.prod(ctx.src_shape))
        return gx, np.reshape(call(IndexBackward, part, (slice(0, ctx.count),), (size,)), ctx.src_shape)


def masked_scatter(input, mask, source):
    m = _bool_mask("masked_scatter_", mask)
    shape = np.broadcast_shapes(input.data.shape, m.shape)
    m = np.broadcast_to(m, shape)
    if source.data.size < m.sum():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_scalar_type(input.data.dtype)} and {_scalar_type(source.data.dtype)}")
    x = expand(input, shape) if shape != input.data.shape else input
    return MaskedScatter.apply(x, source, m)


class Take(Index):  # x.reshape(-1)[index] (torch's node name)
    pass


def take(input, index):
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_scalar_type(idx.dtype)}")
    n = input.data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Take.apply(input.reshape(-1), (idx.astype(np.int64, copy=False),), advanced=True)


def take_along_dim(input, indices, dim=None):
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_scalar_type(idx.dtype)}")
    if dim is None:
        return take(input, idx.reshape(-1))
    n = input.data.ndim
    d = _dim(dim, n)
    if idx.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {n} dimensions for input, and {idx.ndim} dimensions for indices")
    shape_x = list(np.broadcast_shapes(*(tuple(s[:d]) + (1,) + tuple(s[d + 1:])
                                         for s in (input.data.shape, idx.shape))))
    shape_i = list(shape_x)
    shape_x[d], shape_i[d] = input.data.shape[d], idx.shape[d]
    x = expand(input, tuple(shape_x)) if tuple(shape_x) != input.data.shape else input
    i = np.broadcast_to(idx, tuple(shape_i)).astype(np.int64)
    size = builtins.max(x.data.shape[d], 1)
    return Gather.apply(x, i % size, d)


# ---- the *_scatter ops: a copy of input with one part replaced by src ---------------------------------------------
class SelectScatter(IndexPut):
    node_name = "SelectScatterBackward0"


class SliceScatter(IndexPut):
    node_name = "SliceScatterBackward0"


def _check_part(name, part_shape, src):
    if tuple(src.data.shape) != tuple(part_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.data.shape)}, slice size = {list(part_shape)}")


def select_scatter(input, src, dim, index):
    d = _dim(dim, input.data.ndim)
    n = input.data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.data.shape)} at "
                         f"dimension {d}")
    at = _at(d, builtins.int(index) % n)
    _check_part("select_scatter", input.data[at].shape, src)
    return SelectScatter.apply(input, src, at, False)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    d = _dim(dim, input.data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    at = _at(d, slice(start, end, step))
    _check_part("slice_scatter", input.data[at].shape, src)
    return SliceScatter.apply(input, src, at, False)


# ---- in place --------------------------------------------------------------------------------------------------
def _write_back(op):
    """The plain (no graph) path of an in-place op: its out-of-place result written over self."""

    def fn(self, *args, **kwargs):
        self.data[...] = op(self, *args, **kwargs).data

    fn.__name__ = op.__name__ + "_"
    return _fill(record=op)(fn)


index_add_ = _write_back(index_add)
index_copy_ = _write_back(index_copy)
index_fill_ = _write_back(index_fill)
_masked_fill_ = _write_back(masked_fill)
_masked_scatter_ = _write_back(masked_scatter)


def masked_fill_(self, mask, value):
    shape = np.broadcast_shapes(self.data.shape, np.shape(mask))
    if shape != self.data.shape:  # the result must fit in self
        raise RuntimeError(f"output with shape {list(self.data.shape)} doesn't match the broadcast shape "
                           f"{list(shape)}")
    return _masked_fill_(self, mask, value)


def masked_scatter_(self, mask, source):
    if np.ndim(mask) > self.data.ndim:
        raise RuntimeError(f"expand(CPUBoolType{{{list(np.shape(mask))}}}, size={list(self.data.shape)}): the number "
                           f"of sizes provided ({self.data.ndim}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({np.ndim(mask)})")
    return _masked_scatter_(self, mask, source)
