"""Which NumPy ufunc or function is which minigrad op, for Tensor's `__array_ufunc__` / `__array_function__`.

This is what lets one backward formula serve first and higher order: `g * np.sign(x)` is NumPy on arrays, and on
Tensors (a create_graph backward) the same line calls minigrad's mul and sign, recording the gradient's graph."""
import numpy as np

from . import creation, ops
from .autograd import grad_mode

UFUNCS = {
    np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul, np.true_divide: ops.div, np.negative: ops.neg,
    np.power: ops.pow, np.exp: ops.exp, np.log: ops.log, np.log1p: ops.log1p, np.sqrt: ops.sqrt,
    np.absolute: ops.abs, np.sign: ops.sign, np.tanh: ops.tanh, np.maximum: ops.maximum, np.minimum: ops.minimum,
    np.matmul: ops.matmul, np.equal: ops.eq, np.not_equal: ops.ne, np.less: ops.lt, np.less_equal: ops.le,
    np.greater: ops.gt, np.greater_equal: ops.ge, np.logical_and: ops.logical_and, np.logical_or: ops.logical_or,
    np.logical_xor: ops.logical_xor, np.logical_not: ops.logical_not, np.isnan: ops.isnan, np.isinf: ops.isinf,
    np.isfinite: ops.isfinite, np.floor: ops.floor, np.ceil: ops.ceil,
    np.sin: ops.sin, np.cos: ops.cos, np.sinh: ops.sinh, np.cosh: ops.cosh, np.exp2: ops.exp2, np.trunc: ops.trunc,
}


def _sum(a, axis=None, dtype=None, keepdims=False):
    return ops.sum(a, dim=axis, keepdim=keepdims, dtype=dtype)


def _mean(a, axis=None, dtype=None, keepdims=False):
    return ops.mean(a, dim=axis, keepdim=keepdims, dtype=dtype)


def _transpose(a, axes=None):
    return ops.permute(a, *(reversed(range(a.ndim)) if axes is None else axes))


def _zeros_like(a, dtype=None):
    return creation.zeros_like(a, dtype=dtype)


FUNCTIONS = {
    np.where: ops.where, np.sum: _sum, np.mean: _mean, np.swapaxes: ops.transpose, np.transpose: _transpose,
    np.moveaxis: ops.movedim, np.expand_dims: ops.unsqueeze, np.reshape: ops.reshape, np.broadcast_to: ops.expand,
    np.zeros_like: _zeros_like,
}


def on_arrays(func, args, kwargs):
    """A NumPy ufunc or function minigrad has no op for, run on the Tensors' arrays (the result is an array). Not
    allowed where a gradient would be lost: on a tensor that requires grad while grad mode is on."""
    from .tensor import Tensor

    def unwrap(x):
        if isinstance(x, Tensor):
            if x._requires_grad and grad_mode._enabled:
                raise TypeError(f"numpy's {getattr(func, '__name__', func)} has no minigrad op, so it cannot be "
                                "recorded for autograd; use minigrad's functions, or .detach() the tensor first")
            return x.data
        if isinstance(x, (list, tuple)):
            return type(x)(unwrap(v) for v in x)
        return x

    return func(*unwrap(args), **{k: unwrap(v) for k, v in kwargs.items()})
