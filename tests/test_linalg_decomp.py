"""torch.linalg's decompositions and matrix functions against torch: det slogdet inv solve cholesky qr eigh svd
pinv, the compositions (solve_triangular, the *_ex variants, lstsq, matrix_power, cond, matrix_rank, tensorinv,
tensorsolve, vander, torch.svd, cholesky_solve / cholesky_inverse): values, gradients, double backward, finite
differences, out=, and torch's errors for singular and non-positive-definite inputs. Tolerances: see test_linalg.py."""
import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import arrays, float_dtypes
from test_linalg import DECOMP, batch, gradgrad, parity, side, spd, well_conditioned


# ---- det, slogdet, inv, solve, cholesky -------------------------------------------------------------------------
@given(dt=float_dtypes, data=st.data())
def test_det_slogdet_inv(dt, data):
    a = data.draw(well_conditioned(dt))
    parity(lambda L, x: L.linalg.det(x), a)
    parity(lambda L, x: L.det(x), a)
    parity(lambda L, x: L.linalg.slogdet(x), a)
    parity(lambda L, x: L.logdet(x), a)
    parity(lambda L, x: L.linalg.inv(x), a)
    parity(lambda L, x: x.inverse(), a)


@given(dt=float_dtypes, data=st.data())
def test_solve(dt, data):
    a = data.draw(well_conditioned(dt))
    n, b = a.shape[-1], a.shape[:-2]
    for shape in [b + (n, 2), b + (n,), (n,), (n, 1), (3,) + b + (n, 2)]:
        parity(lambda L, x, y: L.linalg.solve(x, y), a, data.draw(arrays(dt, shape)))
    parity(lambda L, x, y: L.linalg.solve(x, y, left=False), a, data.draw(arrays(dt, b + (2, n))))


@given(dt=float_dtypes, upper=st.booleans(), data=st.data())
def test_cholesky(dt, upper, data):
    a = data.draw(spd(dt))
    parity(lambda L, x: L.linalg.cholesky(x, upper=upper), a)
    parity(lambda L, x: L.linalg.cholesky((x + x.mT) / 2), a)  # symmetric in the graph: the gradient as torch's


@pytest.mark.parametrize("name,fn", [
    ("det", lambda L, x: L.linalg.det(x)), ("inv", lambda L, x: L.linalg.inv(x)),
    ("slogdet", lambda L, x: L.linalg.slogdet(x)[1]), ("solve", lambda L, x: L.linalg.solve(x, x[..., 0] ** 2)),
    ("cholesky", lambda L, x: L.linalg.cholesky(x @ x.mT)), ("pinv", lambda L, x: L.linalg.pinv(x)),
    ("qr", lambda L, x: L.linalg.qr(x)[1]), ("qr_Q", lambda L, x: L.linalg.qr(x)[0] ** 2),
    ("eigvalsh", lambda L, x: L.linalg.eigvalsh(x + x.mT)), ("svdvals", lambda L, x: L.linalg.svdvals(x)),
])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_double_backward(name, fn, shape):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, shape) + 3 * np.eye(3)
    tol = dict(rtol=1e-10, atol=1e-11) if name in ("det", "inv", "slogdet", "solve", "cholesky") else \
        dict(rtol=1e-7, atol=1e-9)
    gradgrad(fn, a, **tol)


def test_det_of_a_singular_matrix():
    """The gradient is the cofactor matrix, which a singular matrix has too: minigrad takes it from an SVD, as torch
    does under create_graph (torch's plain backward gives zeros here instead, a quirk of its LU path that is not
    copied); and its second derivative, against torch's."""
    b = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])  # rank 2
    x = minigrad.tensor(b, requires_grad=True)
    minigrad.linalg.det(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-2, -2, 2], [1, 1, -1], [0, 0, 0]], atol=1e-12)
    gradgrad(lambda L, x: L.linalg.det(x), b, rtol=1e-8, atol=1e-10)


# ---- qr, eigh, svd, pinv ----------------------------------------------------------------------------------------
@given(dt=float_dtypes, m=side, n=side, mode=st.sampled_from(["reduced", "complete", "r"]), data=st.data())
def test_qr(dt, m, n, mode, data):
    a = data.draw(arrays(dt, data.draw(batch) + (m, n), min_magnitude=0.1))  # no signed zeros deciding the signs
    k = min(m, n)
    s = np.linalg.svd(a[..., :k].astype(np.float64), compute_uv=False)
    assume(np.all(s > 0.1))  # the leading columns independent: Q and R unique given LAPACK's signs, R invertible
    grad = mode == "reduced" or (mode == "complete" and m <= n)
    if mode == "r":
        parity(lambda L, x: L.linalg.qr(x, mode="r")[1], a, grad=False, **DECOMP[np.dtype(dt)])
    else:
        parity(lambda L, x: L.linalg.qr(x, mode=mode), a, grad=grad, **DECOMP[np.dtype(dt)])


def _gapped_spectrum(x):
    w = np.linalg.eigvalsh(x.astype(np.float64))
    return np.all(np.diff(w, axis=-1) > 0.1)


@given(dt=float_dtypes, uplo=st.sampled_from(["L", "U"]), data=st.data())
def test_eigh(dt, uplo, data):
    n = data.draw(side)
    a = data.draw(arrays(dt, data.draw(batch) + (n, n)))
    sym = (a + np.swapaxes(a, -1, -2)) / 2
    assume(_gapped_spectrum(sym))

    def invariants(L, x):  # the eigenvectors' signs are not unique: their products and squares are
        w, V = L.linalg.eigh((x + x.mT) / 2, UPLO=uplo)
        return w, (V * w.unsqueeze(-2) ** 2) @ V.mT, V * V, L.linalg.eigvalsh((x + x.mT) / 2)

    parity(invariants, a, **DECOMP[np.dtype(dt)])


@given(dt=float_dtypes, m=side, n=side, full=st.booleans(), data=st.data())
def test_svd(dt, m, n, full, data):
    a = data.draw(arrays(dt, data.draw(batch) + (m, n)))
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assume(np.all(s > 0.1) and np.all(-np.diff(s, axis=-1) > 0.1))
    k = min(m, n)

    def invariants(L, x):  # U diag(w) Vh, the projections U Uᵀ and Vhᵀ Vh, and squares: the same for any signs
        U, S, Vh = L.linalg.svd(x, full_matrices=full)
        U, Vh = U[..., :k], Vh[..., :k, :]
        w = L.from_numpy(np.linspace(1, 2, k).astype(dt))
        return S, (U * w) @ Vh, U @ U.mT, Vh.mT @ Vh, U * U, L.linalg.svdvals(x)

    parity(invariants, a, **DECOMP[np.dtype(dt)])


@given(dt=float_dtypes, m=side, n=side, data=st.data())
def test_pinv(dt, m, n, data):
    a = data.draw(arrays(dt, data.draw(batch) + (m, n)))
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assume(np.all(s > 0.1) and np.all(s[..., 0] < 10 * s[..., -1]))  # condition < 10: float32's errors grow with it
    parity(lambda L, x: L.linalg.pinv(x), a, **DECOMP[np.dtype(dt)])
    parity(lambda L, x: L.pinverse(x), a, **DECOMP[np.dtype(dt)])
    k = min(m, n)
    sq = a[..., :k, :k]
    sym = (sq + np.swapaxes(sq, -1, -2)) / 2
    w = np.abs(np.linalg.eigvalsh(sym.astype(np.float64)))
    assume(np.all(w > 0.1) and np.all(w.max(-1) < 10 * w.min(-1)))
    parity(lambda L, x: L.linalg.pinv((x + x.mT) / 2, hermitian=True), sq, **DECOMP[np.dtype(dt)])


def test_pinv_rank_deficient():
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])  # rank 1: the small singular value is cut off in both
    parity(lambda L, x: L.linalg.pinv(x), a, rtol=1e-8, atol=1e-10)


# ---- the rest of torch.linalg (compositions) -----------------------------------------------------------------
@given(dt=float_dtypes, upper=st.booleans(), left=st.booleans(), unit=st.booleans(), data=st.data())
def test_solve_triangular_and_ex_variants(dt, upper, left, unit, data):
    a = data.draw(well_conditioned(dt))
    n, b = a.shape[-1], a.shape[:-2]
    rhs = data.draw(arrays(dt, b + ((n, 2) if left else (2, n))))
    parity(lambda L, x, y: L.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit), a, rhs)
    parity(lambda L, x: L.linalg.inv_ex(x)[0], a)
    parity(lambda L, x, y: L.linalg.solve_ex(x, y, left=left)[0], a, rhs)
    parity(lambda L, x: L.linalg.cholesky_ex(x @ x.mT, upper=upper)[0], a)
    parity(lambda L, x: L.linalg.tensorinv(x.reshape(*x.shape[:-2], n * n).reshape(n, n), ind=1), a[(0,) * len(b)])


@given(dt=float_dtypes, driver=st.sampled_from([None, "gels", "gelsd", "gelss"]), m=st.integers(3, 5),
       vector=st.booleans(), data=st.data())
def test_lstsq(dt, driver, m, vector, data):
    a = data.draw(arrays(dt, (m, 3)))
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assume(np.all(s > 0.3) and s[0] < 10 * s[-1])  # full rank, conditioned well enough for float32
    b = data.draw(arrays(dt, (m,) if vector else (m, 2)))
    parity(lambda L, x, y: tuple(L.linalg.lstsq(x, y, driver=driver)), a, b, **DECOMP[np.dtype(dt)])


def test_ex_variants_report_failure_in_info():
    for L in (torch, minigrad):
        res = L.linalg.inv_ex(L.zeros(2, 2, dtype=L.float64))
        assert int(res.info) != 0
        assert int(L.linalg.cholesky_ex(-L.eye(2, dtype=L.float64)).info) != 0
        with pytest.raises(RuntimeError, match="not positive-definite"):
            L.linalg.cholesky_ex(-L.eye(2, dtype=L.float64), check_errors=True)


@given(dt=float_dtypes, k=st.integers(-3, 4), data=st.data())
def test_matrix_power_cond_rank_vander(dt, k, data):
    a = data.draw(well_conditioned(dt))
    parity(lambda L, x: L.linalg.matrix_power(x, k), a)
    parity(lambda L, x: x.matrix_power(k), a)
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    if np.all(-np.diff(s, axis=-1) > 0.1):  # distinct extremes
        parity(lambda L, x: L.linalg.cond(x), a, **DECOMP[np.dtype(dt)])
    # torch's own backward of cond(x, 'fro') trips on an in-place op of its own: compare with its definition
    check_parity(lambda x: torch.linalg.matrix_norm(x) * torch.linalg.matrix_norm(torch.linalg.inv(x)),
                 lambda x: minigrad.linalg.cond(x, "fro"), a)
    parity(lambda L, x: L.linalg.matrix_rank(x), a @ np.diag(np.arange(a.shape[-1])).astype(dt), grad=False)
    # away from 0: torch's vander is a cumprod, whose backward divides by x (off for denormals)
    parity(lambda L, x: L.linalg.vander(x, N=4), data.draw(arrays(dt, (3,), min_magnitude=0.1)))


@given(dt=float_dtypes, some=st.booleans(), data=st.data())
def test_old_svd_and_cholesky_helpers(dt, some, data):
    a = data.draw(arrays(dt, (4, 3)))
    s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assume(np.all(s > 0.1) and np.all(-np.diff(s) > 0.1))

    def invariants(L, x):
        U, S, V = L.svd(x, some=some)
        return S, (U[:, :3] * S) @ V[:, :3].mT, U[:, :3] * U[:, :3]

    parity(invariants, a, **DECOMP[np.dtype(dt)])
    c = data.draw(spd(dt))
    low = np.linalg.cholesky(c)
    parity(lambda L, l, y: L.cholesky_solve(y, l), low, data.draw(arrays(dt, c.shape[:-1] + (2,))))
    parity(lambda L, l: L.cholesky_inverse(l[..., :, :] if l.ndim == 2 else l[0]), low)
    tdot = (data.draw(arrays(dt, (2, 3, 6), -1.0, 1.0)) + np.eye(6).reshape(2, 3, 6) * 7).astype(dt)  # dominant
    parity(lambda L, x, y: L.linalg.tensorsolve(x, y), tdot, data.draw(arrays(dt, (2, 3))))


# ---- finite differences: an independent check that does not trust torch ----------------------------------------
def _svd_inv(x):
    U, S, Vh = minigrad.linalg.svd(x, full_matrices=False)
    return (U * minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)) @ Vh


@pytest.mark.parametrize("name,fn,shape", [
    ("det", minigrad.linalg.det, (3, 3)), ("inv", minigrad.linalg.inv, (2, 3, 3)),
    ("solve", lambda x: minigrad.linalg.solve(x, x[..., :, :1] ** 2), (3, 3)),
    ("cholesky", lambda x: minigrad.linalg.cholesky(x @ x.mT), (3, 3)),
    ("qr", lambda x: minigrad.linalg.qr(x)[0] * 2 + minigrad.linalg.qr(x)[1].sum(), (4, 3)),
    ("qr wide", lambda x: minigrad.linalg.qr(x)[0] * 2 + minigrad.linalg.qr(x)[1].sum(), (2, 4)),
    ("eigh", lambda x: minigrad.linalg.eigh(x + x.mT)[1] ** 2, (3, 3)), ("svd", _svd_inv, (3, 2)),
    ("pinv", minigrad.linalg.pinv, (2, 3)), ("einsum", lambda x: minigrad.einsum("ii,ij->j", x, x), (3, 3)),
])
def test_finite_differences(name, fn, shape):
    x = minigrad.from_numpy(np.random.default_rng(3).uniform(-1, 1, shape) + np.eye(*shape[-2:]) * 2)
    assert minigrad.autograd.gradcheck(fn, (x.requires_grad_(),))
    assert minigrad.autograd.gradgradcheck(fn, (x,))


def test_out_argument():
    for L in (torch, minigrad):
        a = L.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=L.float64)
        out = L.empty(2, 2, dtype=L.float64)
        assert L.linalg.inv(a, out=out) is out
        np.testing.assert_allclose(out.numpy(), np.linalg.inv(a.numpy()))
        sign, logabs = L.empty(0, dtype=L.float64), L.empty(0, dtype=L.float64)
        L.linalg.slogdet(a, out=(sign, logabs))
        assert float(logabs) == pytest.approx(np.log(5.0)) and float(sign) == 1.0
        with pytest.raises(RuntimeError, match="functions with out=... arguments don't support automatic"):
            L.mv(a.requires_grad_(), a[0].detach(), out=L.empty(2, dtype=L.float64))


@pytest.mark.parametrize("fn,a,msg", [
    (lambda L, x: L.linalg.inv(x), [[1.0, 2.0], [2.0, 4.0]],
     "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is "
     "singular."),
    (lambda L, x: L.linalg.inv(x), [[[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]],
     r"linalg.inv: \(Batch element 1\): The diagonal element 1 is zero"),
    (lambda L, x: L.linalg.solve(x, x), [[0.0, 0.0], [0.0, 0.0]],
     "torch.linalg.solve: The solver failed because the input matrix is singular."),
    (lambda L, x: L.linalg.cholesky(x), [[1.0, 2.0], [2.0, 1.0]],
     r"linalg.cholesky: The factorization could not be completed because the input is not positive-definite \(the "
     r"leading minor of order 2 is not positive-definite\)."),
    (lambda L, x: L.linalg.cholesky(x), [[[1.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]],
     r"linalg.cholesky: \(Batch element 1\): The factorization could not be completed because the input is not "
     r"positive-definite \(the leading minor of order 1"),
])
def test_singular_and_not_positive_definite(fn, a, msg):
    for L in (torch, minigrad):
        with pytest.raises(RuntimeError, match=msg) as info:
            fn(L, L.tensor(a, dtype=L.float64))
        assert type(info.value).__name__ in ("_LinAlgError", "LinAlgError")
    assert issubclass(minigrad.linalg.LinAlgError, RuntimeError)


def test_qr_backward_refusals():
    for L in (torch, minigrad):
        x = L.ones(3, 2, dtype=L.float64)
        x = (x + L.tensor([[0.0, 1.0], [2.0, 0.0], [0.5, 3.0]], dtype=L.float64)).requires_grad_()
        with pytest.raises(RuntimeError, match="The derivative of linalg.qr depends on Q"):
            L.linalg.qr(x, mode="r")[1].sum().backward()
        with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
            L.linalg.qr(x, mode="complete")[0].sum().backward()
