"""The nn layers around convolutional networks, against torch: padding modules (every mode in 1, 2 and 3 dims),
the upsampling aliases, adaptive max pooling and max unpooling in 1-D, LP pooling, local response norm, Softmax2d,
ChannelShuffle, the distance modules, the 3-D norms and dropout, and ParameterList / ParameterDict: values,
gradients (float64 and float32), second derivatives of the new Functions, reprs and torch's errors."""
import re
from collections import OrderedDict
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from gradgrad import check_gradgrad
from minigrad import nn
from parity import check_parity
from strategies import float_dtypes


def _tol(x):
    return {} if x.dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)


def _raises_like(torch_call, minigrad_call):
    """Both calls raise the same exception type with the same message (a torch.Size printed as minigrad's)."""
    with pytest.raises(Exception) as t:
        torch_call()
    with pytest.raises(type(t.value)) as m:
        minigrad_call()
    assert str(m.value) == str(t.value).replace("torch.Size", "minigrad.Size")


def _same_outcome(torch_call, minigrad_call):
    """Both calls raise alike, or both return the same values."""
    try:
        t = torch_call()
    except Exception:
        _raises_like(torch_call, minigrad_call)
        return
    np.testing.assert_array_equal(minigrad_call().numpy(), t.numpy())


def _module_pair(name, *args, **kwargs):
    return getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)


# ---- 1. padding modules -----------------------------------------------------------------------------------------
_PADS = [f"{kind}Pad{d}d" for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular") for d in (1, 2, 3)]


def _pad_args(name, padding):
    return (padding, 2.5) if name.startswith("Constant") else (padding,)


@given(st.sampled_from(_PADS), st.data())
def test_padding_modules(name, data):
    d = int(name[-2])
    dt = data.draw(float_dtypes)
    batched = data.draw(st.booleans())
    sizes = tuple(data.draw(st.integers(2, 5)) for _ in range(d))
    limit = min(sizes) - 1  # reflect needs pads below the size, circular at most the size
    padding = data.draw(st.one_of(st.integers(0, limit), st.tuples(*[st.integers(0, limit)] * (2 * d))))
    shape = ((2,) if batched else ()) + (3,) + sizes
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(shape).astype(dt)
    tm, mm = _module_pair(name, *_pad_args(name, padding))
    assert repr(mm) == repr(tm)
    assert mm.padding == tm.padding
    check_parity(tm, mm, x, **_tol(x))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_pad_3d_second_derivative(mode, dt):
    x = np.random.default_rng(1).standard_normal((2, 2, 3, 4, 5)).astype(dt)
    pad = (1, 2, 0, 2, 2, 1)
    check_gradgrad(lambda a: TF.pad(a, pad, mode), lambda a: F.pad(a, pad, mode), x, **_tol(x))
    check_gradgrad(lambda a: TF.pad(a[0], pad, mode), lambda a: F.pad(a[0], pad, mode), x, **_tol(x))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("ndim, k", [(1, 1), (2, 2), (3, 3), (4, 1), (5, 2), (6, 3), (4, 4)])
def test_pad_unsupported_ranks(mode, ndim, k):
    _raises_like(lambda: TF.pad(torch.zeros((3,) * ndim), [1] * (2 * k), mode),
                 lambda: F.pad(minigrad.zeros((3,) * ndim), [1] * (2 * k), mode))


@pytest.mark.parametrize("pad, mode", [([1, 1], "bogus"), ([1, 1, 1], "bogus"), ([1] * 10, "reflect"),
                                       ([1, 1, 1], "constant"), ([1, 1], "circular")])
def test_pad_errors(pad, mode):
    _raises_like(lambda: TF.pad(torch.zeros(2, 3, 3, 3), pad, mode, value=1.0),
                 lambda: F.pad(minigrad.zeros(2, 3, 3, 3), pad, mode, value=1.0))


def test_padding_module_errors_and_reprs():
    for name in _PADS:
        for padding in [1, (1, 2), (1, 2, 3, 4, 5, 6), (1, 2, 3)]:
            tm, mm = _module_pair(name, *_pad_args(name, padding))
            assert repr(mm) == repr(tm) and mm.padding == tm.padding
            for shape in [(2, 3, 4, 4, 4), (3, 4, 4), (4,)]:
                _same_outcome(lambda: tm(torch.ones(shape)), lambda: mm(minigrad.ones(shape)))
    for d in (1, 2, 3):
        tm, mm = _module_pair(f"CircularPad{d}d", 1)
        _raises_like(lambda: tm(torch.zeros((3,) * d)), lambda: mm(minigrad.zeros((3,) * d)))
    tm, mm = _module_pair("ReflectionPad2d", 3)
    _raises_like(lambda: tm(torch.zeros(1, 3, 3)), lambda: mm(minigrad.zeros(1, 3, 3)))
    assert "ZeroPad2d" in nn.__all__ and isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


# ---- 2. the upsampling aliases ----------------------------------------------------------------------------------
@given(st.sampled_from(["UpsamplingNearest2d", "UpsamplingBilinear2d"]), st.data())
def test_upsampling_modules(name, data):
    dt = data.draw(float_dtypes)
    h, w = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 5))  # w * 0.6 >= 1
    how = data.draw(st.one_of(
        st.builds(lambda s: dict(size=s), st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7)))),
        st.builds(lambda f: dict(scale_factor=f), st.one_of(st.sampled_from([1, 2, 3, 1.5, 2.5]),
                                                             st.tuples(st.sampled_from([1, 2, 1.7]),
                                                                       st.sampled_from([1, 3, 0.6]))))))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((2, 3, h, w)).astype(dt)
    tm, mm = _module_pair(name, **how)
    assert repr(mm) == repr(tm)
    check_parity(tm, mm, x, **_tol(x))


@pytest.mark.parametrize("name, kw", [("upsample", dict(scale_factor=2)),
                                      ("upsample", dict(size=(5, 3), mode="bilinear", align_corners=False)),
                                      ("upsample", dict(size=7, mode="linear", flat=True)),
                                      ("upsample_nearest", dict(size=(5, 3))),
                                      ("upsample_nearest", dict(scale_factor=1.5)),
                                      ("upsample_bilinear", dict(size=(5, 3))),
                                      ("upsample_bilinear", dict(scale_factor=(2, 1.5)))])
@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_upsample_functions_warn_and_agree(name, kw, dt):
    kw = dict(kw)
    shape = (2, 3, 4) if kw.pop("flat", False) else (2, 3, 4, 3)
    x = np.random.default_rng(0).standard_normal(shape).astype(dt)
    message = f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead."
    for lib, fn in ((torch, getattr(TF, name)), (minigrad, getattr(F, name))):
        with pytest.warns(UserWarning, match=re.escape(message)) as record:
            fn(lib.zeros(shape), **kw)
        assert record[0].filename == __file__  # stacklevel=2: the warning names the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_parity(lambda a: getattr(TF, name)(a, **kw), lambda a: getattr(F, name)(a, **kw), x, **_tol(x))
        check_gradgrad(lambda a: getattr(TF, name)(a, **kw), lambda a: getattr(F, name)(a, **kw), x, **_tol(x))


def test_upsampling_module_reprs_and_errors():
    for name in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        for kw in [dict(size=3), dict(size=(3, 4)), dict(scale_factor=2), dict(scale_factor=(2, 3))]:
            tm, mm = _module_pair(name, **kw)
            assert repr(mm) == repr(tm)
            assert (mm.mode, mm.align_corners) == (tm.mode, tm.align_corners)
        tm, mm = _module_pair(name)
        _raises_like(lambda: tm(torch.zeros(1, 1, 2, 2)), lambda: mm(minigrad.zeros(1, 1, 2, 2)))
        tm, mm = _module_pair(name, size=2, scale_factor=2)
        _raises_like(lambda: tm(torch.zeros(1, 1, 2, 2)), lambda: mm(minigrad.zeros(1, 1, 2, 2)))
    tm, mm = _module_pair("UpsamplingBilinear2d", size=4)
    _raises_like(lambda: tm(torch.zeros(1, 1, 2)), lambda: mm(minigrad.zeros(1, 1, 2)))


# ---- 3. adaptive max pooling and max unpooling in 1-D, the *_with_indices names, adaptive pooling's errors ------
@given(st.data())
def test_adaptive_max_pool1d(data):
    dt = data.draw(float_dtypes)
    n = data.draw(st.integers(1, 9))
    out = data.draw(st.one_of(st.integers(1, 11), st.tuples(st.integers(1, 11))))
    lead = data.draw(st.sampled_from([(2, 3), (3,), (0, 2)]))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(lead + (n,)).astype(dt)
    if data.draw(st.booleans()):  # ties: the first max wins, as in torch
        x = np.round(x)
    (_, mi), (_, ti) = check_parity(lambda a: TF.adaptive_max_pool1d(a, out, return_indices=True),
                                    lambda a: F.adaptive_max_pool1d(a, out, return_indices=True), x, **_tol(x))
    np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    check_parity(lambda a: TF.adaptive_max_pool1d(a, out), lambda a: F.adaptive_max_pool1d(a, out), x, **_tol(x))
    check_parity(lambda a: TF.adaptive_max_pool1d_with_indices(a, out),
                 lambda a: F.adaptive_max_pool1d_with_indices(a, out), x, **_tol(x))
    for ret in (False, True):
        tm, mm = _module_pair("AdaptiveMaxPool1d", out, ret)
        assert repr(mm) == repr(tm)
        check_parity(tm, mm, x, **_tol(x))


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_adaptive_max_pool1d_second_derivative(dt):
    x = np.random.default_rng(3).standard_normal((2, 3, 7)).astype(dt)
    check_gradgrad(lambda a: TF.adaptive_max_pool1d(a, 4) ** 2, lambda a: F.adaptive_max_pool1d(a, 4) ** 2, x,
                   **_tol(x))


def test_with_indices_names():
    x = np.random.default_rng(4).standard_normal((2, 3, 6, 5))
    for name, args, kw in [("max_pool1d_with_indices", (x[:, :, 0], 2), {}),
                           ("max_pool1d_with_indices", (x[:, :, 0], 3, 2, 1), dict(ceil_mode=True)),
                           ("max_pool2d_with_indices", (x, 2), {}),
                           ("max_pool2d_with_indices", (x, (3, 2), 1, 1), dict(dilation=(1, 2))),
                           ("max_pool2d_with_indices", (x, 2), dict(return_indices=False)),
                           ("adaptive_max_pool2d_with_indices", (x, (4, None)), {}),
                           ("adaptive_max_pool2d_with_indices", (x[0], 3), {})]:
        array, rest = args[0], args[1:]
        (_, mi), (_, ti) = check_parity(lambda a: getattr(TF, name)(a, *rest, **kw),
                                        lambda a: getattr(F, name)(a, *rest, **kw), array)
        np.testing.assert_array_equal(mi.numpy(), ti.numpy())


@given(st.data())
def test_max_unpool1d(data):
    dt = data.draw(float_dtypes)
    k = data.draw(st.integers(1, 4))
    s = data.draw(st.integers(1, 4))
    p = data.draw(st.integers(0, k // 2))
    n = data.draw(st.integers(k, 12))
    lead = data.draw(st.sampled_from([(2, 3), (3,)]))
    x = torch.from_numpy(np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(lead + (n,)).astype(dt))
    pooled, idx = TF.max_pool1d(x, k, s, p, return_indices=True)
    default = (pooled.shape[-1] - 1) * s + k - 2 * p
    # the input's own length always holds the indices (and lies in [default, default + stride), as torch wants)
    out = data.draw(st.sampled_from([(n,), (2, 3, n), [n]] + ([None] if default >= n else [])))
    mi = minigrad.from_numpy(idx.numpy())
    check_parity(lambda a: TF.max_unpool1d(a, idx, k, s, p, out), lambda a: F.max_unpool1d(a, mi, k, s, p, out),
                 pooled.numpy(), **_tol(x.numpy()))
    tm, mm = _module_pair("MaxUnpool1d", k, s, p)
    assert repr(mm) == repr(tm)
    check_parity(lambda a: tm(a, idx, out), lambda a: mm(a, mi, out), pooled.numpy(), **_tol(x.numpy()))
    check_gradgrad(lambda a: TF.max_unpool1d(a, idx, k, s, p, out) ** 2,
                   lambda a: F.max_unpool1d(a, mi, k, s, p, out) ** 2, pooled.numpy(), **_tol(x.numpy()))


def _pool_errors(lib):
    """Bad calls of the adaptive poolings and max unpooling; each is made in both libraries."""
    F_ = TF if lib is torch else F
    z, L = lib.zeros, lambda *s: lib.zeros(*s, dtype=lib.int64)
    return [
        lambda: F_.adaptive_max_pool1d(z(2, 3, 5), -1), lambda: F_.adaptive_max_pool1d(z(2, 3, 5), (2, 3)),
        lambda: F_.adaptive_max_pool1d(z(5), 2), lambda: F_.adaptive_max_pool1d(z(2, 3, 4, 5), 2),
        lambda: F_.adaptive_max_pool1d(z(2, 3, 0), 2), lambda: F_.adaptive_max_pool1d(z(2, 0, 4), 2),
        lambda: F_.adaptive_max_pool1d(z(3, 4), None), lambda: F_.adaptive_max_pool1d(z(3, 4), 2.5),
        lambda: F_.adaptive_max_pool1d(z(2, 0, 3), (1, 2)),
        lambda: F_.adaptive_max_pool2d(z(2, 3, 4, 5), (-1, 2)), lambda: F_.adaptive_max_pool2d(z(3, 4, 4), (-1, 2)),
        lambda: F_.adaptive_max_pool2d(z(2, 3, 4, 0), (1, 2)), lambda: F_.adaptive_max_pool2d(z(4, 5), (1, 2)),
        lambda: F_.adaptive_max_pool2d(z(4, 5), 2), lambda: F_.adaptive_max_pool2d(z(2, 0, 4, 5), (1, 2)),
        lambda: F_.adaptive_max_pool2d(z(2, 3, 4, 5), (2, 3, 4)), lambda: F_.adaptive_max_pool2d(z(2, 3, 4, 5), (2,)),
        lambda: F_.adaptive_max_pool2d(z(2, 3, 4, 5, 6), 2),
        lambda: F_.adaptive_avg_pool1d(z(2, 3, 5), -1), lambda: F_.adaptive_avg_pool1d(z(2, 3, 5), (2, 3)),
        lambda: F_.adaptive_avg_pool1d(z(5), 2), lambda: F_.adaptive_avg_pool1d(z(2, 3, 0), 2),
        lambda: F_.adaptive_avg_pool1d(z(3, 0), 2), lambda: F_.adaptive_avg_pool1d(z(2, 3, 4), None),
        lambda: F_.adaptive_avg_pool1d(z(2, 0, 3), -2),
        lambda: F_.adaptive_avg_pool2d(z(2, 3, 4, 5), (-1, 2)), lambda: F_.adaptive_avg_pool2d(z(2, 3, 4, 5), -2),
        lambda: F_.adaptive_avg_pool2d(z(2, 3, 4, 5), (1, 2, 3)), lambda: F_.adaptive_avg_pool2d(z(2, 3, 4, 0), 2),
        lambda: F_.adaptive_avg_pool2d(z(3, 0, 4), 2), lambda: F_.adaptive_avg_pool2d(z(4, 4), (1, 2)),
        lambda: F_.adaptive_avg_pool2d(z(4, 4), 2), lambda: F_.adaptive_avg_pool2d(z(2, 0, 4, 4, 4), (1, 2)),
        lambda: F_.adaptive_avg_pool2d(z(4), 1),
        lambda: F_.max_unpool1d(z(4), L(4), 2), lambda: F_.max_unpool1d(z(2, 3, 4), z(2, 3, 4), 2),
        lambda: F_.max_unpool1d(z(2, 3, 4), L(2, 3, 3), 2), lambda: F_.max_unpool1d(z(2, 3, 4), L(2, 3, 4) + 8, 2),
        lambda: F_.max_unpool1d(z(2, 3, 4), L(2, 3, 4) - 1, 2),
        lambda: F_.max_unpool1d(z(2, 3, 4), L(2, 3, 4), 2, output_size=(10,)),
        lambda: F_.max_unpool1d(z(2, 3, 4), L(2, 3, 4), 2, output_size=(9, 9)),
        lambda: F_.max_unpool1d(z(2, 3, 1), L(2, 3, 1), 1, 1, 1), lambda: F_.max_unpool1d(z(2, 0, 4), L(2, 0, 4), 2),
        lambda: F_.max_unpool2d(z(2, 2), L(2, 2), 2), lambda: F_.max_unpool2d(z(2, 0, 2, 2), L(2, 0, 2, 2), 2),
        lambda: F_.max_unpool2d(z(2, 3, 2, 2), L(2, 3, 2, 2), 2, output_size=(6, 5)),
        lambda: F_.max_unpool2d(z(2, 3, 2, 2), L(2, 3, 2, 2), 2, output_size=(5,)),
        lambda: F_.max_unpool2d(z(2, 3, 2, 2), L(2, 3, 2, 2).to(lib.int32), 2),
    ]


@pytest.mark.parametrize("i", range(len(_pool_errors(torch))))
def test_pool_errors(i):
    _raises_like(_pool_errors(torch)[i], _pool_errors(minigrad)[i])


@pytest.mark.parametrize("call", [
    lambda F_, z: F_.adaptive_max_pool1d(z(2, 3, 5), 0), lambda F_, z: F_.adaptive_max_pool1d(z(0, 4), 2),
    lambda F_, z: F_.adaptive_max_pool2d(z(2, 3, 4, 5), (0, 2)), lambda F_, z: F_.adaptive_max_pool2d(z(0, 4, 5), 2),
    lambda F_, z: F_.adaptive_avg_pool1d(z(2, 3, 5), 0), lambda F_, z: F_.adaptive_avg_pool1d(z(2, 0, 3), 2),
    lambda F_, z: F_.adaptive_avg_pool2d(z(2, 3, 4, 5), 0), lambda F_, z: F_.adaptive_avg_pool2d(z(2, 0, 4, 4), 2),
    lambda F_, z: F_.max_unpool2d(z(2, 3, 2, 2), z(2, 3, 2, 2).long(), 2, 2, 2),
    # output (1, 1): torch's shortcut, a mean over (H, W), takes any rank and empty planes (nan)
    lambda F_, z: F_.adaptive_avg_pool2d(z(4, 4), 1), lambda F_, z: F_.adaptive_avg_pool2d(z(2, 3, 2, 4, 4), 1),
    lambda F_, z: F_.adaptive_avg_pool2d(z(2, 3, 0, 4), 1), lambda F_, z: F_.adaptive_avg_pool1d(z(2, 3, 0), 1),
])
def test_pool_empty_results(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's "mean of empty slice"
        t, m = call(TF, torch.zeros), call(F, minigrad.zeros)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


# ---- 4. LP pooling, local response norm, Softmax2d, ChannelShuffle, the distance modules ------------------------
@given(st.sampled_from([1, 2, 3, 1.5, 4.0, float("inf"), -float("inf")]), st.booleans(), st.data())
def test_lp_pool(norm_type, two_d, data):
    dt = data.draw(float_dtypes)
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(2 if two_d else 1))
    sizes = tuple(kk + data.draw(st.integers(0, 4)) for kk in k)
    stride = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    ceil_mode = data.draw(st.booleans())
    lead = data.draw(st.sampled_from([(2, 3), (3,)]))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    x = rng.standard_normal(lead + sizes).astype(dt)
    if norm_type != int(norm_type) if np.isfinite(norm_type) else False:
        x = np.abs(x) + 0.1  # a fractional power of a negative number is nan in both libraries
    kernel = k if two_d else k[0]
    fn = "lp_pool2d" if two_d else "lp_pool1d"
    args = (norm_type, kernel, stride, ceil_mode)
    tol = dict(rtol=1e-9, atol=1e-9) if dt == np.float64 else dict(rtol=1e-4, atol=1e-5)
    with np.errstate(invalid="ignore", divide="ignore"):  # an odd p: a negative window sum's root is nan in both
        check_parity(lambda a: getattr(TF, fn)(a, *args), lambda a: getattr(F, fn)(a, *args), x, **tol)
        tm, mm = _module_pair("LPPool2d" if two_d else "LPPool1d", *args)
        assert repr(mm) == repr(tm)
        check_parity(tm, mm, x, **tol)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("norm_type", [2, 3, 1.5])
def test_lp_pool_second_derivative(dt, norm_type):
    x = (np.abs(np.random.default_rng(5).standard_normal((2, 2, 5, 4))) + 0.2).astype(dt)
    tol = {} if dt == np.float64 else dict(rtol=1e-4, atol=1e-5)
    check_gradgrad(lambda a: TF.lp_pool2d(a, norm_type, 2, 1), lambda a: F.lp_pool2d(a, norm_type, 2, 1), x, **tol)
    check_gradgrad(lambda a: TF.lp_pool1d(a[0], norm_type, 3), lambda a: F.lp_pool1d(a[0], norm_type, 3), x, **tol)


@given(st.data())
def test_local_response_norm(data):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(2, 5, 3), (2, 6, 3, 4), (1, 4, 2, 3, 2), (3, 1, 4)]))
    size = data.draw(st.integers(1, 8))
    alpha, beta, k = data.draw(st.sampled_from([(1e-4, 0.75, 1.0), (0.5, 2.0, 0.5), (1.0, 0.5, 2.0)]))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(shape).astype(dt)
    check_parity(lambda a: TF.local_response_norm(a, size, alpha, beta, k),
                 lambda a: F.local_response_norm(a, size, alpha, beta, k), x, **_tol(x))
    tm, mm = _module_pair("LocalResponseNorm", size, alpha, beta, k)
    assert repr(mm) == repr(tm)
    check_parity(tm, mm, x, **_tol(x))


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_local_response_norm_second_derivative(dt):
    x = np.random.default_rng(6).standard_normal((2, 5, 3, 2)).astype(dt)
    check_gradgrad(lambda a: TF.local_response_norm(a, 3, 0.5, 0.75, 1.0),
                   lambda a: F.local_response_norm(a, 3, 0.5, 0.75, 1.0), x, **_tol(x))
    check_gradgrad(lambda a: TF.local_response_norm(a[0], 2), lambda a: F.local_response_norm(a[0], 2), x, **_tol(x))


@given(st.data())
def test_channel_shuffle(data):
    dt = data.draw(float_dtypes)
    groups = data.draw(st.integers(1, 4))
    c = groups * data.draw(st.integers(1, 3))
    shape = (data.draw(st.integers(0, 2)), c) + tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal(shape).astype(dt)
    check_parity(lambda a: TF.channel_shuffle(a, groups), lambda a: F.channel_shuffle(a, groups), x)
    tm, mm = _module_pair("ChannelShuffle", groups)
    assert repr(mm) == repr(tm)
    check_parity(tm, mm, x)


@pytest.mark.parametrize("shape", [(2, 4, 3, 5), (4, 3, 2), (1, 1, 1, 1)])
@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_softmax2d(shape, dt):
    x = np.random.default_rng(7).standard_normal(shape).astype(dt)
    tm, mm = _module_pair("Softmax2d")
    assert repr(mm) == repr(tm)
    check_parity(tm, mm, x, **_tol(x))
    check_gradgrad(tm, mm, x, **_tol(x))


@given(st.data())
def test_distance_modules(data):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(4, 5), (5,), (2, 3, 4)]))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    a, b = rng.standard_normal(shape).astype(dt), rng.standard_normal(shape).astype(dt)
    p = data.draw(st.sampled_from([1.0, 2.0, 3.0, float("inf")]))
    kw = dict(p=p, eps=data.draw(st.sampled_from([1e-6, 0.1])), keepdim=data.draw(st.booleans()))
    tm, mm = _module_pair("PairwiseDistance", **kw)
    assert repr(mm) == repr(tm) and (mm.norm, mm.eps, mm.keepdim) == (tm.norm, tm.eps, tm.keepdim)
    check_parity(tm, mm, a, b, **_tol(a))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    tm, mm = _module_pair("CosineSimilarity", dim=dim, eps=data.draw(st.sampled_from([1e-8, 0.5])))
    assert repr(mm) == repr(tm) and (mm.dim, mm.eps) == (tm.dim, tm.eps)
    check_parity(tm, mm, a, b, **_tol(a))


def _layer_errors(lib):
    F_, nn_, z = (TF, torch.nn, torch.zeros) if lib is torch else (F, nn, minigrad.zeros)
    return [
        lambda: F_.channel_shuffle(z(2, 6, 3), 4), lambda: F_.channel_shuffle(z(2, 6, 3), 0),
        lambda: F_.channel_shuffle(z(2, 6, 3), -2), lambda: F_.channel_shuffle(z(6), 2),
        lambda: F_.channel_shuffle(z(2, 6), 2), lambda: F_.channel_shuffle(z(2, 6, 3), 2.0),
        lambda: nn_.ChannelShuffle(4)(z(2, 6, 3)),
        lambda: F_.local_response_norm(z(2, 6), 2), lambda: F_.local_response_norm(z(2, 6, 3), 0),
        lambda: F_.local_response_norm(z(2, 6, 3), -1), lambda: F_.local_response_norm(z(2, 6, 3, 3), 0),
        lambda: F_.local_response_norm(z(2, 6, 3, 3), -2), lambda: F_.local_response_norm(z(2, 6, 3), 2.5),
        lambda: F_.local_response_norm(z(2, 6, 3, 4), 2.5),
        lambda: F_.lp_pool1d(z(2, 3, 4), 0, 2), lambda: F_.lp_pool2d(z(2, 3, 4, 4), 0, 2),
        lambda: F_.lp_pool1d(z(2, 3, 4), 2, 5), lambda: F_.lp_pool2d(z(2, 3, 4), 2, 5),
        lambda: nn_.LPPool1d(0, 2), lambda: nn_.LPPool2d(0.0, 2),
        lambda: nn_.Softmax2d()(z(3, 4)), lambda: nn_.Softmax2d()(z(2, 3, 4, 5, 6)),
    ]


@pytest.mark.parametrize("i", range(len(_layer_errors(torch))))
def test_layer_errors(i):
    _raises_like(_layer_errors(torch)[i], _layer_errors(minigrad)[i])


def test_local_response_norm_empty_is_the_input():
    for lib, F_ in ((torch, TF), (minigrad, F)):
        x = lib.zeros(0, 6, 3)
        assert F_.local_response_norm(x, 2) is x


# ---- 5. BatchNorm3d, InstanceNorm3d, Dropout3d -------------------------------------------------------------------
def _copy_state(t, m):
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})


@given(st.data())
def test_batch_norm3d(data):
    dt = data.draw(float_dtypes)
    kw = data.draw(st.sampled_from([{}, dict(affine=False), dict(momentum=None), dict(track_running_stats=False),
                                    dict(bias=False), dict(eps=1e-3, momentum=0.3)]))
    shape = (data.draw(st.integers(2, 3)), 3) + tuple(data.draw(st.integers(1, 3)) for _ in range(3))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    t, m = torch.nn.BatchNorm3d(3, dtype=getattr(torch, np.dtype(dt).name), **kw), nn.BatchNorm3d(
        3, dtype=getattr(minigrad, np.dtype(dt).name), **kw)
    if t.weight is not None:
        with torch.no_grad():
            t.weight.uniform_(0.5, 1.5)
    _copy_state(t, m)
    assert repr(m) == repr(t) and list(m.state_dict()) == list(t.state_dict())
    tol = _tol(np.zeros(1, dt)) if dt == np.float64 else dict(rtol=1e-4, atol=1e-5)
    for _ in range(2):  # two training steps: the running statistics move alike
        x = rng.standard_normal(shape).astype(dt)
        check_parity(t, m, x, **tol)
    for a, b in zip(m.state_dict().values(), t.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)
    t.eval(), m.eval()
    check_parity(t, m, rng.standard_normal(shape).astype(dt), **tol)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_batch_norm3d_second_derivative(dt):
    x = np.random.default_rng(8).standard_normal((2, 3, 2, 3, 2)).astype(dt)
    t, m = torch.nn.BatchNorm3d(3).to(getattr(torch, np.dtype(dt).name)), nn.BatchNorm3d(3).to(
        getattr(minigrad, np.dtype(dt).name))
    check_gradgrad(t, m, x, rtol=1e-7 if dt == np.float64 else 1e-3, atol=1e-8 if dt == np.float64 else 1e-4)


@given(st.data())
def test_instance_norm3d(data):
    dt = data.draw(float_dtypes)
    kw = data.draw(st.sampled_from([{}, dict(affine=True), dict(track_running_stats=True),
                                    dict(affine=True, track_running_stats=True, momentum=0.5)]))
    batched = data.draw(st.booleans())
    shape = ((2,) if batched else ()) + (3,) + tuple(data.draw(st.integers(1, 3)) for _ in range(2)) + (2,)
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    t, m = torch.nn.InstanceNorm3d(3, **kw).to(getattr(torch, np.dtype(dt).name)), nn.InstanceNorm3d(3, **kw).to(
        getattr(minigrad, np.dtype(dt).name))
    assert repr(m) == repr(t) and list(m.state_dict()) == list(t.state_dict())
    tol = _tol(np.zeros(1, dt)) if dt == np.float64 else dict(rtol=1e-4, atol=1e-5)
    x = rng.standard_normal(shape).astype(dt)
    check_parity(t, m, x, **tol)
    for a, b in zip(m.state_dict().values(), t.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **tol)
    t.eval(), m.eval()
    check_parity(t, m, x, **tol)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_instance_norm3d_second_derivative(dt):
    x = np.random.default_rng(9).standard_normal((2, 3, 2, 3, 2)).astype(dt)
    t, m = torch.nn.InstanceNorm3d(3).to(getattr(torch, np.dtype(dt).name)), nn.InstanceNorm3d(3).to(
        getattr(minigrad, np.dtype(dt).name))
    check_gradgrad(t, m, x, rtol=1e-7 if dt == np.float64 else 1e-3, atol=1e-8 if dt == np.float64 else 1e-4)


@pytest.mark.parametrize("shape", [(4, 6, 2, 3, 2), (6, 2, 3, 2)])
@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_dropout3d_channels(shape, dt):
    m = nn.Dropout3d(0.5)
    assert repr(m) == repr(torch.nn.Dropout3d(0.5))
    assert repr(nn.Dropout3d(0.2, True)) == repr(torch.nn.Dropout3d(0.2, True))
    minigrad.manual_seed(0)
    x = minigrad.tensor(np.ones(shape, dt), requires_grad=True)
    y = m(x)
    assert y.dtype == x.dtype
    y.sum().backward()
    # each (sample, channel) volume is all 0 or all 2, and the gradient is the same mask
    lead = 2 if len(shape) == 5 else 1
    vols = y.detach().numpy().reshape(int(np.prod(shape[:lead])), -1)
    assert set(np.unique(vols)) <= {0.0, 2.0} and (vols.min(1) == vols.max(1)).all()
    assert 0 < (vols[:, 0] == 0).sum() < len(vols)
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    m.eval()
    assert m(x) is x
    assert F.dropout3d(x, 0.5, training=False) is x and F.dropout3d(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout3d(x, 1.0).detach().numpy(), np.zeros(shape, dt))


def test_dropout3d_inplace_and_warnings():
    minigrad.manual_seed(1)
    x = minigrad.ones(3, 4, 2, 2, 2)
    y = F.dropout3d(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    for shape in [(4, 5, 6), (2, 3, 4, 5, 6, 7)]:
        for lib, F_ in ((torch, TF), (minigrad, F)):
            with pytest.warns(UserWarning, match=f"dropout3d: Received a {len(shape)}-D input to dropout3d") as w:
                out = F_.dropout3d(lib.ones(shape), 0.5)
            assert w[0].filename == __file__ and tuple(out.shape) == shape
            # anything but 5-D is unbatched: one draw per entry of the first dim
            rows = out.numpy().reshape(shape[0], -1)
            assert (rows.min(1) == rows.max(1)).all()
    _raises_like(lambda: TF.dropout3d(torch.ones(2, 3, 2, 2, 2), 1.5),
                 lambda: F.dropout3d(minigrad.ones(2, 3, 2, 2, 2), 1.5))
    _raises_like(lambda: torch.nn.Dropout3d(-0.1), lambda: nn.Dropout3d(-0.1))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.BatchNorm3d(3)(lib.zeros(2, 3, 4, 4)),
    lambda lib: lib.nn.BatchNorm3d(3)(lib.zeros(3, 4, 4, 4)),
    lambda lib: lib.nn.BatchNorm3d(3)(lib.zeros(1, 3, 1, 1, 1)),
    lambda lib: lib.nn.BatchNorm3d(4)(lib.zeros(2, 3, 2, 2, 2)),
    lambda lib: lib.nn.InstanceNorm3d(3)(lib.zeros(2, 3, 4)),
    lambda lib: lib.nn.InstanceNorm3d(3)(lib.zeros(2, 3, 1, 1, 1)),
])
def test_norm3d_errors(make):
    _raises_like(lambda: make(torch), lambda: make(minigrad))


# ---- 6. ParameterList and ParameterDict --------------------------------------------------------------------------
def _repr_as_minigrad(text):
    return text.replace("torch.float", "minigrad.float")  # ParameterList prints dtypes (ParameterDict type names)


def _build_lists(lib):
    nn_ = torch.nn if lib is torch else nn
    a = nn_.Parameter(lib.zeros(3, 4))
    pl = nn_.ParameterList([a, lib.ones(2)])  # a plain tensor becomes a Parameter
    pl.append(lib.zeros(5, dtype=lib.float64))
    pl.extend([nn_.Parameter(lib.ones(1, 2, 3)), "not a tensor"])
    pl += [lib.zeros(0)]

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.weights = pl
            self.table = nn_.ParameterDict({"b": lib.zeros(2), "a": nn_.Parameter(lib.ones(3))})
            self.table["c"] = lib.zeros(1, 1, dtype=lib.float64)
            self.table.update([("z", lib.ones(4)), ("y", lib.ones(2, 2))])
            self.table.update(OrderedDict([("q", lib.ones(1)), ("p", lib.ones(1))]))

    return Net()


def test_parameter_containers_register_like_torch():
    t, m = _build_lists(torch), _build_lists(minigrad)
    assert repr(m) == _repr_as_minigrad(repr(t))
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    for (_, a), (_, b) in zip(m.named_parameters(), t.named_parameters()):
        assert tuple(a.shape) == tuple(b.shape) and a.requires_grad == b.requires_grad
        assert isinstance(a, nn.Parameter)
    tl, ml = t.weights, m.weights
    assert len(ml) == len(tl) == 6
    assert [type(p).__name__ for p in ml] == [type(p).__name__ for p in tl]
    assert ml[-1] is ml[5] and ml[4] == "not a tensor"
    assert repr(ml[1:4]) == _repr_as_minigrad(repr(tl[1:4])) and len(ml[::2]) == len(tl[::2])
    ml[0] = minigrad.ones(7)
    tl[0] = torch.ones(7)
    assert repr(ml) == _repr_as_minigrad(repr(tl))
    td, md = t.table, m.table
    assert list(md) == list(td) and list(md.keys()) == list(td.keys()) and list(reversed(md)) == list(reversed(td))
    assert [k for k, _ in md.items()] == [k for k, _ in td.items()] and len(list(md.values())) == len(td)
    assert ("a" in md) and ("nope" not in md) and md.get("nope", 3) == 3 and md.get("a") is md["a"]
    assert md.pop("b").shape == (2,) and td.pop("b").shape == (2,)
    (mk, mv), (tk, tv) = md.popitem(), td.popitem()
    assert mk == tk and tuple(mv.shape) == tuple(tv.shape)
    assert md.setdefault("n", minigrad.zeros(2)) is md["n"]
    td.setdefault("n", torch.zeros(2))
    del md["a"], td["a"]
    assert list(md) == list(td) and list(m.state_dict()) == list(t.state_dict())
    assert repr(md.copy()) == repr(td.copy()) and list(md | md.copy()) == list(td | td.copy())
    assert list(md.fromkeys(["u", "v"], minigrad.zeros(1))) == ["u", "v"]
    md |= nn.ParameterDict({"w": minigrad.zeros(1)})
    td |= torch.nn.ParameterDict({"w": torch.zeros(1)})
    assert repr(md) == repr(td)
    md.clear(), td.clear()
    assert len(md) == len(td) == 0 and repr(md) == repr(td) == "ParameterDict()"
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList()) == "ParameterList()"


def test_parameter_containers_train_and_move():
    pl = nn.ParameterList([minigrad.ones(3), minigrad.ones(3)])
    (pl[0] * pl[1] * 2).sum().backward()
    np.testing.assert_array_equal(pl[0].grad.numpy(), np.full(3, 2.0, np.float32))
    pd = nn.ParameterDict({"w": minigrad.ones(2)}).double()
    assert pd["w"].dtype == minigrad.float64 and isinstance(pd["w"], nn.Parameter)
    assert "0" not in dir(pl) and "append" in dir(pl)
    sd = {"0": minigrad.full((3,), 5.0), "1": minigrad.zeros(3)}
    pl.load_state_dict(sd)
    np.testing.assert_array_equal(pl[0].detach().numpy(), np.full(3, 5.0, np.float32))


def _container_errors(lib):
    nn_ = torch.nn if lib is torch else nn
    return [
        lambda: nn_.ParameterList([lib.ones(1)])[1], lambda: nn_.ParameterList([lib.ones(1)])[-2],
        lambda: nn_.ParameterList().extend(lib.ones(2)), lambda: nn_.ParameterList().extend(3),
        lambda: nn_.ParameterList()(lib.ones(1)), lambda: nn_.ParameterDict()(lib.ones(1)),
        lambda: nn_.ParameterDict()[1], lambda: nn_.ParameterDict()["x"], lambda: nn_.ParameterDict().popitem(),
        lambda: nn_.ParameterDict().update(3), lambda: nn_.ParameterDict().update([3]),
        lambda: nn_.ParameterDict().update([("a", lib.ones(1), 1)]), lambda: nn_.ParameterDict().pop("x"),
        lambda: nn_.ParameterDict().__setitem__(2, lib.ones(1)),
    ]


@pytest.mark.parametrize("i", range(len(_container_errors(torch))))
def test_container_errors(i):
    _raises_like(_container_errors(torch)[i], _container_errors(minigrad)[i])


def test_top_level_names_as_torch():
    """torch.adaptive_max_pool1d and torch.max_pool1d_with_indices return (values, indices); torch.channel_shuffle."""
    x = np.random.default_rng(3).standard_normal((2, 4, 7)).astype(np.float32)
    for name, args in (("adaptive_max_pool1d", (3,)), ("max_pool1d_with_indices", (2,))):
        (tv, ti), (mv, mi) = getattr(torch, name)(torch.from_numpy(x), *args), getattr(minigrad, name)(
            minigrad.from_numpy(x), *args)
        np.testing.assert_array_equal(mv.numpy(), tv.numpy())
        np.testing.assert_array_equal(mi.numpy(), ti.numpy())
    y = x.reshape(2, 4, 7, 1)
    np.testing.assert_array_equal(minigrad.channel_shuffle(minigrad.from_numpy(y), 2).numpy(),
                                  torch.channel_shuffle(torch.from_numpy(y), 2).numpy())
