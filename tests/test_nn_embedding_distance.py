"""embedding, bilinear, normalize, cosine_similarity, pairwise_distance, pdist and the Embedding and Bilinear
modules against torch: values, gradients, second derivatives, init statistics, reprs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from gradgrad import check_gradgrad
from parity import check_parity
from strategies import arrays, float_dtypes, shapes

P_NORMS = [1.0, 2.0, 3.0, 1.5, float("inf")]


@given(st.data())
def test_embedding(data):
    dt = data.draw(float_dtypes)
    num, dim = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 4))
    ishape = data.draw(shapes(min_dims=0, max_dims=2))
    idx = np.asarray(data.draw(st.lists(st.integers(0, num - 1), min_size=int(np.prod(ishape)),
                                        max_size=int(np.prod(ishape)))), np.int64).reshape(ishape)
    w = data.draw(arrays(dt, (num, dim)))
    kw = dict(padding_idx=data.draw(st.sampled_from([None, 0, num - 1, -1])),
              scale_grad_by_freq=data.draw(st.booleans()))
    check_parity(lambda a, i: TF.embedding(i, a, **kw), lambda a, i: F.embedding(i, a, **kw), w, idx)
    check_gradgrad(lambda a, i: TF.embedding(i, a, **kw) ** 2, lambda a, i: F.embedding(i, a, **kw) ** 2, w, idx,
                   wrt=[0])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalises_rows_in_place(norm_type):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)) * 3
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    tw, mw = torch.from_numpy(w.copy()).requires_grad_(), minigrad.from_numpy(w.copy()).requires_grad_()
    t_out = TF.embedding(torch.from_numpy(idx), tw, max_norm=1.5, norm_type=norm_type)
    m_out = F.embedding(minigrad.from_numpy(idx), mw, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(mw.detach().numpy(), tw.detach().numpy(), rtol=1e-10)  # rows 0 1 2 5 changed
    (t_out ** 2).sum().backward()
    (m_out ** 2).sum().backward()
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), rtol=1e-10)


def test_embedding_module():
    minigrad.manual_seed(0)
    m = nn.Embedding(2000, 50, padding_idx=3)
    w = m.weight.detach().numpy()
    assert repr(m) == repr(torch.nn.Embedding(2000, 50, padding_idx=3)) == "Embedding(2000, 50, padding_idx=3)"
    assert list(m.state_dict()) == ["weight"] and m.weight.dtype == minigrad.float32
    assert (w[3] == 0).all()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01  # N(0, 1): 99950 draws
    for args, kw in [((10, 3), {}), ((10, 3), dict(padding_idx=-2, max_norm=2.0, norm_type=1.0,
                                                    scale_grad_by_freq=True, sparse=True))]:
        assert repr(nn.Embedding(*args, **kw)) == repr(torch.nn.Embedding(*args, **kw))
    assert nn.Embedding(10, 3, padding_idx=-2).padding_idx == 8
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)


def test_embedding_module_gradient_and_from_pretrained():
    w = np.random.default_rng(1).standard_normal((5, 3))
    t = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), freeze=False, padding_idx=1)
    m = nn.Embedding.from_pretrained(minigrad.from_numpy(w.copy()), freeze=False, padding_idx=1)
    idx = np.array([[1, 2, 4], [2, 2, 0]])
    check_parity(lambda i: t(i), lambda i: m(i), idx, grad=False)
    (t(torch.from_numpy(idx)) * 2).sum().backward()
    (m(minigrad.from_numpy(idx)) * 2).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.numpy(), t.weight.grad.numpy())
    frozen = nn.Embedding.from_pretrained(minigrad.from_numpy(w))
    assert not frozen.weight.requires_grad


def test_embedding_errors():
    w_t, w_m = torch.ones(3, 2), minigrad.ones(3, 2)
    for idx in (np.array([0.0, 1.0]), np.array([0, 3]), np.array([-4])):
        with pytest.raises(Exception) as theirs:
            TF.embedding(torch.from_numpy(idx), w_t)
        with pytest.raises(type(theirs.value), match=None) as ours:
            F.embedding(minigrad.from_numpy(idx), w_m)
        assert str(ours.value) == str(theirs.value)


@given(st.data())
def test_bilinear(data):
    dt = data.draw(float_dtypes)
    lead = data.draw(st.sampled_from([(), (3,), (2, 2)]))
    in1, in2, out = (data.draw(st.integers(1, 4)) for _ in range(3))
    x1, x2 = data.draw(arrays(dt, lead + (in1,))), data.draw(arrays(dt, lead + (in2,)))
    w, b = data.draw(arrays(dt, (out, in1, in2))), data.draw(arrays(dt, (out,)))
    check_parity(TF.bilinear, F.bilinear, x1, x2, w, b)
    check_parity(TF.bilinear, F.bilinear, x1, x2, w)
    check_gradgrad(TF.bilinear, F.bilinear, x1, x2, w, b)


def test_bilinear_module():
    minigrad.manual_seed(0)
    m = nn.Bilinear(16, 5, 400)
    t = torch.nn.Bilinear(16, 5, 400)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["weight", "bias"]
    w = m.weight.detach().numpy()
    assert w.shape == (400, 16, 5) and w.dtype == np.float32
    assert -0.25 <= w.min() and w.max() <= 0.25 and w.min() < -0.24 and w.max() > 0.24  # U(±1/√16)
    assert abs(w.std() - 0.25 / np.sqrt(3)) < 0.005
    b = m.bias.detach().numpy()
    assert -0.25 <= b.min() and b.max() <= 0.25 and b.min() < -0.2
    assert repr(nn.Bilinear(2, 3, 4, bias=False)) == repr(torch.nn.Bilinear(2, 3, 4, bias=False))
    assert nn.Bilinear(2, 3, 4, bias=False).bias is None
    t64 = torch.nn.Bilinear(3, 2, 4).double()
    m64 = nn.Bilinear(3, 2, 4, dtype=minigrad.float64)
    m64.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t64.state_dict().items()})
    rng = np.random.default_rng(0)
    check_parity(t64, m64, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    for (n1, p1), (n2, p2) in zip(m64.named_parameters(), t64.named_parameters()):
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=1e-10)


def test_bilinear_errors():
    with pytest.raises(RuntimeError, match="input1 size does not match weight size"):
        F.bilinear(minigrad.ones(2, 3), minigrad.ones(2, 2), minigrad.ones(4, 2, 2))


@given(st.data())
def test_normalize(data):
    dt = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    p = data.draw(st.sampled_from(P_NORMS[:4]))
    x = data.draw(arrays(dt, shape, 0.5, 3.0)) * np.where(data.draw(arrays(dt, shape)) > 0, 1, -1).astype(dt)
    check_parity(lambda a: TF.normalize(a, p, dim), lambda a: F.normalize(a, p, dim), x)
    # float32: the p-norm is a composition (Σ|x|^p)^(1/p); its second derivative keeps ~3e-6 of rounding where
    # torch's is exactly 0 (equal entries)
    atol = 1e-5 if dt == np.float32 else None
    check_gradgrad(lambda a: TF.normalize(a, p, dim), lambda a: F.normalize(a, p, dim), x, atol=atol)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_zero_vectors(p):
    """A zero vector: torch's norm has gradient 0 there, so normalize's gradient is w / eps and pdist's is 0."""
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [0.3, 0.1, 0.2]])
    check_parity(lambda a: TF.normalize(a, p, dim=1), lambda a: F.normalize(a, p, dim=1), x)
    check_parity(lambda a: TF.normalize(a, p, dim=0), lambda a: F.normalize(a, p, dim=0), x[[0, 2]])
    check_parity(lambda a: TF.pdist(a, p), lambda a: F.pdist(a, p), x)
    check_parity(lambda a, b: TF.cosine_similarity(a, b), lambda a, b: F.cosine_similarity(a, b), x, x[::-1].copy())


@given(st.data())
def test_cosine_similarity(data):
    dt = data.draw(float_dtypes)
    s1, s2 = data.draw(st.sampled_from([((3, 4), (3, 4)), ((2, 3, 4), (1, 3, 4)), ((4,), (2, 4)), ((5, 1), (5, 3))]))
    dim = data.draw(st.integers(-1, 0) if min(len(s1), len(s2)) == 1 else st.integers(-2, 1))
    x1, x2 = data.draw(arrays(dt, s1, 0.2, 2.0)), data.draw(arrays(dt, s2, -2.0, -0.5))
    # (anti)parallel inputs, which hypothesis likes (two constant arrays), have a second derivative of 0 up to
    # rounding, and float32 leaves up to ~2e-5 of it in torch (x2 = -0.22 everywhere): a ramp on x1 keeps the
    # vectors apart, and x2 is kept away from tiny norms, where that rounding grows
    x1 = (x1 + np.linspace(0, 0.5, x1.size).reshape(s1)).astype(dt)
    check_parity(lambda a, b: TF.cosine_similarity(a, b, dim), lambda a, b: F.cosine_similarity(a, b, dim), x1, x2)
    atol = 1e-5 if dt == np.float32 else None
    check_gradgrad(lambda a, b: TF.cosine_similarity(a, b, dim), lambda a, b: F.cosine_similarity(a, b, dim),
                   x1, x2, atol=atol)


def test_cosine_similarity_tiny_norm_clamped():
    x1, x2 = np.full((2, 3), 1e-10), np.ones((2, 3))
    check_parity(lambda a, b: TF.cosine_similarity(a, b), lambda a, b: F.cosine_similarity(a, b), x1, x2)


@given(st.data())
def test_pairwise_distance(data):
    dt = data.draw(float_dtypes)
    s1, s2 = data.draw(st.sampled_from([((3, 4), (3, 4)), ((4,), (4,)), ((2, 3, 4), (3, 4)), ((1, 4), (3, 4))]))
    p = data.draw(st.sampled_from(P_NORMS))
    keepdim = data.draw(st.booleans())
    x1, x2 = data.draw(arrays(dt, s1, 1.0, 3.0)), data.draw(arrays(dt, s2, -3.0, -1.0))

    def fn(f):
        return lambda a, b: f.pairwise_distance(a, b, p, keepdim=keepdim)

    check_parity(fn(TF), fn(F), x1, x2)
    if len(s1) > 1:  # a 0-dim distance: the engine's 0-dim double-backward gap (see test_nn_activations_more)
        check_gradgrad(fn(TF), fn(F), x1, x2)


@given(st.data())
def test_pdist(data):
    dt = data.draw(float_dtypes)
    n, m = data.draw(st.integers(2, 5)), data.draw(st.integers(1, 4))
    p = data.draw(st.sampled_from(P_NORMS))
    # rows far apart, and an offset per element so no two coordinates of a difference tie (for p = inf torch's
    # pdist gives each tied coordinate the whole gradient, where its norm and minigrad's amax share it)
    spread = (0.3 * 2.0 ** -np.arange(n * m)).reshape(n, m)
    x = (np.arange(n * m).reshape(n, m) * 1.5 + spread).astype(dt) + data.draw(arrays(dt, (n, m), 0.0, 0.01))
    check_parity(lambda a: TF.pdist(a, p), lambda a: F.pdist(a, p), x)
    # float32 second derivatives of a p-norm of differences ~10 apart are rounding noise of ~1e-6 in both libraries
    check_gradgrad(lambda a: TF.pdist(a, p), lambda a: F.pdist(a, p), x, **(dict(atol=1e-5) if dt == np.float32 else {}))


def test_pdist_errors():
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 1D"):
        F.pdist(minigrad.ones(3))
