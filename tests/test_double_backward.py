"""Second derivatives against torch: the gradient of a gradient, for every differentiable op minigrad has.

For f and inputs x_i: g_i = d Σ(f(x) w) / dx_i with create_graph=True, then d Σ_i Σ(g_i v_i) / dx_j. Both the first
gradients (as Tensors in a graph) and the second are compared with torch's, float64 at rtol 1e-10. Random programs
with fan-out (test_chains.py's) are differentiated twice too, and a Hessian-vector product through the tutorial MLP.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as MF
from strategies import arrays
from test_chains import programs, run

TOL = dict(rtol=1e-10, atol=1e-12)


def second_order(L, F, f, arrays, seed=0):
    """(first gradients, second gradients) as NumPy arrays (None where there is none), for library L."""
    rng = np.random.default_rng(seed)
    ts = [L.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in arrays]
    out = f(L, F, *ts)
    w = L.from_numpy(rng.standard_normal(tuple(out.shape)))
    diff = [t for t in ts if t.requires_grad]
    gs = L.autograd.grad((out * w).sum(), diff, create_graph=True, allow_unused=True)
    s = sum((g * L.from_numpy(rng.standard_normal(tuple(g.shape)))).sum() for g in gs if g is not None)
    ggs = L.autograd.grad(s, diff, allow_unused=True) if s.requires_grad else [None] * len(diff)
    as_np = [None if g is None else _numpy(g) for g in (*gs, *ggs)]
    return as_np, [g is not None and g.requires_grad for g in gs]


def _numpy(g):
    if isinstance(g, torch.Tensor) and g._is_zerotensor():  # torch's efficient zeros: a derivative that is 0
        return np.zeros(tuple(g.shape))
    return g.detach().numpy()


def check(f, *arrs, tol=TOL):
    (theirs, _), (ours, ours_graph) = (second_order(L, F, f, arrs) for L, F in ((torch, TF), (minigrad, MF)))
    for i, (a, b) in enumerate(zip(theirs, ours)):
        what = f"{'first' if i < len(theirs) // 2 else 'second'} derivative {i % (len(theirs) // 2)}"
        if a is None or b is None:
            assert (a is None or not np.any(a)) and (b is None or not np.any(b)), f"{what}: only one library has it"
        else:
            np.testing.assert_allclose(b, a, err_msg=what, **tol)


R = np.random.default_rng(0)
X, Y, P = R.standard_normal((4, 5)), R.standard_normal((4, 5)), R.uniform(0.1, 0.9, (4, 5))
B, T = R.standard_normal(5), R.integers(0, 5, 4)
IDX = np.array([[0, 1], [2, 2], [4, 0], [1, 1]])
CASES = {
    "mul": (lambda L, F, a, b: a * b * a, X, Y),
    "div": (lambda L, F, a, b: a / (b * b + 1), X, Y),
    "exp": (lambda L, F, a: L.exp(a), X),
    "log": (lambda L, F, a: L.log(a), P),
    "log1p": (lambda L, F, a: L.log1p(a), P),
    "sqrt": (lambda L, F, a: L.sqrt(a), P),
    "pow_const": (lambda L, F, a: a ** 3, X),
    "pow_tensor": (lambda L, F, a, b: a ** b, P, Y),
    "rpow": (lambda L, F, a: 2 ** a, X),
    "sigmoid": (lambda L, F, a: L.sigmoid(a), X),
    "tanh": (lambda L, F, a: L.tanh(a), X),
    "abs": (lambda L, F, a: L.abs(a) * a, X),
    "relu": (lambda L, F, a: L.relu(a) * a, X),
    "clamp": (lambda L, F, a: L.clamp(a, -0.5, 0.5) * a, X),
    "clamp_tensor": (lambda L, F, a, lo: L.clamp(a, min=lo - 0.5) * a, X, Y),
    "maximum": (lambda L, F, a, b: L.maximum(a, b) * a, X, Y),
    "where": (lambda L, F, a, b: L.where(a > 0, a * a, b * a), X, Y),
    "sum": (lambda L, F, a: a.sum(1) * a.sum(0).sum(), X),
    "mean": (lambda L, F, a: a.mean(0) ** 2, X),
    "var": (lambda L, F, a: a.var(1), X),
    "std": (lambda L, F, a: a.std(0), X),
    "amax": (lambda L, F, a: a.amax(1) ** 2, X),
    "max_dim": (lambda L, F, a: a.max(1)[0] ** 2, X),
    "max_all": (lambda L, F, a: a.max() ** 2, X),
    "logsumexp": (lambda L, F, a: L.logsumexp(a, 1), X),
    "softmax": (lambda L, F, a: L.softmax(a, 1), X),
    "log_softmax": (lambda L, F, a: L.log_softmax(a, 1), X),
    "matmul": (lambda L, F, a, b: (a @ b.T) @ a, X, Y),
    "mv": (lambda L, F, a, v: (a @ v) ** 2, X, B),
    "dot": (lambda L, F, u, v: u.dot(v * u), B, B[::-1].copy()),
    "linear": (lambda L, F, a, w, b: L.tanh(F.linear(a, w, b)), X, Y, R.standard_normal(4)),
    "cross_entropy": (lambda L, F, a, t: F.cross_entropy(a, t), X, T),
    "cross_entropy_options": (lambda L, F, a, t: F.cross_entropy(a, t, weight=L.from_numpy(np.arange(1., 6)),
                                                                  label_smoothing=0.1, ignore_index=2), X, T),
    "cross_entropy_none": (lambda L, F, a, t: F.cross_entropy(a, t, reduction="none"), X, T),
    "cross_entropy_probs": (lambda L, F, a, q: F.cross_entropy(a, L.softmax(q, 1), label_smoothing=0.2), X, Y),
    "nll": (lambda L, F, a, t: F.nll_loss(L.log_softmax(a, 1), t), X, T),
    "bce": (lambda L, F, a, q: F.binary_cross_entropy(a, q), P, P[::-1].copy()),
    "bce_logits": (lambda L, F, a, q: F.binary_cross_entropy_with_logits(a, q), X, P),
    "bce_logits_pos_weight": (lambda L, F, a, q: F.binary_cross_entropy_with_logits(
        a, q, pos_weight=L.from_numpy(np.arange(1., 6))), X, P),
    "mse": (lambda L, F, a, q: F.mse_loss(a * a, q), X, Y),
    "l1": (lambda L, F, a, q: F.l1_loss(a * a, q), X, Y),
    "index": (lambda L, F, a: a[[0, 0, 2]] ** 2, X),
    "slice": (lambda L, F, a: a[1:, ::2] ** 2, X),
    "select": (lambda L, F, a: a[1] * a[2], X),
    "cat": (lambda L, F, a, b: L.cat([a * a, b], 1) ** 2, X, Y),
    "stack": (lambda L, F, a, b: L.stack([a * a, b], 1) ** 2, X, Y),
    "split": (lambda L, F, a: a.split(2, 1)[1] ** 2, X),
    "views": (lambda L, F, a: (a.view(20) ** 2).reshape(5, 4).t() ** 2, X),
    "permute": (lambda L, F, a: a.permute(1, 0) ** 3, X),
    "expand": (lambda L, F, v: v.expand(3, 5) ** 3, B),
    "broadcast": (lambda L, F, a, v: a * v * v, X, B),
    "cast": (lambda L, F, a: a.float().double() ** 2, X),
    "gather": (lambda L, F, a: a.gather(1, L.from_numpy(IDX)) ** 2, X),
    "setitem": (lambda L, F, a, b: _setitem(a * 1.0, b) ** 2, X, Y),
    "inplace_mul": (lambda L, F, a, b: (a * a).mul_(b) ** 2, X, Y),
    "scatter_": (lambda L, F, a, b: (a * 1.0).scatter_(1, L.from_numpy(IDX[:, :1].copy()), b[:, :1] * b[:, :1]) ** 2,
                 X, Y),
}


def _setitem(z, b):
    z[:, 1] = b[:, 0] ** 2
    return z


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_matches_torch(name):
    f, *arrs = CASES[name]
    check(f, *arrs)


@given(rows=st.integers(1, 4), cols=st.integers(1, 4), data=st.data())
def test_second_derivatives_over_shapes(rows, cols, data):
    x = data.draw(arrays(np.float64, (rows, cols), -2, 2))
    y = data.draw(arrays(np.float64, (rows, cols), -2, 2))
    for name in ("mul", "div", "tanh", "softmax", "log_softmax", "logsumexp", "matmul", "var", "broadcast"):
        f = CASES[name][0]
        args = (x, y) if name in ("mul", "div", "matmul") else (x, y[0]) if name == "broadcast" else (x,)
        check(f, *args)


@given(rows=st.integers(2, 4), cols=st.integers(2, 4), prog=programs(), data=st.data())
def test_random_programs_twice(rows, cols, prog, data):
    n_leaves, steps = prog
    leaves = [data.draw(arrays(np.float64, (rows, cols), -2, 2)) for _ in range(n_leaves)]
    check(lambda L, F, *xs: run(L, steps, *xs), *leaves, tol=dict(rtol=1e-8, atol=1e-10))


def test_backward_create_graph_fills_grad_with_a_graph():
    for L in (torch, minigrad):
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        assert x.grad.requires_grad and x.grad.grad_fn is not None
        g = x.grad
        x.grad = None
        g.sum().backward()
        np.testing.assert_allclose(x.grad.detach().numpy(), 6 * np.array([0.5, -1.0, 2.0]))


def test_without_create_graph_nothing_is_recorded():
    x = minigrad.tensor([0.5, 2.0], requires_grad=True)
    (g,) = minigrad.autograd.grad((x.exp() * x).sum(), x)
    assert g.grad_fn is None and not g.requires_grad


def test_retain_graph_defaults_to_create_graph():
    x = minigrad.tensor([0.5, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    minigrad.autograd.grad(y, x, create_graph=True)
    minigrad.autograd.grad(y, x)  # the graph was kept
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        minigrad.autograd.grad(y, x)


def test_second_order_of_something_that_does_not_require_grad():
    for L in (torch, minigrad):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (g,) = L.autograd.grad((x * 3).sum(), x, create_graph=True)  # constant gradient: no graph
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
            L.autograd.grad(g.sum(), x)


def test_hessian_vector_product_of_the_tutorial_mlp_matches_torch():
    rng = np.random.default_rng(1)
    sizes = [(784, 64), (64, 64), (64, 10)]
    params = [rng.standard_normal((o, i)) / np.sqrt(i) for i, o in sizes] + [rng.standard_normal(o) * 0.1
                                                                          for _, o in sizes]
    x, t = rng.standard_normal((16, 784)), rng.integers(0, 10, 16)
    vs = [rng.standard_normal(p.shape) for p in params]
    out = []
    for L, F in ((torch, TF), (minigrad, MF)):
        ps = [L.from_numpy(p.copy()).requires_grad_() for p in params]
        w, b = ps[:3], ps[3:]
        h = L.from_numpy(x)
        for k in range(3):
            h = F.linear(h, w[k], b[k])
            h = F.relu(h) if k < 2 else h
        gs = L.autograd.grad(F.cross_entropy(h, L.from_numpy(t)), ps, create_graph=True)
        hv = L.autograd.grad(sum((g * L.from_numpy(v)).sum() for g, v in zip(gs, vs)), ps)
        out.append([a.detach().numpy() for a in hv])
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
