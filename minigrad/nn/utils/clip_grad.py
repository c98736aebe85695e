"""Gradient clipping, in place on `p.grad`, as torch.nn.utils does it.

    total = || (||g_1||_p, ||g_2||_p, ...) ||_p        the p-norm of all gradients seen as one vector
    g_i <- g_i * min(max_norm / (total + 1e-6), 1)    clip_grad_norm_: only ever scales down

The norm and the coefficient are computed in the gradients' dtype, as torch's 0-dim tensors are.
`foreach` picks a torch kernel; minigrad has one NumPy path, so it is accepted and changes nothing.
"""
import types
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]


def _vector_norm(x, p):
    """torch.linalg.vector_norm of an array, flattened: inf -> max |x|, -inf -> min |x|, 0 -> count of nonzeros."""
    a = np.abs(x.reshape(-1))
    if p == np.inf:
        return a.max(initial=0)
    if p == -np.inf:
        return a.min()
    if p == 0:
        return x.dtype.type(np.count_nonzero(a))
    if p == 1:
        return a.sum()
    if p == 2:
        return np.sqrt(np.dot(a, a))
    return np.sum(a ** x.dtype.type(p)) ** x.dtype.type(1 / p)


@no_grad()
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The p-norm of the tensors' norms, as if all of them were one vector; a 0-dim tensor."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return Tensor._make(np.array(0.0, np.float32), None)
    norms = np.stack([_vector_norm(t.data, norm_type) for t in tensors])  # stacking promotes mixed dtypes
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(np.array(total), None)


@no_grad()
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """g <- g * min(max_norm / (total_norm + 1e-6), 1) for every gradient, given the total norm."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if len(grads) == 0:
        return
    total = total_norm.data
    clip_coef = total.dtype.type(float(max_norm)) / (total + total.dtype.type(1e-6))
    clip_coef_clamped = np.minimum(clip_coef, total.dtype.type(1.0))
    for g in grads:
        np.multiply(g.data, clip_coef_clamped.astype(g.data.dtype), out=g.data)
        g._vc[0] += 1


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their total norm is at most max_norm; returns the norm before."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated in torch in favour of clip_grad_norm_."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            g = p.grad.data
            np.clip(g, g.dtype.type(-clip_value), g.dtype.type(clip_value), out=g)
            p.grad._vc[0] += 1
