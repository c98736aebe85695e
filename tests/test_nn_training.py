"""The tutorial's NeuralNetwork trained 20 SGD steps in minigrad and in torch from the same weights and batches:
the losses must agree step by step, and the weights at the end."""
import numpy as np
import pytest
import torch

import minigrad
import minigrad.optim
from minigrad import nn


def neural_network(lib):
    class NeuralNetwork(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = lib.nn.Flatten()
            self.linear_relu_stack = lib.nn.Sequential(
                lib.nn.Linear(28 * 28, 512), lib.nn.ReLU(), lib.nn.Linear(512, 512), lib.nn.ReLU(),
                lib.nn.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def _batches(steps, batch_size=64, seed=0):
    """Images in [0, 1) like ToTensor's output, labelled by which of 10 horizontal bands is brightest: a rule the
    MLP can learn, so that the losses fall and the comparison is not between two flat lines."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.random((batch_size, 1, 28, 28), dtype=np.float32)
        x[np.arange(batch_size), 0, rng.integers(0, 28, batch_size)] += 1.0  # one bright row per image
        x /= 2
        bands = x.reshape(batch_size, -1)[:, :780].reshape(batch_size, 10, 78).mean(axis=2)
        yield x, bands.argmax(axis=1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tutorial_training_matches_torch_step_by_step(dtype):
    torch.manual_seed(0)
    t_model = neural_network(torch).to(getattr(torch, dtype))
    m_model = neural_network(minigrad).to(getattr(minigrad, dtype))
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    t_loss_fn, m_loss_fn = torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    t_opt = torch.optim.SGD(t_model.parameters(), lr=1e-1)
    m_opt = minigrad.optim.SGD(m_model.parameters(), lr=1e-1)
    t_losses, m_losses = [], []
    for x, y in _batches(20):
        x = x.astype(dtype)
        t_loss = t_loss_fn(t_model(torch.from_numpy(x)), torch.from_numpy(y))
        t_loss.backward()
        t_opt.step()
        t_opt.zero_grad()
        m_loss = m_loss_fn(m_model(minigrad.from_numpy(x)), minigrad.from_numpy(y))
        m_loss.backward()
        m_opt.step()
        m_opt.zero_grad()
        assert m_loss.dtype == getattr(minigrad, dtype)
        t_losses.append(t_loss.item())
        m_losses.append(m_loss.item())
    tol = dict(rtol=1e-11) if dtype == "float64" else dict(rtol=2e-5)
    np.testing.assert_allclose(m_losses, t_losses, **tol)
    assert np.mean(m_losses[-5:]) < np.mean(m_losses[:5]) - 0.01  # it learns: not two flat lines compared
    if dtype == "float64":
        # In float32, a pre-activation within rounding of 0 can take the other side of a ReLU in one library
        # after a dozen steps, and that unit's weights then drift apart (by ~1e-4) while the losses still agree;
        # float64 leaves no such ties, so there the weights must match tightly.
        for (name, p), (_, q) in zip(m_model.state_dict().items(), t_model.state_dict().items()):
            np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10, atol=1e-13, err_msg=name)


def test_manual_sgd_update_under_no_grad():
    """The tutorial's hand-written update `p -= lr * p.grad` under no_grad keeps the Parameters leaves."""
    torch.manual_seed(1)
    t_model, m_model = neural_network(torch).double(), neural_network(minigrad).double()
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    for x, y in _batches(3, batch_size=8, seed=1):
        x = x.astype(np.float64)
        for lib, model, fn in ((torch, t_model, torch.nn.functional.cross_entropy),
                               (minigrad, m_model, minigrad.nn.functional.cross_entropy)):
            loss = fn(model(lib.from_numpy(x)), lib.from_numpy(y))
            model.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= 0.05 * p.grad
    for p, q in zip(m_model.parameters(), t_model.parameters()):
        assert p.is_leaf and p.requires_grad
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-11, atol=1e-14)
