"""Matrix products: the hot path of every MLP, three forward and five backward per Linear-ReLU stack step. Each
Function, then matmul in all its ranks with torch's shape and dtype errors."""
import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function
from ._promote import _out
from .pointwise import mul


class MatMul(Function):
    """z = x @ y (batched over leading dims);   dx = g @ yᵀ,   dy = xᵀ @ g  (1-D operands as row/column vectors)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.matmul(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if x.ndim == 1 and y.ndim == 1:  # dot product: g is a scalar
            return g * y, g * x
        xm = x[None, :] if x.ndim == 1 else x  # (k,) -> (1, k)
        ym = y[:, None] if y.ndim == 1 else y  # (k,) -> (k, 1)
        gm = g
        if x.ndim == 1:
            gm = np.expand_dims(gm, -2)
        if y.ndim == 1:
            gm = np.expand_dims(gm, -1)
        gx = np.matmul(gm, np.swapaxes(ym, -1, -2))  # (..., n, m) @ (..., m, k) -> (..., n, k)
        gy = np.matmul(np.swapaxes(xm, -1, -2), gm)  # (..., k, n) @ (..., n, m) -> (..., k, m)
        if x.ndim == 1:
            gx = gx[..., 0, :]
        if y.ndim == 1:
            gy = gy[..., 0]
        return gx, gy


class Mm(MatMul):
    """The 2-D case, named as torch names it; the same rule without the reshaping."""

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g @ y.T, x.T @ g  # (N, m) @ (m, k) -> (N, k);  (k, N) @ (N, m) -> (k, m)


class Dot(MatMul):  # the nodes torch records for vector·vector and matrix@vector
    node_name = "DotBackward0"


class Mv(MatMul):
    node_name = "MvBackward0"


def matmul(input, other, *, out=None):
    a, b = input.data, other.data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_scalar_type(a.dtype).lower()} "
                           f"!= {_scalar_type(b.dtype).lower()}")
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
        return _out(Mm.apply(input, other), out)
    fn = Dot if a.ndim == 1 and b.ndim == 1 else (Mv if a.ndim == 2 and b.ndim == 1 else MatMul)
    return _out(fn.apply(input, other), out)


def mm(input, mat2):
    if input.data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input.data.ndim != 3 or mat2.data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    return matmul(input, mat2)


def dot(input, other):
    if input.data.ndim != 1 or other.data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.data.ndim}D and {other.data.ndim}D tensors")
    return matmul(input, other)


def outer(input, vec2):
    for name, v in (("self", input), ("vec2", vec2)):
        if v.data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.data.ndim}-D")
    return mul(input.unsqueeze(1), vec2)
