"""Parity for the ops no other test called (a `ceil` computing floor, or `norm('fro')` without its square root,
passed the whole suite): ceil/floor/round, isinf/isnan/isfinite, view_as/reshape_as, new_*, scatter, unflatten,
norm, and the RNG state (get_rng_state / set_rng_state)."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import arrays, dims, float_dtypes, shapes


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


def halves(dt, shape):
    """Values on and beside the integers and halves, where rounding functions differ from each other."""
    return arrays(dt, shape, -4, 4).map(lambda a: np.where(np.arange(a.size).reshape(a.shape) % 2 == 0,
                                                            np.round(a * 2) / 2, a).astype(a.dtype))


@pytest.mark.parametrize("name", ["ceil", "floor", "round"])
@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_rounding(name, dt, shape, data):
    x = data.draw(halves(dt, shape))
    parity(lambda L, a: getattr(L, name)(a), x, grad=False)
    parity(lambda L, a: getattr(a, name)(), x, grad=False)


@pytest.mark.parametrize("name", ["ceil", "floor", "round"])
def test_rounding_gradient_is_zero(name):
    parity(lambda L, a: getattr(a, name)(), np.array([0.3, 1.5, -2.7]))


def test_ceil_is_not_floor():
    x = np.array([-1.5, -0.5, 0.2, 1.0, 2.7])
    parity(lambda L, a: a.ceil(), x, grad=False)
    np.testing.assert_array_equal(minigrad.tensor(x).ceil().numpy(), [-1.0, -0.0, 1.0, 1.0, 3.0])


@pytest.mark.parametrize("name", ["isinf", "isnan", "isfinite"])
def test_isinf_isnan_isfinite(name):
    for dt in (np.float32, np.float64):
        x = np.array([[0.0, -np.inf, np.inf], [np.nan, 1e38, -3.0]], dt)
        m, t = getattr(minigrad, name)(minigrad.tensor(x)), getattr(torch, name)(torch.tensor(x))
        assert m.dtype == minigrad.bool
        np.testing.assert_array_equal(m.numpy(), t.numpy())
        np.testing.assert_array_equal(getattr(minigrad.tensor(x), name)().numpy(), t.numpy())
    ints = np.array([1, -2, 0])
    np.testing.assert_array_equal(getattr(minigrad.tensor(ints), name)().numpy(),
                                  getattr(torch.tensor(ints), name)().numpy())


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_view_as_and_reshape_as(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    other = np.zeros(x.size)  # (n,) and a permuted shape of the same size
    parity(lambda L, a: a.view_as(L.from_numpy(other)), x)
    parity(lambda L, a: a.reshape_as(L.from_numpy(other.reshape(shape[::-1]))), x)
    parity(lambda L, a: a.t().reshape_as(L.from_numpy(other)) if a.ndim == 2 else a.reshape_as(a), x)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_new_factories_keep_dtype_like_torch(dtype):
    m, t = minigrad.ones(2, dtype=getattr(minigrad, dtype)), torch.ones(2, dtype=getattr(torch, dtype))

    def same(mx, tx):
        assert str(mx.dtype).split(".")[-1] == str(tx.dtype).split(".")[-1]
        assert tuple(mx.shape) == tuple(tx.shape) and mx.requires_grad == tx.requires_grad
        if "empty" not in what:
            np.testing.assert_array_equal(mx.detach().numpy(), tx.detach().numpy())

    for what, fn in [("zeros", lambda x, L: x.new_zeros(2, 3)), ("ones", lambda x, L: x.new_ones((3,))),
                     ("full", lambda x, L: x.new_full((2, 2), 7)), ("empty", lambda x, L: x.new_empty(4)),
                     ("tensor", lambda x, L: x.new_tensor([1, 0, 3])),
                     ("dtype", lambda x, L: x.new_zeros(2, dtype=L.float64)),
                     ("grad", lambda x, L: x.new_ones(2, dtype=L.float32, requires_grad=True))]:
        same(fn(m, minigrad), fn(t, torch))


@given(dt=float_dtypes, data=st.data())
def test_scatter(dt, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    d = data.draw(st.integers(0, len(shape) - 1))
    x = data.draw(arrays(dt, shape))
    # a permutation along d for each line: no index written twice, so the result does not depend on the order
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    index = np.argsort(rng.random(shape), axis=d)
    src = data.draw(arrays(dt, shape))
    first = index[tuple(slice(0, 1) if i == d else slice(None) for i in range(len(shape)))]  # one per line
    parity(lambda L, a, s: a.scatter(d, L.from_numpy(index), s), x, src, grad=False)
    parity(lambda L, a, s: a.scatter(d, L.from_numpy(first), s), x, src, grad=False)
    parity(lambda L, a: L.scatter(a, d, L.from_numpy(first), 2.5), x, grad=False)
    part = src[tuple(slice(0, n) for n in first.shape)]  # torch's src gradient has the index's shape
    parity(lambda L, a, s: a.clone().scatter_(d, L.from_numpy(first), s), x, part)  # in place: recorded
    parity(lambda L, a: a.clone().scatter_(d, L.from_numpy(first), value=1.0), x, grad=False)


def test_scatter_gradient():
    index = np.array([[1, 0, 2]])
    parity(lambda L, a, s: a.scatter(0, L.from_numpy(index), s), np.arange(9.0).reshape(3, 3), np.ones((1, 3)))


@pytest.mark.parametrize("how", ["value", "positional"])
def test_scatter_number_gradient(how):
    if how == "value":
        parity(lambda L, a: a.clone().scatter_(0, L.tensor([[1, 0]]), value=1.0), np.arange(4.0).reshape(2, 2))
    else:
        parity(lambda L, a: a.clone().scatter_(0, L.tensor([[1, 0]]), 1.0), np.arange(4.0).reshape(2, 2))


def test_scatter_one_hot_like_the_tutorial():
    for L in (torch, minigrad):
        out = L.zeros(10, dtype=L.float).scatter_(0, L.tensor(3), value=1)
        assert out.numpy().tolist() == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6


@given(dt=float_dtypes, data=st.data())
def test_unflatten(dt, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    split = data.draw(st.sampled_from([(n,), (1, n), (n, 1), (-1, 1)] + ([(2, n // 2), (-1, 2)] if n % 2 == 0 else [])))
    x = data.draw(arrays(dt, shape))
    parity(lambda L, a: a.unflatten(d, split), x)
    parity(lambda L, a: L.unflatten(a, d, split), x)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5])
@given(dt=float_dtypes, keepdim=st.booleans(), data=st.data())
def test_norm(p, dt, keepdim, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    # away from 0, where |x| and the norm are not differentiable
    x = data.draw(arrays(dt, shape, min_magnitude=0.1))
    dim = data.draw(dims(len(shape), allow_none=True))
    if p == "fro" and dim is not None:  # torch's 'fro' takes a tuple of one or two dims
        dim = (dim,) if not isinstance(dim, tuple) else (dim if len(dim) <= 2 else None)
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 and p == 0.5 else {}
    parity(lambda L, a: a.norm(p, dim=dim, keepdim=keepdim), x, **tol)
    parity(lambda L, a: L.norm(a, p=p, dim=dim, keepdim=keepdim), x, **tol)


def test_norm_is_the_square_root_of_the_sum_of_squares():
    x = np.array([[3.0, 4.0], [0.0, 12.0]])
    for p in ("fro", 2):
        assert minigrad.tensor(x).norm(p).item() == pytest.approx(13.0)
        np.testing.assert_allclose(minigrad.tensor(x).norm(p, dim=1).numpy(), [5.0, 12.0])


@pytest.mark.parametrize("p", [float("inf"), float("-inf")])
def test_norm_infinity(p):
    x = np.array([[1.0, -5.0], [2.0, 3.0]])
    parity(lambda L, a: a.norm(p), x)
    parity(lambda L, a: a.norm(p, dim=1), x)


@pytest.mark.parametrize("lib", [torch, minigrad], ids=["torch", "minigrad"])
def test_rng_state_replays_and_is_a_copy(lib):
    lib.manual_seed(5)
    state = lib.get_rng_state()
    assert state.dtype == lib.uint8 and state.ndim == 1
    first = lib.rand(4)
    saved = state.clone()
    lib.randn(3)  # drawing more does not change the state already taken
    assert lib.equal(state, saved)
    lib.set_rng_state(state)
    assert lib.equal(lib.rand(4), first)
    lib.set_rng_state(state)
    assert lib.equal(lib.rand(4), first)  # set_rng_state did not consume the saved state either
    lib.manual_seed(5)
    assert lib.equal(lib.get_rng_state(), state)  # the same seed, the same state


def test_rng_state_drives_every_random_function():
    for L in (torch, minigrad):
        L.manual_seed(0)
        state = L.get_rng_state()
        draws = [L.rand(3), L.randn(2), L.randint(0, 10, (4,)), L.randperm(5), L.empty(3).uniform_()]
        L.set_rng_state(state)
        again = [L.rand(3), L.randn(2), L.randint(0, 10, (4,)), L.randperm(5), L.empty(3).uniform_()]
        assert all(L.equal(a, b) for a, b in zip(draws, again)), L.__name__
