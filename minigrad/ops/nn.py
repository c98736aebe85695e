"""The layers' ops: linear (the fused x @ wᵀ + b that torch records as AddmmBackward0), dropout, and the identity
nodes that module backward hooks hang on. Each Function, then its torch-level function with torch's checks."""
import math

import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function
from .linalg import Mm


class Addmm(Function):
    """z = b + x @ wt (torch's addmm; linear passes wt = wᵀ, a TBackward0 view of the (out, in) weight, so the graph
    reads as torch's: bias, input, TBackward0);   db = g (summed over the batch by the engine),   dx = g @ wtᵀ,
    dwt = xᵀ @ g"""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, b, x, wt):
        ctx.save_for_backward(x, wt)
        z = x @ wt  # (N, in) @ (in, out) -> (N, out); wt is a view of w, which BLAS reads without a copy
        z += b  # in place: one allocation per layer, not two
        return z

    @staticmethod
    def backward(ctx, g):
        x, wt = ctx.saved_tensors
        need_b, need_x, need_w = ctx.needs_input_grad  # the first layer's input needs none: skip its big product
        gx = g @ wt.T if need_x else None  # (N, out) @ (out, in) -> (N, in)
        gwt = (g.T @ x).T if need_w else None  # (out, N) @ (N, in) -> (out, in), passed on as the (in, out) view
        return g if need_b else None, gx, gwt  # that TBackward0 turns back into the (out, in) array, with no copy


def linear(input, weight, bias=None):
    """y = x Wᵀ + b with W of shape (out_features, in_features); x is (*, in_features)."""
    x, w = input.data, weight.data
    if x.shape[-1:] != w.shape[1:2] or w.ndim != 2:
        rows = int(np.prod(x.shape[:-1], dtype=np.int64)) if x.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 1} and "
                           f"{w.shape[-1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        xn, wn = _scalar_type(x.dtype), _scalar_type(w.dtype)
        if bias is None:  # torch's two kernels word it differently
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {xn.lower()} != {wn.lower()}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {xn} and {wn}")
    if x.ndim != 2:  # torch folds the leading dims into one and unfolds them after (ViewBackward0 on both sides)
        out = linear(input.reshape(math.prod(x.shape[:-1]), x.shape[-1]), weight, bias)
        return out.reshape(*x.shape[:-1], w.shape[0])
    if bias is None:
        return Mm.apply(input, weight.t())
    if bias.data.shape not in ((w.shape[0],), (1,), ()):
        out_shape = list(x.shape[:-1]) + [w.shape[0]]
        raise RuntimeError(f"The expanded size of the tensor ({w.shape[0]}) must match the existing size "
                           f"({bias.data.shape[-1]}) at non-singleton dimension {len(out_shape) - 1}.  Target sizes: "
                           f"{out_shape}.  Tensor sizes: {list(bias.data.shape)}")
    return Addmm.apply(bias, input, weight.t())


class Dropout(Function):
    """z = x * m / (1 - p) with m ~ Bernoulli(1 - p) per element;   dz/dx = m / (1 - p)"""

    node_name = "MulBackward0"  # torch's dropout is a multiplication by the scaled mask too

    @staticmethod
    def forward(ctx, x, p, rng):
        keep = rng.random(x.shape, dtype=np.float32) >= np.float32(p)
        mask = keep.astype(x.dtype)
        if p < 1:
            mask *= x.dtype.type(1 / (1 - p))
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p); the identity when not training.
    The mask comes from minigrad's global generator, so `manual_seed` makes it reproducible."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from ..random import _gen
    from .inplace import _check_inplace

    out = Dropout.apply(input, p=p, rng=_gen())
    if inplace:
        _check_inplace(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, out.requires_grad or input.requires_grad
        input._vc[0] += 1
        return input
    return out


class BackwardHookFunction(Function):
    """z = x (the same array): a node on a module's input or output for a full backward hook to observe;  dz/dx = 1"""

    node_name = "BackwardHookFunctionBackward"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class Pack(Function):
    """z = concat(ravel(x1), ravel(x2), ...): several inputs as one node, so a module backward hook sees all their
    gradients at once;   dz/dxi = the slice of g that is xi's, reshaped."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, *xs):
        ctx.shapes = [x.shape for x in xs]
        return np.concatenate([x.reshape(-1) for x in xs])

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for shape in ctx.shapes:
            n = int(np.prod(shape, dtype=np.int64))
            out.append(g[start:start + n].reshape(shape))
            start += n
        return tuple(out)
