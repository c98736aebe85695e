"""The nn layers around convolutional networks, against torch: padding modules (every mode in 1, 2 and 3 dims),
the upsampling aliases, adaptive max pooling and max unpooling in 1-D, LP pooling, local response norm, Softmax2d,
ChannelShuffle, the distance modules, the 3-D norms and dropout, and ParameterList / ParameterDict: values,
gradients (float64 and float32), second derivatives of the new Functions, reprs and torch's errors."""
import re
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
    """Both calls raise the same exception type with the same message."""
    with pytest.raises(Exception) as t:
        torch_call()
    with pytest.raises(type(t.value)) as m:
        minigrad_call()
    assert str(m.value) == str(t.value)


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
    h, w = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
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
