"""Reductions against torch: whole-tensor and over dims (negative, tuples), keepdim, correction; max/min with
(values, indices); amax/amin/logsumexp; softmax/log_softmax with huge logits; argmax/argmin/all/any."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import (FLOATS, array_and_dim, arrays, dims, distinct_arrays, float_dtypes, keepdims, large_arrays,
                        shapes)


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


def off_std_kink(x, dim=None):
    """std is not differentiable where it is 0, and a slice of equal values is 0 only up to rounding, with a gradient
    (x - mean) / (n std) that depends on the order of the rounding: 8 fresh runs in 18 failed on such draws. Keep
    every reduced slice of more than one element at least 0.01 wide (a ramp added, as the gradcheck tests do)."""
    if x.size <= 1 or (dim is not None and np.prod([x.shape[d] for d in np.atleast_1d(dim)]) == 1):
        return x  # one element: exactly 0 in both libraries, gradient 0 (test_var_std_degenerate)
    width = lambda a: np.min(np.ptp(a, axis=None if dim is None else dim))  # noqa: E731
    if width(x) < 0.01:
        x = (x + 0.1 * np.arange(x.size).reshape(x.shape)).astype(x.dtype)
    assume(width(x) >= 0.01)  # a ramp that cancels a draw exactly: rare, skipped
    return x


def tied_arrays(dt, shape):
    """Values rounded to halves: ties in max/min/amax are common, so torch's even split of the gradient is tested."""
    return arrays(dt, shape, -2, 2).map(lambda a: (np.round(a * 2) / 2).astype(a.dtype))


@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_whole_tensor_reductions(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    parity(lambda L, a: a.sum(), x)
    parity(lambda L, a: L.sum(a), x)
    parity(lambda L, a: a.mean(), x)
    spread = off_std_kink(x)
    if x.size > 1:
        parity(lambda L, a: a.var(), x)
        parity(lambda L, a: L.std(a), spread)
    parity(lambda L, a: a.var(unbiased=False), x)
    parity(lambda L, a: a.std(correction=0), spread)
    t = data.draw(tied_arrays(dt, shape))
    parity(lambda L, a: a.max(), t)
    parity(lambda L, a: L.min(a), t)
    parity(lambda L, a: L.amax(a), t)
    parity(lambda L, a: a.amin(), t)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp"])
@given(dt=float_dtypes, shape=shapes(min_dims=1), keepdim=keepdims, data=st.data())
def test_over_dims(name, dt, shape, keepdim, data):
    dim = data.draw(dims(len(shape)))
    values = tied_arrays if name in ("amax", "amin") else arrays
    x = data.draw(values(dt, shape))
    parity(lambda L, a: getattr(L, name)(a, dim, keepdim=keepdim), x)
    parity(lambda L, a: getattr(a, name)(dim=dim, keepdim=keepdim), x)


@pytest.mark.parametrize("name", ["var", "std"])
@given(dt=float_dtypes, shape=shapes(min_dims=1), keepdim=keepdims, correction=st.sampled_from([0, 1, 2]),
       data=st.data())
def test_var_std(name, dt, shape, keepdim, correction, data):
    dim = data.draw(dims(len(shape)))
    # rounded to 1e-6: deviations like 1e-29 square to 0 in float32 (NumPy's two-pass variance) where torch keeps
    # them, and std's gradient at 0 (torch: 0) differs from beside it (±1/n); that is underflow, not the rule
    x = data.draw(arrays(dt, shape).map(lambda a: np.round(a, 6)))
    n = int(np.prod([shape[d] for d in ((dim,) if isinstance(dim, int) else dim)]))
    if n - correction <= 0:
        return  # inf/nan: test_var_std_degenerate
    if name == "std":
        x = off_std_kink(x, dim)
    # float32: the centred sum loses ~log2(n) bits to cancellation in both libraries, in different orders
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}
    parity(lambda L, a: getattr(L, name)(a, dim, keepdim=keepdim, correction=correction), x, **tol)
    parity(lambda L, a: getattr(a, name)(dim, unbiased=bool(correction), keepdim=keepdim), x, **tol)


def test_var_std_degenerate():
    """One element with correction 1: torch gives nan (and nan gradients); so must we, without raising."""
    for dt in FLOATS:
        x = np.array([1.5], dt)
        parity(lambda L, a: a.var(), x)
        parity(lambda L, a: a.std(0, keepdim=True), x)
        parity(lambda L, a: a.std(correction=0), x)  # std 0: torch's gradient is 0 there, not nan


@pytest.mark.parametrize("name", ["max", "min"])
@given(dt=float_dtypes, keepdim=keepdims, data=st.data())
def test_max_min_dim(name, dt, keepdim, data):
    x = data.draw(distinct_arrays(dt, shapes(min_dims=1)))
    dim = data.draw(dims(x.ndim, allow_tuple=False))
    m, t = parity(lambda L, a: getattr(L, name)(a, dim, keepdim=keepdim), x)
    assert m.values is m[0] and m.indices is m[1]
    np.testing.assert_array_equal(m.indices.numpy(), t.indices.numpy())
    parity(lambda L, a: getattr(a, name)(dim=dim, keepdim=keepdim).values, x)


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
def test_index_of_ties_is_the_first(name):
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, -1.0]])
    parity(lambda L, a: getattr(a, name)(1), x)
    parity(lambda L, a: getattr(a, name)(0, keepdim=True), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(dt=float_dtypes, data=st.data())
def test_softmax(name, dt, data):
    x, dim = data.draw(array_and_dim(dt))
    parity(lambda L, a: getattr(L, name)(a, dim), x)
    parity(lambda L, a: getattr(a, name)(dim=dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
@given(dt=float_dtypes, data=st.data())
def test_huge_logits(name, dt, data):
    x, dim = data.draw(array_and_dim(dt, values=large_arrays))  # logits up to 1e4 (float32) / 1e6 apart
    m, _ = parity(lambda L, a: getattr(L, name)(a, dim), x)
    assert np.all(np.isfinite(m.detach().numpy()))


@pytest.mark.parametrize("dt", FLOATS)
def test_softmax_dtype_argument(dt):
    x = np.linspace(-3, 3, 12).reshape(3, 4).astype(dt)
    parity(lambda L, a: L.softmax(a, -1, dtype=L.float64), x)
    parity(lambda L, a: a.log_softmax(0, dtype=L.float32), x, rtol=1e-6, atol=1e-7)  # a float32 result
    parity(lambda L, a: a.sum(dtype=L.float64), x)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(shape=shapes(), keepdim=keepdims, data=st.data())
def test_argmax_argmin(name, shape, keepdim, data):
    x = data.draw(tied_arrays(np.float64, shape))
    check_parity(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x, grad=False)
    dim = data.draw(dims(len(shape), allow_tuple=False))
    check_parity(lambda a: getattr(torch, name)(a, dim, keepdim), lambda a: getattr(minigrad, name)(a, dim, keepdim),
                 x, grad=False)


@pytest.mark.parametrize("name", ["all", "any"])
@given(shape=shapes(), keepdim=keepdims, data=st.data())
def test_all_any(name, shape, keepdim, data):
    x = data.draw(arrays(np.float64, shape, -1, 1).map(np.round))  # zeros are common
    for arr in (x, x != 0):
        check_parity(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), arr, grad=False)
        if shape:
            dim = data.draw(st.integers(-len(shape), len(shape) - 1))
            check_parity(lambda a: getattr(a, name)(dim, keepdim), lambda a: getattr(a, name)(dim, keepdim), arr,
                         grad=False)


@given(shape=shapes())
def test_integer_sum_is_int64_and_mean_refuses(shape):
    x = np.arange(int(np.prod(shape))).reshape(shape).astype(np.int32)
    check_parity(lambda a: a.sum(), lambda a: a.sum(), x, grad=False)
    check_parity(lambda a: (a > 2).sum(), lambda a: (a > 2).sum(), x, grad=False)
    with pytest.raises(RuntimeError, match="Input dtype must be either a floating point or complex dtype. Got: Long"):
        minigrad.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="Got: Bool"):
        minigrad.tensor([True]).mean()
    with pytest.raises(RuntimeError, match="std and var only support floating point and complex dtypes"):
        minigrad.tensor([1, 2]).var()


EDGE = {  # name: (fn, input arrays) -- zero-size and 0-dim inputs, NaNs, -inf
    "sum of empty": (lambda L, a: a.sum(), [np.zeros((0, 3))]),
    "sum over empty dim": (lambda L, a: a.sum(0), [np.zeros((0, 3))]),
    "mean over empty dim": (lambda L, a: a.mean(1), [np.zeros((2, 0))]),
    "amax over non-empty dim": (lambda L, a: a.amax(1), [np.zeros((0, 3))]),
    "softmax of empty": (lambda L, a: a.softmax(0), [np.zeros((0, 3))]),
    "log_softmax of empty": (lambda L, a: a.log_softmax(1), [np.zeros((0, 3))]),
    "logsumexp over empty dim": (lambda L, a: a.logsumexp(1), [np.zeros((2, 0))]),
    "sum 0-dim over dim 0": (lambda L, a: a.sum(0), [np.array(2.0)]),
    "amax 0-dim over dim -1": (lambda L, a: a.amax(-1, keepdim=True), [np.array(2.0)]),
    "logsumexp 0-dim": (lambda L, a: a.logsumexp(0), [np.array(2.0)]),
    "max 0-dim over dim": (lambda L, a: a.max(0), [np.array(2.0)]),
    "softmax 0-dim": (lambda L, a: a.softmax(0), [np.array(2.0)]),
    "var 0-dim": (lambda L, a: a.var(correction=0), [np.array(2.0)]),
    "max with NaN": (lambda L, a: a.max(), [np.array([1.0, np.nan, 3.0])]),
    "min with NaN": (lambda L, a: L.min(a), [np.array([1.0, np.nan, np.nan])]),
    "max dim with NaN": (lambda L, a: a.max(1), [np.array([[1.0, np.nan], [2.0, 0.0]])]),
    "logsumexp of -inf rows": (lambda L, a: a.logsumexp(1), [np.array([[-np.inf, -np.inf], [0.0, -np.inf]])]),
    "log_softmax with -inf": (lambda L, a: a.log_softmax(1), [np.array([[0.0, -np.inf], [1.0, 2.0]])]),
    "sum with dim=[0, 1]": (lambda L, a: a.sum([0, 1]), [np.arange(6.0).reshape(2, 3)]),
    "integer max over dim": (lambda L, a: a.max(0), [np.arange(6).reshape(2, 3)]),
    "integer amax": (lambda L, a: a.amax(), [np.arange(6).reshape(2, 3)]),
    "integer softmax with dtype": (lambda L, a: a.softmax(0, dtype=L.float64), [np.arange(6).reshape(2, 3)]),
    "mean of integers with dtype": (lambda L, a: a.mean(dtype=L.float64), [np.arange(5)]),
}


@pytest.mark.parametrize("name", EDGE)
def test_edge_cases(name):
    fn, arrs = EDGE[name]
    parity(fn, *arrs)


@pytest.mark.parametrize("fn,exc,msg", [
    (lambda L: L.zeros(0, 3).amax(), RuntimeError, "amax\\(\\): Expected reduction dim to be specified for "
                                                    "input.numel\\(\\) == 0"),
    (lambda L: L.zeros(0, 3).amin(0), IndexError, "amin\\(\\): Expected reduction dim 0 to have non-zero size"),
    (lambda L: L.zeros(2, 0).max(1), IndexError, "max\\(\\): Expected reduction dim 1 to have non-zero size"),
    (lambda L: L.zeros(0).min(), RuntimeError, "min\\(\\): Expected reduction dim to be specified"),
    (lambda L: L.zeros(2, 3).sum(2), IndexError, "Dimension out of range \\(expected to be in range of \\[-2, 1\\], "
                                                 "but got 2\\)"),
])
def test_empty_reduction_errors(fn, exc, msg):
    for lib in (torch, minigrad):
        with pytest.raises(exc, match=msg):
            fn(lib)
