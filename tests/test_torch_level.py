"""The torch-level pieces the tutorials touch: backends, the default dtype and device, the global generator's
seed, gradient clipping and the parameter/vector conversions, each against torch."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from tests.strategies import shapes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- backends ---------------------------------------------------------------------------------------------------
def test_backends_report_no_accelerator():
    assert minigrad.backends.mps.is_available() is False
    assert minigrad.backends.mps.is_built() is False
    assert minigrad.backends.cuda.is_built() is False
    cudnn = minigrad.backends.cudnn
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)
    saved = cudnn.enabled, cudnn.benchmark, cudnn.deterministic
    try:  # the tutorials' reproducibility lines: accepted as attributes
        cudnn.benchmark = True
        cudnn.deterministic = True
        cudnn.enabled = False
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
        with cudnn.flags(enabled=True, benchmark=False, deterministic=False):
            assert cudnn.enabled and not cudnn.benchmark
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
    finally:
        cudnn.enabled, cudnn.benchmark, cudnn.deterministic = saved


def test_the_tutorials_device_line_picks_cpu():
    device = ("cuda" if minigrad.cuda.is_available() else "mps" if minigrad.backends.mps.is_available() else "cpu")
    assert device == "cpu"


# ---- default dtype ----------------------------------------------------------------------------------------------
FACTORIES = {
    "tensor of floats": lambda lib: lib.tensor([1.5, 2.0]),
    "tensor of a float": lambda lib: lib.tensor(2.5),
    "tensor of ints and floats": lambda lib: lib.tensor([[1, 2.5], [3, 4]]),
    "empty list": lambda lib: lib.tensor([]),
    "zeros": lambda lib: lib.zeros(2, 3), "ones": lambda lib: lib.ones((2,)), "empty": lambda lib: lib.empty(2),
    "full of a float": lambda lib: lib.full((2,), 1.5), "rand": lambda lib: lib.rand(2),
    "randn": lambda lib: lib.randn(2, 2), "arange of floats": lambda lib: lib.arange(0.5, 3),
    "arange with a float step": lambda lib: lib.arange(0, 2, 0.5), "linspace": lambda lib: lib.linspace(0, 1, 5),
    "eye": lambda lib: lib.eye(3), "legacy Tensor(data)": lambda lib: lib.Tensor([1, 2]),
    "legacy Tensor(size)": lambda lib: lib.Tensor(2, 3),
    "zeros_like of ints": lambda lib: lib.zeros_like(lib.tensor([1, 2]), dtype=lib.get_default_dtype()),
    # these keep their own dtypes whatever the default
    "arange of ints": lambda lib: lib.arange(3), "tensor of ints": lambda lib: lib.tensor([1, 2]),
    "full of an int": lambda lib: lib.full((2,), 3), "full of a bool": lambda lib: lib.full((2,), True),
    "tensor of a float32 array": lambda lib: lib.tensor(np.ones(2, np.float32)),
    "tensor of a float64 array": lambda lib: lib.tensor(np.ones(2)),
    "randint": lambda lib: lib.randint(0, 5, (2,)),
}


@pytest.fixture
def restore_default_dtype():
    yield
    minigrad.set_default_dtype(minigrad.float32)
    torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_every_factory_follows_the_default_dtype_like_torch(default, restore_default_dtype):
    minigrad.set_default_dtype(getattr(minigrad, default))
    torch.set_default_dtype(getattr(torch, default))
    assert repr(minigrad.get_default_dtype()).split(".")[1] == str(torch.get_default_dtype()).split(".")[1]
    for what, make in FACTORIES.items():
        m, t = make(minigrad), make(torch)
        assert m.dtype.name == str(t.dtype).split(".")[1], f"{what} under default {default}"
        assert tuple(m.shape) == tuple(t.shape), what
    np.testing.assert_array_equal(minigrad.arange(0, 2, 0.5).numpy(), torch.arange(0, 2, 0.5).numpy())
    np.testing.assert_array_equal(minigrad.linspace(-1, 1, 7).numpy(), torch.linspace(-1, 1, 7).numpy())


def test_default_dtype_trains_a_layer_in_float64(restore_default_dtype):
    minigrad.set_default_dtype(minigrad.float64)
    x = minigrad.tensor([[0.5, -1.0]])
    layer = nn.Linear(2, 3)
    assert layer.weight.dtype == minigrad.float64
    layer(x).sum().backward()
    assert layer.weight.grad.dtype == minigrad.float64


@pytest.mark.parametrize("bad", ["int64", "bool", "int32"])
def test_set_default_dtype_refuses_non_floats_like_torch(bad, restore_default_dtype):
    with pytest.raises(TypeError) as t_err:
        torch.set_default_dtype(getattr(torch, bad))
    with pytest.raises(TypeError) as m_err:
        minigrad.set_default_dtype(getattr(minigrad, bad))
    assert str(m_err.value) == str(t_err.value)
    with pytest.raises(TypeError) as t_err:
        torch.set_default_dtype(float)
    with pytest.raises(TypeError) as m_err:
        minigrad.set_default_dtype(float)
    assert str(m_err.value) == str(t_err.value)
    assert minigrad.get_default_dtype() == minigrad.float32


def test_set_default_dtype_float16_says_what_minigrad_supports(restore_default_dtype):
    with pytest.raises(TypeError, match="float32 and float64"):
        minigrad.set_default_dtype(minigrad.float16)


# ---- default device -------------------------------------------------------------------------------------------
def test_set_default_device_cpu_and_accelerators():
    minigrad.set_default_device("cpu")
    minigrad.set_default_device(minigrad.device("cpu"))
    minigrad.set_default_device(None)
    assert str(minigrad.get_default_device()) == str(torch.get_default_device()) == "cpu"
    assert minigrad.zeros(1).device == minigrad.device("cpu")
    for name in ["cuda", "mps", "cuda:1", "xpu"]:
        with pytest.raises(RuntimeError, match=f"'{name}'"):
            minigrad.set_default_device(name)
    assert str(minigrad.get_default_device()) == "cpu"


# ---- the global generator's seed ----------------------------------------------------------------------------------
_SEED_SCRIPT = "import minigrad; print(minigrad.initial_seed(), float(minigrad.rand(1)))"


def test_unseeded_generator_differs_between_processes_like_torch():
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    runs = [subprocess.run([sys.executable, "-c", _SEED_SCRIPT], capture_output=True, text=True, env=env, check=True,
                           cwd=ROOT).stdout.split() for _ in range(2)]
    (seed1, draw1), (seed2, draw2) = runs
    assert seed1 != seed2 and draw1 != draw2
    assert 0 <= int(seed1) < 2**64


def test_initial_seed_and_manual_seed():
    state = minigrad.get_rng_state()
    try:
        minigrad.manual_seed(1234)
        assert minigrad.initial_seed() == 1234
        a = minigrad.randn(5)
        minigrad.manual_seed(1234)
        assert minigrad.equal(a, minigrad.randn(5))
        s = minigrad.seed()
        assert minigrad.initial_seed() == s and 0 <= s < 2**64
        assert minigrad.Generator().initial_seed() == torch.Generator().initial_seed()  # a fresh one: torch's seed
    finally:
        minigrad.set_rng_state(state)


# ---- nn.utils: clip_grad_* ------------------------------------------------------------------------------------
def _with_grads(lib, arrays, grads):
    params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    for p, g in zip(params, grads):
        if g is not None:
            p.grad = lib.tensor(g.copy())
    return params


@settings(max_examples=40)
@given(shape_list=st.lists(shapes(max_dims=3), min_size=1, max_size=4), seed=st.integers(0, 2**32 - 1),
       max_norm=st.sampled_from([0.1, 1.0, 5.0, 1e3]),
       norm_type=st.sampled_from([1, 2, 2.0, 3.5, "inf", float("inf"), 0.5]),
       dtype=st.sampled_from([np.float32, np.float64]), scale=st.sampled_from([1e-3, 1.0, 100.0]))
def test_clip_grad_norm_matches_torch(shape_list, seed, max_norm, norm_type, dtype, scale):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shape_list]
    grads = [(rng.standard_normal(s) * scale).astype(dtype) for s in shape_list]
    grads[-1] = None if len(grads) > 1 and seed % 3 == 0 else grads[-1]  # a parameter without a gradient
    tp, mp = _with_grads(torch, arrays, grads), _with_grads(minigrad, arrays, grads)
    t_norm = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    m_norm = minigrad.nn.utils.clip_grad_norm_(mp, max_norm, norm_type)
    tol = dict(rtol=1e-12, atol=0) if dtype == np.float64 else dict(rtol=2e-6, atol=0)
    assert m_norm.dtype.name == str(t_norm.dtype).split(".")[1] and m_norm.shape == t_norm.shape
    np.testing.assert_allclose(m_norm.item(), t_norm.item(), **tol)
    for m, t in zip(mp, tp):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is not None:
            assert m.grad.dtype.name == str(t.grad.dtype).split(".")[1]
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **tol)


def test_clip_grad_norm_edge_cases_like_torch():
    u = nn.utils
    # a single tensor, foreach accepted, no gradients at all, and the deprecated name
    t, m = torch.ones(3, requires_grad=True), minigrad.ones(3, requires_grad=True)
    t.grad, m.grad = torch.full((3,), 2.0), minigrad.full((3,), 2.0)
    assert u.clip_grad_norm_(m, 1.0, foreach=True).item() == torch.nn.utils.clip_grad_norm_(t, 1.0, foreach=True).item()
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-7)
    t0 = torch.nn.utils.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0)
    m0 = u.clip_grad_norm_([minigrad.zeros(2, requires_grad=True)], 1.0)
    assert m0.item() == t0.item() == 0.0 and m0.dtype == minigrad.float32
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        u.clip_grad_norm([m], 1.0)
    with pytest.warns(UserWarning, match="empty generator"):
        u.clip_grad_norm_((p for p in []), 1.0)
    # non-finite norms: an error when asked, otherwise torch's NaN-scaled gradients
    for bad in (np.inf, np.nan):
        t, m = torch.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True)
        t.grad, m.grad = torch.tensor([bad, 1.0]), minigrad.tensor([bad, 1.0])
        with pytest.raises(RuntimeError) as t_err:
            torch.nn.utils.clip_grad_norm_(t, 1.0, error_if_nonfinite=True)
        with pytest.raises(RuntimeError) as m_err:
            u.clip_grad_norm_(m, 1.0, error_if_nonfinite=True)
        assert str(m_err.value) == str(t_err.value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_norm, m_norm = torch.nn.utils.clip_grad_norm_(t, 1.0), u.clip_grad_norm_(m, 1.0)
        np.testing.assert_array_equal(m_norm.numpy(), t_norm.numpy())
        np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())
    # get_total_norm and clip_grads_with_norm_, torch's two halves
    grads = [np.array([3.0, 4.0]), np.array([[1.0, -2.0]])]
    tn = torch.nn.utils.get_total_norm([torch.tensor(g) for g in grads], 3.0)
    mn = u.get_total_norm([minigrad.tensor(g) for g in grads], 3.0)
    np.testing.assert_allclose(mn.item(), tn.item(), rtol=1e-14)


@settings(max_examples=30)
@given(shape_list=st.lists(shapes(max_dims=3), min_size=1, max_size=3), seed=st.integers(0, 2**32 - 1),
       clip_value=st.sampled_from([0.0, 0.1, 1, 2.5]), dtype=st.sampled_from([np.float32, np.float64]))
def test_clip_grad_value_matches_torch(shape_list, seed, clip_value, dtype):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shape_list]
    grads = [(rng.standard_normal(s) * 3).astype(dtype) for s in shape_list]
    tp, mp = _with_grads(torch, arrays, grads), _with_grads(minigrad, arrays, grads)
    assert torch.nn.utils.clip_grad_value_(tp, clip_value) is None
    assert minigrad.nn.utils.clip_grad_value_(mp, clip_value, foreach=False) is None
    for m, t in zip(mp, tp):
        assert m.grad.dtype.name == str(t.grad.dtype).split(".")[1]
        np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())


def test_clip_grad_norm_in_a_training_step_matches_torch():
    """The tutorial pattern: backward, clip, step; same weights after 5 steps."""
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    m_model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).to(minigrad.float64)
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    t_opt, m_opt = torch.optim.SGD(t_model.parameters(), lr=0.5), minigrad.optim.SGD(m_model.parameters(), lr=0.5)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = rng.standard_normal((10, 6)) * 10, rng.integers(0, 3, 10)
        for lib, model, opt in ((torch, t_model, t_opt), (minigrad, m_model, m_opt)):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            opt.step()
    for (k, p), (_, q) in zip(m_model.state_dict().items(), t_model.state_dict().items()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-11, atol=1e-13, err_msg=k)


# ---- nn.utils: parameters_to_vector, vector_to_parameters ------------------------------------------------------
def test_parameters_to_vector_and_back_match_torch():
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    m_model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    t_vec = torch.nn.utils.parameters_to_vector(t_model.parameters())
    m_vec = nn.utils.parameters_to_vector(m_model.parameters())
    assert tuple(m_vec.shape) == tuple(t_vec.shape) == (4 * 3 + 3 + 3 * 2 + 2,)
    np.testing.assert_array_equal(m_vec.detach().numpy(), t_vec.detach().numpy())
    # it is differentiable, as torch's
    (m_vec * minigrad.arange(m_vec.shape[0], dtype=minigrad.float32)).sum().backward()
    (t_vec * torch.arange(t_vec.shape[0], dtype=torch.float32)).sum().backward()
    for m, t in zip(m_model.parameters(), t_model.parameters()):
        np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())
    # and back: each parameter takes its slice, a view into the vector
    new = np.linspace(-1, 1, t_vec.shape[0], dtype=np.float32)
    t_new, m_new = torch.from_numpy(new.copy()), minigrad.from_numpy(new.copy())
    torch.nn.utils.vector_to_parameters(t_new, t_model.parameters())
    nn.utils.vector_to_parameters(m_new, m_model.parameters())
    for (k, p), (_, q) in zip(m_model.state_dict().items(), t_model.state_dict().items()):
        assert tuple(p.shape) == tuple(q.shape), k
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=k)
    m_new.data[0] = 7.0
    assert m_model[0].weight.data[0, 0] == 7.0
    with pytest.raises(TypeError) as t_err:
        torch.nn.utils.vector_to_parameters([1.0], t_model.parameters())
    with pytest.raises(TypeError) as m_err:
        nn.utils.vector_to_parameters([1.0], m_model.parameters())
    assert str(m_err.value) == str(t_err.value)


def test_integer_ops_compute_in_the_default_dtype():
    for L in (torch, minigrad):
        L.set_default_dtype(L.float64)
        try:
            got = [(L.tensor([1, 2]) / 2).dtype, (L.tensor([1, 2]) * 1.5).dtype, L.tensor([1, 4]).sqrt().dtype,
                   L.tensor([1, 2]).exp().dtype, (L.tensor([1, 2]) ** 0.5).dtype, L.atan2(L.tensor([1]), L.tensor([2])).dtype]
        finally:
            L.set_default_dtype(L.float32)
        assert [str(d).split(".")[-1] for d in got] == ["float64"] * 6, (L.__name__, got)
