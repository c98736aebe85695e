"""vision.models against torchvision: state_dict keys and shapes, and with torchvision's initial weights copied in,
one forward of a small float32 batch; the weights enums, loading from torch hub's cache, and the error when the file
is missing. VGG's 4096-wide classifier makes building a VGG cost seconds, so every VGG's `features` is compared
(make_layers, every configuration) and one whole VGG is run."""
import numpy as np
import pytest
import torch
import torchvision

import minigrad
from minigrad.vision import models as M
from minigrad.vision.models import vgg as mvgg

torch.set_num_threads(1)


def _copy_in(t, m):
    m.load_state_dict({k: minigrad.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})


def _same_structure(t, m):
    ts, ms = t.state_dict(), m.state_dict()
    assert list(ms) == list(ts)
    for k in ts:
        assert tuple(ms[k].shape) == tuple(ts[k].shape), k
        assert ms[k].numpy().dtype == ts[k].numpy().dtype, k


@pytest.mark.parametrize("name, size", [("resnet18", 64), ("resnet34", 64), ("resnet50", 64), ("alexnet", 64),
                                        ("vgg11_bn", 32)])
def test_forward_agrees_with_torchvision(name, size):
    torch.manual_seed(0)
    minigrad.manual_seed(0)
    t = getattr(torchvision.models, name)().eval()
    m = getattr(M, name)().eval()
    _same_structure(t, m)
    if name == "vgg11_bn":
        _check_vgg_init(m)
    _copy_in(t, m)
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    with torch.no_grad():
        expected = t(torch.from_numpy(x)).numpy()
    with minigrad.no_grad():
        got = m(minigrad.from_numpy(x)).numpy()
    assert got.dtype == np.float32 and got.shape == (2, 1000)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * max(1.0, np.abs(expected).max()))


def test_resnet_trains_like_torchvision():
    """Training mode (batch statistics, running-stat updates) and the gradient of the first convolution, in float64:
    batch norm over a few values per channel makes float32 gradients ill-conditioned (1/σ amplifies rounding)."""
    t, m = torchvision.models.resnet18().double(), M.resnet18().double()
    _copy_in(t, m)
    x = np.random.default_rng(1).standard_normal((2, 3, 64, 64))
    r = np.random.default_rng(2).standard_normal((2, 1000))
    (t(torch.from_numpy(x)) * torch.from_numpy(r)).sum().backward()
    (m(minigrad.from_numpy(x)) * minigrad.from_numpy(r)).sum().backward()
    for name in ("conv1.weight", "layer2.0.downsample.1.weight", "fc.bias"):
        g_t, g_m = dict(t.named_parameters())[name].grad.numpy(), dict(m.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(g_m, g_t, rtol=1e-7, atol=1e-9 * np.abs(g_t).max())
    np.testing.assert_allclose(m.layer4[1].bn2.running_var.numpy(), t.layer4[1].bn2.running_var.numpy(), rtol=1e-10)


@pytest.mark.parametrize("cfg", ["A", "B", "D", "E"])
@pytest.mark.parametrize("bn", [False, True])
def test_every_vgg_features(cfg, bn):
    t = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs[cfg], batch_norm=bn)
    m = mvgg.make_layers(mvgg.cfgs[cfg], batch_norm=bn)
    _same_structure(t, m)
    assert repr(m) == repr(t)


def _check_vgg_init(m):
    """torchvision's init: conv kaiming_normal_(fan_out, relu), zero biases, Linear N(0, 0.01), BatchNorm 1 and 0."""
    w = m.features[0].weight.detach().numpy()
    assert abs(w.std() - np.sqrt(2 / (64 * 9))) < 0.1 * np.sqrt(2 / (64 * 9))
    assert not m.features[0].bias.detach().numpy().any()
    assert abs(m.classifier[6].weight.detach().numpy().std() - 0.01) < 0.001
    assert (m.features[1].weight.detach().numpy() == 1).all()


def test_reprs_match():
    for name in ("resnet18", "alexnet"):
        assert repr(getattr(M, name)()) == repr(getattr(torchvision.models, name)())


def test_weights_enums():
    for name in ("VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
                 "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "ResNet18_Weights", "ResNet34_Weights",
                 "ResNet50_Weights", "AlexNet_Weights"):
        ours, theirs = getattr(M, name), getattr(torchvision.models, name)
        assert [e.name for e in ours] == [e.name for e in theirs]
        assert [e.url for e in ours] == [e.url for e in theirs]
        assert ours.DEFAULT.name == theirs.DEFAULT.name
    assert M.ResNet50_Weights.verify("DEFAULT") is M.ResNet50_Weights.IMAGENET1K_V2
    assert M.ResNet18_Weights.verify("ResNet18_Weights.IMAGENET1K_V1") is M.ResNet18_Weights.IMAGENET1K_V1


def test_missing_weights_name_file_folder_and_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as e:
        M.resnet18(weights=M.ResNet18_Weights.DEFAULT)
    text = str(e.value)
    assert "resnet18-f37072fd.pth" in text and str(tmp_path / "hub" / "checkpoints") in text
    assert "https://download.pytorch.org/models/resnet18-f37072fd.pth" in text


def test_weights_load_from_the_hub_cache(tmp_path, monkeypatch):
    """The file under $TORCH_HOME/hub/checkpoints is read with minigrad.load (written here by minigrad.save; torch's
    own .pth files go through the same call once minigrad.load reads torch's format)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    src = M.resnet18()
    state = {k: minigrad.from_numpy(v.numpy() + 1 if v.numpy().dtype.kind == "f" else v.numpy())
             for k, v in src.state_dict().items()}
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    minigrad.save(state, str(folder / "resnet18-f37072fd.pth"))
    m = M.resnet18(weights="IMAGENET1K_V1")
    np.testing.assert_array_equal(m.fc.bias.detach().numpy(), state["fc.bias"].numpy())
    with pytest.raises(ValueError):
        M.resnet18(weights="IMAGENET1K_V1", num_classes=10)
