"""More of torch.linalg, each a composition of the differentiable ops in linalg_decomp.py / linalg_spectral.py (so
their gradients, and second derivatives, come from those): the *_ex variants, solve_triangular, matrix_power,
cond, matrix_rank, tensorinv, tensorsolve, vander, lstsq; torch.svd (the old (U, S, V) API), cholesky_solve,
cholesky_inverse."""
import numpy as np

from ..tensor import Tensor
from .compare import where
from .linalg import matmul
from .linalg_decomp import LinAlgError, _check, _eye, _tril, _with_out, cholesky, inv, solve
from .linalg_norms import matrix_norm
from .linalg_spectral import svd as _linalg_svd
from .linalg_spectral import pinv as _pinv
from .linalg_spectral import svdvals
from .shape import reshape, stack


def _info(A, failed):
    return Tensor._make(np.full(A.shape[:-2], int(failed), np.int32), None)


class _Ex(tuple):
    """torch.return_types.linalg_*_ex: (result, info)"""

    info = property(lambda self: self[1])


class _InvEx(_Ex):
    inverse = property(lambda self: self[0])


class _CholeskyEx(_Ex):
    L = property(lambda self: self[0])


class _SolveEx(_Ex):
    result = property(lambda self: self[0])


def _ex(fn, cls, A, check_errors):
    """torch's *_ex: the result and info (0: success). Without check_errors a failure gives nan and info 1 (torch
    gives LAPACK's partial result and its info code)."""
    try:
        return cls((fn(), _info(A, False)))
    except LinAlgError:
        if check_errors:
            raise
        return cls((Tensor._make(np.full(A.shape, np.nan, A.data.dtype), None), _info(A, True)))


@_with_out
def inv_ex(A, *, check_errors=False):
    return _ex(lambda: inv(A), _InvEx, A, check_errors)


@_with_out
def cholesky_ex(A, *, upper=False, check_errors=False):
    return _ex(lambda: cholesky(A, upper=upper), _CholeskyEx, A, check_errors)


@_with_out
def solve_ex(A, B, *, left=True, check_errors=False):
    return _ex(lambda: solve(A, B, left=left), _SolveEx, A, check_errors)


@_with_out
def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with T X = B (or X T = B), T the upper or lower triangle of A (its diagonal 1 if unitriangular): a solve on
    the masked A, so the gradient reaches only the triangle that is read, as torch's."""
    _check(A, "linalg.solve_triangular")
    n = A.shape[-1]
    T = np.swapaxes(_tril(np.swapaxes(A, -1, -2)), -1, -2) if upper else _tril(A)
    if unitriangular:
        T = where(_eye(n), 1.0, T)
    return solve(T, B, left=left)


@_with_out
def matrix_power(A, n):
    """A^n by repeated squaring; A⁻¹ first for n < 0; the identity for n = 0."""
    _check(A, "linalg.matrix_power")
    if n == 0:  # the identity, connected to A with a zero gradient (torch's requires grad too)
        return where(np.zeros(A.shape, bool), A, np.broadcast_to(np.eye(A.shape[-1], dtype=A.data.dtype), A.shape))
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


@_with_out
def cond(A, p=None):
    """σ_max / σ_min for p None, 2 (σ_min / σ_max for -2); ‖A‖_p ‖A⁻¹‖_p for the other matrix norms."""
    if p in (None, 2, -2):
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return hi / lo if p != -2 else lo / hi
    _check(A, "linalg.cond")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


@_with_out
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """How many singular values exceed max(atol, rtol·σ_max) (int64; no gradient)."""
    _check(A, "linalg.matrix_rank", square=False)
    s = np.abs(np.linalg.eigvalsh(A.data)) if hermitian else np.linalg.svd(A.data, compute_uv=False)
    if tol is not None:
        atol = tol
    a = np.asarray(0.0 if atol is None else (atol.data if isinstance(atol, Tensor) else atol), np.float64)
    if rtol is None:  # torch's default: eps·max(m, n), or 0 when a positive atol is given
        r = np.asarray(0.0 if atol is not None and np.any(a > 0) else np.finfo(A.data.dtype).eps * max(A.shape[-2:]))
    else:
        r = np.asarray(rtol.data if isinstance(rtol, Tensor) else rtol, np.float64)
    cut = np.maximum(a, r * np.max(s, -1, initial=0.0))[..., None]  # per matrix
    return Tensor._make(np.asarray(np.sum(s > cut, -1), np.int64), None)


@_with_out
def tensorinv(A, ind=2):
    """The inverse of A read as a matrix: its first `ind` dims against the rest."""
    rows = int(np.prod(A.shape[:ind], dtype=np.int64))
    if rows != int(np.prod(A.shape[ind:], dtype=np.int64)):
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {int(np.prod(A.shape[ind:]))} != {rows}")
    return reshape(inv(reshape(A, rows, rows)), *A.shape[ind:], *A.shape[:ind])


@_with_out
def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B: A read as a (B.numel(), X.numel()) matrix."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in dims], *dims)
    x_shape = tuple(A.shape[B.ndim:])
    m = int(np.prod(B.shape, dtype=np.int64))
    return reshape(solve(reshape(A, m, -1), reshape(B, m)), *x_shape)


def vander(x, *, N=None):
    """Columns x⁰, x¹, ..., x^(N-1), made by repeated products (no x^0 whose slope is nan at 0)."""
    if x.ndim == 0:
        x = reshape(x, 1)
    n = x.shape[-1] if N is None else N
    if n < 0 or (N is not None and N <= 0):
        raise RuntimeError("N must be greater than 1.")
    cols = [where(np.ones(x.shape, bool), 1.0, x * 0)] if n else []
    for _ in range(1, n):
        cols.append(cols[-1] * x)
    return stack(cols, -1)


class _Lstsq(tuple):
    solution = property(lambda self: self[0])
    residuals = property(lambda self: self[1])
    rank = property(lambda self: self[2])
    singular_values = property(lambda self: self[3])


@_with_out
def lstsq(A, B, rcond=None, *, driver=None):
    """X minimising ‖A X - B‖: X = A⁺ B (A⁺ from pinv with rtol = rcond), so the gradient is pinv's and matmul's.
    What else torch returns depends on the driver (CPU default 'gelsy'): the rank (not for 'gels'), the singular
    values ('gelsd', 'gelss'), the squared residuals per column when m > n and A has full rank (not for 'gelsy')."""
    from .linalg_norms import vector_norm

    _check(A, "torch.linalg.lstsq", square=False)
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B.ndim == A.ndim - 1
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-{1 if vector else 2})")
    m, n = A.shape[-2:]
    rtol = np.finfo(A.data.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    rhs = B.unsqueeze(-1) if vector else B
    X = matmul(_pinv(A, rtol=rtol), rhs)
    empty = X.reshape(-1)[:0]  # torch's empty float outputs are its node's too: they require grad
    rank = matrix_rank(A, rtol=rtol) if driver != "gels" else Tensor._make(np.empty((0,), np.int64), None)
    values = svdvals(A) if driver in ("gelsd", "gelss") else empty
    residuals = empty
    if m > n and driver != "gelsy" and bool(np.all(np.asarray(matrix_rank(A, rtol=rtol).data) == n)):
        residuals = vector_norm(matmul(A, X) - rhs, 2, -2) ** 2  # (..., k); (1,) for a vector B, as torch
    return _Lstsq((X.squeeze(-1) if vector else X, residuals, rank, values))


# ---- torch.* ----------------------------------------------------------------------------------------------------
class _OldSVD(tuple):
    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    V = property(lambda self: self[2])


@_with_out
def svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V = Vhᵀ (not Vh); `some` is full_matrices' opposite; without compute_uv, U and V
    are zeros (full-size), as torch's."""
    U, S, Vh = _linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        m, n = input.shape[-2:]
        z = lambda r: Tensor._make(np.zeros(input.shape[:-2] + (r, r), input.data.dtype), None)  # noqa: E731
        return _OldSVD((z(m), S, z(n)))
    return _OldSVD((U, S, Vh.mT))


@_with_out
def cholesky_solve(B, L, upper=False):
    """X with (L Lᵀ) X = B, L the Cholesky factor (Uᵀ U when upper)."""
    A = L.mT @ L if upper else L @ L.mT
    return solve(A, B)


@_with_out
def cholesky_inverse(L, upper=False):
    """(L Lᵀ)⁻¹ from the Cholesky factor L (Uᵀ U when upper)."""
    return inv(L.mT @ L if upper else L @ L.mT)

