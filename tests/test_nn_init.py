"""nn.init: fans and gains against torch, and each distribution checked statistically with a fixed seed.

The tolerances come from the sample size: a sample mean is off by about σ/√n, a sample std by about
σ √((κ - 1) / 4n) with κ the kurtosis (1.8 for a uniform, 3 for a normal); we allow 5 of those standard errors,
so a correct implementation fails with probability below 1e-6 and a wrong scale (a factor √2, √3) cannot pass.
"""
import math

import numpy as np
import pytest
import torch

import minigrad
from minigrad import nn
from minigrad.nn import init

SHAPE = (300, 200)  # 60000 draws


def _check_moments(a, mean, std, kurtosis):
    n = a.size
    assert abs(a.mean() - mean) < 5 * std / math.sqrt(n), (a.mean(), mean)
    assert abs(a.std() - std) < 5 * std * math.sqrt((kurtosis - 1) / (4 * n)), (a.std(), std)


def _uniform_ok(a, bound):
    assert a.min() >= -bound and a.max() <= bound
    assert a.min() < -0.99 * bound and a.max() > 0.99 * bound  # the whole range is used
    _check_moments(a, 0.0, bound / math.sqrt(3), 1.8)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (6, 2, 3, 3), (1, 7)])
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(minigrad.empty(shape))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert ours == theirs


def test_fan_errors_match_torch():
    for call in (lambda L: L.nn.init._calculate_fan_in_and_fan_out(L.empty(3)),
                 lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 2), mode="fan_avg"),
                 lambda L: L.nn.init.calculate_gain("swish"),
                 lambda L: L.nn.init.calculate_gain("leaky_relu", "x")):
        with pytest.raises(ValueError) as theirs:
            call(torch)
        with pytest.raises(ValueError, match=None) as ours:
            call(minigrad)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                                  ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu",)])
def test_calculate_gain_matches_torch(args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_uniform_normal_constant():
    minigrad.manual_seed(0)
    t = minigrad.empty(SHAPE)
    assert init.uniform_(t, -2.0, 4.0) is t
    a = t.numpy()
    assert a.min() >= -2 and a.max() <= 4
    _check_moments(a, 1.0, 6 / math.sqrt(12), 1.8)
    assert init.normal_(t, 3.0, 0.5) is t
    _check_moments(t.numpy(), 3.0, 0.5, 3.0)
    assert init.constant_(t, 0.25) is t and (t.numpy() == 0.25).all()
    assert init.zeros_(t) is t and not t.numpy().any()
    assert init.ones_(t) is t and (t.numpy() == 1).all()
    assert t.dtype == minigrad.float32


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier(gain):
    minigrad.manual_seed(1)
    fan_in, fan_out = SHAPE[1], SHAPE[0]
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    t = nn.Parameter(minigrad.empty(SHAPE))
    init.xavier_uniform_(t, gain=gain)
    _uniform_ok(t.detach().numpy(), math.sqrt(3) * std)
    init.xavier_normal_(t, gain=gain)
    _check_moments(t.detach().numpy(), 0.0, std, 3.0)
    assert t.is_leaf and t.grad_fn is None  # under no_grad: no graph from initialisation


@pytest.mark.parametrize("a, mode, nonlinearity", [(0, "fan_in", "relu"), (0, "fan_out", "relu"),
                                                   (math.sqrt(5), "fan_in", "leaky_relu"), (0.1, "FAN_OUT", "leaky_relu"),
                                                   (0, "fan_in", "tanh")])
def test_kaiming(a, mode, nonlinearity):
    minigrad.manual_seed(2)
    t = minigrad.empty(SHAPE)
    fan = SHAPE[1] if mode.lower() == "fan_in" else SHAPE[0]
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    _uniform_ok(t.numpy(), math.sqrt(3) * std)
    init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity)
    _check_moments(t.numpy(), 0.0, std, 3.0)


def test_kaiming_on_zero_elements_warns_like_torch():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(minigrad.empty(0, 3))


def test_linear_default_init_is_uniform_one_over_sqrt_fan_in_and_seeded():
    minigrad.manual_seed(3)
    layer = nn.Linear(400, 150)
    bound = 1 / math.sqrt(400)
    _uniform_ok(layer.weight.detach().numpy(), bound)
    b = layer.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound and b.std() > 0.4 * bound
    minigrad.manual_seed(3)
    again = nn.Linear(400, 150)
    np.testing.assert_array_equal(again.weight.detach().numpy(), layer.weight.detach().numpy())
    np.testing.assert_array_equal(again.bias.detach().numpy(), b)
    assert layer.weight.dtype == minigrad.float32 and layer.weight.shape == (150, 400)


def test_draws_are_made_in_the_tensors_dtype_without_a_float64_temporary():
    """Building vgg16 once peaked at 2.6x its weights' size: each init drew float64 numbers and cast them. Now the
    draw is written straight into the tensor, so filling a float32 tensor allocates (almost) nothing."""
    import tracemalloc  # NumPy reports its allocations to tracemalloc

    t = minigrad.empty(1000, 1000)  # 4 MB of float32
    for fill in (lambda: init.uniform_(t, -1, 1), lambda: init.normal_(t, 0, 1), lambda: init.kaiming_uniform_(t),
                 lambda: init.kaiming_normal_(t), lambda: init.xavier_uniform_(t), lambda: init.xavier_normal_(t)):
        tracemalloc.start()
        fill()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 100_000, peak
        assert t.dtype == minigrad.float32


def test_draws_are_seeded_in_every_dtype_and_layout():
    """Same seed, same numbers, whichever path the draw takes: in place (float32, float64), or drawn then assigned
    (float16, a strided view); float64 gets exactly NumPy's uniform/normal numbers from the same stream."""
    def draw(make):
        minigrad.manual_seed(7)
        t = make()
        init.uniform_(t, -0.5, 2.0)
        u = t.numpy().copy()
        init.normal_(t, 1.0, 3.0)
        return u, t.numpy().copy()

    makes = [lambda: minigrad.empty(50, 40), lambda: minigrad.empty(50, 40, dtype=minigrad.float64),
             lambda: minigrad.empty(50, 40, dtype=minigrad.float16), lambda: minigrad.empty(50, 80)[:, ::2]]
    for make in makes:
        (u1, n1), (u2, n2) = draw(make), draw(make)
        np.testing.assert_array_equal(u1, u2)
        np.testing.assert_array_equal(n1, n2)
        assert u1.min() >= -0.5 and u1.max() <= 2.0 and u1.std() > 0.5
        assert abs(n1.mean() - 1.0) < 0.5 and 2.5 < n1.std() < 3.5
    u, n = draw(makes[1])
    rng = np.random.default_rng(np.random.PCG64(7))
    np.testing.assert_array_equal(u, rng.uniform(-0.5, 2.0, (50, 40)))
    np.testing.assert_array_equal(n, rng.normal(1.0, 3.0, (50, 40)))
    g = minigrad.Generator().manual_seed(3)
    a = init.uniform_(minigrad.empty(5), generator=g).numpy().copy()
    g.manual_seed(3)
    np.testing.assert_array_equal(init.uniform_(minigrad.empty(5), generator=g).numpy(), a)


@pytest.mark.parametrize("fill", ["uniform_", "normal_"])
def test_init_counts_as_an_in_place_write(fill):
    """A graph that saved the tensor sees it changed, as in torch (init writes under no_grad, but still in place)."""
    for lib in (torch, minigrad):
        x, w = lib.ones(3, requires_grad=True), lib.ones(3)
        y = (x * w).sum()  # mul saves w for x's gradient
        getattr(lib.nn.init, fill)(w)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_tensor_fills_and_init_fills_draw_the_same_numbers():
    """As in torch, t.uniform_() and nn.init.uniform_(t) (and normal_) are one draw: the same seed, the same values."""
    for dtype in (minigrad.float32, minigrad.float64):
        for method, fill in (("uniform_", minigrad.nn.init.uniform_), ("normal_", minigrad.nn.init.normal_)):
            a, b = minigrad.empty(3, 4, dtype=dtype), minigrad.empty(3, 4, dtype=dtype)
            minigrad.manual_seed(7)
            getattr(a, method)()
            minigrad.manual_seed(7)
            fill(b)
            assert minigrad.equal(a, b), (dtype, method)
