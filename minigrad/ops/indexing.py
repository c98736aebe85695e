"""Indexing and in-place ops: `x[i]`, `x[i] = v`, `add_`, `zero_`, `scatter_` ..., recorded as torch records them."""
import builtins

import numpy as np

from .. import _dtype
from .._size import _dim
from ..autograd import grad_mode
from ..functions import elementwise as E
from ..functions import shape as S
from ..tensor import Tensor
from ._promote import _broadcast_check, _result_np_dtype
from .pointwise import _data, _scalar_type, add, clamp, div, mul, sub


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


def getitem(input, index):
    idx, advanced = _index_parts(index)
    if advanced:
        return S.Index.apply(input, idx, advanced=True)
    if idx.count(None) == 1 and builtins.all(p is None or p is Ellipsis or p == slice(None) for p in idx):
        return S.Unsqueeze.apply(input, input.data[idx].shape)  # x[None], x[:, None]: torch's UnsqueezeBackward0
    try:
        if builtins.all(isinstance(p, (builtins.int, np.integer)) for p in idx):
            return S.Select.apply(input, idx)
        return S.Slice.apply(input, idx)
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None  # NumPy's words for torch's message


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
    if t.grad_fn is None or type(t.grad_fn).function not in (S.Select, S.Slice):
        return None
    return base, t.grad_fn.index


def _source(t):
    """What an in-place op on t reads: t, or for an indexed view a copy in the graph, since the op's result is
    then written back over t's memory, which the op's backward may have saved."""
    return E.Clone.apply(t) if _indexed_view(t) is not None else t


def setitem(input, index, value):
    _check_inplace(input, "x[index] = value")
    idx, _ = _index_parts(index)
    if grad_mode._enabled and (input._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
        # recorded like torch's CopySlices: input takes over the result's values and grad_fn
        result = S.IndexPut.apply(input, value, idx)
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


def _fill(record=None, node=E.Fill):
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


@_fill(node=E.Zero)
def zero_(self):
    self.data[...] = 0


def _record_fill(self, value):  # a tensor value gets the gradient's sum, as torch's FillBackward3
    return E.FillTensor.apply(self, value) if isinstance(value, Tensor) else E.Fill.apply(self, np.asarray(value))


@_fill(record=_record_fill)
def fill_(self, value):
    self.data[...] = _data(value)


def _record_copy(self, src, non_blocking=False):
    _copy_source(self, src)  # torch's error for shapes that do not broadcast
    return E.Copy.apply(self, src)


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

    self.data[...] = random._gen(generator).uniform(a, b, self.data.shape)


@_fill()
def normal_(self, mean=0.0, std=1.0, generator=None):
    from .. import random

    self.data[...] = random._gen(generator).normal(mean, std, self.data.shape)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    """self[index[i][j]][j] = src[i][j] (for dim=0), and so on: the tutorial's one-hot."""
    _check_inplace(self)
    if src is None and value is None:
        raise TypeError("scatter_() missing 1 required argument: 'src' or 'value'")
    d = _dim(dim, self.data.ndim)
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"scatter_(): Expected dtype int64 for index, but got {idx.dtype}")
    if idx.ndim == 0 and self.data.ndim == 1:  # torch counts a 0-dim index as 1-dim (the tutorial's one-hot)
        idx = idx.reshape(1)
    if idx.ndim != self.data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if idx.size and (idx.min() < 0 or idx.max() >= self.data.shape[d]):
        raise RuntimeError(f"index {idx.max() if idx.max() >= self.data.shape[d] else idx.min()} is out of bounds for "
                           f"dimension {d} with size {self.data.shape[d]}")
    if grad_mode._enabled and (self._requires_grad or (isinstance(src, Tensor) and src._requires_grad)):
        fn = S.Scatter if src is not None else S.ScatterValue
        return _take_over(self, fn.apply(self, value if src is None else src, idx, d))
    vals = value if src is None else _data(src)
    if isinstance(vals, np.ndarray):
        vals = vals.reshape(1) if vals.ndim == 0 else vals  # a 0-dim src counts as 1-dim too
        vals = vals[tuple(slice(0, n) for n in idx.shape)]
    np.put_along_axis(self.data, idx, vals, axis=d)
    self._vc[0] += 1
    return self


def scatter(input, dim, index, src=None, value=None):
    return scatter_(input.clone().detach(), dim, index, src=src, value=value)
