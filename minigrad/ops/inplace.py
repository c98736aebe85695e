"""Writing in place: `x[i] = v`, `add_`, `zero_`, `fill_`, `copy_`, `scatter_` ..., recorded as torch records them.

Under a recording graph an in-place op runs out of place and the tensor takes over the result and its grad_fn
(`_take_over`); a write into an indexed view is written back into its base as torch's CopySlices."""
import builtins

import numpy as np

from .. import _dtype
from .._dtype import scalar_type as _scalar_type
from .._size import _dim
from ..autograd import grad_mode
from ..autograd.function import Function, call
from ..tensor import Tensor
from ._promote import _broadcast_check, _data, _result_np_dtype
from .compare import clamp
from .indexing import Gather, Index, IndexBackward, Select, Slice, _along, _index_parts
from .pointwise import Clone, add, div, mul, sub


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


class IndexPut(Function):
    """z = x with z[index] = v  (`x[index] = v`);   dx = g with g[index] zeroed,   dv = g[index] (the engine sums
    it down to v's shape when v was broadcast)"""

    node_name = "CopySlices"
    inputs = 2

    @staticmethod
    def forward(ctx, x, v, index, advanced=False):
        ctx.index, ctx.advanced = index, advanced
        z = x.copy()
        z[index] = v
        return z

    @staticmethod
    def backward(ctx, g):
        return call(IndexPut, g, 0.0, ctx.index, ctx.advanced), call(Index, g, ctx.index, ctx.advanced)


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
        z[_along(index, dim)] = src
        return z

    @staticmethod
    def backward(ctx, g):
        gx = call(ScatterValue, g, 0.0, ctx.index, ctx.dim)
        if not ctx.needs_input_grad[1]:
            return gx, None
        part = call(Gather, g, ctx.index, ctx.dim)
        if part.shape != ctx.src_shape:  # src beyond index's extent was not used (0-dim src: one element)
            part = part.reshape(()) if not ctx.src_shape else call(
                IndexBackward, part, tuple(slice(0, n) for n in part.shape), ctx.src_shape)
        return gx, part


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


def _check_inplace(t, what="an in-place operation"):
    if not grad_mode._enabled:
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = getattr(t, "_view_base", None)
    if base is not None and _indexed_view(t) is None:
        while getattr(base, "_view_base", None) is not None:
            base = base._view_base
        if base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        # torch rewrites the base's graph (CopySlices); without that the base's gradient would be silently wrong
        raise NotImplementedError(
            f"{what} on a view ({type(t.grad_fn).__name__}) of a tensor that requires grad: minigrad rewrites the "
            "base's graph only for views made by indexing (x[i], x[a:b]). Use an out-of-place op (where, cat, "
            "clone() first), or write into the base tensor itself with base[index] = value."
        )


def _indexed_view(t):
    """(base, index) when t is base[index] (basic indexing) of a non-leaf that requires grad: an in-place op on t is
    then written back into base, recorded there as torch's CopySlices. None otherwise."""
    base = getattr(t, "_view_base", None)
    if base is None or not grad_mode._enabled or base.grad_fn is None or getattr(base, "_view_base", None) is not None:
        return None
    if t.grad_fn is None or type(t.grad_fn).function not in (Select, Slice):
        return None
    return base, t.grad_fn.index


def _source(t):
    """What an in-place op on t reads: t, or for an indexed view a copy in the graph, since the op's result is
    then written back over t's memory, which the op's backward may have saved."""
    return Clone.apply(t) if _indexed_view(t) is not None else t


def _check_fits(value, target):
    """torch's error for a value that does not broadcast to the place it is written to."""
    shape = value.shape if isinstance(value, (Tensor, np.ndarray)) else ()
    try:
        fits = np.broadcast_shapes(tuple(shape), target) == target
    except ValueError:
        fits = False
    if not fits:
        lead = len(target) - len(shape)
        dim = next((i for i in range(len(shape) - 1, -1, -1) if i + lead < 0 or
                    shape[i] not in (1, target[i + lead])), 0)
        raise RuntimeError(f"The expanded size of the tensor ({target[dim + lead] if dim + lead >= 0 else 1}) must "
                           f"match the existing size ({shape[dim]}) at non-singleton dimension {dim + lead}.  Target "
                           f"sizes: {list(target)}.  Tensor sizes: {list(shape)}")


def setitem(input, index, value):
    _check_inplace(input, "x[index] = value")
    idx, advanced = _index_parts(index)
    _check_fits(value, input.data[idx].shape)
    if grad_mode._enabled and (input._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
        # recorded like torch's CopySlices: input takes over the result's values and grad_fn
        result = IndexPut.apply(input, value, idx, advanced)
        np.copyto(input.data, result.data)
        input.grad_fn, input._requires_grad = result.grad_fn, True
    else:
        input.data[idx] = _data(value)
    input._vc[0] += 1


# ---- in place -----------------------------------------------------------------------------------------------------
def _inplace(op, ufunc):
    """`x.op_(y)`: NumPy writes into x's own array; under a recording graph the op is taken out of place and x
    takes over its result and grad_fn, so gradients stay right."""

    def method(self, other, **kw):
        _check_inplace(self)
        if isinstance(other, Tensor) and other.data.shape != self.data.shape:
            _broadcast_check(self, other)
            shape = np.broadcast_shapes(self.data.shape, other.data.shape)
            if shape != self.data.shape:  # the result must fit in self
                raise RuntimeError(f"output with shape {list(self.data.shape)} doesn't match the broadcast shape "
                                   f"{list(shape)}")
        target = _result_np_dtype([self, other])
        if _dtype.category(target) > _dtype.category(self.data.dtype):
            raise RuntimeError(f"result type {_scalar_type(target)} can't be cast to the "
                               f"desired output type {_scalar_type(self.data.dtype)}")
        recording = grad_mode._enabled and (self._requires_grad or (isinstance(other, Tensor) and other.requires_grad))
        if recording:  # self takes the out-of-place result (its saved arrays stay intact for backward)
            return _take_over(self, op(_source(self), other, **kw))
        else:
            if kw.get("alpha", 1) != 1:
                other = _data(other) * kw["alpha"]
            ufunc(self.data, _data(other), out=self.data, casting="unsafe")
        self._vc[0] += 1
        return self

    return method


add_, sub_, mul_, div_ = (_inplace(o, u) for o, u in ((add, np.add), (sub, np.subtract), (mul, np.multiply),
                                                       (div, np.true_divide)))


def _take_over(self, result):
    """An in-place op under a recording graph runs out of place; self then takes over the result and its grad_fn.
    An indexed view writes the result into its base instead (base[index] = result, recorded) and becomes a fresh
    view of the new base."""
    view = _indexed_view(self)
    if view is not None:
        base, index = view
        setitem(base, index, result)  # base.data is written in place, so self.data (a view of it) follows
        self.grad_fn = type(self.grad_fn).function.apply(base, index).grad_fn
        return self
    self.data = result.data.astype(self.data.dtype, copy=False)
    self.grad_fn, self._requires_grad = result.grad_fn, True
    self._vc[0] += 1  # nodes that saved self's old value must now refuse, as torch's do ...
    versions = result.grad_fn._versions
    for k, entry in enumerate(versions or ()):  # ... but not the node of this very op
        if entry[0] is self._vc:
            versions[k] = (entry[0], self._vc[0], entry[2])
    return self


def _fill(record=None, node=Fill):
    """An in-place method that writes new values. With grad recording (self or an argument requires grad) it is
    taken out of place, so the graph sees it as torch's does: `record(self, ...)` builds the differentiable result;
    without one, the values do not depend on self and `node` records them (gradient 0 to self)."""

    def deco(fn):
        def method(self, *args, **kwargs):
            _check_inplace(self)
            if grad_mode._enabled and (self._requires_grad or builtins.any(
                    isinstance(a, Tensor) and a._requires_grad for a in (*args, *kwargs.values()))):
                if record is not None:
                    return _take_over(self, record(_source(self), *args, **kwargs))
                scratch = Tensor._make(self.data.copy(), None)  # the new values, drawn as the plain path would
                fn(scratch, *args, **kwargs)
                return _take_over(self, node.apply(self, scratch.data))
            with grad_mode.no_grad():
                fn(self, *args, **kwargs)
            self._vc[0] += 1
            return self

        method.__name__ = fn.__name__
        return method

    return deco


def _copy_source(self, src):
    src = src.data if isinstance(src, Tensor) else np.asarray(src)
    try:
        return np.broadcast_to(src, self.data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({list(self.data.shape)}) must match the size of tensor b "
                           f"({list(src.shape)}) so that b can be copied into a") from None


@_fill(node=Zero)
def zero_(self):
    self.data[...] = 0


def _record_fill(self, value):  # a tensor value gets the gradient's sum, as torch's FillBackward3
    return FillTensor.apply(self, value) if isinstance(value, Tensor) else Fill.apply(self, np.asarray(value))


@_fill(record=_record_fill)
def fill_(self, value):
    self.data[...] = _data(value)


def _record_copy(self, src, non_blocking=False):
    _copy_source(self, src)  # torch's error for shapes that do not broadcast
    return Copy.apply(self, src)


@_fill(record=_record_copy)
def copy_(self, src, non_blocking=False):
    np.copyto(self.data, _copy_source(self, src), casting="unsafe")


@_fill(record=lambda self, min=None, max=None: clamp(self, min, max))
def clamp_(self, min=None, max=None):  # noqa: A002
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        self.data[...] = clamp(self, min, max).data
    else:
        np.clip(self.data, min, max, out=self.data)


@_fill()
def uniform_(self, a=0.0, b=1.0, generator=None):
    from .. import random

    random._uniform_into(self.data, a, b, generator)  # in the tensor's dtype, as nn.init.uniform_


@_fill()
def normal_(self, mean=0.0, std=1.0, generator=None):
    from .. import random

    random._normal_into(self.data, mean, std, generator)  # in the tensor's dtype, as nn.init.normal_


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """self[index[i][j]][j] = src[i][j] (for dim=0), and so on: the tutorial's one-hot."""
    _check_inplace(self)
    if src is None and value is None:
        raise TypeError("scatter_() missing 1 required argument: 'src' or 'value'")
    d = _dim(dim, self.data.ndim)
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"scatter_(): Expected dtype int64 for index, but got {_scalar_type(idx.dtype)}")
    idx = idx.astype(np.int64, copy=False)
    if idx.ndim == 0 and self.data.ndim == 1:  # torch counts a 0-dim index as 1-dim (the tutorial's one-hot)
        idx = idx.reshape(1)
    if idx.ndim != self.data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if idx.size and (idx.min() < 0 or idx.max() >= self.data.shape[d]):
        raise RuntimeError(f"index {idx.max() if idx.max() >= self.data.shape[d] else idx.min()} is out of bounds for "
                           f"dimension {d} with size {self.data.shape[d]}")
    if grad_mode._enabled and (self._requires_grad or (isinstance(src, Tensor) and src._requires_grad)):
        fn = Scatter if src is not None else ScatterValue
        return _take_over(self, fn.apply(self, value if src is None else src, idx, d))
    vals = value if src is None else _data(src)
    if isinstance(vals, np.ndarray):
        vals = vals.reshape(1) if vals.ndim == 0 else vals  # a 0-dim src counts as 1-dim too
        vals = vals[tuple(slice(0, n) for n in idx.shape)]
    self.data[_along(idx, d)] = vals
    self._vc[0] += 1
    return self


def scatter(input, dim, index, src=None, value=None):
    """The out-of-place scatter_: a copy of input (in the graph, so input gets the gradient of what was kept)."""
    return scatter_(input.clone(), dim, index, src=src, value=value)
