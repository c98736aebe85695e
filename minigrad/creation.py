"""Making tensors: from data (torch's dtype inference) and the factories (`zeros`, `randn`, `arange`, ...)."""
import builtins

import numpy as np

from . import _dtype
from .autograd import grad_mode
from .random import _gen
from .tensor import Tensor, _check_device, _size_args


def _infer(data):
    """torch.tensor's inference: bools -> bool, ints -> int64, any float -> float32; arrays keep their dtype."""
    if isinstance(data, Tensor):
        return data.data.copy()
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return data.copy()
    if isinstance(data, np.generic):
        return np.asarray(data)
    flat = _flatten(data)
    if any(isinstance(x, Tensor) for x in flat):
        data = _untensor(data)
        flat = _flatten(data)
    arr = np.array(data)
    if arr.dtype == object:
        raise ValueError(f"expected sequence of equal-length sequences, but got a ragged nested list: {data!r:.80}")
    if arr.dtype.kind in "US":
        raise TypeError(f"new(): invalid data type '{arr.dtype.kind == 'U' and 'str'}'")
    if any(isinstance(x, builtins.float) or (isinstance(x, np.floating)) for x in flat):
        return arr.astype(np.float32)
    if arr.dtype.kind == "f" and not flat:
        return arr.astype(np.float32)
    if arr.dtype.kind == "i":
        return arr.astype(np.int64)
    return arr


def _flatten(data):
    if isinstance(data, (list, tuple)):
        out = []
        for x in data:
            out.extend(_flatten(x))
        return out
    return [data]


def _untensor(data):
    if isinstance(data, Tensor):
        return data.data.tolist() if data.data.ndim else data.item()
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def _finish(arr, dtype, requires_grad, device=None):
    if device is not None:
        _check_device(device)
    if dtype is not None:
        arr = arr.astype(_dtype.to_np(dtype), copy=False)
    t = Tensor._make(arr, None)
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(_infer(data), dtype, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.type(dtype)
    if isinstance(data, np.ndarray):
        return _finish(data, dtype, False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor sharing `ndarray`'s memory: writes to either show in both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray, None)


def _default(dtype):
    return np.float32 if dtype is None else _dtype.to_np(dtype)


def _factory(fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
             generator=None):
        shape = _size_args(size)
        if any(s < 0 for s in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {list(shape)}")
        arr = fill(shape, _default(dtype), generator)
        return _finish(arr, None, requires_grad, device)

    return make


zeros = _factory(lambda s, d, g: np.zeros(s, d))
ones = _factory(lambda s, d, g: np.ones(s, d))
empty = _factory(lambda s, d, g: np.empty(s, d))
rand = _factory(lambda s, d, g: _gen(g).random(s, dtype=np.float64).astype(d))
randn = _factory(lambda s, d, g: _gen(g).standard_normal(s, dtype=np.float64).astype(d))


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _finish(np.full(_size_args((size,)), fill_value, _dtype.to_np(dtype)), None, requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    arr = _gen(generator).integers(low, high, _size_args((size,)), dtype=np.int64)
    return _finish(arr, dtype, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None):
    return _finish(_gen(generator).permutation(n).astype(np.int64), dtype, False, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = [start, end, step]
    if dtype is None:
        dtype = np.float32 if any(isinstance(v, builtins.float) for v in values) else np.int64
    return _finish(np.arange(start, end, step, dtype=np.float64).astype(_dtype.to_np(dtype)), None, requires_grad,
                   device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.linspace(start, end, steps, dtype=np.float64).astype(_default(dtype)), None, requires_grad,
                   device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_default(dtype)), None, requires_grad, device)


def _like(make):
    def like(input, *, dtype=None, device=None, requires_grad=False, **kw):
        return make(input.shape, dtype=input.dtype if dtype is None else dtype, device=device,
                    requires_grad=requires_grad, **kw)

    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = (_like(f) for f in (zeros, ones, empty, rand, randn))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)


for _name, _make in dict(new_zeros=zeros, new_ones=ones, new_empty=empty).items():
    setattr(Tensor, _name, (lambda mk: lambda self, *size, dtype=None, requires_grad=False: mk(
        *size, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad))(_make))
Tensor.new_tensor = new_tensor
Tensor.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: full(
    size, fill_value, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)
