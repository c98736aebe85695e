"""Making tensors: from data (torch's dtype inference) and the factories (`zeros`, `randn`, `arange`, ...)."""
import builtins
import math

import numpy as np

from . import _dtype
from .autograd import grad_mode
from .random import _gen
from .tensor import Tensor, _check_device, _size_args


_PY_DTYPES = _dtype.PY_DTYPES  # float: the default dtype, which set_default_dtype changes
_SEQUENCES = (list, tuple, range)


# ---- the default dtype -----------------------------------------------------------------------------------------
def set_default_dtype(d):
    """The dtype of tensors made from Python floats and of the float factories (zeros, rand, arange(0.5, 2), ...):
    float32 (torch's start) or float64."""
    if not isinstance(d, _dtype.dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if d.np not in (np.float32, np.float64):
        raise TypeError(f"minigrad supports float32 and float64 as the default type, not {d}: its ops are written "
                        "and checked for those two")
    _PY_DTYPES[builtins.float] = d.np


def get_default_dtype():
    return _dtype.from_numpy_dtype(_PY_DTYPES[builtins.float])


def _float():
    """The default float dtype, as a NumPy dtype."""
    return _PY_DTYPES[builtins.float]


_DEFAULT_DEVICE = ["cpu"]


def set_default_device(device):
    """Only 'cpu' (or None, which means it): minigrad computes with NumPy on the CPU."""
    if device is None:
        device = "cpu"
    name = str(device)
    if name.split(":")[0] != "cpu":
        raise RuntimeError(f"set_default_device('{name}'): minigrad runs on the CPU only (NumPy), so it has no "
                           f"'{name}' device; use set_default_device('cpu') or leave the default as it is.")
    _DEFAULT_DEVICE[0] = "cpu"


def get_default_device():
    from .tensor import device

    return device(_DEFAULT_DEVICE[0])


def _infer(data, dtype=None):
    """torch.tensor's inference: bools -> bool, ints -> int64, floats -> the default dtype, NumPy scalars and arrays
    keep their dtype; a nested sequence gets the promotion of all its leaves' dtypes ([1, 2.5] -> float32,
    [np.float64(1), 2.] -> float64). Always a fresh array. A given `dtype` (a NumPy dtype) is converted to straight
    from the data, so Python floats reach float64 without a stop in float32."""
    if isinstance(data, Tensor):
        return data.data.astype(data.data.dtype if dtype is None else dtype)  # astype copies
    if isinstance(data, (np.ndarray, np.generic)):
        _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, dtype)
    if not isinstance(data, _SEQUENCES):
        return np.array(data, _leaf_dtype(data) if dtype is None else dtype)
    shape = _first_path_shape(data)
    dtypes = set()
    has_arrays = _scan(data, 0, shape, dtypes)
    result = _float()  # what an empty sequence gives
    if dtype is not None:
        result = dtype
    elif dtypes:
        result = dtypes.pop()
        for d in dtypes:
            result = _dtype.promote(result, d)
    try:
        return np.array(_unwrap(data) if has_arrays else data, result).reshape(shape)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long: a Python int in the data does not fit in int64") from None


def _dtype_arg(d):
    """A creation function's dtype argument as a NumPy dtype. A string is refused, as torch refuses it: 'float32'
    would silently work here and fail in torch."""
    if isinstance(d, str):
        raise TypeError(f"argument 'dtype' must be a minigrad.dtype such as minigrad.float32, not str ({d!r})")
    return _dtype.to_np(d)


def _leaf_dtype(x):
    t = _PY_DTYPES.get(type(x))
    if t is not None:
        return t
    if isinstance(x, np.generic):
        return _dtype.from_numpy_dtype(x.dtype).np
    if isinstance(x, str):
        raise TypeError("new(): invalid data type 'str'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _first_path_shape(data):
    """The shape that data[0][0]... implies; every other branch must agree with it."""
    shape, x = [], data
    while isinstance(x, _SEQUENCES):
        shape.append(len(x))
        if not len(x):
            return shape
        x = x[0]
    if isinstance(x, (Tensor, np.ndarray)):
        shape.extend(x.shape)
    return shape


def _scan(x, dim, shape, dtypes):
    """Check the nesting of `x` (at depth `dim`) against `shape` and collect its leaves' dtypes into `dtypes`.
    Returns whether it holds any Tensor or ndarray."""
    if isinstance(x, (Tensor, np.ndarray)):
        if tuple(x.shape) != tuple(shape[dim:]):
            raise ValueError(f"expected an element of shape {tuple(shape[dim:])} at dim {dim}, but got a "
                             f"{type(x).__name__} of shape {tuple(x.shape)}")
        dtypes.add(_dtype.from_numpy_dtype(x.data.dtype if isinstance(x, Tensor) else x.dtype).np)
        return True
    if not isinstance(x, _SEQUENCES):
        if dim != len(shape):
            raise TypeError(f"expected a sequence of length {shape[dim]} at dim {dim}, but got a "
                            f"{type(x).__name__} (not a sequence)")
        dtypes.add(_leaf_dtype(x))
        return False
    if dim == len(shape):
        raise TypeError(f"expected a number at dim {dim}, but got a sequence of length {len(x)}")
    if len(x) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
    kinds = set(map(type, x))
    if dim == len(shape) - 1 and kinds <= _PY_DTYPES.keys():  # the common innermost list of Python numbers
        dtypes.update(_PY_DTYPES[k] for k in kinds)
        return False
    found = False
    for item in x:
        found = _scan(item, dim + 1, shape, dtypes) or found
    return found


def _unwrap(data):
    """Nested sequences with the Tensors in them replaced by their arrays, for np.array to stack."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, _SEQUENCES):
        return [_unwrap(x) for x in data]
    return data


def _finish(arr, dtype, requires_grad, device=None):
    if device is not None:
        _check_device(device)
    if dtype is not None:
        arr = arr.astype(_dtype_arg(dtype), copy=False)
    t = Tensor._make(arr, None)
    if requires_grad:
        if arr.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients "
                               f"(got {_dtype.from_numpy_dtype(arr.dtype)})")
        t.requires_grad = True
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(_infer(data, None if dtype is None else _dtype_arg(dtype)), None, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a Tensor or an ndarray when no dtype conversion is needed."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.type(dtype)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return _finish(data, dtype, False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor sharing `ndarray`'s memory: writes to either show in both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray, None)


def _default(dtype):
    return _float() if dtype is None else _dtype_arg(dtype)


_TORCH_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                       "bool": "Bool"}


def _floating_only(name, np_dtype):
    """rand/randn draw floats: torch has no kernel for other dtypes and raises NotImplementedError."""
    if np.dtype(np_dtype).kind != "f":
        scalar = _TORCH_SCALAR_NAMES.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name)
        raise NotImplementedError(f'"{name}" not implemented for \'{scalar}\': it draws floating point numbers, '
                                  "so pass a floating dtype such as minigrad.float32")


def _rand(shape, d, g):
    """Uniform on [0, 1). float32 and float64 are drawn in their own precision: a float64 draw rounded to float32
    could round up to exactly 1.0."""
    _floating_only("rand", d)
    if d in (np.float32, np.float64):
        return _gen(g).random(shape, dtype=d)
    return np.minimum(_gen(g).random(shape, dtype=np.float32).astype(d), np.nextafter(d(1), d(0)))


def _randn(shape, d, g):
    _floating_only("randn", d)
    if d in (np.float32, np.float64):
        return _gen(g).standard_normal(shape, dtype=d)
    return _gen(g).standard_normal(shape, dtype=np.float32).astype(d)


def _factory(fill, name):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
             generator=None):
        if not size:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        shape = _size_args(size)
        if any(s < 0 for s in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {list(shape)}")
        arr = fill(shape, _default(dtype), generator)
        return _finish(arr, None, requires_grad, device)

    return make


zeros = _factory(lambda s, d, g: np.zeros(s, d), "zeros")
ones = _factory(lambda s, d, g: np.ones(s, d), "ones")
empty = _factory(lambda s, d, g: np.empty(s, d), "empty")
rand = _factory(lambda s, d, g: _rand(s, np.dtype(d).type, g), "rand")
randn = _factory(lambda s, d, g: _randn(s, np.dtype(d).type, g), "randn")


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _float() if isinstance(fill_value, builtins.float) else _dtype.scalar_dtype(fill_value)
    return _finish(np.full(_size_args((size,)), fill_value, _dtype_arg(dtype)), None, requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """randint(high, size) or randint(low, high, size): integers uniform on [low, high), int64 by default."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    arr = _gen(generator).integers(low, high, _size_args((size,)), dtype=np.int64)
    return _finish(arr, dtype, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None):
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return _finish(_gen(generator).permutation(n).astype(np.int64), dtype, False, device)


def _number(v):
    return v.item() if isinstance(v, (Tensor, np.generic)) else v


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """[start, end) by step: int64 when all three are integers, else the default dtype. Element i is start + i * step,
    computed in double as torch's CPU kernel does."""
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign (start={start}, end={end}, "
                           f"step={step})")
    all_ints = not any(isinstance(v, builtins.float) for v in (start, end, step))
    target = (np.int64 if all_ints else _float()) if dtype is None else _dtype_arg(dtype)
    if all_ints:  # exact int64 arithmetic, beyond float64's 2**53
        arr = np.arange(start, end, step, dtype=np.int64)
    else:
        n = builtins.int(math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step)))
        if np.dtype(target).kind in "iub":  # torch truncates start and step to the integer type first
            arr = builtins.int(start) + builtins.int(step) * np.arange(n, dtype=np.int64)
        else:
            # start + i * step in one rounding, as torch's fused multiply-add (NumPy's own float arange adds a
            # rounded delta instead, which drifts); a wider type stands in for the FMA
            i = np.arange(n, dtype=np.longdouble)
            arr = (np.longdouble(start) + np.longdouble(step) * i).astype(np.float64)
    return _finish(arr.astype(target, copy=False), None, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """`steps` points from start to end inclusive. Like torch's CPU kernel, the first half counts up from start and
    the second half down from end, each as a multiple of the step (in the dtype's precision; in double for
    integer dtypes, then truncated)."""
    start, end, steps = _number(start), _number(end), _number(steps)
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, but got {steps}")
    target = np.dtype(_default(dtype))
    work = target.type if target.kind == "f" else np.float64
    if target.kind != "f":  # torch first converts the ends to the integer dtype (truncating)
        start, end = builtins.int(start), builtins.int(end)
    first, last = work(start), work(end)
    if steps == 1:
        arr = np.array([first])
    else:
        step = (last - first) / work(steps - 1)
        # torch's compiled kernel fuses `end - step * k` into one rounding (FMA); a wider type imitates that
        wide = np.longdouble if work == np.float64 else np.float64
        i = np.arange(steps, dtype=wide)
        up = wide(first) + wide(step) * i
        down = wide(last) - wide(step) * (wide(steps - 1) - i)
        arr = np.where(np.arange(steps) < steps // 2, up, down).astype(work)
    return _finish(arr.astype(target), None, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_default(dtype)), None, requires_grad, device)


def _like(make):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None, **kw):
        return make(input.shape, dtype=input.dtype if dtype is None else dtype, device=device,
                    requires_grad=requires_grad, **kw)

    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = (_like(f) for f in (zeros, ones, empty, rand, randn))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


# Tensor.new_*: a new tensor with self's dtype (and device) unless told otherwise
def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    return zeros(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return ones(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return empty(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)
