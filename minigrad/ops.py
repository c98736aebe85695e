"""The torch-level ops: argument handling (dims, shapes, scalars, errors) in front of `minigrad.functions`.

Each function here is both `minigrad.<name>(tensor, ...)` and the method `Tensor.<name>(...)` (bound at the bottom).
"""
import builtins
import re

import numpy as np

from . import _dtype
from .autograd import grad_mode
from .functions import elementwise as E
from .functions import matmul as M
from .functions import reduce as R
from .functions import shape as S
from .tensor import Size, Tensor, _as_tensor, _binary, _broadcast_check, _dim, _operands, _result_np_dtype, _size_args


# ---- elementwise --------------------------------------------------------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = other * alpha
    return _out(_binary(E.Add, input, other), out)


def _is_bool(x):
    return isinstance(x, (builtins.bool, np.bool_)) or (isinstance(x, Tensor) and x.data.dtype == np.bool_)


def sub(input, other, *, alpha=1, out=None):
    if _is_bool(input) or _is_bool(other):
        raise NotImplementedError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1:
        other = other * alpha
    if not isinstance(input, Tensor) and isinstance(other, Tensor) and out is None:  # number - tensor
        c, y = _operands(input, other)
        return E.RSub.apply(y, c)
    return _out(_binary(E.Sub, input, other), out)


def mul(input, other, *, out=None):
    return _out(_binary(E.Mul, input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        a, b = _true_div_operands(input, other)
        return _out(_binary(E.Div, a, b), out)
    a, b = _operands(_as_tensor(input), other)
    a = a.data if isinstance(a, Tensor) else a
    b = b.data if isinstance(b, Tensor) else b
    r = np.floor_divide(a, b) if rounding_mode == "floor" else np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))
    return _out(Tensor._make(np.asarray(r), None), out)


def _true_div_operands(a, b):
    """Integer / integer is a float in torch: both sides go to float32 first."""
    ints = builtins.all((isinstance(x, Tensor) and x.data.dtype.kind in "biu") or isinstance(x, (builtins.int, np.integer))
               for x in (a, b))
    if ints:
        a = a.float() if isinstance(a, Tensor) else builtins.float(a)
        b = b.float() if isinstance(b, Tensor) else builtins.float(b)
    return a, b


def true_divide(input, other):
    return div(input, other)


def neg(input):
    if input.data.dtype == np.bool_:
        raise NotImplementedError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                                  "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return E.Neg.apply(input)


def pow(input, exponent):  # noqa: A001 - torch's name
    if isinstance(exponent, Tensor):
        base = input
        if not isinstance(base, Tensor):
            dt = _result_np_dtype([exponent, base])
            base = np.asarray(base, dt)
            exponent = exponent if exponent.data.dtype == dt else exponent.type(_dtype.from_numpy_dtype(dt))
            return E.RPow.apply(exponent, base)
        return _binary(E.PowTensor, base, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    if input.data.dtype.kind in "iub" and isinstance(exponent, builtins.float):
        input = input.float()
    return E.Pow.apply(input, exponent)


def _float_unary(fn):
    def op(input):
        if input.data.dtype.kind in "iub":
            input = input.float()  # torch computes exp/log/... of integers in the default float dtype
        return fn.apply(input)

    return op


exp, log, sqrt, sigmoid, tanh = (_float_unary(f) for f in (E.Exp, E.Log, E.Sqrt, E.Sigmoid, E.Tanh))


def abs(input):  # noqa: A001
    return E.Abs.apply(input)


def relu(input):
    return E.Relu.apply(input)


def clamp(input, min=None, max=None):  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        bounds = [_as_tensor(b) for b in (min, max) if b is not None]
        for b in bounds:
            _broadcast_check(input, b)
        x, *bounds = _operands(input, *bounds)
        lo = bounds.pop(0) if min is not None else None
        hi = bounds.pop(0) if max is not None else None
        return E.ClampTensor.apply(x, lo, hi)
    return E.Clamp.apply(input, min=min, max=max)


clip = clamp


def maximum(input, other):
    return _binary(E.Maximum, input, other)


def minimum(input, other):
    return _binary(E.Minimum, input, other)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return tuple(Tensor._make(i, None) for i in np.nonzero(condition.data))
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_scalar_type(cond.dtype)}")
    x, y = _operands(input, other)
    return E.Where.apply(x, y, cond)


def _compare(ufunc):
    def op(input, other):
        a, b = _operands(input, other)
        a = a.data if isinstance(a, Tensor) else a
        b = b.data if isinstance(b, Tensor) else b
        return Tensor._make(np.asarray(ufunc(a, b)), None)

    return op


eq, ne, lt, le, gt, ge = (_compare(u) for u in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                                                np.greater_equal))
logical_and, logical_or, logical_xor = (_compare(u) for u in (np.logical_and, np.logical_or, np.logical_xor))


def logical_not(input):
    return Tensor._make(np.logical_not(input.data), None)


def equal(input, other):
    return input.shape == other.shape and builtins.bool(np.array_equal(input.data, other.data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return builtins.bool(np.allclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(input.data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def isnan(input):
    return Tensor._make(np.isnan(input.data), None)


def isinf(input):
    return Tensor._make(np.isinf(input.data), None)


def isfinite(input):
    return Tensor._make(np.isfinite(input.data), None)


def sign(input):
    return Tensor._make(np.sign(input.data), None)


def floor(input):
    return Tensor._make(np.floor(input.data), None)


def ceil(input):
    return Tensor._make(np.ceil(input.data), None)


def round(input, decimals=0):  # noqa: A001
    return Tensor._make(np.round(input.data, decimals), None)


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _out(result, out):
    """`out=`: write the result into an existing tensor of the right shape."""
    if out is None:
        return result
    if grad_mode._enabled and (result._requires_grad or out._requires_grad):
        name = re.sub("Backward[0-9]*$", "", type(result.grad_fn).__name__).lower() if result.grad_fn else "op"
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    if out.shape != result.shape:
        out.data = np.empty(result.data.shape, out.data.dtype)
    np.copyto(out.data, result.data, casting="same_kind")
    out._vc[0] += 1
    return out


# ---- reductions ---------------------------------------------------------------------------------------------------
def _check_dims(input, dim):
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(_dim(d, input.data.ndim) for d in dim)
    return _dim(dim, input.data.ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    fn = R.Sum if dim is None else _SumDim
    return fn.apply(input, dim=_check_dims(input, dim), keepdim=keepdim,
                    dtype=None if dtype is None else _dtype.to_np(dtype))


class _SumDim(R.Sum):
    node_name = "SumBackward1"


class _MeanDim(R.Mean):
    node_name = "MeanBackward1"


_SCALAR_TYPES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
                 "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def _scalar_type(np_dtype):
    """torch's ScalarType name of a dtype, as its error messages print it: Float, Long, Bool."""
    return _SCALAR_TYPES.get(np.dtype(np_dtype).name, str(np_dtype))


def _need_float(input, what):
    if input.data.dtype.kind != "f":
        raise RuntimeError(
            f"{what}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {_scalar_type(input.data.dtype)}"
        )


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    _need_float(input, "mean")
    fn = R.Mean if dim is None else _MeanDim
    return fn.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def _need_float_var(input):
    if input.data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, builtins.bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    _need_float_var(input)
    return R.Var.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                       keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, builtins.bool):
        dim, unbiased = None, dim
    _need_float_var(input)
    return R.Std.apply(input, dim=_check_dims(input, dim), correction=_correction(unbiased, correction),
                       keepdim=keepdim)


class _ValuesIndices(tuple):
    """torch.return_types.max: a (values, indices) pair with names."""

    def __new__(cls, values, indices, name):
        t = super().__new__(cls, (values, indices))
        t.name = name
        return t

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"minigrad.return_types.{self.name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _extreme(whole, by_dim, name):
    def op(input, dim=None, keepdim=False, *, other=None):
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            return (maximum if name == "max" else minimum)(input, dim)
        _nonempty_dims(input, None if dim is None else _dim(dim, input.data.ndim), name)
        if dim is None:
            return whole.apply(input)
        values, indices = by_dim.apply(input, _dim(dim, input.data.ndim), keepdim=keepdim)
        return _ValuesIndices(values, indices, name)

    return op


max = _extreme(R.MaxAll, R.MaxDim, "max")  # noqa: A001
min = _extreme(R.MinAll, R.MinDim, "min")  # noqa: A001


def _nonempty_dims(input, dims, name):
    """torch's errors for a max-like reduction over nothing."""
    shape = input.data.shape
    if dims in (None, ()):
        if input.data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                               "reduction dim with the 'dim' argument.")
        return
    for d in ((dims,) if isinstance(dims, builtins.int) else dims) if shape else ():
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(input, dim=(), keepdim=False):
    _nonempty_dims(input, _check_dims(input, dim), "amax")
    return R.Amax.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    _nonempty_dims(input, _check_dims(input, dim), "amin")
    return R.Amin.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def logsumexp(input, dim, keepdim=False):
    if input.data.dtype.kind != "f":
        input = input.float()
    return R.LogSumExp.apply(input, dim=_check_dims(input, dim), keepdim=keepdim)


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    return R.Softmax.apply(input, dim=_dim(dim, input.data.ndim))


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.type(dtype)
    return R.LogSoftmax.apply(input, dim=_dim(dim, input.data.ndim))


def _arg(fn):
    def op(input, dim=None, keepdim=False):
        if dim is None:
            r = np.asarray(fn(input.data.reshape(-1)), np.int64)
            return Tensor._make(r.reshape((1,) * input.data.ndim) if keepdim else r, None)
        d = _dim(dim, input.data.ndim)
        r = fn(input.data, axis=d, keepdims=keepdim) if input.data.ndim else np.asarray(0)
        return Tensor._make(np.asarray(r, np.int64), None)

    return op


argmax, argmin = _arg(np.argmax), _arg(np.argmin)


def all(input, dim=None, keepdim=False):  # noqa: A001
    return Tensor._make(np.asarray(np.all(input.data, axis=_check_dims(input, dim), keepdims=keepdim)), None)


def any(input, dim=None, keepdim=False):  # noqa: A001
    return Tensor._make(np.asarray(np.any(input.data, axis=_check_dims(input, dim), keepdims=keepdim)), None)


def norm(input, p="fro", dim=None, keepdim=False):
    if p in ("fro", 2, 2.0):
        return sqrt(sum(input * input, dim=dim, keepdim=keepdim))
    if p in (1, 1.0):
        return sum(abs(input), dim=dim, keepdim=keepdim)
    return pow(sum(pow(abs(input), p), dim=dim, keepdim=keepdim), 1.0 / p)


# ---- shape --------------------------------------------------------------------------------------------------------
def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = builtins.int(np.prod([s for s in shape if s != -1], dtype=np.int64))
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def reshape(input, *shape):
    shape = _infer_shape(_size_args(shape), input.data.size)
    if shape == input.data.shape:
        return S.View.apply(input, shape)
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
    new = shape[:s] + (builtins.int(np.prod(shape[s:e + 1], dtype=np.int64)),) + shape[e + 1:]
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


# ---- products -----------------------------------------------------------------------------------------------------
def matmul(input, other, *, out=None):
    a, b = input.data, other.data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        names = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.int64): "long"}
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {names.get(a.dtype, a.dtype.name)} "
                           f"!= {names.get(b.dtype, b.dtype.name)}")
    k_a, k_b = a.shape[-1], (b.shape[0] if b.ndim == 1 else b.shape[-2])
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have the same "
                               f"number of elements, but got {k_a} and {k_b} elements respectively")
        ra = a.reshape(-1, k_a) if a.ndim > 1 else a.reshape(1, -1)
        rb = b if b.ndim > 1 else b.reshape(-1, 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra.shape[0]}x{ra.shape[1]} and "
                           f"{'x'.join(map(str, rb.shape[-2:]))})")
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2] if b.ndim > 1 else ())
        except ValueError:
            raise RuntimeError(f"The size of tensor a must match the size of tensor b at a non-singleton dimension: "
                               f"batch shapes {list(a.shape[:-2])} and {list(b.shape[:-2])} cannot be broadcast") from None
    if a.ndim == 2 and b.ndim == 2:
        return _out(M.Mm.apply(input, other), out)
    fn = _Dot if a.ndim == 1 and b.ndim == 1 else (_Mv if a.ndim == 2 and b.ndim == 1 else M.MatMul)
    return _out(fn.apply(input, other), out)


class _Dot(M.MatMul):  # the nodes torch records for vector·vector and matrix@vector
    node_name = "DotBackward0"


class _Mv(M.MatMul):
    node_name = "MvBackward0"


mm = matmul


def bmm(input, mat2):
    if input.data.ndim != 3 or mat2.data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    return matmul(input, mat2)


def dot(input, other):
    return matmul(input, other)


def outer(input, vec2):
    return mul(unsqueeze(input, 1), vec2)


# ---- indexing -----------------------------------------------------------------------------------------------------
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
    from . import random

    self.data[...] = random._gen(generator).uniform(a, b, self.data.shape)


@_fill()
def normal_(self, mean=0.0, std=1.0, generator=None):
    from . import random

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


# ---- binding: the same functions as Tensor methods and dunders ------------------------------------------------------
def _rev(fn):
    return lambda self, other: fn(other, self)


_METHODS = dict(
    add=add, sub=sub, mul=mul, div=div, true_divide=true_divide, neg=neg, pow=pow, exp=exp, log=log, sqrt=sqrt,
    abs=abs, relu=relu, sigmoid=sigmoid, tanh=tanh, clamp=clamp, clip=clamp, maximum=maximum, minimum=minimum,
    eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, equal=equal, allclose=allclose, isclose=isclose, isnan=isnan,
    isinf=isinf, isfinite=isfinite, sign=sign, floor=floor, ceil=ceil, round=round, logical_not=logical_not,
    logical_and=logical_and, logical_or=logical_or, sum=sum, mean=mean, var=var, std=std, max=max, min=min,
    amax=amax, amin=amin, logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax, argmax=argmax,
    argmin=argmin, all=all, any=any, norm=norm, reshape=reshape, view=view, flatten=flatten, unflatten=unflatten,
    squeeze=squeeze, unsqueeze=unsqueeze, transpose=transpose, swapaxes=transpose, t=t, permute=permute,
    expand=expand, expand_as=expand_as, view_as=view_as, reshape_as=reshape_as, split=split, chunk=chunk,
    unbind=unbind, narrow=narrow, select=select, matmul=matmul, mm=mm, bmm=bmm, dot=dot, outer=outer,
    add_=add_, sub_=sub_, mul_=mul_, div_=div_, zero_=zero_, fill_=fill_, copy_=copy_, clamp_=clamp_,
    clip_=clamp_, uniform_=uniform_, normal_=normal_, scatter_=scatter_, scatter=scatter, where=lambda self, c, o:
    where(c, self, o),
    __add__=add, __radd__=add, __sub__=sub, __rsub__=_rev(sub), __mul__=mul, __rmul__=mul,
    __truediv__=div, __rtruediv__=_rev(div), __pow__=pow, __rpow__=_rev(pow), __matmul__=matmul,
    __rmatmul__=_rev(matmul), __neg__=neg, __abs__=abs, __eq__=eq, __ne__=ne, __lt__=lt, __le__=le, __gt__=gt,
    __ge__=ge, __getitem__=getitem, __setitem__=setitem, __iadd__=add_, __isub__=sub_, __imul__=mul_,
    __itruediv__=div_, __and__=logical_and, __or__=logical_or, __xor__=logical_xor, __invert__=logical_not,
    __floordiv__=lambda self, o: div(self, o, rounding_mode="floor"),
    __mod__=lambda self, o: Tensor._make(np.asarray(np.mod(self.data, _data(o))), None),
)
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(lambda self: permute(self, *reversed(range(self.data.ndim))))
def _mT(self):
    if self.data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.data.ndim}-D "
                           "tensor.")
    return transpose(self, -2, -1)


Tensor.mT = property(_mT)
