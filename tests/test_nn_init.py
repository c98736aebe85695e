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
