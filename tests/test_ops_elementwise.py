"""Elementwise ops against torch: values, shape, dtype and every input gradient, in float64 and float32.

Each op is written once as `fn(lib, *tensors)` and run with lib = torch and lib = minigrad, so the two calls are
the same text. Ties (x == y for maximum, x == 0 for abs and relu, x on a clamp bound) are generated on purpose:
torch's choice of subgradient there is part of what is compared.
"""
import functools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import FLOATS, arrays, broadcastable_pair, float_dtypes, large_arrays, positive_arrays, shapes


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


# ---- binary ops over broadcastable shapes --------------------------------------------------------------------------
BINARY = {
    "add": lambda L, x, y: x + y,
    "sub": lambda L, x, y: x - y,
    "mul": lambda L, x, y: x * y,
    "maximum": lambda L, x, y: L.maximum(x, y),
    "minimum": lambda L, x, y: L.minimum(x, y),
    "torch.add(alpha)": lambda L, x, y: L.add(x, y, alpha=2.5),
    "torch.sub(alpha)": lambda L, x, y: L.sub(x, y, alpha=-0.5),
    "torch.mul": lambda L, x, y: L.mul(x, y),
    "max(a, b)": lambda L, x, y: L.max(x, y),
    "min(a, b)": lambda L, x, y: L.min(x, y),
}


@pytest.mark.parametrize("name", BINARY)
@given(dt=float_dtypes, pair=broadcastable_pair(), data=st.data())
def test_binary(name, dt, pair, data):
    # small integers make ties (maximum/minimum) common; scaled so float32 products stay exact-ish
    x = data.draw(st.one_of(arrays(dt, pair[0]), arrays(dt, pair[0], -2, 2).map(np.round)))
    y = data.draw(st.one_of(arrays(dt, pair[1]), arrays(dt, pair[1], -2, 2).map(np.round)))
    parity(BINARY[name], x, y)


@pytest.mark.parametrize("name", ["div", "torch.div", "true_divide"])
@given(dt=float_dtypes, pair=broadcastable_pair(), data=st.data())
def test_div(name, dt, pair, data):
    x = data.draw(arrays(dt, pair[0]))
    y = data.draw(arrays(dt, pair[1], min_magnitude=0.2))  # away from the pole at 0
    fn = {"div": lambda L, a, b: a / b, "torch.div": lambda L, a, b: L.div(a, b),
          "true_divide": lambda L, a, b: L.true_divide(a, b)}[name]
    parity(fn, x, y)


@given(dt=float_dtypes, pair=broadcastable_pair(), data=st.data())
def test_pow_tensor_exponent(dt, pair, data):
    x = data.draw(positive_arrays(dt, pair[0], 0.2, 3.0))
    y = data.draw(arrays(dt, pair[1], -2.0, 2.0))
    parity(lambda L, a, b: a ** b, x, y)
    parity(lambda L, a, b: L.pow(a, b), x, y)


@given(dt=float_dtypes, pair=broadcastable_pair(), data=st.data())
def test_where(dt, pair, data):
    cshape = data.draw(st.sampled_from([pair[0], pair[1], ()]))
    cond = data.draw(st.lists(st.booleans(), min_size=int(np.prod(cshape)), max_size=int(np.prod(cshape))))
    cond = np.array(cond, bool).reshape(cshape)
    x, y = data.draw(arrays(dt, pair[0])), data.draw(arrays(dt, pair[1]))
    check_parity(lambda c, a, b: torch.where(c, a, b), lambda c, a, b: minigrad.where(c, a, b), cond, x, y)
    check_parity(lambda c, a, b: a.where(c, b), lambda c, a, b: a.where(c, b), cond, x, y)


# ---- unary ops -----------------------------------------------------------------------------------------------------
UNARY = {  # name: (fn, value strategy)
    "neg": (lambda L, x: -x, arrays),
    "torch.neg": (lambda L, x: L.neg(x), arrays),
    "exp": (lambda L, x: L.exp(x), arrays),
    "log": (lambda L, x: L.log(x), positive_arrays),
    "sqrt": (lambda L, x: x.sqrt(), positive_arrays),
    "abs": (lambda L, x: L.abs(x), lambda dt, s: arrays(dt, s).map(lambda a: np.where(np.abs(a) < 0.5, 0, a)
                                                                     .astype(a.dtype))),
    "relu": (lambda L, x: L.relu(x), lambda dt, s: arrays(dt, s, -2, 2).map(np.round)),
    "sigmoid": (lambda L, x: L.sigmoid(x), arrays),
    "tanh": (lambda L, x: x.tanh(), arrays),
    "sigmoid(huge)": (lambda L, x: L.sigmoid(x), large_arrays),
    "tanh(huge)": (lambda L, x: L.tanh(x), large_arrays),
    "square": (lambda L, x: x ** 2, arrays),
    "cube": (lambda L, x: x.pow(3), arrays),
    "pow(0)": (lambda L, x: x ** 0, arrays),
    "pow(-1)": (lambda L, x: x ** -1.0, lambda dt, s: arrays(dt, s, min_magnitude=0.3)),
    "pow(0.5)": (lambda L, x: L.pow(x, 0.5), positive_arrays),
    "pow(-1.5)": (lambda L, x: x ** -1.5, positive_arrays),
    "clamp(min,max)": (lambda L, x: L.clamp(x, -0.5, 1.0), lambda dt, s: arrays(dt, s, -2, 2).map(
        lambda a: np.round(a * 2) / 2)),
    "clamp(min)": (lambda L, x: x.clamp(min=0.5), lambda dt, s: arrays(dt, s, -2, 2).map(np.round)),
    "clamp(max)": (lambda L, x: x.clamp(max=-0.5), arrays),
    "clip": (lambda L, x: L.clip(x, -1, 1), lambda dt, s: arrays(dt, s, -2, 2).map(np.round)),
}


@pytest.mark.parametrize("name", UNARY)
@given(dt=float_dtypes, shape=shapes(min_side=0), data=st.data())  # zero-size tensors too
def test_unary(name, dt, shape, data):
    fn, values = UNARY[name]
    parity(fn, data.draw(values(dt, shape)))


@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_clamp_tensor_bounds(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    lo = data.draw(arrays(dt, shape[-1:], -1.0, 0.0))
    hi = data.draw(st.one_of(arrays(dt, shape[-1:], 0.0, 1.0), st.just(lo)))  # hi == lo: every bound a tie
    x = np.where(np.arange(x.size).reshape(x.shape) % 3 == 0, np.broadcast_to(lo, x.shape), x).astype(dt)  # ties
    parity(lambda L, a, b, c: L.clamp(a, min=b, max=c), x, lo, hi)
    parity(lambda L, a, b: L.clamp(a, min=b), x, lo)
    parity(lambda L, a, c: a.clamp(max=c), x, hi)


# ---- a Python scalar on either side --------------------------------------------------------------------------------
SCALAR = {
    "x+s": lambda x, s: x + s, "s+x": lambda x, s: s + x, "x-s": lambda x, s: x - s, "s-x": lambda x, s: s - x,
    "x*s": lambda x, s: x * s, "s*x": lambda x, s: s * x, "x/s": lambda x, s: x / s, "s/x": lambda x, s: s / x,
    "x**s": lambda x, s: x ** s, "s**x": lambda x, s: abs(s) ** x, "negative**x": lambda x, s: (-abs(s)) ** x,
    "0**x": lambda x, s: 0.0 ** x, "maximum": lambda x, s: x.clamp(min=s),
}


@pytest.mark.parametrize("name", SCALAR)
@given(dt=float_dtypes, shape=shapes(), s=st.sampled_from([2, -3, 0.5, -1.25, 2.0, True]), data=st.data())
def test_python_scalar(name, dt, shape, s, data):
    if name in ("s/x", "x**s") or (name == "s**x" and s is True):
        x = data.draw(positive_arrays(dt, shape, 0.3, 3.0))
    else:
        x = data.draw(arrays(dt, shape))
    if s is True and name in ("x/s", "x-s", "s-x"):
        s = 2  # torch refuses `-` with a bool, and x / True is x / 1
    fn = SCALAR[name]
    parity(lambda L, a: fn(a, s), x)


# ---- dtype promotion -----------------------------------------------------------------------------------------------
def _np(values, dtype):
    return np.asarray(values, dtype)


PROMOTION = [  # (description, fn, arrays): both sides see the same arrays; result dtype must match torch's
    ("int64 tensor * float scalar", lambda a: a * 1.5, [_np([1, 2, 3], np.int64)]),
    ("int64 tensor + int scalar", lambda a: a + 2, [_np([1, 2, 3], np.int64)]),
    ("int64 tensor / int scalar", lambda a: a / 2, [_np([1, 2, 3], np.int64)]),
    ("int / int tensors", lambda a, b: a / b, [_np([1, 5, 7], np.int64), _np([2, 2, 3], np.int64)]),
    ("int32 + int64", lambda a, b: a + b, [_np([1, 2], np.int32), _np([3, 4], np.int64)]),
    ("bool + bool", lambda a, b: a + b, [_np([True, False], bool), _np([True, True], bool)]),
    ("bool * int scalar", lambda a: a * 3, [_np([True, False], bool)]),
    ("bool tensor * float scalar", lambda a: a * 0.5, [_np([True, False], bool)]),
    ("uint8 + int scalar", lambda a: a + 3, [_np([1, 2], np.uint8)]),
    ("float32 + float64 0-dim", lambda a, b: a + b, [_np([1.5, 2.5], np.float32), _np(0.1, np.float64)]),
    ("float64 0-dim * float32", lambda a, b: a * b, [_np(0.1, np.float64), _np([1.5, 2.5], np.float32)]),
    ("float32 + float64", lambda a, b: a + b, [_np([1.5, 2.5], np.float32), _np([0.1, 0.2], np.float64)]),
    ("int64 + float32 0-dim", lambda a, b: a + b, [_np([1, 2], np.int64), _np(0.5, np.float32)]),
    ("int64 + float64", lambda a, b: a - b, [_np([1, 2], np.int64), _np([0.5, 1.5], np.float64)]),
    ("float32 + int64 0-dim", lambda a, b: a * b, [_np([1.5, 2.5], np.float32), _np(3, np.int64)]),
    ("float32 * float scalar", lambda a: a * 0.1, [_np([1.5, 2.5], np.float32)]),
    ("float64 + float scalar", lambda a: 0.1 + a, [_np([1.5, 2.5], np.float64)]),
    ("int64 ** float scalar", lambda a: a ** 0.5, [_np([1, 4, 9], np.int64)]),
    ("int64 ** int scalar", lambda a: a ** 2, [_np([1, 4, 9], np.int64)]),
    ("float scalar ** int64", lambda a: 2.0 ** a, [_np([1, 2, 3], np.int64)]),
    ("exp(int64)", lambda a: a.exp(), [_np([0, 1, 2], np.int64)]),
    ("sqrt(int64)", lambda a: a.sqrt(), [_np([1, 4, 9], np.int64)]),
    ("float32 where float64 0-dim", lambda c, a, b: a.where(c, b),
     [_np([True, False], bool), _np([1.5, 2.5], np.float32), _np(0.25, np.float64)]),
    ("maximum(int64, float32)", lambda a, b: a.maximum(b), [_np([1, 5], np.int64), _np([2.5, 3.5], np.float32)]),
    ("neg(int64)", lambda a: -a, [_np([1, -5], np.int64)]),
    ("abs(int64)", lambda a: a.abs(), [_np([1, -5], np.int64)]),
    ("floor divide", lambda a, b: a // b, [_np([7, -7, 8], np.int64), _np([2, 2, -3], np.int64)]),
    ("float32 grads of mixed", lambda a, b: a * b + a, [_np([1.5, 2.5], np.float32), _np(0.1, np.float64)]),
]


@pytest.mark.parametrize("fn,arrs", [p[1:] for p in PROMOTION], ids=[p[0] for p in PROMOTION])
def test_dtype_promotion(fn, arrs):
    # parity.py picks tolerances from the input dtypes; these results may be float32 from integer inputs (exp of
    # an int64 is a float32 and may differ from torch's in the last bit), so float32's tolerance throughout
    check_parity(fn, fn, *arrs, rtol=1e-6, atol=1e-7)


def test_python_scalar_keeps_float32():
    x = minigrad.ones(3, requires_grad=True)
    for y in (x * 0.1, 0.1 * x, x / 3.0, x + np.float64(0.5), x ** 2.0, 2.0 ** x, x - 1):
        assert y.dtype == minigrad.float32
        y.sum().backward()
        assert x.grad.dtype == minigrad.float32


# ---- comparisons and other non-differentiable results ---------------------------------------------------------------
COMPARE = {
    "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y, "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y, ">=": lambda x, y: x >= y, "eq": lambda x, y: x.eq(y), "ne": lambda x, y: x.ne(y),
    "lt": lambda x, y: x.lt(y), "ge": lambda x, y: x.ge(y), "logical_and": lambda x, y: (x > 0) & (y > 0),
    "logical_or": lambda x, y: (x > 0) | (y > 0), "logical_not": lambda x, y: ~(x > y),
}


@pytest.mark.parametrize("name", COMPARE)
@given(pair=broadcastable_pair(), data=st.data())
def test_comparisons(name, pair, data):
    x = data.draw(arrays(np.float64, pair[0], -2, 2).map(np.round))  # rounded: equality happens
    y = data.draw(arrays(np.float32, pair[1], -2, 2).map(np.round))
    check_parity(COMPARE[name], COMPARE[name], x, y, grad=False)
    check_parity(lambda a: COMPARE[name](a, 1), lambda a: COMPARE[name](a, 1), x, grad=False)
    check_parity(lambda a: COMPARE[name](a, 0.5), lambda a: COMPARE[name](a, 0.5), x, grad=False)


@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_equal_allclose_isclose(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    y = np.asarray(x + data.draw(st.sampled_from([0.0, 1e-9, 1e-3])))
    tx, ty = torch.from_numpy(x), torch.from_numpy(y.astype(dt))
    mx, my = minigrad.from_numpy(x), minigrad.from_numpy(y.astype(dt))
    assert minigrad.equal(mx, my) == torch.equal(tx, ty)
    assert minigrad.allclose(mx, my) == torch.allclose(tx, ty)
    np.testing.assert_array_equal(minigrad.isclose(mx, my).numpy(), torch.isclose(tx, ty).numpy())


def test_comparison_results_are_bool_and_not_differentiable():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    for r in (x > 1, x == 2, x.eq(x), x <= 1.5):
        assert r.dtype == minigrad.bool and not r.requires_grad and r.grad_fn is None


@pytest.mark.parametrize("dt", FLOATS)
def test_huge_inputs_stay_finite(dt):
    x = np.array([-1e30, -800.0, -50.0, 0.0, 50.0, 800.0, 1e30], dt)
    parity(lambda L, a: L.sigmoid(a), x)
    parity(lambda L, a: L.tanh(a), x)


def test_clamp_tensor_bounds_every_tie():
    """x, lo, hi each in {0, 1, 2}: all 27 orderings, ties and lo > hi included."""
    grid = np.array(np.meshgrid([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0])).reshape(3, -1)
    parity(lambda L, a, b, c: L.clamp(a, b, c), *grid)
    parity(lambda L, a, b: L.clamp(a, min=b), *grid[:2])
    parity(lambda L, a, c: L.clamp(a, max=c), grid[0], grid[2])


EDGE = {  # where torch picks a value for an undefined derivative, or NaN/inf flow through
    "0 ** 0 (tensor exponent)": (lambda L, a, b: a ** b, [np.zeros(3), np.array([0.0, 1.0, 2.0])]),
    "x ** 0 at 0": (lambda L, a: a ** 0.0, [np.zeros(3)]),
    "sqrt at 0": (lambda L, a: a.sqrt(), [np.zeros(2)]),
    "log at 0": (lambda L, a: a.log(), [np.array([0.0, 1.0])]),
    "abs at 0": (lambda L, a: a.abs(), [np.array([0.0, -0.0, 1.0])]),
    "divide by 0": (lambda L, a, b: a / b, [np.array([1.0, -1.0, 0.0]), np.zeros(3)]),
    "exp overflow": (lambda L, a: a.exp(), [np.array([1000.0, -1000.0])]),
    "relu of NaN": (lambda L, a: a.relu(), [np.array([1.0, np.nan, -1.0])]),
    "maximum with NaN": (lambda L, a, b: L.maximum(a, b), [np.array([1.0, np.nan]), np.array([np.nan, 0.0])]),
    "minimum with NaN": (lambda L, a, b: L.minimum(a, b), [np.array([1.0, np.nan]), np.array([np.nan, 0.0])]),
    "clamp of NaN": (lambda L, a: a.clamp(0, 1), [np.array([0.5, np.nan])]),
    "sigmoid extremes (float32)": (lambda L, a: a.sigmoid(), [np.array([-100.0, -20.0, 0, 20.0, 100.0], np.float32)]),
    "zero-size product": (lambda L, a: a * 2 + a.exp(), [np.zeros((0, 3))]),
    "where with a number": (lambda L, a: L.where(a > 0, a, 0.0), [np.linspace(-1, 1, 5)]),
    "where with numbers first": (lambda L, a: L.where(a > 0, 1.0, a), [np.linspace(-1, 1, 5)]),
    "scalar - 0-dim": (lambda L, a: 1.5 - a, [np.array(2.0)]),
    "int ** negative float": (lambda L, a: a ** -1.0, [np.array([1, 2])]),
    "float32 + NumPy float64 scalar": (lambda L, a: a + np.float64(0.1), [np.ones(2, np.float32)]),
    "float32 * NumPy int64 scalar": (lambda L, a: a * np.int64(3), [np.ones(2, np.float32)]),
    "uint8 + bool": (lambda L, a, b: a + b, [np.array([1, 2], np.uint8), np.array([True, False])]),
    "int8 + uint8": (lambda L, a, b: a + b, [np.array([1, 2], np.int8), np.array([1, 2], np.uint8)]),
}


@pytest.mark.parametrize("name", EDGE)
def test_edge_cases(name):
    fn, arrs = EDGE[name]
    parity(fn, *arrs)


@pytest.mark.parametrize("fn", [lambda t: -t, lambda t: 1 - t], ids=["neg", "rsub"])
def test_bool_arithmetic_refused_like_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch.tensor([True, False]))
    with pytest.raises(type(theirs.value)):
        fn(minigrad.tensor([True, False]))
