"""Convolution against torch: F.conv2d / F.conv1d over generated shapes, strides, paddings, dilations and groups
(values and every gradient, float64 and float32, with the im2col columns in both of conv.py's layouts), double
backward through all three convolution Functions, the modules' padding modes, init, repr, state_dict, torch's
errors, and the bounded im2col buffer."""
import contextlib
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops import conv as conv_ops
from parity import check_parity
from strategies import float_dtypes

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own copy
F32 = dict(rtol=1e-5, atol=1e-5)  # float32: sums of up to a few hundred products of unit-sized values


@st.composite
def conv_case(draw, dims=2):
    """(x, w, b or None, options): a convolution whose padded input holds the dilated kernel."""
    dt = draw(float_dtypes)
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = draw(st.one_of(st.just("valid"), st.just("same"), st.integers(0, 2),
                             st.tuples(*[st.integers(0, 2)] * dims)))
    if padding == "same":
        stride = (1,) * dims
    pads = (0,) * dims if isinstance(padding, str) else ((padding,) * dims if isinstance(padding, int) else padding)
    sizes = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4))
                  for k, d, p in zip(kernel, dilation, pads))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 3)), cin) + sizes).astype(dt)
    w = rng.standard_normal((cout, cin // groups) + kernel).astype(dt)
    b = rng.standard_normal(cout).astype(dt) if draw(st.booleans()) else None
    opts = dict(stride=stride if draw(st.booleans()) else stride[0] if len(set(stride)) == 1 else stride,
                padding=padding, dilation=dilation, groups=groups)
    return x, w, b, opts


def _tol(x):
    return {} if x.dtype == np.float64 else F32


# conv.py lays the im2col columns out channels-first up to _FEW channels per group, channels-last above: the
# generated cases have at most 3 per group, so each parity test runs once with each layout forced
LAYOUTS = pytest.mark.parametrize("few", [conv_ops._FEW, 0], ids=["channels-first", "channels-last"])


@contextlib.contextmanager
def _layout(few):
    saved, conv_ops._FEW = conv_ops._FEW, few
    try:
        yield
    finally:
        conv_ops._FEW = saved


@LAYOUTS
@given(case=conv_case(2))
def test_conv2d_values_and_gradients(few, case):
    x, w, b, opts = case
    arrays = (x, w) if b is None else (x, w, b)
    with _layout(few):
        check_parity(lambda *a: TF.conv2d(*a, **opts), lambda *a: F.conv2d(*a, **opts), *arrays, **_tol(x))


@LAYOUTS
@given(case=conv_case(1))
def test_conv1d_values_and_gradients(few, case):
    x, w, b, opts = case
    arrays = (x, w) if b is None else (x, w, b)
    with _layout(few):
        check_parity(lambda *a: TF.conv1d(*a, **opts), lambda *a: F.conv1d(*a, **opts), *arrays, **_tol(x))


def test_unbatched_input():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((3, 6, 7)), rng.standard_normal((4, 3, 3, 2))
    check_parity(lambda a, b: TF.conv2d(a, b, padding=1), lambda a, b: F.conv2d(a, b, padding=1), x, w)
    check_parity(lambda a, b: TF.conv1d(a[:, 0], b[..., 0]), lambda a, b: F.conv1d(a[:, 0], b[..., 0]), x, w)


def _second_order(lib, F_, x, w, b, opts, v, u):
    """Gradients of ⟨dL/dx, u_x⟩ + ⟨dL/dw, u_w⟩ with L = ⟨conv(x, w, b), v⟩ (+ a square, so that the second
    derivative has a part in x and w alike): this runs the backwards of all three convolution Functions."""
    ts = [lib.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b)]
    z = F_.conv2d(*ts, **opts)
    loss = (z * lib.from_numpy(v)).sum() + (z * z).sum()
    gs = (torch if lib is torch else minigrad).autograd.grad(loss, ts, create_graph=True)
    total = sum((g * lib.from_numpy(ui)).sum() for g, ui in zip(gs, u))
    return [g.detach().numpy() for g in gs], [g.numpy() for g in (torch if lib is torch else minigrad).autograd.grad(
        total, ts, allow_unused=True)]


@LAYOUTS
@given(case=conv_case(2))
def test_conv2d_double_backward(few, case):
    x, w, b, opts = case
    x, w = x.astype(np.float64), w.astype(np.float64)
    b = np.zeros(w.shape[0]) if b is None else b.astype(np.float64)
    rng = np.random.default_rng(0)
    v = rng.standard_normal(TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), **opts).shape)
    u = [rng.standard_normal(a.shape) for a in (x, w, b)]
    with _layout(few):
        (tg, tgg), (mg, mgg) = _second_order(torch, TF, x, w, b, opts, v, u), _second_order(minigrad, F, x, w, b,
                                                                                            opts, v, u)
    for ours, theirs in zip(mg + mgg, tg + tgg):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_double_backward_records_convolution_nodes():
    x = minigrad.randn(2, 3, 6, 6, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.randn(4, 3, 3, 3, dtype=minigrad.float64, requires_grad=True)
    z = F.conv2d(x, w, stride=2, padding=1)
    assert type(z.grad_fn).__name__ == "ConvolutionBackward0"
    gx, gw = minigrad.autograd.grad(z.sum(), [x, w], create_graph=True)
    assert type(gx.grad_fn).__name__ == "ConvTransposeBackward0"
    assert type(gw.grad_fn).__name__ == "ConvWeightBackward0"


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_module_padding_modes(mode, padding):
    t = torch.nn.Conv2d(4, 6, (3, 4), padding=padding, padding_mode=mode, groups=2, dilation=(1, 2)).double()
    m = nn.Conv2d(4, 6, (3, 4), padding=padding, padding_mode=mode, groups=2, dilation=(1, 2), dtype=minigrad.float64)
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((2, 4, 7, 9))
    check_parity(t, m, x)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), t.named_parameters()):
        assert n1 == n2
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv1d_module_padding_modes(mode):
    t = torch.nn.Conv1d(3, 2, 3, padding=2, padding_mode=mode, stride=2).double()
    m = nn.Conv1d(3, 2, 3, padding=2, padding_mode=mode, stride=2, dtype=minigrad.float64)
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    check_parity(t, m, np.random.default_rng(3).standard_normal((2, 3, 8)))


@given(st.data())
def test_pad_modes(data):
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    nd = data.draw(st.integers(1, 2))
    shape = (2, 3) + tuple(data.draw(st.integers(3, 5)) for _ in range(nd))
    lo = -1 if mode == "constant" else 0
    pad = [data.draw(st.integers(lo, 2)) for _ in range(2 * nd)]
    x = np.random.default_rng(0).standard_normal(shape)
    value = 1.5 if mode == "constant" else None
    check_parity(lambda a: TF.pad(a, pad, mode=mode, value=value), lambda a: F.pad(a, pad, mode=mode, value=value), x)


@given(st.data())
def test_pad_circular_negative(data):
    """Circular padding with negative pads: torch crops first and wraps the pads around what is kept."""
    nd = data.draw(st.integers(1, 3))
    spatial = tuple(data.draw(st.integers(1, 5)) for _ in range(nd))
    pad = []
    for n in reversed(spatial):  # F.pad's order: the last dim first
        a = data.draw(st.integers(-n + 1, n))
        kept_a = n - max(-a, 0)
        b = data.draw(st.integers(-kept_a + 1, kept_a))
        kept = kept_a - max(-b, 0)
        if a > kept:  # a pad larger than the kept part: torch refuses (tested below)
            a = kept
        pad += [a, b]
    x = np.random.default_rng(0).standard_normal((1, 2) + spatial)
    check_parity(lambda t: TF.pad(t, pad, mode="circular"), lambda t: F.pad(t, pad, mode="circular"), x)


@pytest.mark.parametrize("shape,pad", [((1, 1, 5), (-3, -3)), ((1, 1, 5), (6, 0)), ((1, 1, 5), (3, -4)),
                                       ((1, 1, 5), (-1, 5)), ((1, 1, 4, 5), (0, 0, 5, -1))])
def test_pad_circular_errors(shape, pad):
    _same_error(lambda: TF.pad(torch.ones(shape), pad, mode="circular"),
                lambda: F.pad(minigrad.ones(*shape), pad, mode="circular"))


def test_repr_and_state_dict():
    cases = [((1, 6, 5), {}), ((2, 4, 3), dict(stride=2, padding=1, dilation=2, groups=2, bias=False,
                                              padding_mode="reflect")),
             ((2, 4, (3, 1)), dict(padding=(1, 0))), ((3, 3, 3), dict(padding="same"))]
    for args, kw in cases:
        assert repr(nn.Conv2d(*args, **kw)) == repr(torch.nn.Conv2d(*args, **kw))
        assert repr(nn.Conv1d(*args[:2], 3, **{k: v for k, v in kw.items() if k != "padding"})) == repr(
            torch.nn.Conv1d(*args[:2], 3, **{k: v for k, v in kw.items() if k != "padding"}))
    m, t = nn.Conv2d(2, 4, 3), torch.nn.Conv2d(2, 4, 3)
    assert list(m.state_dict()) == list(t.state_dict())
    assert [tuple(v.shape) for v in m.state_dict().values()] == [tuple(v.shape) for v in t.state_dict().values()]
    assert m.weight.dtype == minigrad.float32 and nn.Conv2d(2, 2, 1, bias=False).bias is None


def test_init_distribution():
    """kaiming_uniform_(a=√5) for the weight and U(±1/√fan_in) for the bias, as torch: the same bounds, and the
    spread of a uniform over them."""
    minigrad.manual_seed(0)
    m = nn.Conv2d(8, 64, 3)
    bound = 1 / math.sqrt(8 * 9)
    for p in (m.weight.detach().numpy(), m.bias.detach().numpy()):
        assert np.abs(p).max() <= bound
    w = m.weight.detach().numpy()
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound and abs(w.mean()) < 0.05 * bound
    assert m.bias.detach().numpy().std() > 0.3 * bound


@LAYOUTS
def test_bounded_im2col_buffer(monkeypatch, few):
    """With a tiny buffer the im2col runs in blocks of samples, then (channels-last) of output rows: the results do
    not change."""
    monkeypatch.setattr(conv_ops, "_FEW", few)
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((3, 4, 9, 8)), rng.standard_normal((6, 2, 3, 3)), rng.standard_normal(6)
    for block in (200, 30):  # 200: samples at a time; 30: a few rows of one sample at a time
        monkeypatch.setattr(conv_ops, "_BLOCK", block)
        for stride in ((2, 1), 1):  # the input gradient by col2im, and as a convolution of g (unit stride)
            check_parity(lambda *a: TF.conv2d(*a, stride=stride, padding=1, groups=2),
                         lambda *a: F.conv2d(*a, stride=stride, padding=1, groups=2), x, w, b)


def _unordered_sets(text):
    """A message with a printed set in it, its elements sorted: a set literal's order depends on the hash seed of
    the process that compiled the module (it is marshalled into the .pyc), so torch's own order varies."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)


def _same_error(fn_torch, fn_ours):
    with pytest.raises(Exception) as te:
        fn_torch()
    with pytest.raises(Exception) as me:
        fn_ours()
    assert type(me.value) is type(te.value)
    assert _unordered_sets(str(me.value)) == _unordered_sets(str(te.value))


@pytest.mark.parametrize("name, x, w, kw", [
    ("conv2d", (2, 3), (6, 3, 5, 5), {}),                      # wrong rank
    ("conv2d", (2, 3, 8, 8), (6, 1, 5, 5), {}),                # channels
    ("conv2d", (2, 3, 4, 4), (6, 3, 5, 5), {}),                # kernel larger than the input
    ("conv2d", (2, 3, 3, 3), (6, 3, 5, 5), dict(padding=(1, 0))),  # ... than the padded input
    ("conv2d", (2, 4, 8, 8), (3, 2, 3, 3), dict(groups=2)),    # groups not dividing out_channels
    ("conv2d", (2, 4, 8, 8), (4, 4, 3, 3), dict(stride=2, padding="same")),
    ("conv2d", (2, 4, 8, 8), (4, 4, 3, 3), dict(padding="foo")),
    ("conv1d", (2, 4, 8, 8), (4, 4, 3), {}),
])
def test_functional_errors(name, x, w, kw):
    xs, ws = np.zeros(x, np.float32), np.zeros(w, np.float32)
    _same_error(lambda: getattr(TF, name)(torch.from_numpy(xs), torch.from_numpy(ws), **kw),
                lambda: getattr(F, name)(minigrad.from_numpy(xs), minigrad.from_numpy(ws), **kw))


def test_bias_and_module_errors():
    x, w, b = np.zeros((2, 4, 8, 8), np.float32), np.zeros((4, 4, 3, 3), np.float32), np.zeros(3, np.float32)
    _same_error(lambda: TF.conv2d(*map(torch.from_numpy, (x, w, b))), lambda: F.conv2d(*map(minigrad.from_numpy,
                                                                                             (x, w, b))))
    for xd, wd, bd in ((np.float64, np.float32, None), (np.float32, np.float64, None),
                       (np.float32, np.float32, np.float64)):  # torch's dtype errors (no silent upcast)
        args = [np.zeros((1, 2, 4, 4), xd), np.zeros((3, 2, 3, 3), wd)] + ([] if bd is None else [np.zeros(3, bd)])
        _same_error(lambda: TF.conv2d(*map(torch.from_numpy, args)), lambda: F.conv2d(*map(minigrad.from_numpy, args)))
    for kw in (dict(groups=2, out_channels=3), dict(groups=3), dict(padding_mode="foo"), dict(stride=2, padding="same"),
               dict(padding="foo")):
        args = dict(in_channels=4, out_channels=4, kernel_size=3)
        args.update(kw)
        _same_error(lambda: torch.nn.Conv2d(**args), lambda: nn.Conv2d(**args))
    _same_error(lambda: torch.nn.Conv2d(4, 4, 3)(torch.zeros(1, 3, 5, 5)), lambda: nn.Conv2d(4, 4, 3)(
        minigrad.zeros(1, 3, 5, 5)))


def _blitz(torch):
    """The 60-minute blitz's LeNet, written against `torch`: run it with torch, and with minigrad as torch."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = s4.view(-1, 16 * 5 * 5) if s4.size(0) == 1 else torch.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)

    return Net()


def test_blitz_lenet_with_minigrad_as_torch():
    tnet, mnet = _blitz(torch), _blitz(minigrad)
    assert repr(mnet) == repr(tnet)
    assert [(k, tuple(v.shape)) for k, v in mnet.state_dict().items()] == [(k, tuple(v.shape)) for k, v in
                                                                            tnet.state_dict().items()]
    mnet.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in tnet.state_dict().items()})
    rng = np.random.default_rng(10)
    for batch in (1, 4):
        x, target = rng.standard_normal((batch, 1, 32, 32)).astype(np.float32), rng.standard_normal((batch, 10))
        outs = []
        for lib, net in ((torch, tnet), (minigrad, mnet)):
            opt = lib.optim.SGD(net.parameters(), lr=0.01)
            opt.zero_grad()
            out = net(lib.from_numpy(x))
            loss = lib.nn.MSELoss()(out, lib.from_numpy(target.astype(np.float32)))
            loss.backward()
            opt.step()
            outs.append((out.detach().numpy(), loss.item(), net.conv1.weight.grad.numpy(),
                         net.conv1.weight.detach().numpy().copy()))
        for ours, theirs in zip(outs[1], outs[0]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_outputs_do_not_share_the_scratch_arrays():
    """The work arrays are reused from call to call; no result may be one of them (a 1-channel output's transposed
    view is contiguous: returning it as it is would hand out the scratch array)."""
    rng = np.random.default_rng(11)
    x = minigrad.from_numpy(rng.standard_normal((2, 3, 5, 5)))
    w = minigrad.from_numpy(rng.standard_normal((1, 3, 5, 5)))
    first = F.conv2d(x, w)
    kept = first.numpy().copy()
    F.conv2d(x * 2, w)
    np.testing.assert_array_equal(first.numpy(), kept)


@pytest.mark.parametrize("name, fn", [
    ("conv2d", lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ("conv2d unit stride", lambda x, w: F.conv2d(x, w, padding="same", groups=2)),
    ("reflect", lambda x, w: nn.Conv2d(4, 2, 3, padding=1, padding_mode="reflect", groups=2, bias=False,
                                       dtype=minigrad.float64)._conv_forward(x, w, None)),
    ("conv1d", lambda x, w: F.conv1d(x[:, :, 0], w[:, :, 0], stride=2, padding=1, groups=2)),
])
def test_finite_differences_first_and_second_order(name, fn):
    """Independent of torch: central differences of the output, and of the create_graph gradient (so the backwards
    of ConvTranspose and ConvWeight are checked as well)."""
    rng = np.random.default_rng(13)
    x = minigrad.from_numpy(rng.standard_normal((2, 4, 5, 6))).requires_grad_(True)
    w = minigrad.from_numpy(rng.standard_normal((2, 2, 3, 3))).requires_grad_(True)
    assert minigrad.autograd.gradcheck(fn, (x, w))

    def first_gradients(x, w):
        z = fn(x, w)
        return minigrad.autograd.grad((z * z).sum(), [x, w], create_graph=True)
    assert minigrad.autograd.gradcheck(first_gradients, (x, w))
