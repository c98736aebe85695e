"""Whole models, as the tutorial saves them: minigrad.save(model, f), minigrad.load(f, weights_only=False).

The class is imported by name (only if it is an nn.Module subclass), never called: __init__ does not run, and the
module tree, parameters, buffers and plain attributes come back as they were."""
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.cli.model import NeuralNetwork
from minigrad.serialization import SerializationError

REPO = Path(__file__).resolve().parents[1]
INIT_CALLS = []


class Scaled(nn.Module):
    """A user subclass with plain attributes of every kind minigrad saves."""

    def __init__(self, width=3):
        super().__init__()
        INIT_CALLS.append(width)
        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU())
        self.head = nn.Linear(width, 2)
        self.scale = nn.Parameter(minigrad.ones(2) * 2)
        self.frozen = nn.Parameter(minigrad.zeros(2), requires_grad=False)
        self.register_buffer("running", minigrad.arange(2.0))
        self.register_buffer("scratch", minigrad.zeros(2), persistent=False)
        self.register_buffer("unset", None)
        self.width, self.name, self.ratio, self.note = width, "scaled", 0.5, None
        self.sizes, self.layers, self.options = (width, 2), [1, 2, 3], {"act": "relu", "eps": 1e-5, "k": (1, 2)}
        self.dtype = minigrad.float64
        self.shared = self.head  # the same module twice: one module after loading too

    def forward(self, x):
        return self.head(self.body(x)) * self.scale + self.running


def _round_trip(model, tmp_path):
    minigrad.save(model, tmp_path / "model.pth")
    loaded = minigrad.load(tmp_path / "model.pth", weights_only=False)
    buf = io.BytesIO()
    minigrad.save(model, buf)
    buf.seek(0)
    return loaded, minigrad.load(buf, weights_only=False)


def _same_state(a, b):
    assert list(a.state_dict()) == list(b.state_dict())
    for (k, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert x.dtype == y.dtype and np.array_equal(x.data, y.data), k
    for (k, x), (_, y) in zip(a.named_parameters(), b.named_parameters()):
        assert type(x) is type(y) and x.requires_grad == y.requires_grad, k


def test_the_tutorial_network_round_trips(tmp_path):
    model = NeuralNetwork()
    model.eval()
    for loaded in _round_trip(model, tmp_path):
        assert type(loaded) is NeuralNetwork and repr(loaded) == repr(model) and not loaded.training
        _same_state(loaded, model)
        x = minigrad.randn(4, 1, 28, 28)
        assert np.array_equal(loaded(x).data, model(x).data)
        loss = loaded(x).sum()  # and it trains: parameters are leaves that collect gradients
        loss.backward()
        assert all(p.grad is not None for p in loaded.parameters())


def test_a_user_subclass_with_plain_attributes_round_trips_without_init(tmp_path):
    model = Scaled(3)
    model.scale.data[0] = 7.0
    calls = len(INIT_CALLS)
    for loaded in _round_trip(model, tmp_path):
        assert len(INIT_CALLS) == calls, "__init__ ran while loading"
        assert type(loaded) is Scaled and repr(loaded) == repr(model)
        _same_state(loaded, model)
        for attr in ("width", "name", "ratio", "note", "sizes", "layers", "options", "dtype"):
            assert getattr(loaded, attr) == getattr(model, attr) and type(getattr(loaded, attr)) is type(
                getattr(model, attr)), attr
        assert loaded.shared is loaded.head
        assert loaded._non_persistent_buffers_set == {"scratch"} and "scratch" not in loaded.state_dict()
        assert loaded.unset is None and loaded.frozen.requires_grad is False
        x = minigrad.randn(5, 3)
        assert np.array_equal(loaded(x).data, model(x).data)


def test_tied_weights_stay_tied(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    model[1].weight = model[0].weight
    loaded = _round_trip(model, tmp_path)[0]
    assert loaded[1].weight is loaded[0].weight
    assert len(list(loaded.parameters())) == 3


def test_weights_only_refuses_a_whole_model_with_torchs_explanation(tmp_path):
    minigrad.save(Scaled(), tmp_path / "model.pth")
    with pytest.raises(SerializationError) as err:
        minigrad.load(tmp_path / "model.pth")
    msg = str(err.value)
    assert "Weights only load failed" in msg and "`weights_only` set to `False`" in msg
    assert f"GLOBAL {__name__}.Scaled was not an allowed global by default" in msg
    assert repr(str(tmp_path / "model.pth")) in msg


def test_attributes_that_cannot_be_saved_are_named_by_dotted_path(tmp_path):
    model = NeuralNetwork()
    model.linear_relu_stack[2].callback = lambda x: x
    with pytest.raises(TypeError, match=r"save model\.linear_relu_stack\.2\.callback of type builtins\.function"):
        minigrad.save(model, tmp_path / "model.pth")
    model = Scaled()
    model.options["fn"] = print
    with pytest.raises(TypeError, match=r"cannot save the object\['model'\]\.options\['fn'\] of type builtins"):
        minigrad.save({"model": model}, tmp_path / "model.pth")
    model = Scaled()
    model.register_forward_hook(lambda m, i, o: o)
    with pytest.raises(TypeError, match=r"cannot save model\._forward_hooks\[\d+\] of type builtins.function"):
        minigrad.save(model, tmp_path / "model.pth")
    assert os.listdir(tmp_path) == []


def test_classes_that_cannot_be_imported_by_name_are_refused_at_save(tmp_path):
    class Local(nn.Module):
        pass

    with pytest.raises(TypeError, match="cannot be imported by that name"):
        minigrad.save(Local(), tmp_path / "model.pth")


def test_a_whole_model_loads_in_a_fresh_process_without_torch(tmp_path):
    model = NeuralNetwork()
    minigrad.save({"model": model, "epoch": 3}, tmp_path / "ckpt.pth")
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    expected = model(minigrad.from_numpy(x)).data
    np.save(tmp_path / "x.npy", x)
    script = ("import sys; sys.modules['torch'] = None\nimport numpy as np, minigrad\n"
              "ckpt = minigrad.load(sys.argv[1], weights_only=False)\n"
              "np.save(sys.argv[3], ckpt['model'](minigrad.from_numpy(np.load(sys.argv[2]))).data)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "ckpt.pth"), str(tmp_path / "x.npy"),
                           str(tmp_path / "y.npy")], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert np.array_equal(np.load(tmp_path / "y.npy"), expected)


@pytest.mark.parametrize("state, match", [
    ({"_parameters": {"weight": 1}}, "_parameters should map names to Parameters"),
    ({"_modules": {"x": 1.5}}, "_modules should map names to Modules"),
    ({"_buffers": []}, "_buffers should map names to Tensors"),
    ({"training": "yes"}, "'training' is not a bool"),
    ({"__class__": 1}, "attributes are not a dict of names"),
])
def test_forged_module_attributes_are_refused(tmp_path, state, match):
    from minigrad.serialization import _pickle
    from minigrad.serialization._zip import ZipWriter
    from minigrad.serialization.torchzip import _Pickler

    p = _Pickler()
    p.global_("minigrad.nn.linear", "Linear")
    p.write(_pickle.EMPTY_TUPLE + _pickle.NEWOBJ)
    p.save(state)
    p.write(_pickle.BUILD)
    buf = io.BytesIO()
    out = ZipWriter(buf)
    out.write("archive/data.pkl", p.bytes())
    out.close()
    with pytest.raises(SerializationError, match=match):
        minigrad.load(io.BytesIO(buf.getvalue()), weights_only=False)


@pytest.mark.parametrize("module, name, match", [
    ("os", "system", "imports only nn.Module subclasses; this is not one"),
    ("minigrad.nn", "Parameter", "this is not one"),
    ("torch.nn", "Linear", "a torch model file needs torch"),
    ("no_such_module_xyz", "Net", "its module cannot be imported"),
    ("minigrad.nn", "Module.__subclasses__", "never calls"),
])
def test_only_module_subclasses_are_imported(tmp_path, module, name, match):
    raw = io.BytesIO()
    from minigrad.serialization._zip import ZipWriter

    out = ZipWriter(raw)
    out.write("archive/data.pkl", f"\x80\x02c{module}\n{name}\n)\x81.".encode("latin-1"))
    out.close()
    with pytest.raises(SerializationError, match=match):
        minigrad.load(io.BytesIO(raw.getvalue()), weights_only=False)
