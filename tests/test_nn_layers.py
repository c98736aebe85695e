"""Layers and nn.functional against torch: values and gradients over generated shapes, float64 and float32.
Weights are copied out of torch through NumPy, so both sides compute from the same numbers."""
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
from strategies import array_and_dim, arrays, float_dtypes, large_arrays, shapes


@given(st.data())
def test_linear_functional(data):
    dt = data.draw(float_dtypes)
    lead = data.draw(st.sampled_from([(), (3,), (2, 3), (1, 2, 2)]))
    fin, fout = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    x = data.draw(arrays(dt, lead + (fin,)))
    w = data.draw(arrays(dt, (fout, fin)))
    if data.draw(st.booleans()):
        b = data.draw(arrays(dt, (fout,)))
        check_parity(TF.linear, F.linear, x, w, b)
    else:
        check_parity(TF.linear, F.linear, x, w)


def _copy_weights(t_module, m_module):
    m_module.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy())
                              for k, v in t_module.state_dict().items()})


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module_parameter_gradients(dtype, bias):
    t = torch.nn.Linear(6, 4, bias=bias).to(torch.float64 if dtype == np.float64 else torch.float32)
    m = nn.Linear(6, 4, bias=bias, dtype=minigrad.float64 if dtype == np.float64 else minigrad.float32)
    _copy_weights(t, m)
    x = np.random.default_rng(0).standard_normal((5, 6)).astype(dtype)
    check_parity(t, m, x)
    tol = dict(rtol=1e-10) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), t.named_parameters()):
        assert n1 == n2 and p1.grad.dtype == p1.dtype
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), **tol)


ACTIVATIONS = [(torch.nn.ReLU, nn.ReLU), (torch.nn.Sigmoid, nn.Sigmoid), (torch.nn.Tanh, nn.Tanh),
               (torch.nn.Identity, nn.Identity)]


@given(st.data(), st.sampled_from(ACTIVATIONS))
def test_activations(data, layers):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=0, max_dims=3))
    x = data.draw(st.one_of(arrays(dt, shape), large_arrays(dt, shape)))
    check_parity(layers[0](), layers[1](), x)


@given(array_and_dim(), st.booleans())
def test_softmax_and_log_softmax(x_dim, log):
    x, dim = x_dim
    t_layer, m_layer = (torch.nn.LogSoftmax, nn.LogSoftmax) if log else (torch.nn.Softmax, nn.Softmax)
    check_parity(t_layer(dim), m_layer(dim), x)
    fn = "log_softmax" if log else "softmax"
    check_parity(lambda a: getattr(TF, fn)(a, dim), lambda a: getattr(F, fn)(a, dim), x)


def test_softmax_implicit_dim_warns_and_picks_torchs_dim():
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = np.random.default_rng(0).standard_normal(shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
            check_parity(lambda a: TF.softmax(a), lambda a: F.softmax(a), x)
        with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
            check_parity(lambda a: TF.log_softmax(a), lambda a: F.log_softmax(a), x)


@given(st.data())
def test_flatten_and_unflatten(data):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=2, max_dims=4))
    x = data.draw(arrays(dt, shape))
    nd = len(shape)
    start = data.draw(st.integers(-nd, nd - 1))
    end = data.draw(st.integers(-nd, nd - 1))
    if start % nd > end % nd:
        start, end = end, start
    check_parity(torch.nn.Flatten(start, end), nn.Flatten(start, end), x)
    dim = data.draw(st.integers(-nd, nd - 1))
    sizes = (1, shape[dim], 1) if data.draw(st.booleans()) else (-1, 1)
    check_parity(torch.nn.Unflatten(dim, sizes), nn.Unflatten(dim, sizes), x)


def test_relu_inplace_matches_torch():
    x = np.random.default_rng(0).standard_normal((3, 4))

    def through(lib, f):
        def fn(a):
            h = a * 2  # relu_ on a non-leaf: the graph goes on through it
            out = f(h)
            assert out is h
            return out
        return fn

    check_parity(through(torch, lambda h: TF.relu(h, inplace=True)), through(minigrad, lambda h: F.relu(h, True)), x)
    check_parity(through(torch, torch.nn.ReLU(inplace=True)), through(minigrad, nn.ReLU(inplace=True)), x)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(minigrad.ones(2, requires_grad=True), inplace=True)


def test_dropout_scales_survivors_and_is_seeded():
    x = minigrad.ones(200, 100, requires_grad=True)
    minigrad.manual_seed(3)
    a = F.dropout(x, 0.3)
    minigrad.manual_seed(3)
    b = nn.Dropout(0.3)(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    vals = np.unique(a.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    kept = (a.detach().numpy() != 0).mean()
    n = x.numel()
    assert abs(kept - 0.7) < 5 * np.sqrt(0.7 * 0.3 / n)  # 5 standard errors of a Bernoulli(0.7) mean
    a.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a.detach().numpy())  # d(x m / 0.7)/dx = m / 0.7
    assert a.dtype == minigrad.float32 and x.grad.dtype == minigrad.float32


def test_dropout_edges_and_eval():
    x = minigrad.randn(4, 5)
    layer = nn.Dropout(0.5)
    assert layer.eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x and F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).data.any()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        nn.Dropout(-0.1)


@given(st.data())
def test_one_hot(data):
    c = data.draw(st.integers(1, 5))
    shape = data.draw(shapes(min_dims=0, max_dims=3))
    idx = np.asarray(data.draw(st.lists(st.integers(0, c - 1), min_size=int(np.prod(shape)),
                                        max_size=int(np.prod(shape)))), np.int64).reshape(shape)
    for n in (-1, c, c + 2):
        if n == -1 and idx.size == 0:
            continue
        ours = F.one_hot(minigrad.from_numpy(idx), n)
        theirs = TF.one_hot(torch.from_numpy(idx), n)
        assert ours.dtype == minigrad.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_tutorial_softmax_argmax_flow():
    """The tutorial's "Build the Neural Network" steps: logits -> Softmax(dim=1) -> argmax."""
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    m = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    _copy_weights(t, m)
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    tp = torch.nn.Softmax(dim=1)(t(torch.from_numpy(x)))
    mp = nn.Softmax(dim=1)(m(minigrad.from_numpy(x)))
    np.testing.assert_allclose(mp.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-7)
    assert mp.argmax(1).tolist() == tp.argmax(1).tolist()
