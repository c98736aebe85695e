"""torch.linalg's matrix functions: det slogdet inv solve cholesky (qr eigh svd pinv: linalg_spectral.py), batched
over leading dims. Every backward is written with @, *, swapaxes, np.where masks and `call(Inv, ...)` / `call(Solve,
...)`, so it records its own graph in a create_graph backward (double backward as in torch).

A decomposition with several differentiable outputs (qr's Q, R; eigh's L, V; svd's U, S, Vh) is one Function whose
output packs them flat along the last axis; the torch-level function slices them out (differentiable views), and
backward slices the packed gradient the same way. Masks (tril, the diagonal) are boolean constants applied with
np.where, which keeps float32 float32."""
import functools
import math

import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function, call
from ._promote import _out


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (torch._C._LinAlgError): a RuntimeError for singular or non-PD inputs."""


def _with_out(fn):
    """torch's out= on a linalg function: the result (each of a tuple of results) written into `out` by
    _promote._out, which refuses it where autograd would record, as torch does."""
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        if isinstance(result, tuple):
            return type(result)(_out(r, o) for r, o in zip(result, out))
        return _out(result, out)
    return with_out


# ---- helpers that work on arrays and on Tensors -----------------------------------------------------------------
def _T(x):
    return np.swapaxes(x, -1, -2)


def _eye(n):
    return np.eye(n, dtype=bool)


def _tril(x, k=0):
    return np.where(np.tri(x.shape[-2], x.shape[-1], k, dtype=bool), x, 0.0)


def _pack(*arrays, batch):
    """Several results as one array (..., total): each flattened over its own dims."""
    return np.concatenate([np.reshape(a, batch + (int(np.prod(a.shape[len(batch):], dtype=np.int64)),))
                           for a in arrays], -1)


def _unpack(x, batch, shapes):
    """The inverse of _pack (on an array, a Tensor output, or a packed gradient)."""
    out, start = [], 0
    for s in shapes:
        size = int(np.prod(s, dtype=np.int64))
        out.append(np.reshape(x[..., start:start + size], batch + tuple(s)))
        start += size
    return out


def _check(A, name, square=True):
    a = A.data
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_scalar_type(a.dtype)}")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")


def _each(a):
    """(batch element index, matrix) over the leading dims."""
    flat = a.reshape((-1,) + a.shape[-2:])
    return enumerate(flat)


def _batch_prefix(a, i):
    return f"(Batch element {i}): " if a.ndim > 2 else ""


def _zero_pivot(m):
    """The 1-based index of the first zero pivot of Gaussian elimination with partial pivoting (LAPACK's getrf
    `info`), for torch's singular-matrix message; 0 if none."""
    m = np.array(m, np.float64)
    n = m.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:] -= np.outer(m[k + 1:, k] / m[k, k], m[k])
    return 0


def _singular(a, name):
    for i, m in _each(a):
        k = _zero_pivot(m)
        if k:
            if name == "torch.linalg.solve":
                raise LinAlgError(f"{_batch_prefix(a, i)}torch.linalg.solve: The solver failed because the input "
                                  "matrix is singular.")
            raise LinAlgError(f"{name}: {_batch_prefix(a, i)}The diagonal element {k} is zero, the inversion could "
                              "not be completed because the input matrix is singular.")
    raise LinAlgError(f"{name}: The input matrix is singular.")


# ---- det, slogdet, inv, solve -----------------------------------------------------------------------------------
class Inv(Function):
    """X = A⁻¹;   dA = -Xᵀ g Xᵀ  (from dX = -X dA X)"""

    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, A):
        try:
            X = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            _singular(A, "linalg.inv")
        ctx.save_for_backward(X)
        return X

    @staticmethod
    def backward(ctx, g):
        X, = ctx.saved_tensors
        return -(_T(X) @ g @ _T(X))


@_with_out
def inv(A):
    _check(A, "linalg.inv")
    return Inv.apply(A)


class Det(Function):
    """d = det(A);   dA = g·d·A⁻ᵀ  (Jacobi's formula: d det = det · tr(A⁻¹ dA)); A⁻¹ through Inv, so the
    gradient differentiates again. d·A⁻ᵀ is the cofactor matrix, which a singular A has too: then (as torch) it
    comes from an SVD, A = U S Vh:   cof(A) = det(U Vh) · U diag(∏_{j≠i} s_j) Vh."""

    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, A):
        d = np.linalg.det(A)
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, g):
        A, d = ctx.saved_tensors
        if A.shape[-1] == 1:  # the cofactor of a 1x1 matrix is 1 (exactly, and with no second derivative)
            return np.expand_dims(np.expand_dims(g, -1), -1)
        try:
            return np.expand_dims(np.expand_dims(g * d, -1), -1) * _T(call(Inv, A))
        except LinAlgError:  # singular
            return np.expand_dims(np.expand_dims(g, -1), -1) * _cofactor(A)


def _cofactor(A):
    """det(U Vh) · U diag(∏_{j≠i} s_j) Vh, through SVD's and Det's Functions (so it differentiates again)."""
    from .linalg_spectral import SVD

    n = A.shape[-1]
    U, S, Vh = _unpack(call(SVD, A, full_matrices=False), tuple(A.shape[:-2]), ((n, n), (n,), (n, n)))
    others = 1.0  # (..., n): the product of the other s_j
    for j in range(n):
        others = others * np.where(np.arange(n) == j, 1.0, S[..., j:j + 1])
    sign = call(Det, U @ Vh)  # ±1
    return np.expand_dims(np.expand_dims(sign, -1), -1) * ((U * np.expand_dims(others, -2)) @ Vh)


@_with_out
def det(A):
    _check(A, "linalg.det")
    return Det.apply(A)


class Slogdet(Function):
    """(sign, log|det A|), packed as (..., 2);   dA = g·A⁻ᵀ  (d log|det| = tr(A⁻¹ dA)); the sign's gradient is 0
    (torch records it too: it requires grad)"""

    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, A):
        sign, logabs = np.linalg.slogdet(A)
        ctx.save_for_backward(A)
        return np.stack([sign, logabs], -1)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        return np.expand_dims(np.expand_dims(g[..., 1], -1), -1) * _T(call(Inv, A))


class _SignLogAbsDet(tuple):
    """torch.return_types.linalg_slogdet: (sign, logabsdet)."""

    sign = property(lambda self: self[0])
    logabsdet = property(lambda self: self[1])


@_with_out
def slogdet(A):
    _check(A, "linalg.slogdet")
    packed = Slogdet.apply(A)
    return _SignLogAbsDet((packed[..., 0], packed[..., 1]))


class Solve(Function):
    """X = A⁻¹ B (B a batch of matrices);   dB = A⁻ᵀ g (another solve),   dA = -dB Xᵀ"""

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):
        try:
            X = np.linalg.solve(A, B)
        except np.linalg.LinAlgError:
            _singular(A, "torch.linalg.solve")
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        gB = call(Solve, _T(A), g)
        return -(gB @ _T(X)), gB


@_with_out
def solve(A, B, *, left=True):
    _check(A, "linalg.solve")
    if not left:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        return solve(A.mT, B.mT).mT
    a, b = A.data, B.data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])  # torch's rule for a vector B
    rows = b.shape[-1] if vector else b.shape[-2]
    if rows != a.shape[-1]:
        cols = 1 if vector else b.shape[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({a.shape[-2]}x"
                           f"{a.shape[-1]} and {rows}x{cols})")
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


# ---- cholesky ---------------------------------------------------------------------------------------------------
class Cholesky(Function):
    """A = L Lᵀ, L lower;   with P = tril(Lᵀ g) and S = (P + tril(P, -1)ᵀ) / 2 (symmetric, half the diagonal),
    dA = L⁻ᵀ S L⁻¹  (torch's cholesky_backward; L⁻¹ through Inv, so it differentiates again)"""

    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            _not_pd(A)
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, g):
        L, = ctx.saved_tensors
        P = _tril(_T(L) @ g)
        S = 0.5 * (P + _T(_tril(P, -1)))
        Linv = call(Inv, L)
        return _T(Linv) @ S @ Linv


def _not_pd(a):
    for i, m in _each(a):
        for k in range(1, m.shape[0] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                raise LinAlgError(f"linalg.cholesky: {_batch_prefix(a, i)}The factorization could not be completed "
                                  f"because the input is not positive-definite (the leading minor of order {k} is "
                                  "not positive-definite).") from None
    raise LinAlgError("linalg.cholesky: The factorization could not be completed because the input is not "
                      "positive-definite.")


@_with_out
def cholesky(A, *, upper=False):
    _check(A, "linalg.cholesky")
    L = Cholesky.apply(A)
    return L.mT if upper else L


# ---- torch.* spellings ------------------------------------------------------------------------------------------
@_with_out
def inverse(input):
    return inv(input)


def logdet(input):
    """log det A: nan where det < 0 (torch's), from slogdet"""
    from .compare import where

    sign, logabs = slogdet(input)
    return where(sign.data < 0, math.nan, logabs)
