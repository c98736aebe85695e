"""repr(tensor) against real torch's text, with "torch." read as "minigrad.".

The arrays come from hypothesis-drawn recipes (shape, dtype, magnitude, integrality, nan/inf/zeros, seed) built by
NumPy, so large summarized tensors cost no more to generate than small ones. "minigrad." is 3 characters longer than
"torch.", so a dtype suffix may wrap onto its own line in one and not the other: `_same` joins suffix lines in both
before comparing, and the float32/int64/bool cases (which print no dtype) are compared without any normalization.
"""
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad

_SUFFIX_BREAK = re.compile(r",\n +(?=(dtype|size|grad_fn|requires_grad)=)")


def _ours(a, requires_grad=False):
    return repr(minigrad.tensor(a, requires_grad=requires_grad))


def _theirs(a, requires_grad=False):
    return repr(torch.tensor(a, requires_grad=requires_grad)).replace("torch.", "minigrad.")


def _same(ours, theirs):
    """Exact when neither prints a dtype; otherwise exact after joining the suffixes onto the last line."""
    if "dtype=" in theirs:
        ours, theirs = _SUFFIX_BREAK.sub(", ", ours), _SUFFIX_BREAK.sub(", ", theirs)
    assert ours == theirs, f"\nminigrad:\n{ours}\ntorch:\n{theirs}"


@pytest.fixture(autouse=True)
def _default_printoptions():
    yield
    torch.set_printoptions(profile="default")
    minigrad.set_printoptions(profile="default")


DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


@st.composite
def recipes(draw, max_side=6, max_dims=4):
    """An array from a drawn recipe: values ~ N(0, 1) * 10**exponent, optionally rounded to integers, with some
    entries set to 0, nan, inf or -inf."""
    shape = tuple(draw(st.lists(st.integers(1, max_side), min_size=0, max_size=max_dims)))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    exponent = draw(st.sampled_from([-9, -5, -3, -1, 0, 0, 0, 1, 2, 3, 4, 6, 9, 12]))
    a = rng.standard_normal(shape) * 10.0 ** exponent
    if draw(st.booleans()):
        a = np.round(a)
    if dtype.kind == "f" and a.size:
        for special in draw(st.lists(st.sampled_from([0.0, np.nan, np.inf, -np.inf]), max_size=3)):
            a.flat[rng.integers(a.size)] = special
    if dtype.kind == "b":
        return a > 0
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.nan_to_num(a), info.min, info.max).astype(dtype)
    with np.errstate(over="ignore"):
        return a.astype(dtype)


@given(recipes())
def test_small_tensors_match_torch(a):
    _same(_ours(a), _theirs(a))


_BIG_SHAPES = [(1001,), (5000,), (40, 30), (3, 400), (400, 3), (11, 10, 10), (7, 7, 7, 7), (2, 1000), (1000, 2, 1)]


@settings(max_examples=25)
@given(st.sampled_from(_BIG_SHAPES), st.sampled_from(DTYPES), st.integers(0, 2**32 - 1),
       st.sampled_from([-6, 0, 2, 9]))
def test_summarized_tensors_match_torch(shape, dtype, seed, exponent):
    a = np.random.default_rng(seed).standard_normal(shape) * 10.0 ** exponent
    if dtype is np.bool_:
        a = a > 0
    elif np.dtype(dtype).kind in "iu":
        a = np.clip(a, np.iinfo(dtype).min, np.iinfo(dtype).max).astype(dtype)
    else:
        with np.errstate(over="ignore"):  # float16 overflows to inf, which is a case to print too
            a = a.astype(dtype)
    _same(_ours(a), _theirs(a))


@settings(max_examples=30)
@given(recipes(max_side=12, max_dims=3), st.integers(1, 8), st.sampled_from([0, 1, 2, 3, 5, 30, 1000]),
       st.integers(0, 4), st.sampled_from([20, 40, 80, 120]), st.sampled_from([None, True, False]))
def test_printoptions_match_torch(a, precision, threshold, edgeitems, linewidth, sci_mode):
    opts = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth, sci_mode=sci_mode)
    torch.set_printoptions(**opts)
    minigrad.set_printoptions(**opts)
    _same(_ours(a), _theirs(a))


@settings(max_examples=20)
@given(recipes(max_side=30, max_dims=2).filter(lambda a: a.dtype.kind == "f" and a.dtype != np.float16))
def test_requires_grad_and_grad_fn_suffixes_match_torch(a):
    _same(_ours(a, True), _theirs(a, True))
    ours = minigrad.tensor(a, requires_grad=True) * 2
    theirs = torch.tensor(a, requires_grad=True) * 2
    _same(repr(ours), repr(theirs).replace("torch.", "minigrad."))


EDGE_CASES = [
    [[1.0, 2.0], [3.0, 4.0]], 3.0, 3, True, -0.0, float("nan"), float("inf"), [], [[]], [[], []],
    [1e5, 1.5], [1e-5, 1.0], [1e8, 1.0], [1e9], [123456789.0], [0.0, 0.0], [0.0, float("nan")],
    [float("nan"), float("inf"), -float("inf"), 1.0], [float("nan"), 2.5], [1.0, 10.0, float("nan")],
    [-1.5, 2.25, 1000.125], [0.1, 0.2, 0.3], [[1, -2], [300, 4]], [True, False, True], list(range(30)),
    [x / 7 for x in range(40)], [[x * 1.5 for x in range(20)] for _ in range(3)], [1e-4, 1.0], [9.9999e-5, 1.0],
    [2.0**60], [-(2.0**40), 1.0],
]


@pytest.mark.parametrize("data", EDGE_CASES, ids=repr)
def test_edge_cases_match_torch(data):
    _same(_ours(data), _theirs(data))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (1, 0, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "uint8"])
def test_empty_tensors_match_torch(shape, dtype):
    ours = repr(minigrad.zeros(shape, dtype=getattr(minigrad, dtype)))
    theirs = repr(torch.zeros(shape, dtype=getattr(torch, dtype))).replace("torch.", "minigrad.")
    assert ours == theirs


def test_documented_examples():
    assert repr(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert repr(minigrad.tensor(3.0)) == "tensor(3.)"
    assert repr(minigrad.tensor([])) == "tensor([])"
    assert repr(minigrad.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(minigrad.tensor([1e5, 1.0])) == "tensor([1.0000e+05, 1.0000e+00])"
    assert repr(minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)) == "tensor([1., 2.], dtype=minigrad.float64)"
    assert repr(minigrad.tensor([1, 2], dtype=minigrad.int32)) == "tensor([1, 2], dtype=minigrad.int32)"
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * x) == "tensor([1., 4.], grad_fn=<MulBackward0>)"
    assert str(x) == repr(x)
    assert repr(minigrad.arange(2000)).startswith("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"[:24])


def test_long_suffixes_wrap_like_torch():
    # a full 80-column row leaves no room for the suffix on its line
    a = np.arange(1, 19, dtype=np.float32) / 3
    _same(_ours(a, True), _theirs(a, True))
    assert _ours(a, True).endswith(",\n       requires_grad=True)")
    ours = minigrad.tensor(a, requires_grad=True).double() * 2
    theirs = torch.tensor(a, requires_grad=True).double() * 2
    _same(repr(ours), repr(theirs).replace("torch.", "minigrad."))


def test_grad_fn_repr_after_several_ops():
    x, tx = minigrad.ones(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
    for f in (lambda t: t + 1, lambda t: t.sum(), lambda t: t.mean(dim=0), lambda t: t.exp(), lambda t: t.t(),
              lambda t: t.reshape(3, 2), lambda t: t @ t.t()):
        _same(repr(f(x)), repr(f(tx)).replace("torch.", "minigrad."))


def test_non_contiguous_and_views_print_their_values():
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 3
    ours = minigrad.tensor(a).permute(2, 0, 1)[::2]
    theirs = torch.tensor(a).permute(2, 0, 1)[::2]
    _same(repr(ours), repr(theirs).replace("torch.", "minigrad."))


def test_set_printoptions_profiles_and_reset():
    for profile in ("short", "full", "default"):
        torch.set_printoptions(profile=profile)
        minigrad.set_printoptions(profile=profile)
        a = np.linspace(-2, 2, 1200).astype(np.float32)
        _same(_ours(a), _theirs(a))
    minigrad.set_printoptions(precision=2)
    assert minigrad.get_printoptions()["precision"] == 2
    with minigrad.printoptions(precision=6, sci_mode=True):
        assert repr(minigrad.tensor([1.5])) == "tensor([1.500000e+00])"
    assert repr(minigrad.tensor([1.5])) == "tensor([1.50])"
    with pytest.raises(ValueError, match="profile"):
        minigrad.set_printoptions(profile="tiny")
