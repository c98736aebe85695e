"""Losses against torch: values and gradients over generated shapes, options and reductions, and the errors."""
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
from strategies import arrays, float_dtypes, large_arrays

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@st.composite
def class_problem(draw, spatial=True):
    """(logits (N, C, *d) or (C,), class indices, ignore_index) with some targets ignored."""
    dt = draw(float_dtypes)
    c = draw(st.integers(1, 5))
    if draw(st.booleans()) and spatial and draw(st.booleans()):
        shape = (c,)
        tshape = ()
    else:
        n = draw(st.integers(1, 5))
        extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2))) if spatial else ()
        shape, tshape = (n, c) + extra, (n,) + extra
    x = draw(st.one_of(arrays(dt, shape), large_arrays(dt, shape)))
    ignore_index = draw(st.sampled_from([-100, 0, c - 1, 7]))
    t = np.asarray(draw(st.lists(st.one_of(st.integers(0, c - 1), st.just(ignore_index)),
                                 min_size=int(np.prod(tshape, dtype=np.int64)),
                                 max_size=int(np.prod(tshape, dtype=np.int64)))), np.int64).reshape(tshape)
    if (t == ignore_index).all() and not (0 <= ignore_index < c):  # keep at least one row (all-ignored: own test)
        t.reshape(-1)[0] = 0
    if (t == ignore_index).all():
        ignore_index = -100
    return x, t, ignore_index


def _weight(draw, c, dt):
    if not draw(st.booleans()):
        return None
    return draw(arrays(dt, (c,), 0.1, 3.0))


@given(class_problem(), REDUCTIONS, st.sampled_from([0.0, 0.1, 0.37, 1.0]), st.data())
def test_cross_entropy_class_indices(problem, reduction, smoothing, data):
    x, t, ignore_index = problem
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = _weight(data.draw, c, x.dtype)
    kw = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    if w is None:
        check_parity(lambda a, b: TF.cross_entropy(a, b, **kw), lambda a, b: F.cross_entropy(a, b, **kw), x, t)
    else:
        check_parity(lambda a, b, ww: TF.cross_entropy(a, b, weight=ww.detach(), **kw),
                     lambda a, b, ww: F.cross_entropy(a, b, weight=ww.detach(), **kw), x, t, w)


@given(st.data(), REDUCTIONS, st.sampled_from([0.0, 0.25]))
def test_cross_entropy_probabilities(data, reduction, smoothing):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(4,), (3, 5), (2, 3, 4), (2, 4, 1, 3)]))
    c = shape[0] if len(shape) == 1 else shape[1]
    x = data.draw(st.one_of(arrays(dt, shape), large_arrays(dt, shape)))
    q = data.draw(arrays(dt, shape, 0.0, 1.0))
    w = _weight(data.draw, c, dt)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    if w is None:  # the target's gradient is compared too
        check_parity(lambda a, b: TF.cross_entropy(a, b, **kw), lambda a, b: F.cross_entropy(a, b, **kw), x, q)
    else:
        check_parity(lambda a, b, ww: TF.cross_entropy(a, b, weight=ww.detach(), **kw),
                     lambda a, b, ww: F.cross_entropy(a, b, weight=ww.detach(), **kw), x, q, w)


@given(class_problem(), REDUCTIONS, st.data())
def test_nll_loss(problem, reduction, data):
    x, t, ignore_index = problem
    c = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = _weight(data.draw, c, x.dtype)
    kw = dict(ignore_index=ignore_index, reduction=reduction)
    wt = None if w is None else torch.from_numpy(w)
    wm = None if w is None else minigrad.from_numpy(w)
    check_parity(lambda a, b: TF.nll_loss(a.log_softmax(0 if a.ndim == 1 else 1), b, weight=wt, **kw),
                 lambda a, b: F.nll_loss(a.log_softmax(0 if a.ndim == 1 else 1), b, weight=wm, **kw), x, t)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_all_ignored_is_nan_with_zero_gradient(smoothing, weighted):
    x = np.random.default_rng(0).standard_normal((3, 4))
    t = np.full(3, -100)
    w = np.array([1.0, 2.0, 3.0, 4.0]) if weighted else None
    check_parity(lambda a, b: TF.cross_entropy(a, b, label_smoothing=smoothing,
                                               weight=None if w is None else torch.from_numpy(w)),
                 lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing,
                                              weight=None if w is None else minigrad.from_numpy(w)), x, t)


def test_cross_entropy_float32_stays_float32_and_is_one_node():
    x = minigrad.randn(64, 10, requires_grad=True)
    loss = F.cross_entropy(x, minigrad.randint(0, 10, (64,)))
    assert loss.dtype == minigrad.float32
    assert loss.grad_fn.next_functions[0][0] is x._node()  # log-softmax and nll fused: x feeds the loss directly
    loss.backward()
    assert x.grad.dtype == minigrad.float32


def _pair(draw, lo=-3.0, hi=3.0):
    dt = draw(float_dtypes)
    from strategies import shapes
    shape = draw(shapes(min_dims=0, max_dims=3))
    return draw(arrays(dt, shape, lo, hi)), draw(arrays(dt, shape, lo, hi))


@given(st.data(), REDUCTIONS)
def test_mse_and_l1(data, reduction):
    x, y = _pair(data.draw)
    for tf, mf in ((TF.mse_loss, F.mse_loss), (TF.l1_loss, F.l1_loss)):
        check_parity(lambda a, b: tf(a, b, reduction=reduction), lambda a, b: mf(a, b, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1_weighted_and_promoted(reduction):
    rng = np.random.default_rng(1)
    x, y, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)).astype(np.float32), rng.random((3, 4))
    for tf, mf in ((TF.mse_loss, F.mse_loss), (TF.l1_loss, F.l1_loss)):
        check_parity(lambda a, b, c: tf(a, b, reduction=reduction, weight=c.detach()),
                     lambda a, b, c: mf(a, b, reduction=reduction, weight=c.detach()), x, y, w)


def test_mse_broadcasts_with_torchs_warning():
    x, y = np.ones((4, 3)), np.zeros((1, 3))
    with pytest.warns(UserWarning, match=r"Using a target size .* that is different to the input size"):
        check_parity(TF.mse_loss, F.mse_loss, x, y)


@given(st.data(), REDUCTIONS)
def test_binary_cross_entropy(data, reduction):
    dt = data.draw(float_dtypes)
    from strategies import shapes
    shape = data.draw(shapes(min_dims=0, max_dims=3))
    x = data.draw(arrays(dt, shape, 0.001, 0.999))
    t = data.draw(arrays(dt, shape, 0.0, 1.0))
    if data.draw(st.booleans()):
        w = data.draw(arrays(dt, shape[-1:], 0.0, 2.0))
        check_parity(lambda a, b, c: TF.binary_cross_entropy(a, b, weight=c.detach(), reduction=reduction),
                     lambda a, b, c: F.binary_cross_entropy(a, b, weight=c.detach(), reduction=reduction), x, t, w)
    else:
        check_parity(lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction),
                     lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), x, t)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-50])
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    check_parity(lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"),
                 lambda a, b: F.binary_cross_entropy(a, b, reduction="none"), x, t, grad=False)


@given(st.data(), REDUCTIONS)
def test_binary_cross_entropy_with_logits(data, reduction):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(), (3,), (2, 3), (2, 1, 4)]))
    x = data.draw(st.one_of(arrays(dt, shape, -30, 30), large_arrays(dt, shape)))
    t = data.draw(arrays(dt, shape, 0.0, 1.0))
    n = shape[-1] if shape else 1
    w = data.draw(arrays(dt, shape, 0.0, 2.0)) if data.draw(st.booleans()) else None
    pw = data.draw(arrays(dt, (n,), 0.1, 4.0)) if shape and data.draw(st.booleans()) else None

    def run(lib, fn):
        return lambda a, b: fn(a, b, weight=None if w is None else lib.from_numpy(w),
                               pos_weight=None if pw is None else lib.from_numpy(pw), reduction=reduction)

    check_parity(run(torch, TF.binary_cross_entropy_with_logits),
                 run(minigrad, F.binary_cross_entropy_with_logits), x, t)


# ---- loss modules ---------------------------------------------------------------------------------------------------
def test_loss_modules_match_functional_and_repr():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    t = rng.integers(0, 4, 5)
    p = rng.random((5, 4)).astype(np.float32)
    w = rng.random(4).astype(np.float32) + 0.5
    cases = [
        ("CrossEntropyLoss", dict(label_smoothing=0.1, ignore_index=2), (x, t)),
        ("CrossEntropyLoss", dict(weight=w, reduction="sum"), (x, t)),
        ("NLLLoss", dict(weight=w), (x, t)),
        ("MSELoss", dict(reduction="sum"), (x, p)),
        ("L1Loss", {}, (x, p)),
        ("BCELoss", dict(weight=w), (p, p[::-1].copy())),
        ("BCEWithLogitsLoss", dict(pos_weight=w, weight=w), (x, p)),
    ]
    for name, kw, arrs in cases:
        tm = getattr(torch.nn, name)(**{k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
                                        for k, v in kw.items()})
        mm = getattr(nn, name)(**{k: minigrad.from_numpy(v) if isinstance(v, np.ndarray) else v
                                  for k, v in kw.items()})
        assert repr(mm) == repr(tm) == f"{name}()"
        assert list(mm.state_dict()) == list(tm.state_dict())
        check_parity(tm, mm, *arrs)


def test_legacy_size_average_and_reduce():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"


# ---- errors ---------------------------------------------------------------------------------------------------------
def _same_error(torch_call, minigrad_call):
    with pytest.raises(Exception) as theirs:
        torch_call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        minigrad_call(minigrad)
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "minigrad.Size")


X = np.random.default_rng(3).standard_normal((4, 10)).astype(np.float32)
ERRORS = [
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 10, 3])),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, -5, 3])),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3])),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1.0, 2, 3, 4])),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.zeros(4, 10).long()),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.zeros(4, 10), ignore_index=3),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3, 4]), weight=L.ones(5)),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3, 4]), label_smoothing=1.5),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3, 4]), reduction="avg"),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3, 4]).int()),
    lambda L, f: f.cross_entropy(L.from_numpy(X), L.tensor([1, 2, 3, 4]), weight=L.ones(10).double()),
    lambda L, f: f.cross_entropy(L.zeros(4, 10, 3), L.tensor([1, 2, 3, 4])),
    lambda L, f: f.nll_loss(L.zeros(()), L.tensor(1)),
    lambda L, f: f.nll_loss(L.zeros(4, 10, 3, 2), L.tensor([[1, 2, 3]] * 4)),
    lambda L, f: f.linear(L.from_numpy(X), L.zeros(3, 5)),
    lambda L, f: f.linear(L.zeros(2, 3, 10), L.zeros(3, 5)),
    lambda L, f: f.linear(L.from_numpy(X).double(), L.zeros(3, 10)),
    lambda L, f: f.binary_cross_entropy(L.zeros(3), L.zeros(4)),
    lambda L, f: f.binary_cross_entropy(L.ones(3) * 2, L.zeros(3)),
    lambda L, f: f.binary_cross_entropy(L.zeros(3), L.zeros(3).double()),
    lambda L, f: f.binary_cross_entropy_with_logits(L.zeros(3), L.zeros(4)),
    lambda L, f: f.mse_loss(L.zeros(4), L.zeros(4), weight=L.ones(3)),
    lambda L, f: f.mse_loss(L.zeros(4), L.zeros(4), reduction="x"),
    lambda L, f: f.one_hot(L.tensor([1.0, 2])),
    lambda L, f: f.one_hot(L.tensor([1, -2])),
    lambda L, f: f.one_hot(L.tensor([1, 5]), 3),
    lambda L, f: f.one_hot(L.tensor([], dtype=L.long)),
    lambda L, f: f.dropout(L.zeros(3), 1.5),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    _same_error(lambda L: ERRORS[i](L, TF), lambda L: ERRORS[i](L, F))
