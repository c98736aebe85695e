"""Pooling against torch: max, average and adaptive average pooling (2-D and 1-D) over generated shapes, kernels,
strides, paddings, dilations, ceil_mode, count_include_pad and divisor_override: values, indices, gradients (float64
and float32), second derivatives, the modules' reprs and torch's errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from parity import check_parity
from strategies import float_dtypes


@st.composite
def pool_case(draw, dims=2, dilated=True):
    dt = draw(float_dtypes)
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) if dilated else 1 for _ in range(dims))
    padding = tuple(draw(st.integers(0, k // 2))
                    for k, d in zip(kernel, dilation))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    # at least the dilated kernel: then every window holds an input element (a window of padding only is a corner
    # where torch's index is the first in-bounds start, a position outside the window)
    sizes = tuple(d * (k - 1) + 1 + draw(st.integers(0, 5)) for k, d in zip(kernel, dilation))
    lead = draw(st.sampled_from([(1, 1), (2, 3), (3,)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal(lead + sizes).astype(dt)
    form = draw(st.sampled_from(["tuple", "int", "none"]))
    stride_arg = None if form == "none" else (stride if form == "tuple" else stride[0])
    return x, dict(kernel_size=kernel, stride=stride_arg, padding=padding, ceil_mode=draw(st.booleans())), dilation


def _tol(x):
    return {} if x.dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)


@given(pool_case(2))
def test_max_pool2d(case):
    x, kw, dilation = case
    kw = dict(kw, dilation=dilation)
    check_parity(lambda a: TF.max_pool2d(a, **kw), lambda a: F.max_pool2d(a, **kw), x, **_tol(x))
    (_, mi), (_, ti) = check_parity(lambda a: TF.max_pool2d(a, return_indices=True, **kw),
                                    lambda a: F.max_pool2d(a, return_indices=True, **kw), x, **_tol(x))


@given(pool_case(1))
def test_max_pool1d(case):
    x, kw, dilation = case
    kw = dict(kw, dilation=dilation)
    check_parity(lambda a: TF.max_pool1d(a, return_indices=True, **kw),
                 lambda a: F.max_pool1d(a, return_indices=True, **kw), x, **_tol(x))


@given(pool_case(2, dilated=False), st.booleans(), st.sampled_from([None, 1, 3]))
def test_avg_pool2d(case, count_include_pad, divisor_override):
    x, kw, _ = case
    kw = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    check_parity(lambda a: TF.avg_pool2d(a, **kw), lambda a: F.avg_pool2d(a, **kw), x, **_tol(x))


@given(pool_case(1, dilated=False), st.booleans())
def test_avg_pool1d(case, count_include_pad):
    x, kw, _ = case
    kw = dict(kw, count_include_pad=count_include_pad)
    check_parity(lambda a: TF.avg_pool1d(a, **kw), lambda a: F.avg_pool1d(a, **kw), x, **_tol(x))


@given(st.data())
def test_adaptive_avg_pool(data):
    dt = data.draw(float_dtypes)
    h, w = data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))
    out = data.draw(st.one_of(st.integers(1, 5), st.tuples(st.integers(1, 5), st.one_of(st.none(), st.integers(1, 5)))))
    lead = data.draw(st.sampled_from([(2, 3), (1,)]))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(lead + (h, w)).astype(dt)
    check_parity(lambda a: TF.adaptive_avg_pool2d(a, out), lambda a: F.adaptive_avg_pool2d(a, out), x, **_tol(x))
    o1 = out if isinstance(out, int) else out[0]
    check_parity(lambda a: TF.adaptive_avg_pool1d(a[..., 0, :], o1), lambda a: F.adaptive_avg_pool1d(a[..., 0, :], o1),
                 x, **_tol(x))


def _gradgrad(lib, fn, x, v, u):
    t = lib.from_numpy(x.copy()).requires_grad_(True)
    z = fn(lib, t)
    (g,) = (torch if lib is torch else minigrad).autograd.grad((z * lib.from_numpy(v)).sum() + (z ** 2).sum(), [t],
                                                               create_graph=True)
    (gg,) = (torch if lib is torch else minigrad).autograd.grad((g * lib.from_numpy(u)).sum(), [t])
    return g.detach().numpy(), gg.numpy()


@pytest.mark.parametrize("name, fn", [
    ("max", lambda lib, t: lib.nn.functional.max_pool2d(t, 3, 2, 1, ceil_mode=True)),
    ("avg", lambda lib, t: lib.nn.functional.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False)),
    ("adaptive", lambda lib, t: lib.nn.functional.adaptive_avg_pool2d(t, (3, 2))),
])
def test_double_backward(name, fn):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 6))
    v = rng.standard_normal(fn(torch, torch.from_numpy(x)).shape)
    u = rng.standard_normal(x.shape)
    for ours, theirs in zip(_gradgrad(minigrad, fn, x, v, u), _gradgrad(torch, fn, x, v, u)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_modules_and_reprs():
    x = np.random.default_rng(6).standard_normal((2, 3, 8, 8)).astype(np.float32)
    cases = [("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 2, 1), dict(ceil_mode=True)), ("AvgPool2d", (2,), {}),
             ("AvgPool2d", (3, 2, 1, True, False, 2), {}), ("AdaptiveAvgPool2d", ((7, 7),), {}),
             ("AdaptiveAvgPool2d", (1,), {}), ("MaxPool1d", (2,), {}), ("AvgPool1d", (3, 2), {}),
             ("AdaptiveAvgPool1d", (3,), {})]
    for name, args, kw in cases:
        t, m = getattr(torch.nn, name)(*args, **kw), getattr(nn, name)(*args, **kw)
        assert repr(m) == repr(t)
        a = x[:, :, 0] if name.endswith("1d") else x
        check_parity(t, m, a)
    t, m = torch.nn.MaxPool2d(3, 2, 1, return_indices=True), nn.MaxPool2d(3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(m(minigrad.from_numpy(x))[1].numpy(), t(torch.from_numpy(x))[1].numpy())


def test_unbatched_and_ties():
    x = np.zeros((3, 5, 5))  # every window a tie: the gradient goes to the first element of each, as torch's
    check_parity(lambda a: TF.max_pool2d(a, 2, 1), lambda a: F.max_pool2d(a, 2, 1), x)
    check_parity(lambda a: TF.avg_pool2d(a, 3, 2, 1), lambda a: F.avg_pool2d(a, 3, 2, 1), x + 1)
    y = np.random.default_rng(12).standard_normal((1, 2, 6, 6))
    y[0, 0, 1, 1] = y[0, 1, 2, 3] = y[0, 1, 3, 3] = np.nan  # NaN wins its window (the last NaN, as torch's loop)
    check_parity(lambda a: TF.max_pool2d(a, 3, 2, 1, return_indices=True),
                 lambda a: F.max_pool2d(a, 3, 2, 1, return_indices=True), y, grad=False)


def _same_error(fn_torch, fn_ours):
    with pytest.raises(Exception) as te:
        fn_torch()
    with pytest.raises(Exception) as me:
        fn_ours()
    assert type(me.value) is type(te.value)
    assert str(me.value) == str(te.value)


@pytest.mark.parametrize("name, shape, args, kw", [
    ("max_pool2d", (2, 3, 8, 8), (3,), dict(padding=2)),
    ("max_pool2d", (2, 3, 9, 9), (3,), dict(padding=2, dilation=2)),
    ("max_pool1d", (2, 3, 9), (3,), dict(padding=2, dilation=2)),
    ("max_pool2d", (2, 3), (3,), {}),
    ("max_pool2d", (2, 3, 2, 2), (3,), {}),
    ("avg_pool2d", (2, 3, 8, 8), (3,), dict(padding=2)),
    ("avg_pool2d", (2, 3, 2, 2), (3,), {}),
    ("adaptive_avg_pool2d", (3,), (3,), {}),
])
def test_errors(name, shape, args, kw):
    x = np.zeros(shape, np.float32)
    _same_error(lambda: getattr(TF, name)(torch.from_numpy(x), *args, **kw),
                lambda: getattr(F, name)(minigrad.from_numpy(x), *args, **kw))


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 3, 2, 1, dilation=1, ceil_mode=True),
    lambda x: F.max_pool2d(x, 2, 1, dilation=2),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (2, 4)),
])
def test_finite_differences_first_and_second_order(fn):
    """Independent of torch: central differences of the output and of the create_graph gradient."""
    x = minigrad.from_numpy(np.random.default_rng(14).standard_normal((2, 2, 6, 7))).requires_grad_(True)
    assert minigrad.autograd.gradcheck(fn, (x,))
    assert minigrad.autograd.gradcheck(
        lambda x: minigrad.autograd.grad((fn(x) ** 2).sum(), [x], create_graph=True)[0], (x,))
