"""Matrix products: matmul in all its ranks, with torch's shape and dtype errors."""
import numpy as np

from ..functions import matmul as M
from .pointwise import _out, mul
from .shape import unsqueeze


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
        raise RuntimeError("batch1 must be a 3D tensor")
    return matmul(input, mat2)


def dot(input, other):
    return matmul(input, other)


def outer(input, vec2):
    return mul(unsqueeze(input, 1), vec2)
