"""minigrad.nn.functional: the stateless layers and losses (`import minigrad.nn.functional as F`).

Argument checks and torch's error messages live here; the differentiable work is in `minigrad.functions` (the
losses and dropout in `functions/nn.py`, the fused linear in `functions/matmul.py`).
"""
import warnings

import numpy as np

from .. import ops
from ..autograd import grad_mode
from ..functions import elementwise as E
from ..functions import matmul as M
from ..functions import nn as N
from ..tensor import Tensor
from ._losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                      nll_loss)

__all__ = ["linear", "relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax", "dropout", "one_hot",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]

_DTYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def linear(input, weight, bias=None):
    """y = x Wᵀ + b with W of shape (out_features, in_features); x is (*, in_features)."""
    x, w = input.data, weight.data
    if x.shape[-1:] != w.shape[1:2] or w.ndim != 2:
        rows = int(np.prod(x.shape[:-1], dtype=np.int64)) if x.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 1} and "
                           f"{w.shape[-1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        xn, wn = _DTYPE_NAMES.get(x.dtype.name, str(x.dtype)), _DTYPE_NAMES.get(w.dtype.name, str(w.dtype))
        if bias is None:  # torch's two kernels word it differently
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {xn.lower()} != {wn.lower()}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {xn} and {wn}")
    if bias is None:
        return M.Linear.apply(input, weight)
    if bias.data.shape not in ((w.shape[0],), (1,), ()):
        out_shape = list(x.shape[:-1]) + [w.shape[0]]
        raise RuntimeError(f"The expanded size of the tensor ({w.shape[0]}) must match the existing size "
                           f"({bias.data.shape[-1]}) at non-singleton dimension {len(out_shape) - 1}.  Target sizes: "
                           f"{out_shape}.  Tensor sizes: {list(bias.data.shape)}")
    return M.Linear.apply(input, weight, bias)


def relu(input, inplace=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if inplace:
        return relu_(input)
    return E.Relu.apply(input)


def relu_(input):
    """max(x, 0) written into x itself. Under a recording graph x takes over the new node, as torch's relu_ does."""
    ops._check_inplace(input)
    if grad_mode._enabled and input.requires_grad:
        out = E.Relu.apply(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, True
    else:
        np.maximum(input.data, 0, out=input.data)
    input._vc[0] += 1
    return input


def sigmoid(input):
    return ops.sigmoid(input)


def tanh(input):
    return ops.tanh(input)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return ops.log_softmax(input, dim, dtype=dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p); the identity when not training.
    The mask comes from minigrad's global generator, so `manual_seed` makes it reproducible."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from ..random import _gen

    out = N.Dropout.apply(input, p=p, rng=_gen())
    if inplace:
        ops._check_inplace(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, out.requires_grad or input.requires_grad
        input._vc[0] += 1
        return input
    return out


def one_hot(tensor, num_classes=-1):
    """int64 class indices of any shape -> int64 of shape (*, num_classes) with a 1 at each index."""
    idx = tensor.data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out, None)
