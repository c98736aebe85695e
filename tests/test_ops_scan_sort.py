"""Scans, prod, sorting and order statistics, nan-reductions, aminmax, var_mean/std_mean, count_nonzero, norm and
dist against torch: values, dtypes, indices, gradients, double backward (create_graph) and error behaviour. Inputs
for the ops that pick elements (sort, topk, kthvalue, median, cummax, quantile) have distinct values, so torch's
choice among ties, which is implementation-defined, never matters."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
from parity import TOL, check_parity, scaled_for_float32
from strategies import arrays, distinct_arrays, float_dtypes, keepdims, large_arrays, shapes


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


def a_dim(data, ndim):
    n = max(ndim, 1)
    return data.draw(st.integers(-n, n - 1))


def double_parity(fn, x, rtol=None, atol=None):
    """d/dx of (dL/dx · v) for L = Σ f(x)² w, with create_graph, in both libraries: the square makes the first
    gradient depend on x through f and through f's backward run on Tensors (a linear f alone would give a constant
    gradient)."""
    rng = np.random.default_rng(1)
    results = []
    for lib in (torch, minigrad):
        t = lib.from_numpy(x.copy()).requires_grad_(True)
        y = fn(lib, t)
        y = y[0] if isinstance(y, tuple) else y
        rng = np.random.default_rng(1)
        w = lib.from_numpy(rng.standard_normal(tuple(y.shape)).astype(x.dtype))
        v = lib.from_numpy(rng.standard_normal(x.shape).astype(x.dtype))
        (g,) = lib.autograd.grad((y * y * w).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * v).sum(), t)
        results.append((g.detach().numpy(), gg.detach().numpy()))
    tol = dict(TOL[np.dtype(x.dtype)])
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    for what, theirs, ours in zip(("gradient", "second derivative"), results[0], results[1]):
        assert ours.dtype == theirs.dtype, what
        np.testing.assert_allclose(ours, theirs, err_msg=what, **scaled_for_float32(tol, theirs))


def nonzero_arrays(dt, shape):
    """Away from 0 (prod and cumprod divide by x) and modest (products of up to 256 factors stay finite)."""
    return arrays(dt, shape, -2.0, 2.0, min_magnitude=0.25)


def small_int_floats(dt, shape):
    """Values in {-2, ..., 2}: zeros (prod, cumprod) and repeated values (mode, unique) are common."""
    return arrays(dt, shape, -2.4, 2.4).map(lambda a: np.asarray(np.round(a)).astype(a.dtype))


def with_nans(dt, shape):
    """Distinct values with some replaced by NaN (nansum, nanmean, nanmedian, nanquantile)."""
    return st.tuples(distinct_arrays(dt, shape), st.data()).map(lambda p: _add_nans(*p))


def _add_nans(a, data):
    mask = data.draw(arrays(np.float64, a.shape, 0, 1)) < 0.3
    return np.where(mask, np.nan, a).astype(a.dtype)


# ---- scans ------------------------------------------------------------------------------------------------------
@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_cumsum(dt, shape, data):
    x, d = data.draw(arrays(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: L.cumsum(a, d), x)
    parity(lambda L, a: a.cumsum(dim=d), x)
    parity(lambda L, a: a.cumsum(d, dtype=L.float64), x)
    double_parity(lambda L, a: L.cumsum(a, d), x)


@pytest.mark.parametrize("dt", [np.int32, np.int64, np.bool_])
def test_cumsum_cumprod_prod_of_integers_are_int64(dt):
    x = (np.arange(6).reshape(2, 3) % 3).astype(dt)
    for fn in (lambda L, a: L.cumsum(a, 1), lambda L, a: L.cumprod(a, 0), lambda L, a: L.prod(a),
               lambda L, a: L.prod(a, 1, keepdim=True), lambda L, a: L.nansum(a, 0)):
        parity(fn, x, grad=False)


@given(dt=float_dtypes, shape=shapes(max_dims=3), data=st.data())
def test_cumprod(dt, shape, data):
    d = a_dim(data, len(shape))
    x = data.draw(nonzero_arrays(dt, shape))
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}  # g z / x: a quotient of rounded products
    parity(lambda L, a: L.cumprod(a, d), x, **tol)
    double_parity(lambda L, a: a.cumprod(d), x, **tol)
    z = data.draw(small_int_floats(dt, shape))  # zeros: the leave-one-out products
    parity(lambda L, a: a.cumprod(d), z)
    double_parity(lambda L, a: L.cumprod(a, d), z)


@given(dt=float_dtypes, shape=shapes(max_dims=3), keepdim=keepdims, data=st.data())
def test_prod(dt, shape, keepdim, data):
    d = a_dim(data, len(shape))
    x = data.draw(nonzero_arrays(dt, shape))
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}
    parity(lambda L, a: L.prod(a), x, **tol)
    parity(lambda L, a: a.prod(d, keepdim=keepdim), x, **tol)
    double_parity(lambda L, a: L.prod(a, d, keepdim), x, **tol)
    z = data.draw(small_int_floats(dt, shape))  # one zero in a slice: its gradient is the others' product
    parity(lambda L, a: a.prod(), z)
    parity(lambda L, a: L.prod(a, d, keepdim=keepdim), z)
    parity(lambda L, a: a.prod(dtype=L.float64), z)


def test_prod_with_one_zero_double_backward():
    for dt in (np.float64, np.float32):
        x = np.array([[2.0, 0.0, -1.5], [0.5, 3.0, 0.0]], dt)
        double_parity(lambda L, a: L.prod(a, 1), x)
        double_parity(lambda L, a: L.prod(a), np.array([2.0, 0.0, -1.5, 0.75], dt))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_cummax_cummin(name, dt, shape, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: tuple(getattr(L, name)(a, d)), x)
    parity(lambda L, a: getattr(a, name)(dim=d).values, x)
    double_parity(lambda L, a: getattr(L, name)(a, d).values, x)


def test_cummax_ties_take_the_latest_index():
    x = np.array([1.0, 3.0, 3.0, 2.0, 5.0, 5.0])
    for name in ("cummax", "cummin"):
        parity(lambda L, a: tuple(getattr(L, name)(a, 0)), x)


@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_logcumsumexp(dt, shape, data):
    x, d = data.draw(arrays(dt, shape)), a_dim(data, len(shape))
    # float32: exp(x) Σ g exp(-z) is a signed sum of terms up to e^6 apart; torch adds them in another order
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}
    parity(lambda L, a: L.logcumsumexp(a, d), x, **tol)
    # torch's backward works in log space, log |g|: its second derivative is wrong (0) where the gradient is 0
    assume(np.abs(np.logaddexp.accumulate(x.reshape(-1) if x.ndim == 0 else x, axis=d)).min() > 1e-3)
    double_parity(lambda L, a: a.logcumsumexp(d), x, **tol)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_logcumsumexp_huge(dt, shape, data):
    """Past exp's range the weights exp(x_j - z_i) are formed one by one (torch's OpInfo samples go to 1e4)."""
    x, d = data.draw(large_arrays(dt, shape)), a_dim(data, len(shape))
    if dt == np.float32:
        x = np.asarray(x / 10, dt)  # up to 1e3: well past float32's exp range (~88) still
    # the gradient's weights exp(x_j - z_i): x - z of numbers near 1e6 (float64) or 1e3 (float32) keeps only
    # |z| eps of absolute precision, ~1e-10 and ~1e-4 relative
    tol = dict(rtol=1e-3, atol=1e-3) if dt == np.float32 else dict(rtol=1e-8, atol=1e-10)
    parity(lambda L, a: a.logcumsumexp(d), x, **tol)
    assume(np.abs(np.logaddexp.accumulate(x, axis=d)).min() > 1e-3)  # torch's wrong second derivative at g = 0
    # second derivatives on x / 1000 (still past exp's range), float64, rtol 1e-7: torch's drift by ~|z| 1e-12
    # relative (one element, where it is exactly 2 w v: torch is 2e-5 off at z = 5e5, minigrad 1e-11);
    # test_finite_differences checks ours independently
    x = np.asarray(x / 1000, dt)
    if dt == np.float64 and np.abs(np.logaddexp.accumulate(x, axis=d)).min() > 1e-3:
        double_parity(lambda L, a: L.logcumsumexp(a, d), x, rtol=1e-7, atol=1e-9)


# ---- sorting and order statistics ---------------------------------------------------------------------------------
@given(dt=float_dtypes, shape=shapes(), descending=st.booleans(), data=st.data())
def test_sort_argsort_msort(dt, shape, descending, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: tuple(L.sort(a, d, descending)), x)
    parity(lambda L, a: a.sort(dim=d, descending=descending).values, x)
    parity(lambda L, a: L.argsort(a, d, descending=descending), x, grad=False)
    parity(lambda L, a: a.argsort(dim=d), x, grad=False)
    if len(shape):
        parity(lambda L, a: L.msort(a), x)
    double_parity(lambda L, a: L.sort(a, d, descending=descending), x)


@given(descending=st.booleans(), data=st.data())
def test_stable_sort_keeps_ties_in_order(descending, data):
    x = data.draw(small_int_floats(np.float64, shapes(min_dims=1, max_dims=2)))
    parity(lambda L, a: tuple(L.sort(a, dim=-1, descending=descending, stable=True)), x)
    parity(lambda L, a: L.argsort(a, dim=0, descending=descending, stable=True), x, grad=False)


@given(dt=float_dtypes, shape=shapes(min_dims=1), largest=st.booleans(), data=st.data())
def test_topk(dt, shape, largest, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    k = data.draw(st.integers(0, shape[d]))
    parity(lambda L, a: tuple(L.topk(a, k, d, largest=largest)), x)
    parity(lambda L, a: a.topk(k, dim=d, largest=largest).values, x)
    double_parity(lambda L, a: L.topk(a, k, d, largest), x)


@given(dt=float_dtypes, shape=shapes(), keepdim=keepdims, data=st.data())
def test_kthvalue(dt, shape, keepdim, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    k = data.draw(st.integers(1, shape[d] if shape else 1))
    parity(lambda L, a: tuple(L.kthvalue(a, k, d, keepdim)), x)
    parity(lambda L, a: a.kthvalue(k, dim=d, keepdim=keepdim).values, x)
    double_parity(lambda L, a: L.kthvalue(a, k, d, keepdim), x)


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@given(dt=float_dtypes, shape=shapes(), keepdim=keepdims, data=st.data())
def test_median(name, dt, shape, keepdim, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: getattr(L, name)(a), x)
    parity(lambda L, a: tuple(getattr(L, name)(a, d, keepdim)), x)
    parity(lambda L, a: getattr(a, name)(dim=d, keepdim=keepdim).values, x)
    double_parity(lambda L, a: getattr(L, name)(a, d), x)
    double_parity(lambda L, a: getattr(a, name)(), x)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_median_with_nans(dt, shape, data):
    """median of a slice with a NaN is NaN (index: its first NaN); nanmedian skips NaNs."""
    x, d = data.draw(with_nans(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: L.nanmedian(a), x)
    parity(lambda L, a: L.median(a), x)
    parity(lambda L, a: tuple(L.median(a, d)), x)
    if not np.isnan(x).all(axis=d).any():  # an all-NaN slice's index is implementation-defined
        parity(lambda L, a: tuple(L.nanmedian(a, d)), x)


def test_median_ties_share_the_gradient_and_even_counts_take_the_lower():
    for x in (np.array([1.0, 2.0, 2.0, 0.0, 3.0]), np.array([[4.0, 1.0, 3.0, 2.0]])):
        parity(lambda L, a: L.median(a), x)
        parity(lambda L, a: a.nanmedian(), x)


@given(dt=float_dtypes, shape=shapes(min_dims=1), keepdim=keepdims, data=st.data())
def test_mode(dt, shape, keepdim, data):
    """The smallest of the most frequent values, and the index of its last occurrence (torch's CPU rule)."""
    x, d = data.draw(small_int_floats(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: tuple(L.mode(a, d, keepdim)), x)
    parity(lambda L, a: a.mode(d).values, x)
    double_parity(lambda L, a: L.mode(a, d, keepdim), x)


QS = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1))


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@given(dt=float_dtypes, shape=shapes(max_dims=3), keepdim=keepdims, q=QS, qs=st.lists(QS, min_size=1, max_size=3),
       interpolation=st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]), data=st.data())
def test_quantile(name, dt, shape, keepdim, q, qs, interpolation, data):
    x = data.draw(distinct_arrays(dt, shape))
    d = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)))
    qt = np.asarray(qs, dt)
    q = float(np.asarray(q, dt))  # q as the input's dtype sees it, so both libraries interpolate at the same rank
    parity(lambda L, a: getattr(L, name)(a, q, d, keepdim, interpolation=interpolation), x)
    parity(lambda L, a, b: getattr(a, name)(b, dim=d, keepdim=keepdim, interpolation=interpolation), x, qt)
    double_parity(lambda L, a: getattr(L, name)(a, L.from_numpy(qt), d, interpolation=interpolation), x)


@given(dt=float_dtypes, shape=shapes(min_dims=1, max_dims=3), q=QS, data=st.data())
def test_quantile_with_nans(dt, shape, q, data):
    x, d = data.draw(with_nans(dt, shape)), a_dim(data, len(shape))
    q = float(np.asarray(q, dt))
    # which NaN a NaN result came from (where its gradient goes) is torch's unstable sort's choice: compared only
    # where each slice has at most one NaN and some number
    nans = np.isnan(x).sum(axis=d)
    grad = bool((nans <= 1).all() and (nans < x.shape[d]).all())
    parity(lambda L, a: L.quantile(a, q, d), x, grad=grad)
    parity(lambda L, a: L.nanquantile(a, q, d), x, grad=grad)
    parity(lambda L, a: L.nanquantile(a, q), x, grad=bool(np.isnan(x).sum() <= 1 and not np.isnan(x).all()))


@given(shape=shapes(), return_inverse=st.booleans(), return_counts=st.booleans(), data=st.data())
def test_unique_and_unique_consecutive(shape, return_inverse, return_counts, data):
    x = data.draw(small_int_floats(np.float64, shape))
    flags = dict(return_inverse=return_inverse, return_counts=return_counts)
    parity(lambda L, a: L.unique(a, **flags), x, grad=False)
    parity(lambda L, a: a.unique(sorted=True, **flags), x.astype(np.int64), grad=False)
    parity(lambda L, a: L.unique_consecutive(a, **flags), x, grad=False)
    if shape:
        d = a_dim(data, len(shape))
        parity(lambda L, a: L.unique(a, dim=d, **flags), x, grad=False)
        parity(lambda L, a: a.unique_consecutive(dim=d, **flags), x, grad=False)


# ---- more reductions ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # an all-NaN slice's mean and gradient: 0/0
@given(dt=float_dtypes, shape=shapes(), keepdim=keepdims, data=st.data())
def test_nansum_nanmean(name, dt, shape, keepdim, data):
    x = data.draw(with_nans(dt, shape))
    d = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1), max(len(shape), 1) - 1)))
    parity(lambda L, a: getattr(L, name)(a), x)
    parity(lambda L, a: getattr(a, name)(d, keepdim=keepdim), x)
    if len(shape) > 1:
        parity(lambda L, a: getattr(L, name)(a, (0, -1), keepdim), x)
    double_parity(lambda L, a: getattr(L, name)(a, d), x)


@given(dt=float_dtypes, shape=shapes(), keepdim=keepdims, data=st.data())
def test_aminmax(dt, shape, keepdim, data):
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    parity(lambda L, a: tuple(L.aminmax(a)), x)
    parity(lambda L, a: tuple(a.aminmax(dim=d, keepdim=keepdim)), x)
    parity(lambda L, a: L.aminmax(a, dim=d).max, x)
    parity(lambda L, a: L.aminmax(a, dim=d).min, x)


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@given(dt=float_dtypes, shape=shapes(min_dims=1), keepdim=keepdims, correction=st.sampled_from([0, 1]),
       data=st.data())
def test_var_mean_std_mean(name, dt, shape, keepdim, correction, data):
    # distinct values: std's gradient at std = 0 (torch: 0) differs from beside it, where rounding may land
    x, d = data.draw(distinct_arrays(dt, shape)), a_dim(data, len(shape))
    if shape[d] - correction <= 0:
        return
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}  # as test_ops_reduce's var/std: cancellation
    parity(lambda L, a: getattr(L, name)(a, d, keepdim=keepdim, correction=correction), x, **tol)
    if x.size > 1:
        parity(lambda L, a: getattr(L, name)(a), x, **tol)
        parity(lambda L, a: getattr(L, name)(a, unbiased=False), x, **tol)


@given(shape=shapes(), data=st.data())
def test_count_nonzero(shape, data):
    x = data.draw(small_int_floats(np.float64, shape))
    parity(lambda L, a: L.count_nonzero(a), x, grad=False)
    if shape:
        d = a_dim(data, len(shape))
        parity(lambda L, a: a.count_nonzero(d), x, grad=False)
    if len(shape) > 1:
        parity(lambda L, a: L.count_nonzero(a, dim=(0, -1)), x, grad=False)


P = st.sampled_from([float("inf"), -float("inf"), 0, 1, 2, 3, 0.5, "fro"])


@given(dt=float_dtypes, shape=shapes(min_dims=1), p=P, data=st.data())
def test_norm_and_dist(dt, shape, p, data):
    x = data.draw(distinct_arrays(dt, shape))
    x = np.where(x == 0, dt(0.25), x).astype(dt)  # no zeros: |x|'s kink, and p < 1's infinite slope
    d = a_dim(data, len(shape))
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}  # the p-th root of a sum of p-th powers
    parity(lambda L, a: L.norm(a, p), x, **tol)
    if p != "fro":
        parity(lambda L, a: a.norm(p, dim=d, keepdim=True), x, **tol)
        if p != 0:  # (keepdim: a 0-dim sqrt's saved output is only kept in the graph by main's newer function.py)
            double_parity(lambda L, a: L.norm(a, p, d, True), x, rtol=tol.get("rtol"), atol=tol.get("atol"))
    y = x + dt(0.125)  # distinct from x everywhere: the distance's gradient is defined
    # torch's dist(p=0) backward fails ("Expected a proper Tensor but got None"): its values only
    parity(lambda L, a, b: L.dist(a, b, 2 if p == "fro" else p), x, y, grad=p != 0, **tol)
    parity(lambda L, a, b: a.dist(b), x, y[..., :1], **tol)


def test_norm_zero_has_zero_gradient():
    x = np.array([[0.0, 1.5], [-2.0, 0.0]])
    parity(lambda L, a: L.norm(a, 0), x)
    parity(lambda L, a: L.norm(a, 0, dim=1), x)


# ---- finite differences: a check that does not trust torch --------------------------------------------------------
D = np.array([[0.75, -1.5, 2.25, 0.5], [-0.25, 1.25, -2.0, 1.75], [1.0, -0.5, 0.25, -1.25]])
Q = np.array([0.1, 0.5, 0.8])
ONE_ZERO = np.ones_like(D)
ONE_ZERO[1, 2] = 0.0
ZERO_A_ROW = np.ones_like(D)
ZERO_A_ROW[[0, 1, 2], [1, 3, 0]] = 0.0
DIFFERENTIABLE = {
    "cumsum": lambda a: a.cumsum(1), "cumprod": lambda a: a.cumprod(0), "prod": lambda a: a.prod(1),
    "prod, one zero": lambda a: (a * minigrad.from_numpy(ONE_ZERO)).prod(),
    "prod and cumprod, a zero a row": lambda a: (a * minigrad.from_numpy(ZERO_A_ROW)).cumprod(1).prod(1),
    "cummax": lambda a: a.cummax(1).values, "cummin": lambda a: a.cummin(0).values,
    "logcumsumexp": lambda a: a.logcumsumexp(1), "sort": lambda a: a.sort(0, descending=True).values,
    "logcumsumexp past exp's range": lambda a: (a * 100 + 400).logcumsumexp(0),
    "topk": lambda a: a.topk(2).values, "kthvalue": lambda a: a.kthvalue(2, 0).values, "median": lambda a: a.median(),
    "median dim": lambda a: a.median(1).values, "nanmedian": lambda a: a.nanmedian(0, keepdim=True).values,
    "mode": lambda a: a.mode(0).values, "quantile": lambda a: a.quantile(minigrad.from_numpy(Q), dim=1),
    "nanquantile": lambda a: a.nanquantile(0.3), "nansum": lambda a: a.nansum(0), "nanmean": lambda a: a.nanmean(1),
    "aminmax": lambda a: minigrad.aminmax(a, dim=0).max, "norm inf": lambda a: a.norm(float("inf"), dim=1),
    "norm 3": lambda a: a.norm(3), "dist": lambda a: a.dist(minigrad.from_numpy(D * 0.5 + 1.0), 1.5),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_finite_differences(name):
    """Central differences of the forward against backward, and of backward (create_graph) against double
    backward: for f(x), and for the first gradient of Σ f(x)² w."""
    f = DIFFERENTIABLE[name]
    x = minigrad.from_numpy(D.copy()).requires_grad_(True)
    assert minigrad.autograd.gradcheck(f, (x,), atol=1e-6)
    w = minigrad.from_numpy(np.random.default_rng(2).standard_normal(tuple(f(x).shape)))

    def first_gradient(a):
        return minigrad.autograd.grad((f(a) * f(a) * w).sum(), a, create_graph=True)[0]

    assert minigrad.autograd.gradcheck(first_gradient, (x,), atol=1e-6)


# ---- errors -------------------------------------------------------------------------------------------------------
def _raises_like_torch(fn, *arrays):
    """Both libraries raise the same exception type with the same message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *(torch.from_numpy(a) for a in arrays))
    with pytest.raises(theirs.type) as ours:
        fn(minigrad, *(minigrad.from_numpy(a) for a in arrays))
    assert str(ours.value) == str(theirs.value)


X = np.arange(6.0).reshape(2, 3)


@pytest.mark.parametrize("fn", [
    lambda L, a: L.cumsum(a, 2), lambda L, a: L.cumprod(a, -3), lambda L, a: L.cummax(a, 5),
    lambda L, a: L.logcumsumexp(a, 2), lambda L, a: L.prod(a, 2), lambda L, a: L.sort(a, 2),
    lambda L, a: L.argsort(a, -3), lambda L, a: L.topk(a, 1, 2), lambda L, a: L.kthvalue(a, 1, 2),
    lambda L, a: L.median(a, 2), lambda L, a: L.nanmedian(a, -3), lambda L, a: L.mode(a, 2),
    lambda L, a: L.quantile(a, 0.5, 2), lambda L, a: L.nansum(a, 2), lambda L, a: L.nanmean(a, (0, 2)),
    lambda L, a: L.count_nonzero(a, 2), lambda L, a: L.aminmax(a, dim=2), lambda L, a: L.var_mean(a, 2),
    lambda L, a: L.norm(a, float("inf"), dim=2), lambda L, a: L.unique_consecutive(a, dim=2),
])
def test_bad_dims(fn):
    _raises_like_torch(fn, X)


@pytest.mark.parametrize("fn", [
    lambda L, a: L.topk(a, 4), lambda L, a: L.topk(a, -1), lambda L, a: L.kthvalue(a, 0),
    lambda L, a: L.kthvalue(a, 4), lambda L, a: L.quantile(a, 1.5), lambda L, a: L.quantile(a, -0.5),
    lambda L, a: L.quantile(a, 0.5, interpolation="foo"), lambda L, a: L.nanquantile(a.long(), 0.5),
    lambda L, a: L.quantile(a, L.ones(2, 2, dtype=L.float64) / 2),
    lambda L, a: L.quantile(a, L.ones(2, dtype=L.float32) / 2), lambda L, a: L.logcumsumexp(a.long(), 0),
    lambda L, a: L.nanmean(a.long()), lambda L, a: L.mode(a[:, :0], 1), lambda L, a: L.median(a[:, :0], 1),
    lambda L, a: L.quantile(a[:0], 0.5), lambda L, a: L.aminmax(a[:0]),
])
def test_bad_arguments(fn):
    _raises_like_torch(fn, X)


def test_prod_takes_one_dim_and_norm_nuc_is_refused():
    with pytest.raises(TypeError):
        minigrad.prod(minigrad.from_numpy(X), (0, 1))
    with pytest.raises(NotImplementedError, match="nuclear"):
        minigrad.norm(minigrad.from_numpy(X), "nuc")


def test_return_types_and_grad_fns():
    x = minigrad.from_numpy(X.copy()).requires_grad_(True)
    r = x.sort(1)
    assert r.values is r[0] and r.indices.dtype == minigrad.int64
    assert type(r.values.grad_fn).__name__ == "SortBackward0"
    assert "return_types.sort" in repr(r)
    mm = minigrad.aminmax(x)
    assert float(mm.min) == 0.0 and float(mm.max) == 5.0 and "aminmax" in repr(mm)
    names = {"cumsum": x.cumsum(0), "cumprod": x.cumprod(1), "prod": x.prod(), "median": x.median(),
             "kthvalue": x.kthvalue(1).values, "topk": x.topk(1).values, "cummax": x.cummax(0).values,
             "logcumsumexp": x.logcumsumexp(0), "nansum": x.nansum(), "mode": x.mode().values}
    for name, t in names.items():
        assert type(t.grad_fn).__name__.lower().startswith(name), (name, t.grad_fn)
    assert x.unique().grad_fn is None and not x.unique().requires_grad
