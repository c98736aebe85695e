"""Linear algebra against torch: the products (einsum tensordot inner kron add*mm mv vdot cross cdist block_diag
chain_matmul multi_dot vecdot), the norms, and torch.linalg's det slogdet inv solve cholesky qr eigh svd pinv:
values, gradients, double backward, and torch's errors.

Tolerances: products and norms at parity's defaults (float64 1e-10, float32 1e-5). det/slogdet/inv/solve/cholesky
at the defaults too, on well-conditioned inputs (A = B + nI with |B| <= 1, diagonally dominant; SPD as B Bᵀ + nI).
qr/eigh/svd/pinv at float64 rtol 1e-8 and float32 1e-4: LAPACK's drivers differ in rounding between NumPy and
torch, and their gradients divide by eigenvalue / singular value gaps (kept >= 0.1 here). Eigenvectors and singular
vectors are compared through sign-invariant functions (U diag(w) Vh, U Uᵀ, V diag(L) Vᵀ, squares)."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import arrays, float_dtypes

side = st.integers(1, 4)
batch = st.sampled_from([(), (2,), (1, 2)])
DECOMP = {np.dtype(np.float64): dict(rtol=1e-8, atol=1e-10), np.dtype(np.float32): dict(rtol=1e-4, atol=1e-5)}


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


def gradgrad(fn, *arrays, rtol=1e-10, atol=1e-12):
    """Second derivatives: g = d(sum(f(x)·w))/dx with create_graph, then d(sum(g·v))/dx, in both libraries."""
    results = []
    for L in (torch, minigrad):
        rng = np.random.default_rng(1)
        xs = [L.from_numpy(np.array(a)).requires_grad_() for a in arrays]
        out = fn(L, *xs)
        w = L.from_numpy(rng.standard_normal(tuple(out.shape)))
        gs = L.autograd.grad((out * w).sum(), xs, create_graph=True)
        vs = [L.from_numpy(np.random.default_rng(2 + i).standard_normal(tuple(x.shape))) for i, x in enumerate(xs)]
        total = sum((g * v).sum() for g, v in zip(gs, vs))
        results.append([g.detach().numpy() for g in gs] + [h.numpy() for h in L.autograd.grad(total, xs)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


@st.composite
def well_conditioned(draw, dt=np.float64, n=None):
    n = draw(side) if n is None else n
    b = draw(arrays(dt, draw(batch) + (n, n), -1.0, 1.0))
    return (b + (n + 1) * np.eye(n, dtype=dt)).astype(dt)  # diagonally dominant


@st.composite
def spd(draw, dt=np.float64):
    n = draw(side)
    b = draw(arrays(dt, draw(batch) + (n, n), -1.0, 1.0))
    return (b @ np.swapaxes(b, -1, -2) + n * np.eye(n)).astype(dt)


# ---- products ---------------------------------------------------------------------------------------------------
@given(dt=float_dtypes, n=side, k=side, m=side, b=side, data=st.data())
def test_add_products(dt, n, k, m, b, data):
    mat1, mat2 = data.draw(arrays(dt, (n, k))), data.draw(arrays(dt, (k, m)))
    beta, alpha = data.draw(st.sampled_from([1, 0, 0.5])), data.draw(st.sampled_from([1, -2.0]))
    for inp in (data.draw(arrays(dt, (n, m))), data.draw(arrays(dt, (m,)))):
        parity(lambda L, i, x, y: L.addmm(i, x, y, beta=beta, alpha=alpha), inp, mat1, mat2)
    vec = data.draw(arrays(dt, (k,)))
    parity(lambda L, x, v: L.mv(x, v), mat1, vec)
    parity(lambda L, x, v: x.mv(v), mat1, vec)
    parity(lambda L, i, x, v: L.addmv(i, x, v, beta=beta, alpha=alpha), data.draw(arrays(dt, (n,))), mat1, vec)
    parity(lambda L, i, u, v: L.addr(i, u, v, beta=beta, alpha=alpha), data.draw(arrays(dt, (n, k))),
           data.draw(arrays(dt, (n,))), vec)
    b1, b2 = data.draw(arrays(dt, (b, n, k))), data.draw(arrays(dt, (b, k, m)))
    parity(lambda L, i, x, y: L.baddbmm(i, x, y, beta=beta, alpha=alpha), data.draw(arrays(dt, (b, n, m))), b1, b2)
    parity(lambda L, i, x, y: L.addbmm(i, x, y, beta=beta, alpha=alpha), data.draw(arrays(dt, (n, m))), b1, b2)
    parity(lambda L, i, x, y: i.addbmm(x, y), data.draw(arrays(dt, (m,))), b1, b2)


@given(dt=float_dtypes, k=side, data=st.data())
def test_inner_vdot_kron_vecdot(dt, k, data):
    a = data.draw(arrays(dt, data.draw(st.sampled_from([(), (2,), (3, 2)])) + (k,)))
    b = data.draw(arrays(dt, data.draw(st.sampled_from([(), (2,), (1, 3)])) + (k,)))
    parity(lambda L, x, y: L.inner(x, y), a, b)
    parity(lambda L, x, y: L.inner(x, y), a, np.array(2.5, dt))
    u, v = data.draw(arrays(dt, (k,))), data.draw(arrays(dt, (k,)))
    parity(lambda L, x, y: L.vdot(x, y), u, v)
    parity(lambda L, x, y: L.linalg.vecdot(x, y), a, data.draw(arrays(dt, (k,))))
    parity(lambda L, x, y: L.kron(x, y), a, b)
    parity(lambda L, x, y: L.kron(x, y), data.draw(arrays(dt, (2, 3))), data.draw(arrays(dt, (k,))))


@given(dt=float_dtypes, data=st.data())
def test_tensordot(dt, data):
    a, b = data.draw(arrays(dt, (2, 3, 4))), data.draw(arrays(dt, (3, 4, 2)))
    parity(lambda L, x, y: L.tensordot(x, y), a, b)
    parity(lambda L, x, y: L.tensordot(x, y, dims=([1, 0], [0, 2])), a, b)
    parity(lambda L, x, y: L.tensordot(x, y, dims=0), a[0, 0], b[0, 0])
    parity(lambda L, x, y: L.tensordot(x, y, dims=([2], [1])), a, b)


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 1)]),
    ("i,i->", [(3,), (3,)]), ("i,j->ij", [(3,), (2,)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
    ("b...,b...->b", [(2, 3, 2), (2, 3, 2)]), ("iij,jk->ik", [(2, 2, 3), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("a...,a...->...", [(2, 1, 3), (2, 4, 1)]), ("...a,a->...", [(2, 3, 4), (4,)]), ("a...b->ba...", [(2, 3, 1, 2)]),
    ("i...i->...", [(3, 2, 3)]), ("...ii->...i", [(2, 3, 3)]), ("a...,...->a", [(2, 3, 1), (4,)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]), ("ij,jk", [(2, 1), (3, 2)]), ("i,i", [(1,), (3,)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]), ("...", [(2, 3)]), ("ijk->kji", [(1, 2, 3)]), ("ab,cd->", [(2, 2), (3, 1)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUMS)
@given(dt=float_dtypes, data=st.data())
def test_einsum(eq, shapes, dt, data):
    xs = [data.draw(arrays(dt, s)) for s in shapes]
    parity(lambda L, *t: L.einsum(eq, *t), *xs)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]),
                                       ("i,i,j->j", [(2,), (2,), (3,)]),
                                       ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]), ("ij->", [(2, 3)])])
def test_einsum_double_backward(eq, shapes):
    rng = np.random.default_rng(0)
    gradgrad(lambda L, *t: L.einsum(eq, *t) ** 2, *[rng.standard_normal(s) for s in shapes])


@given(dt=float_dtypes, data=st.data())
def test_cross(dt, data):
    a, b = data.draw(arrays(dt, (2, 3))), data.draw(arrays(dt, (1, 3)))
    parity(lambda L, x, y: L.linalg.cross(x, y), a, b)
    parity(lambda L, x, y: L.cross(x, y, dim=1), a, b)
    c, d = data.draw(arrays(dt, (3, 2))), data.draw(arrays(dt, (3, 2)))
    parity(lambda L, x, y: L.cross(x, y, dim=0), c, d)
    parity(lambda L, x, y: L.linalg.cross(x, y, dim=0), c, d)


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim")
def test_cross_default_dim_is_the_first_of_size_3():
    a, b = np.random.default_rng(0).standard_normal((2, 4, 3, 3))
    parity(lambda L, x, y: L.cross(x, y), a, b)


@given(dt=float_dtypes, p=st.sampled_from([2.0, 1.0, 3.0, 0.5, float("inf")]), data=st.data())
def test_cdist(dt, p, data):
    b = data.draw(st.sampled_from([(), (2,)]))
    x1, x2 = data.draw(arrays(dt, b + (3, 2))), data.draw(arrays(dt, b + (4, 2)))
    parity(lambda L, x, y: L.cdist(x, y, p=p), x1, x2)


def test_cdist_zero_distance_has_zero_gradient():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    parity(lambda L, a, b: L.cdist(a, b), x, x.copy())


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
@given(dt=float_dtypes, data=st.data())
def test_block_diag_chain_matmul_multi_dot(dt, data):
    a, b, c = data.draw(arrays(dt, (2, 3))), data.draw(arrays(dt, (3,))), data.draw(arrays(dt, ()))
    parity(lambda L, x, y, z: L.block_diag(x, y, z), a, b, c)
    m1, m2, m3 = data.draw(arrays(dt, (2, 3))), data.draw(arrays(dt, (3, 4))), data.draw(arrays(dt, (4, 2)))
    tol = dict(atol=1e-4) if dt == np.float32 else {}  # products of three: sums of terms ~30 that may cancel to ~0
    parity(lambda L, x, y, z: L.chain_matmul(x, y, z), m1, m2, m3, **tol)
    parity(lambda L, x, y, z: L.linalg.multi_dot([x, y, z]), m1, m2, m3, **tol)
    parity(lambda L, v, y, w: L.linalg.multi_dot([v, y, w]), m1[0], m2, m2[0])
    parity(lambda L, x, y: L.linalg.matmul(x, y), m1, m2)


# ---- norms ------------------------------------------------------------------------------------------------------
@given(dt=float_dtypes, ord=st.sampled_from([2, 1, 3, 0.5, float("inf"), -float("inf"), 0]),
       dim=st.sampled_from([None, 0, -1, (0, 1)]), keepdim=st.booleans(), data=st.data())
def test_vector_norm(dt, ord, dim, keepdim, data):
    x = data.draw(arrays(dt, (3, 2), min_magnitude=0.1 if ord in (0.5,) else 0.0))
    if dim is None and keepdim:
        keepdim = False
    parity(lambda L, a: L.linalg.vector_norm(a, ord, dim, keepdim), x)


@given(dt=float_dtypes, ord=st.sampled_from(["fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf")]),
       keepdim=st.booleans(), data=st.data())
def test_matrix_norm(dt, ord, keepdim, data):
    x = data.draw(arrays(dt, (2, 3, 4)))
    if ord in ("nuc", 2, -2):  # full rank (nuc: a zero singular value has only a subgradient); ±2: a unique extreme
        for m in (x, np.moveaxis(x, 1, 0)):
            s = np.linalg.svd(m.astype(np.float64), compute_uv=False)
            assume(np.all(s > 0.1) and (ord == "nuc" or np.all(np.diff(-s, axis=-1) > 0.1)))
    tol = DECOMP[np.dtype(dt)] if ord in ("nuc", 2, -2) else {}
    parity(lambda L, a: L.linalg.matrix_norm(a, ord, keepdim=keepdim), x, **tol)
    parity(lambda L, a: L.linalg.matrix_norm(a, ord, dim=(0, 2)), x, **tol)


def test_spectral_functions_of_repeated_values():
    """svdvals, eigvalsh and the nuclear norm have finite gradients for repeated values (no gap divides), where the
    gradient is defined: a function symmetric in the repeated values (a sum)."""
    q = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]
    parity(lambda L, x: L.linalg.svdvals(x).sum(), q)
    parity(lambda L, x: L.linalg.matrix_norm(x, "nuc"), q)
    parity(lambda L, x: L.linalg.eigvalsh(x @ x.mT).sum(), q)


def test_norm_dispatch():
    x = np.random.default_rng(0).standard_normal((3, 4))
    parity(lambda L, a: L.linalg.norm(a), x)
    parity(lambda L, a: L.linalg.norm(a, 1), x)
    parity(lambda L, a: L.linalg.norm(a, dim=1), x)
    parity(lambda L, a: L.linalg.norm(a, float("inf"), dim=(0, 1)), x)
    parity(lambda L, a: L.linalg.norm(a[0], 3), x)
    parity(lambda L, a: L.linalg.vector_norm(a * 0), x)  # zero vector: gradient 0, not nan


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
    tdot = (data.draw(arrays(dt, (2, 3, 6), -1.0, 1.0)) + np.eye(6).reshape(2, 3, 6) * 6).astype(dt)
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


# ---- errors -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,arg,msg", [
    (lambda L, x: L.linalg.inv(x), (2, 3), "linalg.inv: A must be batches of square matrices, but they are 2 by 3"),
    (lambda L, x: L.linalg.det(x), (2, 3), "linalg.det: A must be batches of square matrices, but they are 2 by 3"),
    (lambda L, x: L.linalg.det(x), (3,), "linalg.det: The input tensor A must have at least 2 dimensions."),
    (lambda L, x: L.linalg.cholesky(x), (2, 3), "linalg.cholesky: A must be batches of square matrices"),
    (lambda L, x: L.linalg.eigh(x), (2, 3), "linalg.eigh: A must be batches of square matrices"),
    (lambda L, x: L.linalg.solve(L.eye(2, dtype=L.float64), x), (3,),
     r"linalg.solve: Incompatible shapes of A and B for the equation AX = B \(2x2 and 3x1\)"),
    (lambda L, x: L.mv(x, x), (3,), "vector \\+ matrix @ vector expected, got 1, 1, 1"),
    (lambda L, x: L.linalg.cross(x, x), (2,), "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    (lambda L, x: L.cdist(x, L.ones(2, 4, dtype=L.float64)), (2, 3),
     "X1 and X2 must have the same number of columns. X1: 3 X2: 4"),
    (lambda L, x: L.inner(x, L.ones(3, dtype=L.float64)), (2,), r"inner\(\) the last dimension must match on both"),
    (lambda L, x: L.einsum("ij,jk", x, L.ones(4, 2, dtype=L.float64)), (2, 3),
     "einsum\\(\\): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    (lambda L, x: L.tensordot(x, L.ones(4, 2, dtype=L.float64), dims=1), (2, 3),
     "contracted dimensions need to match, but first has size 3 in dim -1 and second has size 4 in dim 0"),
    (lambda L, x: L.linalg.multi_dot([x]), (2,), r"multi_dot\(\): expected at least 2 tensors but got 1"),
    (lambda L, x: L.baddbmm(L.ones(2, 2, dtype=L.float64), x, L.ones(2, 4, 2, dtype=L.float64)), (2, 2, 3),
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[2, 4\]."),
    (lambda L, x: L.addr(L.ones(2, 2, dtype=L.float64), x, L.ones(2, dtype=L.float64)), (2, 1),
     "addr: Expected 1-D argument vec1, but got 2-D"),
    (lambda L, x: L.einsum("i,i", x, L.ones(2)), (2,), "expected scalar type Double but found Float"),
    (lambda L, x: L.mv(L.ones(2, 2), x), (2,), "addmv input tensors must have the same dtype, but got Double, Float, "
                                               "and Double"),
    (lambda L, x: L.addmm(L.ones(2, dtype=L.float64), x, x), (2, 3),
     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    (lambda L, x: L.addmm(L.ones(2, dtype=L.float64), x, L.ones(3, 3, dtype=L.float64)), (2, 3),
     r"The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 1.  Target "
     r"sizes: \[2, 3\].  Tensor sizes: \[2\]"),
    (lambda L, x: L.baddbmm(L.ones(3, dtype=L.float64), x, L.ones(2, 3, 2, dtype=L.float64)), (2, 2, 3),
     r"The expanded size of the tensor \(2\) must match the existing size \(3\) at non-singleton dimension 2"),
    (lambda L, x: L.addmv(L.ones(3, dtype=L.float64), x, L.ones(3, dtype=L.float64)), (2, 3),
     r"size mismatch, got input \(3\), mat \(2x3\), vec \(3\)"),
])
def test_shape_errors(fn, arg, msg):
    for L in (torch, minigrad):
        with pytest.raises(RuntimeError, match=msg):
            fn(L, L.ones(*arg, dtype=L.float64))


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
