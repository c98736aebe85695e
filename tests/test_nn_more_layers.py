"""Issue 12 leftovers against torch: rms_norm, instance_norm, dropout1d, pixel_shuffle/unshuffle and interpolate
(every mode: nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area on 3-, 4- and 5-D input;
antialiased bilinear, bicubic and lanczos) — values and gradients in float64 and float32 (interpolate over
generated shapes, sizes, scales, align_corners, recompute_scale_factor and antialias), the cases where torch's own
forward and backward disagree, second derivatives of rms_norm and of interpolation, the modules' reprs and
state_dict keys, running statistics of InstanceNorm, torch's errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

DTYPES = [np.float64, np.float32]


def _tol(dt):
    return dict(rtol=1e-10, atol=1e-12) if dt == np.float64 else dict(rtol=1e-5, atol=1e-5)


def _pair(arr):
    return minigrad.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


def _check(mfn, tfn, arrays, dt, seed=0):
    """mfn(*minigrad) vs tfn(*torch): values, then the gradients of sum(out * g) for a fixed random g."""
    arrays = [a.astype(dt) for a in arrays]
    ms, ts = zip(*(_pair(a) for a in arrays))
    mo, to = mfn(*ms), tfn(*ts)
    np.testing.assert_allclose(mo.data, to.detach().numpy(), **_tol(dt))
    g = np.random.default_rng(seed).standard_normal(to.shape).astype(dt)
    mg = minigrad.autograd.grad((mo * minigrad.tensor(g)).sum(), ms)
    tg = torch.autograd.grad((to * torch.tensor(g)).sum(), ts)
    for a, b in zip(mg, tg):
        np.testing.assert_allclose(a.data, b.numpy(), **_tol(dt))


def _second(mfn, tfn, arr, wrt_x=True):
    """grad with create_graph=True, then the gradient of a weighted sum of that grad with respect to the upstream
    gradient g (and, where the first derivative depends on x, to x), in both libraries."""
    m, t = _pair(arr)
    g = np.random.default_rng(1).standard_normal(tfn(t).shape)
    mgo, tgo = _pair(g)
    (mg,) = minigrad.autograd.grad((mfn(m) * mgo).sum(), (m,), create_graph=True)
    (tg,) = torch.autograd.grad((tfn(t) * tgo).sum(), (t,), create_graph=True)
    np.testing.assert_allclose(mg.data, tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    h = np.random.default_rng(2).standard_normal(arr.shape)
    mw, tw = ((m, mgo), (t, tgo)) if wrt_x else ((mgo,), (tgo,))
    mgg = minigrad.autograd.grad((mg * mg * minigrad.tensor(h)).sum(), mw)
    tgg = torch.autograd.grad((tg * tg * torch.tensor(h)).sum(), tw)
    for a, b in zip(mgg, tgg):
        np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-10, atol=1e-12)


rng = np.random.default_rng(0)


# ---- rms_norm ----
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,ns", [((3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), 5)])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm(dt, shape, ns, eps):
    w = rng.standard_normal(ns)
    _check(lambda x, w: F.rms_norm(x, ns, w, eps), lambda x, w: TF.rms_norm(x, (ns,) if isinstance(ns, int) else ns,
                                                                            w, eps),
           [rng.standard_normal(shape), np.asarray(w)], dt)


def test_rms_norm_no_weight():
    _check(lambda x: F.rms_norm(x, (4,)), lambda x: TF.rms_norm(x, (4,)), [rng.standard_normal((3, 4))], np.float64)


def test_rms_norm_double_backward():
    w = rng.standard_normal(4)
    _second(lambda x: F.rms_norm(x, (4,), minigrad.tensor(w)), lambda x: TF.rms_norm(x, (4,), torch.tensor(w)),
            rng.standard_normal((3, 4)))


def test_rms_norm_module():
    m, t = nn.RMSNorm([3, 4], dtype=minigrad.float64), torch.nn.RMSNorm([3, 4], dtype=torch.float64)
    assert repr(m) == repr(t)
    assert repr(nn.RMSNorm(4, eps=1e-6, elementwise_affine=False)) == \
        repr(torch.nn.RMSNorm(4, eps=1e-6, elementwise_affine=False))
    assert list(m.state_dict()) == list(t.state_dict())
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(m(minigrad.tensor(x)).data, t(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_rms_norm_error():
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(minigrad.tensor(np.ones((3, 4))), (3,))
    with pytest.raises(RuntimeError, match="normalized_shape"):
        TF.rms_norm(torch.ones(3, 4), (3,))


# ---- instance_norm ----
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 3), (1, 2, 2, 2)])
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm(dt, shape, affine):
    c = shape[1]
    arrays = [rng.standard_normal(shape) * 3 + 1, rng.standard_normal(c), rng.standard_normal(c)]
    if affine:
        _check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
               lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), arrays, dt)
    else:
        _check(lambda x: F.instance_norm(x), lambda x: TF.instance_norm(x), arrays[:1], dt)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 4, 4)), ("InstanceNorm2d", (3, 4, 4))])
@pytest.mark.parametrize("kw", [{}, dict(affine=True), dict(track_running_stats=True, momentum=0.3),
                                dict(affine=True, bias=False), dict(track_running_stats=True, momentum=None)])
def test_instance_norm_module(cls, shape, kw):
    m, t = getattr(nn, cls)(3, dtype=minigrad.float64, **kw), getattr(torch.nn, cls)(3, dtype=torch.float64, **kw)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    for step in range(3):
        x = rng.standard_normal(shape) * 2 + step
        mx, tx = _pair(x)
        mo, to = m(mx), t(tx)
        np.testing.assert_allclose(mo.data, to.detach().numpy(), rtol=1e-10, atol=1e-12)
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[k].data, v.numpy(), rtol=1e-10, atol=1e-12)
    m.eval(), t.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(m(minigrad.tensor(x)).data, t(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


def test_instance_norm_error():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.InstanceNorm1d(3)(minigrad.tensor(np.ones((2, 3, 4, 4))))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        torch.nn.InstanceNorm1d(3)(torch.ones(2, 3, 4, 4))


# ---- dropout1d ----
@pytest.mark.parametrize("shape", [(4, 6, 5), (6, 5)])
def test_dropout1d_channels(shape):
    m = nn.Dropout1d(0.5)
    assert repr(m) == repr(torch.nn.Dropout1d(0.5))
    minigrad.manual_seed(0)
    x = minigrad.tensor(np.ones(shape), requires_grad=True)
    y = m(x)
    y.sum().backward()
    # each (sample, channel) row is all 0 or all 2, and the gradient is the same mask
    rows = y.data.reshape(-1, shape[-1])
    assert set(np.unique(rows)) <= {0.0, 2.0}
    assert (rows.min(1) == rows.max(1)).all()
    np.testing.assert_array_equal(x.grad.data, y.data)
    m.eval()
    assert m(x) is x


def test_dropout1d_error():
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(minigrad.tensor(np.ones((2, 3, 4, 4))))
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        TF.dropout1d(torch.ones(2, 3, 4, 4))


# ---- pixel_shuffle / pixel_unshuffle ----
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,r", [((1, 4, 2, 3), 2), ((2, 18, 2, 2), 3), ((8, 3, 3), 2), ((2, 2, 4, 1, 2), 2)])
def test_pixel_shuffle(dt, shape, r):
    _check(lambda x: F.pixel_shuffle(x, r), lambda x: TF.pixel_shuffle(x, r), [rng.standard_normal(shape)], dt)
    up = TF.pixel_shuffle(torch.tensor(rng.standard_normal(shape)), r).shape
    _check(lambda x: F.pixel_unshuffle(x, r), lambda x: TF.pixel_unshuffle(x, r), [rng.standard_normal(tuple(up))], dt)


def test_pixel_shuffle_modules_and_errors():
    assert repr(nn.PixelShuffle(3)) == repr(torch.nn.PixelShuffle(3))
    assert repr(nn.PixelUnshuffle(2)) == repr(torch.nn.PixelUnshuffle(2))
    x = rng.standard_normal((1, 8, 2, 2))
    np.testing.assert_array_equal(nn.PixelShuffle(2)(minigrad.tensor(x)).data,
                                  torch.nn.PixelShuffle(2)(torch.tensor(x)).numpy())
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(minigrad.tensor(np.ones((1, 5, 2, 2))), 2)
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        TF.pixel_shuffle(torch.ones(1, 5, 2, 2), 2)
    with pytest.raises(RuntimeError, match="height to be divisible by downscale_factor"):
        F.pixel_unshuffle(minigrad.tensor(np.ones((1, 1, 3, 2))), 2)
    with pytest.raises(RuntimeError, match="height to be divisible by downscale_factor"):
        TF.pixel_unshuffle(torch.ones(1, 1, 3, 2), 2)


# ---- interpolate ----
CASES = [
    ((2, 3, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5), dict(size=7, mode="nearest")),
    ((2, 3, 6), dict(size=4, mode="nearest")),
    ((2, 3, 6), dict(scale_factor=1.5, mode="nearest")),
    ((2, 3, 7), dict(scale_factor=0.5, mode="nearest")),
    ((1, 2, 3, 4), dict(scale_factor=(2, 3), mode="nearest")),
    ((1, 2, 5, 4), dict(size=(3, 7), mode="nearest")),
    ((1, 2, 3, 4), dict(scale_factor=(3.1, 1.2), mode="nearest")),  # W kept: torch's 2-D kernel leaves it
    ((2, 3, 5), dict(scale_factor=2, mode="linear", align_corners=False)),
    ((2, 3, 5), dict(size=8, mode="linear", align_corners=True)),
    ((2, 3, 6), dict(size=4, mode="linear")),
    ((2, 3, 5), dict(size=1, mode="linear", align_corners=True)),
    ((1, 2, 3, 4), dict(scale_factor=2, mode="bilinear", align_corners=False)),
    ((1, 2, 3, 4), dict(scale_factor=1.7, mode="bilinear", align_corners=False)),
    ((2, 2, 3, 4), dict(size=(5, 7), mode="bilinear", align_corners=True)),
    ((1, 1, 6, 5), dict(size=(4, 2), mode="bilinear", align_corners=False)),
    ((1, 1, 3, 3), dict(scale_factor=1.3, mode="bilinear")),  # no size changes: torch copies
    ((1, 1, 3, 5), dict(scale_factor=1.3, mode="bilinear")),  # only W changes: H still uses scale 1/1.3
    ((1, 2, 3), dict(scale_factor=1.3, mode="linear")),
    ((1, 1, 6, 5), dict(scale_factor=2.5, mode="bilinear", align_corners=False, recompute_scale_factor=True)),
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,kw", CASES)
def test_interpolate(dt, shape, kw):
    _check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), [rng.standard_normal(shape)], dt)


def test_interpolate_nearest_1d_kept_size():
    # torch's 1-D nearest forward reads [0, 0, 1, 2] for 4 -> 4 at scale 1.2, but its backward treats the dim as
    # kept (identity): not the derivative of its own forward. minigrad matches the forward and differentiates it.
    x = rng.standard_normal((1, 2, 4))
    m = minigrad.tensor(x, requires_grad=True)
    y = F.interpolate(m, scale_factor=1.2, mode="nearest")
    np.testing.assert_array_equal(y.data, TF.interpolate(torch.tensor(x), scale_factor=1.2, mode="nearest").numpy())
    np.testing.assert_array_equal(y.data, x[..., [0, 0, 1, 2]])
    y.sum().backward()
    np.testing.assert_array_equal(m.grad.data, np.broadcast_to([2.0, 1.0, 1.0, 0.0], x.shape))


@pytest.mark.parametrize("align", [False, True])
def test_interpolate_bilinear_double_backward(align):
    kw = dict(size=(5, 7), mode="bilinear", align_corners=align)
    _second(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), rng.standard_normal((1, 2, 3, 4)),
            wrt_x=False)  # linear in x: the second derivative is the one through the upstream gradient


_MODES = {3: ["nearest", "nearest-exact", "linear", "area"],
          4: ["nearest", "nearest-exact", "bilinear", "bicubic", "area", "lanczos"],
          5: ["nearest", "nearest-exact", "trilinear", "area"]}
_scale = st.one_of(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), st.floats(0.25, 3.5).map(lambda v: round(v, 2)))


@st.composite
def interpolate_case(draw):
    """(shape, kw, dtype): any mode on an input of its rank, to a size (an int or one per dim) or by a scale factor
    (one or one per dim; recomputed or not) whose output is not empty; bilinear and bicubic antialiased or not,
    lanczos always (it has no other form)."""
    nd = draw(st.sampled_from([3, 4, 5]))
    k = nd - 2
    mode = draw(st.sampled_from(_MODES[nd]))
    spatial = tuple(draw(st.integers(1, 7 if k < 3 else 4)) for _ in range(k))
    kw = dict(mode=mode)
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = draw(st.booleans())
    if mode in ("bilinear", "bicubic", "lanczos"):
        kw["antialias"] = mode == "lanczos" or draw(st.booleans())
        if kw["antialias"]:
            spatial = tuple(draw(st.integers(1, 12)) for _ in range(k))  # room to shrink by several times
    if draw(st.booleans()):
        kw["size"] = draw(st.one_of(st.integers(1, 9), st.tuples(*[st.integers(1, 9)] * k)))
    else:
        sf = draw(st.one_of(_scale, st.tuples(*[_scale] * k)))
        scales = sf if isinstance(sf, tuple) else (sf,) * k
        assume(all(int(n * s) > 0 for n, s in zip(spatial, scales)))
        kw["scale_factor"] = sf
        kw["recompute_scale_factor"] = draw(st.sampled_from([None, False, True]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3))) + spatial
    return shape, kw, draw(st.sampled_from(DTYPES))


def _scales(shape, kw):
    """The scale factors the kernels see (None where they see only sizes), and the output sizes."""
    k = len(shape) - 2
    if "size" in kw:
        size = kw["size"]
        return [None] * k, list(size) if isinstance(size, tuple) else [size] * k
    sf = kw["scale_factor"]
    sf = sf if isinstance(sf, tuple) else (sf,) * k
    outs = [int(n * s) for n, s in zip(shape[2:], sf)]
    return ([None] * k if kw.get("recompute_scale_factor") or kw["mode"] == "area" else list(sf)), outs


def _torch_backward_differs(shape, kw):
    """Where torch's gradient is not the derivative of its own forward (minigrad differentiates the forward):
    - nearest, 1-D and 3-D: the forward reads floor(i·s) (s = 1/scale_factor, in float32) even where the output size
      equals the input's or doubles it; the backward (nearest_idx) reads i, or i >> 1, there;
    - antialiasing: the forward copies a kept size, the backward resamples it with the scale factor's filter;
    - bicubic keeping every size: the forward resamples with the scale factors, the backward copies."""
    scales, outs = _scales(shape, kw)
    if (kw["mode"] == "bicubic" and not kw.get("antialias") and not kw.get("align_corners")
            and outs == list(shape[2:]) and any(s not in (None, 1) for s in scales)):
        return True
    for n, s, out in zip(shape[2:], scales, outs):
        if s is None:
            continue
        if kw.get("antialias") and out == n and s != 1:
            return True
        if kw["mode"] == "nearest" and len(shape) != 4:
            i = np.arange(out)
            read = np.minimum(np.floor(i.astype(np.float32) * np.float32(1 / s)).astype(np.int64), n - 1)
            if (out == n and (read != i).any()) or (out == 2 * n and (read != i >> 1).any()):
                return True
    return False


def _torch_forward_wrong(shape, kw):
    """torch's antialiased forward to an output width of 1 that resizes the height gives every output row the first
    row's values (its backward is the adjoint of the right resampling, which minigrad computes)."""
    _, outs = _scales(shape, kw)
    return bool(kw.get("antialias")) and outs[-1] == 1 and outs[0] != shape[2]


@given(interpolate_case())
def test_interpolate_generated(case):
    shape, kw, dt = case
    x = np.random.default_rng(0).standard_normal(shape).astype(dt)
    wrong, differs = _torch_forward_wrong(shape, kw), _torch_backward_differs(shape, kw)
    if wrong or differs:  # compare what torch has right
        m, t = _pair(x)
        mo, to = F.interpolate(m, **kw), TF.interpolate(t, **kw)
        assert mo.shape == tuple(to.shape)
        if not wrong:
            np.testing.assert_allclose(mo.data, to.detach().numpy(), **_tol(dt))
        if not differs:
            g = np.random.default_rng(1).standard_normal(to.shape).astype(dt)
            (mg,) = minigrad.autograd.grad(mo, m, minigrad.tensor(g))
            (tg,) = torch.autograd.grad(to, t, torch.tensor(g))
            np.testing.assert_allclose(mg.data, tg.numpy(), **_tol(dt))
        return
    _check(lambda a: F.interpolate(a, **kw), lambda a: TF.interpolate(a, **kw), [x], dt)


@pytest.mark.parametrize("shape,kw", [
    ((1, 2, 5), dict(scale_factor=2.1, mode="nearest")),  # 5 -> 10: torch's backward reads i >> 1
    ((1, 1, 4, 3, 2), dict(scale_factor=(1.2, 2.0, 2.2), mode="nearest")),  # D kept, W doubled
    ((1, 2, 5, 4), dict(scale_factor=(2.0, 1.1), mode="bilinear", antialias=True)),  # W kept at scale 1.1
    ((1, 1, 6, 5), dict(scale_factor=(0.5, 1.15), mode="lanczos", antialias=True)),
    ((1, 2, 7, 3), dict(scale_factor=(1.01, 1.0), mode="bicubic")),  # every size kept
])
def test_interpolate_torch_backward_differs(shape, kw):
    """The cases _torch_backward_differs names: the forward equals torch's, the gradient is the forward's own
    adjoint (its Jacobian transposed, times the upstream gradient), which torch's is not."""
    x = rng.standard_normal(shape)
    m = minigrad.tensor(x, requires_grad=True)
    y = F.interpolate(m, **kw)
    np.testing.assert_allclose(y.data, TF.interpolate(torch.tensor(x), **kw).numpy(), rtol=1e-10, atol=1e-12)
    assert _torch_backward_differs(shape, kw)
    g = rng.standard_normal(y.shape)
    (gx,) = minigrad.autograd.grad(y, m, minigrad.tensor(g))
    jac = np.stack([F.interpolate(minigrad.tensor(e.reshape(shape)), **kw).data.ravel() for e in np.eye(x.size)])
    np.testing.assert_allclose(gx.data.ravel(), jac @ g.ravel(), rtol=1e-12)
    t = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(TF.interpolate(t, **kw), t, torch.tensor(g))
    assert not np.allclose(tg.numpy(), gx.data)


@pytest.mark.parametrize("shape,kw", [
    ((1, 2, 3, 4), dict(size=(5, 7), mode="bicubic", align_corners=False)),
    ((1, 2, 4, 3), dict(scale_factor=(0.6, 1.4), mode="bicubic", align_corners=True)),
    ((1, 1, 2, 3, 3), dict(size=(3, 2, 4), mode="trilinear", align_corners=False)),
    ((1, 2, 3, 2, 4), dict(scale_factor=1.5, mode="nearest-exact")),
    ((2, 1, 4, 3, 5), dict(size=(2, 3, 3), mode="area")),
    ((1, 2, 5), dict(scale_factor=0.7, mode="area")),
    ((1, 2, 7, 5), dict(size=(3, 8), mode="bicubic", antialias=True)),
    ((1, 1, 9, 4), dict(scale_factor=(0.4, 1.5), mode="lanczos", antialias=True)),
])
def test_interpolate_new_modes_double_backward(shape, kw):
    _second(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), rng.standard_normal(shape),
            wrt_x=False)


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 6)), dict(scale_factor=2, mode="bilinear"),
                                dict(size=(4, 4), mode="bilinear", align_corners=True),
                                dict(scale_factor=(1.5, 2), mode="bicubic", align_corners=False),
                                dict(size=(2, 2), mode="area"), dict(scale_factor=1.7, mode="nearest-exact")])
def test_upsample_module(kw):
    m, t = nn.Upsample(**kw), torch.nn.Upsample(**kw)
    assert repr(m) == repr(t)
    x = rng.standard_normal((1, 2, 3, 3))
    np.testing.assert_allclose(m(minigrad.tensor(x)).data, t(torch.tensor(x)).numpy(), rtol=1e-10)


@pytest.mark.parametrize("kw,exc", [(dict(size=4, scale_factor=2), ValueError), (dict(), ValueError),
                                    (dict(size=4, align_corners=True), ValueError),
                                    (dict(size=4, mode="bilinear"), NotImplementedError),
                                    (dict(scale_factor=0.3), RuntimeError),
                                    (dict(scale_factor=0.3, mode="linear"), RuntimeError)])
def test_interpolate_errors(kw, exc):
    with pytest.raises(exc) as e_t:
        TF.interpolate(torch.ones(1, 2, 3), **kw)
    with pytest.raises(exc) as e_m:
        F.interpolate(minigrad.tensor(np.ones((1, 2, 3))), **kw)
    assert str(e_m.value) == str(e_t.value)


@pytest.mark.parametrize("shape,kw", [
    ((1, 2, 3), dict(scale_factor=2, mode="bicubic")),
    ((1, 2, 3, 3, 3), dict(scale_factor=2, mode="bicubic")),
    ((1, 2, 3, 3), dict(scale_factor=2, mode="trilinear")),
    ((1, 2, 3, 3, 3), dict(scale_factor=2, mode="linear")),
    ((1, 2, 3, 3), dict(scale_factor=2, mode="foo")),
    ((1, 2, 2, 2, 2, 2), dict(size=2)),
    ((1, 2, 3, 3), dict(size=(2, 3), mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 3, 3), dict(size=(2.0, 3), mode="bilinear")),
    ((1, 2, 3, 3), dict(scale_factor=2, antialias=True)),
    ((1, 2, 3, 3, 3), dict(scale_factor=2, mode="trilinear", antialias=True)),
    ((1, 2, 3, 3), dict(scale_factor=2, mode="lanczos")),
    ((1, 2, 3, 3), dict(scale_factor=2, mode="lanczos", align_corners=True, antialias=True)),
    ((1, 2, 3), dict(scale_factor=-2, mode="area")),
    ((1, 2, 3, 3), dict(size=(-1, 2), mode="area")),
    ((1, 2, 3, 3, 3), dict(size=-2, mode="area")),
    ((1, 2, 0), dict(size=2, mode="area")),
    ((1, 2, 3, 0), dict(size=2, mode="area")),
    ((1, 0, 3, 3, 3), dict(size=2, mode="area")),
    ((1, 0, 3, 3), dict(scale_factor=2, mode="bicubic")),
    ((1, 0, 3, 3, 3), dict(scale_factor=2, mode="nearest-exact")),
    ((1, 2, 0, 3), dict(scale_factor=2, mode="bicubic")),
    ((1, 2, 3, 3, 3), dict(scale_factor=(1, 0.3, 1), mode="nearest-exact")),
    ((1, 2, 3, 3, 3), dict(scale_factor=0.3, mode="trilinear")),
])
def test_interpolate_errors_more(shape, kw):
    with pytest.raises(Exception) as e_t:
        TF.interpolate(torch.ones(shape), **kw)
    with pytest.raises(type(e_t.value)) as e_m:
        F.interpolate(minigrad.tensor(np.ones(shape)), **kw)
    assert str(e_m.value) == str(e_t.value)


def test_interpolate_empty_results():
    for shape, kw in [((0, 2, 3, 3), dict(scale_factor=2, mode="bicubic")), ((0, 1, 2, 2, 2), dict(size=3)),
                      ((1, 0, 3, 3), dict(size=2, mode="area")), ((1, 2, 3, 3), dict(size=(0, 2), mode="area"))]:
        assert F.interpolate(minigrad.ones(*shape), **kw).shape == TF.interpolate(torch.ones(shape), **kw).shape


@pytest.mark.parametrize("shape,kw", [((1, 1, 4, 19), dict(size=(15, 1), mode="bicubic", align_corners=True)),
                                      ((2, 2, 9, 4), dict(scale_factor=(2.0, 0.4), mode="bilinear")),
                                      ((1, 2, 5, 1), dict(size=(3, 1), mode="lanczos"))])
def test_interpolate_antialias_to_width_1(shape, kw):
    """torch's forward here repeats its first output row (a torch bug); minigrad resamples every row. torch's
    backward is right: its Jacobian, read row by row from torch.autograd.grad, is minigrad's forward map."""
    assert _torch_forward_wrong(shape, {**kw, "antialias": True})
    x = rng.standard_normal(shape)
    m, t = _pair(x)
    mo, to = F.interpolate(m, antialias=True, **kw), TF.interpolate(t, antialias=True, **kw)
    np.testing.assert_allclose(to.detach().numpy(), np.broadcast_to(mo.data[:, :, :1], mo.shape), rtol=1e-10)
    assert not np.allclose(to.detach().numpy(), mo.data)
    rows = [torch.autograd.grad(to, t, torch.tensor(e.reshape(mo.shape)), retain_graph=True)[0].numpy().ravel()
            for e in np.eye(mo.data.size)]
    np.testing.assert_allclose(np.stack(rows) @ x.ravel(), mo.data.ravel(), rtol=1e-10, atol=1e-12)


def test_interpolate_zero_size_error_2d():
    with pytest.raises(RuntimeError) as e_t:
        TF.interpolate(torch.ones(1, 1, 3, 3), scale_factor=0.3, mode="bilinear")
    with pytest.raises(RuntimeError) as e_m:
        F.interpolate(minigrad.tensor(np.ones((1, 1, 3, 3))), scale_factor=0.3, mode="bilinear")
    assert str(e_m.value) == str(e_t.value)
