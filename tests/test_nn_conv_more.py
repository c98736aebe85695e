"""Issue 12 leftovers against torch: F.conv_transpose1d / conv_transpose2d (values, gradients, double backward),
nn.ConvTranspose1d / 2d (init bounds, repr, state_dict) and torch's errors."""
import math

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

F32 = dict(rtol=1e-5, atol=1e-5)
F64 = dict(rtol=1e-10, atol=1e-10)

# (C_in, C_out, kernel, options)
CT2 = [
    (2, 3, (3, 3), dict()),
    (2, 4, (3, 2), dict(stride=2, padding=1, output_padding=1)),
    (4, 6, (2, 3), dict(stride=(2, 3), padding=(0, 1), groups=2, dilation=(1, 2))),
    (3, 3, (3, 3), dict(stride=2, output_padding=(1, 0), dilation=2, groups=3)),
    # output_padding past the stride (allowed below the dilation) and past the padding: OpInfo's sample 2
    (2, 4, (4, 5), dict(stride=(3, 2), padding=(1, 2), output_padding=(2, 3), groups=2, dilation=(4, 4))),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("cin,cout,k,opts", CT2)
def test_conv_transpose2d_values_and_gradients(cin, cout, k, opts, bias, dtype):
    rng = np.random.default_rng(0)
    g = opts.get("groups", 1)
    x = rng.standard_normal((2, cin, 5, 4)).astype(dtype)
    w = rng.standard_normal((cin, cout // g, *k)).astype(dtype)
    arrays = (x, w, rng.standard_normal(cout).astype(dtype)) if bias else (x, w)
    tol = F64 if dtype == np.float64 else F32
    check_parity(lambda *a: TF.conv_transpose2d(*a, **opts), lambda *a: F.conv_transpose2d(*a, **opts), *arrays,
                 **tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", [dict(), dict(stride=2, padding=1, output_padding=1),
                                  dict(stride=3, groups=2, dilation=2, output_padding=2)])
def test_conv_transpose1d_values_and_gradients(opts, dtype):
    rng = np.random.default_rng(1)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in ((3, 4, 6), (4, 3, 3), (3 * opts.get("groups", 1),)))
    tol = F64 if dtype == np.float64 else F32
    check_parity(lambda *a: TF.conv_transpose1d(*a, **opts), lambda *a: F.conv_transpose1d(*a, **opts), x, w, b,
                 **tol)


def test_unbatched():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 3, 2, 2))
    check_parity(lambda a, b: TF.conv_transpose2d(a, b, stride=2), lambda a, b: F.conv_transpose2d(a, b, stride=2),
                 x, w, **F64)


def _second_order(lib, F_, x, w, b, opts, v, u):
    ts = [lib.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b)]
    z = F_.conv_transpose2d(*ts, **opts)
    loss = (z * lib.from_numpy(v)).sum() + (z * z).sum()
    ag = (torch if lib is torch else minigrad).autograd
    gs = ag.grad(loss, ts, create_graph=True)
    total = sum((g * lib.from_numpy(ui)).sum() for g, ui in zip(gs, u))
    return [g.detach().numpy() for g in gs] + [g.numpy() for g in ag.grad(total, ts, allow_unused=True)]


@pytest.mark.parametrize("cin,cout,k,opts", CT2)
def test_conv_transpose2d_double_backward(cin, cout, k, opts):
    rng = np.random.default_rng(3)
    g = opts.get("groups", 1)
    x, w, b = rng.standard_normal((2, cin, 4, 3)), rng.standard_normal((cin, cout // g, *k)), rng.standard_normal(cout)
    v = rng.standard_normal(TF.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), **opts).shape)
    u = [rng.standard_normal(a.shape) for a in (x, w, b)]
    for ours, theirs in zip(_second_order(minigrad, F, x, w, b, opts, v, u), _second_order(torch, TF, x, w, b, opts,
                                                                                           v, u)):
        np.testing.assert_allclose(ours, theirs, **F64)


@st.composite
def conv_transpose_case(draw):
    """(dims, x, w, b, options): groups, stride, dilation, padding and any output_padding torch allows (below the
    stride or the dilation), batched or not, with a non-empty output."""
    dims = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 3))
    cin, cout_g = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    sizes = tuple(draw(st.integers(1, 4)) for _ in range(dims))
    out = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1
           for n, s, p, d, k, o in zip(sizes, stride, padding, dilation, kernel, output_padding)]
    padding = tuple(p if o > 0 else 0 for p, o in zip(padding, out))  # keep the output non-empty
    batch = (draw(st.integers(1, 2)),) if draw(st.booleans()) else ()
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rng.standard_normal(batch + (cin,) + sizes)
    w = rng.standard_normal((cin, cout_g) + kernel)
    b = rng.standard_normal(cout_g * groups) if draw(st.booleans()) else None
    opts = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    return dims, x, w, b, opts


@given(conv_transpose_case())
def test_conv_transpose_generated(case):
    """Values, gradients and second derivatives (through x, w and the upstream gradient) against torch."""
    dims, x, w, b, opts = case
    fn_t, fn_m = (TF.conv_transpose1d, F.conv_transpose1d) if dims == 1 else (TF.conv_transpose2d, F.conv_transpose2d)
    arrays = (x, w) if b is None else (x, w, b)
    check_parity(lambda *a: fn_t(*a, **opts), lambda *a: fn_m(*a, **opts), *arrays, **F64)
    results = []
    for lib, fn in ((torch, fn_t), (minigrad, fn_m)):
        ts = [lib.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
        z = fn(*ts, **opts)
        v = lib.from_numpy(np.random.default_rng(5).standard_normal(tuple(z.shape)))
        v.requires_grad_(True)
        gs = lib.autograd.grad((z * v).sum(), ts[:2], create_graph=True)
        results.append([g.detach().numpy() for g in lib.autograd.grad(sum((g * g).sum() for g in gs), ts[:2] + [v])])
    for theirs, ours in zip(*results):
        np.testing.assert_allclose(ours, theirs, **F64)


@pytest.mark.parametrize("cls,args,kw", [
    ("ConvTranspose2d", (4, 6, 3), dict()),
    ("ConvTranspose2d", (4, 6, (3, 2)), dict(stride=2, padding=1, output_padding=1, groups=2, bias=False,
                                             dilation=2)),
    ("ConvTranspose1d", (3, 5, 4), dict(stride=3, output_padding=2)),
])
def test_module_repr_state_dict_and_forward(cls, args, kw):
    m, t = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == [(k, tuple(v.shape)) for k, v in
                                                                         t.state_dict().items()]
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((2, args[0]) + (5,) * (2 if cls.endswith("2d") else 1))
    x = x.astype(np.float32)
    np.testing.assert_allclose(m(minigrad.from_numpy(x)).detach().numpy(), t(torch.from_numpy(x)).detach().numpy(),
                               **F32)


def test_module_init_bounds():
    m = nn.ConvTranspose2d(8, 6, 3, groups=2)  # fan_in = weight.shape[1] · kh · kw = 3 · 9
    bound = 1 / math.sqrt(27)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (8, 3, 3, 3)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound


def test_errors():
    x, w = np.zeros((1, 2, 3, 3)), np.zeros((2, 1, 2, 2))
    for fn, lib in ((TF.conv_transpose2d, torch), (F.conv_transpose2d, minigrad)):
        with pytest.raises(RuntimeError, match="output padding must be smaller"):
            fn(lib.from_numpy(x), lib.from_numpy(w), stride=2, output_padding=2)
        with pytest.raises(RuntimeError, match="channels"):
            fn(lib.from_numpy(np.zeros((1, 3, 3, 3))), lib.from_numpy(w))
    for mod in (torch.nn, nn):
        with pytest.raises(ValueError, match='Only "zeros" padding mode'):
            mod.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


# ---- fold / unfold ---------------------------------------------------------------------------------------------
FOLD = [
    dict(kernel_size=2),
    dict(kernel_size=(3, 2), stride=2, padding=1),
    dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 2), stride=(1, 2)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", FOLD)
def test_unfold_and_fold_values_and_gradients(opts, dtype):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 6, 5)).astype(dtype)
    tol = F64 if dtype == np.float64 else F32
    check_parity(lambda a: TF.unfold(a, **opts), lambda a: F.unfold(a, **opts), x, **tol)
    cols = TF.unfold(torch.from_numpy(x), **opts).numpy()
    check_parity(lambda a: TF.fold(a, (6, 5), **opts), lambda a: F.fold(a, (6, 5), **opts), cols, **tol)
    check_parity(lambda a: TF.fold(a, (6, 5), **opts), lambda a: F.fold(a, (6, 5), **opts), cols[0], **tol)
    check_parity(lambda a: TF.unfold(a, **opts), lambda a: F.unfold(a, **opts), x[0], **tol)


@pytest.mark.parametrize("opts", FOLD)
def test_fold_unfold_double_backward(opts):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 6, 5))
    res = []
    for lib, F_ in ((minigrad, F), (torch, TF)):
        t = lib.from_numpy(x.copy()).requires_grad_(True)
        y = F_.fold(F_.unfold(t, **opts) ** 2, (6, 5), **opts)
        g, = lib.autograd.grad((y ** 2).sum(), [t], create_graph=True)
        gg, = lib.autograd.grad((g * lib.from_numpy(x[::-1].copy())).sum(), [t])
        res.append([g.detach().numpy(), gg.numpy()])
    for ours, theirs in zip(*res):
        np.testing.assert_allclose(ours, theirs, **F64)


def test_fold_unfold_modules():
    for args in [((4, 5), 2), ((6, 5), (3, 2), 1, 1, 2)]:
        m, t = nn.Fold(*args), torch.nn.Fold(*args)
        assert repr(m) == repr(t) and list(m.state_dict()) == []
        mu, tu = nn.Unfold(*args[1:]), torch.nn.Unfold(*args[1:])
        assert repr(mu) == repr(tu)
        x = np.random.default_rng(7).standard_normal((2, 3) + args[0])
        cols = tu(torch.from_numpy(x))
        np.testing.assert_allclose(mu(minigrad.from_numpy(x)).numpy(), cols.numpy(), **F64)
        np.testing.assert_allclose(m(minigrad.from_numpy(cols.numpy())).numpy(), t(cols).numpy(), **F64)


def test_fold_unfold_errors():
    for lib, F_ in ((torch, TF), (minigrad, F)):
        with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
            F_.fold(lib.from_numpy(np.zeros((1, 5, 4))), (3, 3), 2)
        with pytest.raises(RuntimeError, match="sliding blocks"):
            F_.fold(lib.from_numpy(np.zeros((1, 4, 5))), (3, 3), 2)
        with pytest.raises(RuntimeError, match="must be at least one"):
            F_.unfold(lib.from_numpy(np.zeros((1, 1, 2, 2))), 3)


# ---- adaptive max pooling, max unpooling -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), (3, 2)), ((2, 2, 6, 6), 4), ((3, 5, 4), (None, 3)),
                                        ((1, 2, 3, 3), 5)])
def test_adaptive_max_pool2d(shape, size, dtype):
    x = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    tol = F64 if dtype == np.float64 else F32
    m, t = check_parity(lambda a: TF.adaptive_max_pool2d(a, size, return_indices=True),
                        lambda a: F.adaptive_max_pool2d(a, size, return_indices=True), x, **tol)
    np.testing.assert_array_equal(m[1].numpy(), t[1].numpy())
    mod, tmod = nn.AdaptiveMaxPool2d(size), torch.nn.AdaptiveMaxPool2d(size)
    assert repr(mod) == repr(tmod)
    np.testing.assert_allclose(mod(minigrad.from_numpy(x)).numpy(), tmod(torch.from_numpy(x)).numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k,s,p,out", [(2, None, 0, (8, 7)), (3, 2, 1, (8, 7)), (3, 2, 1, None), (2, 2, 0, (9, 7))])
def test_max_unpool2d(k, s, p, out, dtype):
    rng = np.random.default_rng(9)
    shape = (2, 3, 8, 7) if out else (2, 3, 7, 7)
    x = torch.from_numpy(rng.standard_normal(shape).astype(dtype))
    pooled, idx = TF.max_pool2d(x, k, s, p, return_indices=True)
    tol = F64 if dtype == np.float64 else F32
    mi = minigrad.from_numpy(idx.numpy())
    check_parity(lambda a: TF.max_unpool2d(a, idx, k, s, p, out), lambda a: F.max_unpool2d(a, mi, k, s, p, out),
                 pooled.numpy(), **tol)
    check_parity(lambda a: TF.max_unpool2d(a, idx[0], k, s, p, out),
                 lambda a: F.max_unpool2d(a, minigrad.from_numpy(idx[0].numpy()), k, s, p, out), pooled[0].numpy(),
                 **tol)
    mod, tmod = nn.MaxUnpool2d(k, s, p), torch.nn.MaxUnpool2d(k, s, p)
    assert repr(mod) == repr(tmod)
    np.testing.assert_allclose(mod(minigrad.from_numpy(pooled.numpy()), mi, out).numpy(),
                               tmod(pooled, idx, out).numpy(), **tol)


def test_pool_double_backward():
    x = np.random.default_rng(10).standard_normal((2, 2, 7, 7))
    res = []
    for lib, F_ in ((minigrad, F), (torch, TF)):
        t = lib.from_numpy(x.copy()).requires_grad_(True)
        z, i = F_.adaptive_max_pool2d(t, (3, 4), return_indices=True)
        y = F_.max_unpool2d(z * z, i, 2, output_size=(7, 7))
        g, = lib.autograd.grad((y ** 3).sum(), [t], create_graph=True)
        gg, = lib.autograd.grad((g * lib.from_numpy(x[::-1].copy())).sum(), [t])
        res.append([g.detach().numpy(), gg.numpy()])
    for ours, theirs in zip(*res):
        np.testing.assert_allclose(ours, theirs, **F64)


def test_pool_errors():
    for lib, F_ in ((torch, TF), (minigrad, F)):
        x = lib.from_numpy(np.zeros((1, 1, 2, 2)))
        with pytest.raises(RuntimeError, match="elements in indices should be type int64"):
            F_.max_unpool2d(x, lib.from_numpy(np.zeros((1, 1, 2, 2), np.int32)), 2)
        with pytest.raises(RuntimeError, match="Found an invalid max index"):
            F_.max_unpool2d(x, lib.from_numpy(np.full((1, 1, 2, 2), 99)), 2)


def test_conv_transpose_module_output_size():
    t = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(11).standard_normal((1, 2, 4, 5)).astype(np.float32)
    for size in [(7, 9), (8, 10), (1, 3, 8, 9)]:
        np.testing.assert_allclose(m(minigrad.from_numpy(x), output_size=size).detach().numpy(),
                                   t(torch.from_numpy(x), output_size=size).detach().numpy(), **F32)
    for mod, lib in ((t, torch), (m, minigrad)):
        with pytest.raises(ValueError, match="requested an output size"):
            mod(lib.from_numpy(x), output_size=(9, 9))
