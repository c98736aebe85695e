"""Linear algebra against torch: the products (einsum tensordot inner kron add*mm mv vdot cross cdist block_diag
chain_matmul multi_dot vecdot) and the norms: values, gradients, double backward, and torch's errors. The
decompositions (det slogdet inv solve cholesky qr eigh svd pinv, and the rest of torch.linalg) are in
test_linalg_decomp.py, with the helpers defined here.

Tolerances: products and norms at parity's defaults (float64 1e-10, float32 1e-5). det/slogdet/inv/solve/cholesky
at the defaults too, on well-conditioned inputs (A = B + nI with |B| <= 1, diagonally dominant; SPD as B Bᵀ + nI).
qr/eigh/svd/pinv at float64 rtol 1e-8 (atol 1e-10) and float32 rtol and atol 1e-4: LAPACK's drivers differ in
rounding between NumPy and torch, and their gradients divide by eigenvalue / singular value gaps (kept >= 0.1 here)
and grow like 1/σ² (gradients of ~10 next to small entries: float32's absolute error there is ~1e-5). Eigenvectors
and singular vectors are compared through sign-invariant functions (U diag(w) Vh, U Uᵀ, V diag(L) Vᵀ, squares)."""
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
DECOMP = {np.dtype(np.float64): dict(rtol=1e-8, atol=1e-10), np.dtype(np.float32): dict(rtol=1e-4, atol=1e-4)}


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
