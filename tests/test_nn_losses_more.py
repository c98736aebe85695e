"""The losses of issue 11 against torch: values and gradients (float64 and float32) over generated shapes, options
and reductions, second derivatives, the modules (repr, state_dict, forward) and errors. Inputs stay off the kinks
of the hinges (|kink argument| > 1e-3)."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from gradgrad import check_gradgrad
from parity import check_parity
from strategies import arrays, float_dtypes, shapes

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def run(name, arrays_, kw, diff=(0,), gradgrad=True, weight=False, **tol):
    """`name` from both libraries on `arrays_`; only the inputs at `diff` are differentiated (the others are
    detached, as torch has no derivative for class targets and ±1 labels). weight=True: the last array is passed
    as `weight=`."""
    def make(lib):
        def fn(*a):
            a = [x if i in diff else x.detach() for i, x in enumerate(a)]
            extra = dict(weight=a.pop()) if weight else {}
            return getattr(lib, name)(*a, **kw, **extra)
        return fn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning: tested on its own
        check_parity(make(TF), make(F), *arrays_, **tol)
        if gradgrad:
            check_gradgrad(make(TF), make(F), *arrays_, wrt=diff, **tol)


def off(values, kink=0.0, gap=1e-3):
    return np.all(np.abs(np.asarray(values) - kink) > gap)


def signs(draw, shape, dt):
    return np.where(draw(arrays(dt, shape)) >= 0, 1, -1).astype(dt)


@st.composite
def pair(draw, lo=-3.0, hi=3.0, min_dims=0):
    dt = draw(float_dtypes)
    shape = draw(shapes(min_dims=min_dims, max_dims=3))
    return draw(arrays(dt, shape, lo, hi)), draw(arrays(dt, shape, lo, hi))


@given(pair(), REDUCTIONS, st.sampled_from([1.0, 0.5, 2.0, 0.0]))
def test_smooth_l1(xt, reduction, beta):
    x, t = xt
    assume(off(np.abs(x - t), beta) and off(x - t))
    run("smooth_l1_loss", (x, t), dict(reduction=reduction, beta=beta), diff=(0, 1))


@given(pair(), REDUCTIONS, st.sampled_from([1.0, 0.5, 2.5]), st.booleans())
def test_huber(xt, reduction, delta, weighted):
    x, t = xt
    assume(off(np.abs(x - t), delta))
    if weighted:
        w = np.abs(t) + 0.5
        run("huber_loss", (x, t, w), dict(reduction=reduction, delta=delta), diff=(0, 1), weight=True)
    else:
        run("huber_loss", (x, t), dict(reduction=reduction, delta=delta), diff=(0, 1))


@given(st.data(), st.sampled_from(["mean", "sum", "none", "batchmean"]), st.booleans())
def test_kl_div(data, reduction, log_target):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    x = data.draw(arrays(dt, shape, -4.0, 0.0))
    t = data.draw(arrays(dt, shape, -3.0, 0.0) if log_target else arrays(dt, shape, 0.05, 1.0))
    run("kl_div", (x, t), dict(reduction=reduction, log_target=log_target), diff=(0, 1))


def test_kl_div_zero_target_and_warning():
    x = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    t = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    run("kl_div", (x, t), dict(reduction="batchmean"), diff=(0,))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(minigrad.from_numpy(x), minigrad.from_numpy(t))


@given(st.data(), REDUCTIONS, st.booleans(), st.booleans())
def test_poisson_nll(data, reduction, log_input, full):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=1, max_dims=3))  # 0-dim: see the engine gap in test_nn_activations_more
    x = data.draw(arrays(dt, shape, -2.0, 2.0) if log_input else arrays(dt, shape, 0.1, 4.0))
    t = data.draw(arrays(dt, shape, 0.05, 5.0))  # t = 0: torch's target gradient of t log t is nan there
    assume(off(t, 1.0))
    run("poisson_nll_loss", (x, t), dict(reduction=reduction, log_input=log_input, full=full), diff=(0, 1))


@given(st.data(), REDUCTIONS, st.booleans(), st.sampled_from(["same", "short", "one", "float"]))
def test_gaussian_nll(data, reduction, full, var_shape):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    x, t = data.draw(arrays(dt, shape)), data.draw(arrays(dt, shape))
    kw = dict(reduction=reduction, full=full)
    if var_shape == "float":
        v = data.draw(st.sampled_from([0.5, 2.0, 1e-8]))
        run("gaussian_nll_loss", (x, t), dict(kw, var=v), diff=(0, 1))
        return
    vshape = dict(same=shape, short=shape[:-1], one=shape[:-1] + (1,))[var_shape]
    v = data.draw(arrays(dt, vshape, 0.1, 3.0))
    if data.draw(st.booleans()):  # some variances below eps: clamped in value, passed through in gradient
        v = np.where(v < 0.5, dt(1e-9), v).astype(dt)
    run("gaussian_nll_loss", (x, t, v), kw, diff=(0, 1, 2), rtol=1e-8 if dt == np.float64 else None)


def test_gaussian_nll_errors():
    x = minigrad.ones(2, 3)
    for var, msg in ((minigrad.ones(2, 2), "var is of incorrect size"), (-minigrad.ones(2, 3), "negative entry")):
        with pytest.raises(ValueError, match=msg):
            F.gaussian_nll_loss(x, x, var)
    with pytest.raises(ValueError, match="bad is not valid"):
        F.gaussian_nll_loss(x, x, minigrad.ones(2, 3), reduction="bad")


@given(pair(), REDUCTIONS, st.sampled_from([0.0, 0.5, -0.3]), st.data())
def test_margin_ranking(x12, reduction, margin, data):
    x1, x2 = x12
    y = signs(data.draw, x1.shape, x1.dtype)
    assume(off(-y * (x1 - x2) + margin))
    run("margin_ranking_loss", (x1, x2, y), dict(margin=margin, reduction=reduction), diff=(0, 1))


@given(pair(), REDUCTIONS, st.sampled_from([1.0, 0.3]), st.data())
def test_hinge_embedding(xt, reduction, margin, data):
    x, _ = xt
    y = signs(data.draw, x.shape, x.dtype)
    assume(off(margin - x))
    run("hinge_embedding_loss", (x, y), dict(margin=margin, reduction=reduction))


@given(pair(), REDUCTIONS, st.data())
def test_soft_margin(xt, reduction, data):
    x, _ = xt
    y = signs(data.draw, x.shape, x.dtype)
    run("soft_margin_loss", (x, y), dict(reduction=reduction))


@given(st.data(), REDUCTIONS)
def test_multilabel_soft_margin(data, reduction):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(4,), (3, 4), (2, 3, 5)]))
    x = data.draw(arrays(dt, shape))
    y = (data.draw(arrays(dt, shape)) > 0).astype(dt)
    if data.draw(st.booleans()):
        w = data.draw(arrays(dt, (shape[-1],), 0.1, 2.0))
        run("multilabel_soft_margin_loss", (x, y, w), dict(reduction=reduction), diff=(0,), weight=True)
    else:
        run("multilabel_soft_margin_loss", (x, y), dict(reduction=reduction), diff=(0,))


@st.composite
def class_scores(draw, spaced=True):
    """Scores (N, C) or (C,) with distinct values (hinges then stay off their kinks) and the dtype."""
    dt = draw(float_dtypes)
    c = draw(st.integers(1, 5))
    shape = draw(st.sampled_from([(c,), (draw(st.integers(1, 4)), c)]))
    n = int(np.prod(shape))
    perm = np.asarray(draw(st.permutations(range(n))), np.float64)
    scale = draw(st.sampled_from([0.3, 0.45, 0.7]))
    return ((perm - n / 2) * scale + 0.01).reshape(shape).astype(dt)


@given(class_scores(), REDUCTIONS, st.sampled_from([1, 2]), st.sampled_from([1.0, 0.5]), st.data())
def test_multi_margin(x, reduction, p, margin, data):
    c = x.shape[-1]
    y = np.asarray(data.draw(st.lists(st.integers(0, c - 1), min_size=x.size // c, max_size=x.size // c)), np.int64)
    y = y.reshape(()) if x.ndim == 1 else y
    x2 = x.reshape(-1, c)
    assume(off(margin - x2[np.arange(len(x2)), y.reshape(-1)][:, None] + x2))
    kw = dict(p=p, margin=margin, reduction=reduction)
    # torch: "derivative for multi_margin_loss_backward is not implemented"; ours is checked against finite
    # differences in test_margin_losses_second_derivatives
    if data.draw(st.booleans()):
        w = data.draw(arrays(x.dtype, (c,), 0.1, 2.0))
        run("multi_margin_loss", (x, y, w), kw, diff=(0,), weight=True, gradgrad=False)
    else:
        run("multi_margin_loss", (x, y), kw, diff=(0,), gradgrad=False)


@given(class_scores(), REDUCTIONS, st.data())
def test_multilabel_margin(x, reduction, data):
    c = x.shape[-1]
    rows = []
    for _ in range(x.size // c):
        k = data.draw(st.integers(0, c))
        labels = data.draw(st.lists(st.integers(0, c - 1), min_size=k, max_size=k))
        rows.append(labels + [-1] * (c - k) if k < c else labels)
        if k < c - 1 and data.draw(st.booleans()):  # anything after the first -1 is ignored
            rows[-1][k + 1] = data.draw(st.integers(0, c - 1))
    y = np.asarray(rows, np.int64).reshape(x.shape)
    x2 = x.reshape(-1, c)
    assume(off(1 - x2[:, :, None] + x2[:, None, :]))
    run("multilabel_margin_loss", (x, y), dict(reduction=reduction), diff=(0,), gradgrad=False)  # as multi_margin


@given(st.data(), REDUCTIONS, st.sampled_from([0.0, 0.3, -0.2]))
def test_cosine_embedding(data, reduction, margin):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(3, 4), (5, 2), (4,)]))
    x1, x2 = data.draw(arrays(dt, shape, 0.2, 2.0)), data.draw(arrays(dt, shape, -2.0, 2.0))
    x1 = x1 * signs(data.draw, shape, dt)
    y = signs(data.draw, shape[:-1], dt)
    cos = (x1 * x2).sum(-1) / np.sqrt(((x1 * x1).sum(-1) + 1e-12) * ((x2 * x2).sum(-1) + 1e-12))
    assume(off(cos - margin, gap=1e-2) and np.all(np.abs(x2).sum(-1) > 0.3))
    # the second derivative of cos (a ratio of sums) loses a few more digits than the first: float64 agrees to
    # 2e-10, float32 to ~1e-6 absolute
    tol = dict(atol=1e-5) if dt == np.float32 else dict(rtol=1e-9)
    # 1-D inputs give a 0-dim cos: second derivatives there meet the engine's 0-dim gap (test_nn_activations_more)
    run("cosine_embedding_loss", (x1, x2, y), dict(margin=margin, reduction=reduction), diff=(0, 1),
        gradgrad=len(shape) == 2, **tol)


@given(st.data(), REDUCTIONS, st.sampled_from([1.0, 0.5]), st.sampled_from([2, 1, 3.0]), st.booleans())
def test_triplet_margin(data, reduction, margin, p, swap):
    dt = data.draw(float_dtypes)
    shape = data.draw(st.sampled_from([(3, 4), (5, 2), (2, 3, 2)]))
    a = data.draw(arrays(dt, shape))
    pos = a + data.draw(arrays(dt, shape, 0.2, 1.0))
    neg = a - data.draw(arrays(dt, shape, 0.2, 2.0))

    def dist(u, v):
        return (np.abs(u - v + 1e-6) ** p).sum(-1) ** (1 / p)

    d_neg = np.minimum(dist(a, neg), dist(pos, neg)) if swap else dist(a, neg)
    assume(off(margin + dist(a, pos) - d_neg, gap=1e-2) and off(dist(a, neg) - dist(pos, neg), gap=1e-2))
    # float32: the p-norm's second derivative cancels (torch's own result is off its antisymmetry by 3e-6)
    tol = dict(atol=1e-5) if dt == np.float32 else {}
    run("triplet_margin_loss", (a, pos, neg), dict(margin=margin, p=p, swap=swap, reduction=reduction),
        diff=(0, 1, 2), **tol)


def test_loss_errors():
    cases = [
        lambda lib, f: f.smooth_l1_loss(lib.ones(2), lib.ones(2), beta=-1.0),
        lambda lib, f: f.huber_loss(lib.ones(2), lib.ones(2), delta=0.0),
        lambda lib, f: f.kl_div(lib.ones(2), lib.ones(2), reduction="bad"),
        lambda lib, f: f.poisson_nll_loss(lib.ones(2), lib.ones(2), reduction="bad"),
        lambda lib, f: f.margin_ranking_loss(lib.ones(2, 2), lib.ones(2), lib.ones(2, 2)),
        lambda lib, f: f.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1, 5])),
        lambda lib, f: f.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1])),
        lambda lib, f: f.multi_margin_loss(lib.ones(3, 4), lib.tensor([0, 1, 2]), p=3),
        lambda lib, f: f.multi_margin_loss(lib.ones(3, 4), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib, f: f.multilabel_margin_loss(lib.ones(3, 4), lib.tensor([0, 1, 2])),
        lambda lib, f: f.multilabel_margin_loss(lib.ones(1, 4), lib.tensor([[0, 1, 5, -1]])),
        lambda lib, f: f.cosine_embedding_loss(lib.ones(3, 4), lib.ones(3, 4), lib.ones(3, 1)),
        lambda lib, f: f.cosine_embedding_loss(lib.ones(3, 4), lib.ones(3, 4), lib.ones(())),
        lambda lib, f: f.cosine_embedding_loss(lib.ones(4), lib.ones(4), lib.ones(3)),
        lambda lib, f: f.triplet_margin_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(3)),
        lambda lib, f: f.triplet_margin_loss(lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=0.0),
        lambda lib, f: f.multilabel_soft_margin_loss(lib.ones(2, 3), lib.ones(2, 3), reduction="bad"),
    ]
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch, TF)
        with pytest.raises(type(theirs.value)) as ours:
            case(minigrad, F)
        assert str(ours.value).replace("minigrad.Size", "torch.Size") == str(theirs.value)


def test_legacy_reduction_arguments():
    x, t = np.array([0.2, -1.5, 3.0]), np.array([0.0, 0.0, 1.0])
    for kw in (dict(size_average=False), dict(reduce=False)):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            ours = F.smooth_l1_loss(minigrad.from_numpy(x), minigrad.from_numpy(t), **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = TF.smooth_l1_loss(torch.from_numpy(x), torch.from_numpy(t), **kw)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


# ---- modules ----------------------------------------------------------------------------------------------------
RNG = np.random.default_rng(0)
X, T = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
Y = np.where(RNG.standard_normal((3, 4)) > 0, 1.0, -1.0)
MODULES = [
    ("SmoothL1Loss", dict(beta=0.5), (X, T)), ("HuberLoss", dict(delta=2.0, reduction="sum"), (X, T)),
    ("KLDivLoss", dict(reduction="batchmean"), (X, np.abs(T))), ("KLDivLoss", dict(log_target=True), (X, T)),
    ("PoissonNLLLoss", dict(full=True), (X, np.abs(T) * 3)), ("PoissonNLLLoss", dict(log_input=False), (np.abs(X), T)),
    ("GaussianNLLLoss", dict(full=True, eps=1e-3), (X, T, np.abs(T))),
    ("MarginRankingLoss", dict(margin=0.2), (X, T, Y)),
    ("HingeEmbeddingLoss", dict(margin=0.5), (X, Y)), ("SoftMarginLoss", dict(reduction="none"), (X, Y)),
    ("MultiLabelSoftMarginLoss", {}, (X, (Y > 0).astype(float))),
    ("MultiLabelSoftMarginLoss", dict(weight=np.array([1.0, 2.0, 0.5, 1.0])), (X, (Y > 0).astype(float))),
    ("MultiLabelMarginLoss", {}, (X, np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 1, 1]]))),
    ("MultiMarginLoss", dict(p=2, margin=0.7), (X, np.array([3, 0, 1]))),
    ("MultiMarginLoss", dict(weight=np.array([1.0, 2.0, 0.5, 1.0])), (X, np.array([3, 0, 1]))),
    ("CosineEmbeddingLoss", dict(margin=0.1), (X, T, Y[:, 0])),
    ("TripletMarginLoss", dict(margin=2.0, p=1.0, swap=True), (X, T, T[::-1].copy())),
]


@pytest.mark.parametrize("name, kw, inputs", MODULES, ids=[m[0] for m in MODULES])
def test_loss_module(name, kw, inputs):
    def build(lib, mod):
        return getattr(mod, name)(**{k: lib.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()})

    t_mod, m_mod = build(torch, torch.nn), build(minigrad, nn)
    assert repr(m_mod) == repr(t_mod)
    assert list(m_mod.state_dict()) == list(t_mod.state_dict())
    # how many leading inputs are differentiated (labels and class targets are not, as in torch)
    n_diff = {"MultiLabelMarginLoss": 1, "MultiMarginLoss": 1, "MultiLabelSoftMarginLoss": 1,
              "HingeEmbeddingLoss": 1, "SoftMarginLoss": 1}.get(name, 3)

    def call(mod):
        return lambda *a: mod(*[x if i < n_diff else x.detach() for i, x in enumerate(a)])

    check_parity(call(t_mod), call(m_mod), *inputs)


def _finite_difference_hessian_vector(f, x, v, h=1e-6):
    """d/dε ∇f(x + ε v) by central differences of minigrad's own gradient (float64)."""
    def grad_at(a):
        t = minigrad.from_numpy(a).requires_grad_()
        g, = minigrad.autograd.grad(f(t), t)
        return g.numpy()
    return (grad_at(x + h * v) - grad_at(x - h * v)) / (2 * h)


@pytest.mark.parametrize("case", ["multi_margin_p2", "multilabel_margin", "multi_margin_p1"])
def test_margin_losses_second_derivatives(case):
    """torch has no second derivative for these two; ours (of a composition) against finite differences."""
    x = np.array([[0.3, -1.2, 2.0, 0.71], [1.5, 0.2, -0.4, 0.9]])
    v = np.random.default_rng(0).standard_normal(x.shape)
    if case == "multilabel_margin":
        y = minigrad.tensor([[2, 0, -1, 1], [3, -1, 0, 0]])
        f = lambda t: F.multilabel_margin_loss(t, y) ** 2  # noqa: E731 - squared: a nonzero second derivative
    else:
        p = 2 if case.endswith("p2") else 1
        y = minigrad.tensor([2, 0])
        f = lambda t: F.multi_margin_loss(t, y, p=p, margin=0.9, reduction="sum") ** 2  # noqa: E731
    t = minigrad.from_numpy(x.copy()).requires_grad_()
    g, = minigrad.autograd.grad(f(t), t, create_graph=True)
    hv, = minigrad.autograd.grad((g * minigrad.from_numpy(v)).sum(), t)
    np.testing.assert_allclose(hv.numpy(), _finite_difference_hessian_vector(f, x, v), rtol=1e-6, atol=1e-8)


def test_loss_module_options():
    assert nn.MultiMarginLoss(weight=minigrad.ones(3)).state_dict()["weight"].shape == (3,)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0, got -1"):
        nn.TripletMarginLoss(margin=-1)
    m = nn.SmoothL1Loss(reduce=False)
    assert m.reduction == "none"
