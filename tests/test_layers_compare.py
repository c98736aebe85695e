"""compare_layers on the tutorial MLP: minigrad and torch agree layer by layer, and a planted difference is found."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.cli.model import NeuralNetwork as MinigradMLP  # noqa: E402
from reference.convert import copy_weights  # noqa: E402
from reference.layers import compare_layers  # noqa: E402
from reference.model import NeuralNetwork as TorchMLP  # noqa: E402

MODULES = ["flatten", "linear_relu_stack.0", "linear_relu_stack.1", "linear_relu_stack.2", "linear_relu_stack.3",
           "linear_relu_stack.4", "linear_relu_stack", "(model)"]


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(1)
    return rng.random((16, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 16)


@pytest.fixture(scope="module")
def models():
    minigrad.manual_seed(0)
    torch.manual_seed(0)
    return MinigradMLP(), TorchMLP()


def test_tutorial_mlp_agrees_with_torch(models, batch):
    result = compare_layers(*models, *batch)
    assert [r["module"] for r in result.layers] == MODULES
    assert [r["name"] for r in result.params] == [n for n, _ in models[1].named_parameters()]
    by = {r["module"]: r for r in result.layers}
    assert by["flatten"]["act_abs"] == 0.0 and by["flatten"]["grad_abs"] is None  # its input needs no grad
    assert by["linear_relu_stack.4"]["shape"] == [16, 10] and by["(model)"]["type"] == "NeuralNetwork"
    for r in result.layers[1:]:
        assert r["act_rel"] < 1e-5 and r["grad_rel"] < 1e-5, r
    for r in result.params:
        assert r["grad_rel"] < 1e-5, r
    assert result.loss["abs"] < 1e-5 and result.max_abs() < 1e-5
    assert result.first_divergence() is None
    text = str(result)
    assert "linear_relu_stack.2.weight  (512, 512)" in text and "loss: minigrad" in text
    # the weights really were copied: the minigrad model's gradients are the torch model's
    np.testing.assert_allclose(models[0].linear_relu_stack[0].weight.grad.numpy(),
                               models[1].linear_relu_stack[0].weight.grad.numpy(), rtol=1e-4, atol=1e-7)


def test_a_planted_difference_shows_where_it_starts(models, batch):
    mg, th = models
    copy_weights(mg, th)
    with minigrad.no_grad():
        mg.linear_relu_stack[2].bias.add_(0.01)  # only minigrad's second Linear differs
    result = compare_layers(mg, th, *batch, copy_weights=False)
    by = {r["module"]: r for r in result.layers}
    assert by["linear_relu_stack.1"]["act_abs"] < 1e-6
    assert by["linear_relu_stack.2"]["act_abs"] == pytest.approx(0.01, rel=1e-3)
    assert result.first_divergence() == "linear_relu_stack.2"
    grads = {r["name"]: r["grad_abs"] for r in result.params}
    assert grads["linear_relu_stack.4.weight"] > 1e-4  # the difference flows on into every later gradient


def test_torch_tensors_as_the_batch_and_a_custom_loss(models, batch):
    x, y = batch
    result = compare_layers(*models, torch.from_numpy(x), torch.from_numpy(y),
                            loss_fn=lambda pred, target: (pred * pred).mean())
    assert result.max_abs() < 1e-5 and len(result.layers) == len(MODULES)


def test_compare_layers_command(capsys):
    from minigrad.__main__ import main

    status = main(["compare", "--layers", "--batch-size", "8", "--limit", "64", "--strict"])
    out = capsys.readouterr().out
    assert status == 0
    assert "one batch of 8" in out and "linear_relu_stack.4.bias" in out
    assert "within --tolerance 0.0001" in out
