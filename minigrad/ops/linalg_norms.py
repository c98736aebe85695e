"""torch.linalg's norms: vector_norm, matrix_norm and norm, which picks one of the two. Compositions of differentiable
ops (abs, pow, sum, amax, svdvals), with torch's zero gradient at a zero vector."""
import math


from .compare import where
from .linalg_decomp import _with_out
from .pointwise import abs, pow, sqrt
from .reduction import amax, amin, sum
from .shape import movedim


@_with_out
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(Σ |x|^p)^(1/p) over dim (all elements by default); inf / -inf are max / min |x|, 0 counts nonzeros. The
    gradient at a zero vector is 0, as torch's (the root is taken of a sum kept away from 0 there)."""
    if dtype is not None:
        x = x.type(dtype)
    if x.dtype.is_floating_point is False:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{str(x.dtype).replace('minigrad.', '').capitalize()}")
    if dim is None:
        dim = tuple(range(x.ndim))
    if ord in (math.inf, -math.inf):
        return (amax if ord > 0 else amin)(abs(x), dim, keepdim)
    if ord == 0:
        from .reduction import norm
        return norm(x, 0, dim, keepdim)
    if ord == 2:
        s = sum(x * x, dim, keepdim)
        pos = s.detach() > 0
        return where(pos, sqrt(where(pos, s, 1.0)), 0.0)
    if ord == 1:
        return sum(abs(x), dim, keepdim)
    a = abs(x)
    if ord < 1:  # |x|^p has an infinite slope at 0: the zeros are left out (gradient 0 there, as torch's cdist)
        nz = a.detach() > 0
        s = sum(where(nz, pow(where(nz, a, 1.0), ord), 0.0), dim, keepdim)
    else:
        s = sum(pow(a, ord), dim, keepdim)
    pos = s.detach() > 0
    return where(pos, pow(where(pos, s, 1.0), 1.0 / ord), 0.0)


@_with_out
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """'fro' and 'nuc', ±1 and ±inf (max / min of the column / row sums of |A|), ±2 (largest / smallest singular
    value), over the two dims `dim`."""
    from .linalg_spectral import svdvals

    if dtype is not None:
        A = A.type(dtype)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    d0, d1 = dim[0] % A.ndim, dim[1] % A.ndim
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    M = movedim(A, (d0, d1), (-2, -1))
    if ord in ("nuc", 2, -2):
        s = svdvals(M)
        z = sum(s, -1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
    elif ord in (1, -1, math.inf, -math.inf):
        sums = sum(abs(M), -2 if ord in (1, -1) else -1)  # column sums for ±1, row sums for ±inf
        z = (amax if ord > 0 else amin)(sums, -1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        z = z.unsqueeze(-1).unsqueeze(-1)
        z = movedim(z, (-2, -1), (d0, d1))
    return z


@_with_out
def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """linalg.norm: a vector norm over one dim (or all, for ord None), a matrix norm over two."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                               f"{A.ndim}D.")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)
