"""torch.linalg's orthogonal decompositions: qr eigh eigvalsh svd svdvals, and pinv, batched over leading dims.
Each has several differentiable outputs, packed flat along the last axis of one Function's output and sliced out by
the torch-level function (see linalg_decomp.py, where the helpers live). Their gradients are torch's: finite while
the eigenvalues / singular values are distinct (svdvals and eigvalsh need no gaps); the vectors' signs are LAPACK's,
which NumPy's and torch's builds may choose differently (compare through sign-invariant functions)."""
import numpy as np

from ..autograd.function import Function, call
from ..tensor import Tensor
from .linalg_decomp import Inv, _T, _check, _eye, _pack, _tril, _unpack, _with_out
from .shape import Cat


# ---- qr ---------------------------------------------------------------------------------------------------------
class QR(Function):
    """A = Q R (Householder, R's diagonal signs as LAPACK gives them; packed output). For m >= n, with
    M = R gRᵀ - gQᵀ Q and copyltu(M) = tril(M) + tril(M, -1)ᵀ:   dA = (gQ + Q copyltu(M)) R⁻ᵀ.
    For m < n, A = [X | Y], R = [U | V] with V = Qᵀ Y:   dY = Q gV, and dX is the square rule with gQ + Y gVᵀ."""

    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A, mode="reduced"):
        Q, R = np.linalg.qr(A, mode="complete" if mode == "complete" else "reduced")
        ctx.shapes, ctx.mode = (Q.shape[-2:], R.shape[-2:]), mode
        out = _pack(Q, R, batch=A.shape[:-2])
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        packed, = ctx.saved_tensors
        m, n = ctx.shapes[0][0], ctx.shapes[1][1]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        batch = tuple(g.shape[:-1])
        Q, R = _unpack(packed, batch, ctx.shapes)
        gQ, gR = _unpack(g, batch, ctx.shapes)
        if m >= n:
            return _qr_square_rule(Q, R, gQ, gR)
        U, V = R[..., :m], R[..., m:]  # (m, m) upper, (m, n - m)
        gU, gV = gR[..., :m], gR[..., m:]
        Y = Q @ V  # the trailing columns of A, rebuilt from the outputs (only outputs are saved)
        gX = _qr_square_rule(Q, U, gQ + Y @ _T(gV), gU)
        return call(Cat, gX, Q @ gV, dim=len(batch) + 1)  # [dX | dY]


def _qr_square_rule(Q, R, gQ, gR):
    M = R @ _T(gR) - _T(gQ) @ Q
    return (gQ + Q @ (_tril(M) + _T(_tril(M, -1)))) @ _T(call(Inv, R))


class _QR(tuple):
    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])


@_with_out
def qr(A, mode="reduced"):
    _check(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    m, n = A.shape[-2:]
    k = min(m, n)
    shapes = ((m, m), (m, n)) if mode == "complete" else ((m, k), (k, n))
    Q, R = _unpack(QR.apply(A, mode=mode), tuple(A.shape[:-2]), shapes)
    if mode == "r":
        Q = Tensor._make(np.empty((0,), A.data.dtype), None)
    return _QR((Q, R))


# ---- eigh -------------------------------------------------------------------------------------------------------
class Eigh(Function):
    """A = V diag(L) Vᵀ, L ascending (packed output). With E_ij = L_j - L_i:
    dA = V (diag(gL) + skew(Vᵀ gV) / E) Vᵀ, skew(X) = (X - Xᵀ)/2 (the part that the eigenvectors' signs do not
    change), off the diagonal only: finite while the eigenvalues are distinct, as in torch."""

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, UPLO="L"):
        L, V = np.linalg.eigh(A, UPLO=UPLO)
        out = _pack(L, V, batch=A.shape[:-2])
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        packed, = ctx.saved_tensors
        n = int(round((-1 + (1 + 4 * g.shape[-1]) ** 0.5) / 2))  # total = n + n²
        batch = tuple(g.shape[:-1])
        L, V = _unpack(packed, batch, ((n,), (n, n)))
        gL, gV = _unpack(g, batch, ((n,), (n, n)))
        VtgV = _T(V) @ gV
        eye = _eye(n)
        E = np.where(eye, 1.0, np.expand_dims(L, -2) - np.expand_dims(L, -1))  # E_ij = L_j - L_i, 1 on the diagonal
        inner = np.where(eye, np.expand_dims(gL, -1), 0.5 * (VtgV - _T(VtgV)) / E)
        return V @ inner @ _T(V)


class _Eigh(tuple):
    eigenvalues = property(lambda self: self[0])
    eigenvectors = property(lambda self: self[1])


@_with_out
def eigh(A, UPLO="L"):
    _check(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    n = A.shape[-1]
    return _Eigh(_unpack(Eigh.apply(A, UPLO=UPLO), tuple(A.shape[:-2]), ((n,), (n, n))))


class Eigvalsh(Function):
    """L = the eigenvalues alone;   dA = V diag(gL) Vᵀ, with V from an Eigh of A (called, so that it differentiates
    again); finite for repeated eigenvalues too, as torch's (no division by gaps)"""

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, UPLO="L"):
        ctx.UPLO = UPLO
        ctx.save_for_backward(A)
        return np.linalg.eigvalsh(A, UPLO=UPLO)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        n = A.shape[-1]
        _, V = _unpack(call(Eigh, A, UPLO=ctx.UPLO), tuple(A.shape[:-2]), ((n,), (n, n)))
        return V @ (np.expand_dims(g, -1) * _T(V))


@_with_out
def eigvalsh(A, UPLO="L"):
    _check(A, "linalg.eigvalsh")
    return Eigvalsh.apply(A, UPLO=UPLO)


# ---- svd --------------------------------------------------------------------------------------------------------
class SVD(Function):
    """A = U diag(S) Vh, S descending (packed output; full_matrices' extra columns get no gradient, as in torch).
    With V = Vhᵀ, gV = gVhᵀ, J = Uᵀ gU - (Uᵀ gU)ᵀ, K = Vᵀ gV - (Vᵀ gV)ᵀ and E_ij = S_j² - S_i²:
    dA = U [(J S + S K) / E off the diagonal + diag(gS)] Vᵀ + (I - U Uᵀ) gU S⁻¹ Vᵀ + U S⁻¹ gVᵀ (I - V Vᵀ);
    finite while the singular values are distinct and nonzero, as in torch."""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A, full_matrices=True):
        U, S, Vh = np.linalg.svd(A, full_matrices=full_matrices)
        ctx.shapes = (U.shape[-2:], S.shape[-1:], Vh.shape[-2:])
        out = _pack(U, S, Vh, batch=A.shape[:-2])
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        packed, = ctx.saved_tensors
        batch = tuple(g.shape[:-1])
        (m, _), (k,), (_, n) = ctx.shapes
        U, S, Vh = _unpack(packed, batch, ctx.shapes)
        gU, gS, gVh = _unpack(g, batch, ctx.shapes)
        U, gU, V, gV = U[..., :k], gU[..., :k], _T(Vh[..., :k, :]), _T(gVh[..., :k, :])
        J, K = _T(U) @ gU, _T(V) @ gV
        J, K = J - _T(J), K - _T(K)
        eye = _eye(k)
        S2 = S * S
        E = np.where(eye, 1.0, np.expand_dims(S2, -2) - np.expand_dims(S2, -1))
        Sr, Sc = np.expand_dims(S, -2), np.expand_dims(S, -1)  # S as a row (1, k), as a column (k, 1)
        inner = np.where(eye, np.expand_dims(gS, -1), (J * Sr + Sc * K) / E)
        gA = U @ inner @ _T(V)
        if m > k:  # (I - U Uᵀ) gU S⁻¹ Vᵀ
            gA = gA + ((gU - U @ (_T(U) @ gU)) / Sr) @ _T(V)
        if n > k:  # U S⁻¹ gVᵀ (I - V Vᵀ)
            gA = gA + U @ ((_T(gV) - (_T(gV) @ V) @ _T(V)) / Sc)
        return gA


class _SVD(tuple):
    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    Vh = property(lambda self: self[2])


@_with_out
def svd(A, full_matrices=True, *, driver=None):
    _check(A, "linalg.svd", square=False)
    m, n = A.shape[-2:]
    k = min(m, n)
    shapes = ((m, m), (k,), (n, n)) if full_matrices else ((m, k), (k,), (k, n))
    return _SVD(_unpack(SVD.apply(A, full_matrices=full_matrices), tuple(A.shape[:-2]), shapes))


class SVDVals(Function):
    """S = the singular values alone;   dA = U diag(gS) Vh, with U, Vh from an SVD of A (called, so that it
    differentiates again); finite for repeated or zero singular values, as torch's"""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return np.linalg.svd(A, compute_uv=False)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        m, n = A.shape[-2:]
        k = min(m, n)
        U, _, Vh = _unpack(call(SVD, A, full_matrices=False), tuple(A.shape[:-2]), ((m, k), (k,), (k, n)))
        return U @ (np.expand_dims(g, -1) * Vh)


@_with_out
def svdvals(A, *, driver=None):
    _check(A, "linalg.svdvals", square=False)
    return SVDVals.apply(A)


# ---- pinv -------------------------------------------------------------------------------------------------------
class Pinv(Function):
    """X = A⁺ (singular values at or below max(atol, rtol·σ_max) dropped). torch's pinv_backward, for m <= n:
    with K = gᵀ X,   dA = -(X K)ᵀ + K Xᵀ - A X K Xᵀ + Xᵀ X (gᵀ - K A)   (the transposed form for m > n)"""

    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, A, atol=0.0, rtol=0.0, hermitian=False):
        if hermitian:
            w, V = np.linalg.eigh(A)
            cut = np.maximum(atol, rtol * np.max(np.abs(w), -1, initial=0.0))[..., None]  # (..., 1)
            keep = np.abs(w) > cut
            winv = np.where(keep, 1 / np.where(keep, w, 1), 0).astype(A.dtype)
            X = (V * winv[..., None, :]) @ _T(V)
        else:
            U, S, Vh = np.linalg.svd(A, full_matrices=False)
            cut = np.maximum(atol, rtol * np.max(S, -1, initial=0.0))[..., None]
            keep = S > cut
            sinv = np.where(keep, 1 / np.where(keep, S, 1), 0).astype(A.dtype)
            X = (_T(Vh) * sinv[..., None, :]) @ _T(U)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        Xt, gt = _T(X), _T(g)
        if A.shape[-2] <= A.shape[-1]:
            K = gt @ X
            KXt = K @ Xt
            return -_T(X @ K) + KXt - (A @ X) @ KXt + (Xt @ X) @ (gt - K @ A)
        K = X @ gt
        XtK = Xt @ K
        return -_T(K @ X) + (gt - A @ K) @ X @ Xt + XtK - XtK @ X @ A


@_with_out
def pinv(A, *, atol=None, rtol=None, hermitian=False):
    _check(A, "linalg.pinv", square=hermitian)
    if rtol is None:  # torch's default: eps·max(m, n), or 0 when a positive atol is given
        given = atol is not None and np.any((atol.data if isinstance(atol, Tensor) else np.asarray(atol)) > 0)
        rtol = 0.0 if given else np.finfo(A.data.dtype).eps * max(A.shape[-2:])
    tol = [np.asarray(t.data if isinstance(t, Tensor) else (0.0 if t is None else t), np.float64) for t in (atol, rtol)]
    return Pinv.apply(A, atol=tol[0], rtol=tol[1], hermitian=hermitian)  # tolerances: per matrix, no gradient


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)
