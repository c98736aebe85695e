"""Files cross between torch and minigrad both ways, bit for bit.

torch-written files are loaded by minigrad in a subprocess where `import torch` fails (sys.modules['torch'] = None),
so minigrad.load provably needs no torch; that process reports every value it loaded (dtype, shape, strides, a CRC of
the bytes, which tensors share memory) as JSON, and this process compares the report with torch's own objects.
"""
import io
import json
import os
import subprocess
import sys
import zlib
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision

import minigrad
from minigrad.cli.model import NeuralNetwork as MGNeuralNetwork
from reference.model import NeuralNetwork

REPO = Path(__file__).resolve().parents[1]

# Runs without torch: describe() is the same walk as the one below, over minigrad's objects.
WORKER = r"""
import json, sys, zlib
sys.modules["torch"] = None  # any import of torch now raises ImportError
import numpy as np
import minigrad

def describe(obj, roots):
    if isinstance(obj, minigrad.Tensor):
        a = obj.data
        root = a
        while getattr(root, "base", None) is not None:  # to the memory's owner: an array, a bytearray, an mmap
            root = root.base
        group = roots.setdefault(id(root), len(roots))
        stride = [s // a.itemsize for s in a.strides] if a.size else "empty"
        return {"tensor": a.dtype.name, "shape": list(a.shape), "stride": stride,
                "crc": zlib.crc32(np.ascontiguousarray(a)), "requires_grad": obj.requires_grad,
                "parameter": type(obj).__name__ == "Parameter", "storage": group}
    if isinstance(obj, dict):
        return {"dict": type(obj).__name__, "items": [[describe(k, roots), describe(v, roots)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [describe(v, roots) for v in obj]}
    if isinstance(obj, float):
        return {"float": obj.hex()}
    if isinstance(obj, minigrad.dtype):
        return {"dtype": obj.name}
    if isinstance(obj, bytes):
        return {"bytes": obj.hex()}
    return {type(obj).__name__: obj}

out = []
for path in sys.argv[2:]:
    out.append(describe(minigrad.load(path, mmap=sys.argv[1] == "mmap"), {}))
print(json.dumps(out))
assert not [m for m, v in sys.modules.items() if v is not None and m.split(".")[0] == "torch"]
"""


def describe(obj, roots):
    """torch's side of the report (minigrad's Size loads as a tuple subclass, torch.Size is one too)."""
    if isinstance(obj, torch.Tensor):
        group = roots.setdefault(obj.untyped_storage().data_ptr(), len(roots))
        a = obj.detach().contiguous().numpy()
        stride = list(obj.stride()) if obj.numel() else "empty"
        return {"tensor": a.dtype.name, "shape": list(obj.shape), "stride": stride, "crc": zlib.crc32(a),
                "requires_grad": obj.requires_grad, "parameter": isinstance(obj, torch.nn.Parameter),
                "storage": group}
    if isinstance(obj, dict):
        return {"dict": type(obj).__name__, "items": [[describe(k, roots), describe(v, roots)] for k, v in obj.items()]}
    if isinstance(obj, torch.Size):
        return {"Size": [describe(v, roots) for v in obj]}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [describe(v, roots) for v in obj]}
    if isinstance(obj, float):
        return {"float": obj.hex()}
    if isinstance(obj, torch.dtype):
        return {"dtype": str(obj).split(".")[1]}
    if isinstance(obj, bytes):
        return {"bytes": obj.hex()}
    return {type(obj).__name__: obj}


def load_without_torch(paths, mode="read"):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", WORKER, mode, *map(str, paths)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _train(model, opt, steps=2):
    torch.manual_seed(1)
    for _ in range(steps):
        loss = model(torch.randn(4, 1, 28, 28)).logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss


@pytest.fixture(scope="module")
def torch_files(tmp_path_factory):
    """What the tutorial and torchvision users write with torch.save, as {name: (path, the object saved)}."""
    tmp = tmp_path_factory.mktemp("torch_files")
    torch.manual_seed(0)
    mlp = NeuralNetwork()
    sgd = torch.optim.SGD(mlp.parameters(), lr=0.1, momentum=0.9)
    _train(mlp, sgd)
    adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
    loss = _train(mlp, adam)
    base = torch.arange(12.0).reshape(3, 4)
    checkpoint = {"epoch": 5, "model_state_dict": mlp.state_dict(), "optimizer_state_dict": adam.state_dict(),
                  "loss": loss.item(), "name": "fashion", "note": None, "flags": (True, False),
                  "nested": [1, (2.5, "a"), {"k": torch.tensor([1, 2], dtype=torch.int16)}],
                  "base": base, "row": base[1], "column": base[:, 2], "transposed": base.t(),
                  "expanded": torch.ones(3).expand(4, 3), "param": torch.nn.Parameter(torch.randn(2, 2)),
                  "frozen": torch.nn.Parameter(torch.zeros(2), requires_grad=False), "blob": b"\x00\xffab",
                  "dtype": torch.float64, "size": torch.Size([2, 3]), "scalars": [torch.tensor(3.5), torch.tensor(7)],
                  "bools": torch.tensor([True, False]), "empty": torch.zeros(0, 3), "big": 2 ** 80, "neg": -7}
    objects = {"mlp": mlp.state_dict(), "sgd": sgd.state_dict(), "adam": adam.state_dict(), "checkpoint": checkpoint,
               "resnet18": torchvision.models.resnet18(weights=None).state_dict(),
               "vgg11": torchvision.models.vgg11(weights=None).state_dict()}
    files = {}
    for name, obj in objects.items():
        torch.save(obj, tmp / f"{name}.pth")
        files[name] = (tmp / f"{name}.pth", obj)
    torch.save(checkpoint, tmp / "legacy.pth", _use_new_zipfile_serialization=False)  # torch < 1.6's format
    files["legacy"] = (tmp / "legacy.pth", checkpoint)
    return files


@pytest.mark.parametrize("mode", ["read", "mmap"])
def test_torch_written_files_load_without_torch(torch_files, mode):
    names = list(torch_files) if mode == "read" else ["checkpoint", "resnet18"]
    reports = load_without_torch([torch_files[n][0] for n in names], mode)
    for name, report in zip(names, reports):
        expected = describe(torch_files[name][1], {})
        assert report == expected, name


def test_state_dicts_keep_order_metadata_and_dtypes(torch_files):
    sd = minigrad.load(torch_files["resnet18"][0])
    expected = torch_files["resnet18"][1]
    assert type(sd) is OrderedDict and list(sd) == list(expected)
    assert sd["bn1.num_batches_tracked"].dtype == minigrad.int64 and sd["bn1.num_batches_tracked"].shape == ()
    assert sd._metadata == expected._metadata  # torch's per-module versions ride along, as in torch


def test_a_torch_trained_model_is_evaluated_by_minigrad_from_its_pth_alone(torch_files, tmp_path):
    """torch trains and saves a state_dict; a process without torch builds minigrad's tutorial network, loads the
    file and computes the logits, which match torch's."""
    path, state = torch_files["mlp"]
    x = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    script = ("import sys; sys.modules['torch'] = None\nimport numpy as np, minigrad\n"
              "from minigrad.cli.model import NeuralNetwork\n"
              "model = NeuralNetwork(); model.load_state_dict(minigrad.load(sys.argv[1])); model.eval()\n"
              "with minigrad.no_grad():\n"
              "    np.save(sys.argv[3], model(minigrad.from_numpy(np.load(sys.argv[2]))).data)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    model = NeuralNetwork()
    model.load_state_dict(state)
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-5, atol=1e-6)


def test_a_minigrad_trained_model_is_evaluated_by_torch(tmp_path):
    minigrad.manual_seed(0)
    model = MGNeuralNetwork()
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        loss = model(minigrad.randn(4, 1, 28, 28)).logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    minigrad.save(model.state_dict(), tmp_path / "model_weights.pth")
    twin = NeuralNetwork()
    twin.load_state_dict(torch.load(tmp_path / "model_weights.pth", weights_only=True))
    x = np.random.default_rng(1).standard_normal((8, 1, 28, 28)).astype(np.float32)
    with torch.no_grad(), minigrad.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(x)).numpy(), model(minigrad.from_numpy(x)).data,
                                   rtol=1e-5, atol=1e-6)


def _minigrad_checkpoint():
    minigrad.manual_seed(0)
    model = MGNeuralNetwork()
    sgd = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    adam = minigrad.optim.Adam(model.parameters(), lr=1e-3)
    for opt in (sgd, adam):
        for _ in range(2):
            loss = model(minigrad.randn(4, 1, 28, 28)).logsumexp(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    base = minigrad.arange(12.0).reshape(3, 4)
    return model, adam, {
        "epoch": 5, "model_state_dict": model.state_dict(), "sgd": sgd.state_dict(), "adam": adam.state_dict(),
        "loss": loss.item(), "name": "fashion", "note": None, "nested": [1, (2.5, "a"), {"k": minigrad.tensor([1, 2])}],
        "base": base, "row": base[1], "transposed": base.t(), "param": minigrad.nn.Parameter(minigrad.randn(2, 2)),
        "blob": b"\x00\xffab", "dtype": minigrad.float64, "size": minigrad.Size([2, 3]), "big": 2 ** 80,
        "bools": minigrad.tensor([True, False]), "int8": minigrad.tensor([-1, 2], dtype=minigrad.int8),
        "half": minigrad.tensor([0.5], dtype=minigrad.float16), "empty": minigrad.zeros(0, 3)}


def _describe_minigrad(obj):
    """The worker's walk, run here (torch is importable here, but the walk uses only minigrad)."""
    namespace = {}
    exec(WORKER.split("out = []")[0].replace('sys.modules["torch"] = None', ""), namespace)  # noqa: S102 - our code
    return namespace["describe"](obj, {})


def test_minigrad_files_are_read_by_torch_weights_only(tmp_path):
    _, _, checkpoint = _minigrad_checkpoint()
    minigrad.save(checkpoint, tmp_path / "checkpoint.pth")
    loaded = torch.load(tmp_path / "checkpoint.pth", weights_only=True)
    expected = _describe_minigrad(checkpoint)
    got = describe(loaded, {})
    # minigrad's Size is a tuple subclass: torch gives torch.Size; everything else is the same object for object
    assert json.dumps(got).replace('"Size"', '"tuple"') == json.dumps(expected).replace('"Size"', '"tuple"')
    assert loaded["row"].untyped_storage().data_ptr() == loaded["base"].untyped_storage().data_ptr()
    assert isinstance(loaded["size"], torch.Size) and loaded["dtype"] is torch.float64
    mapped = torch.load(tmp_path / "checkpoint.pth", weights_only=True, mmap=True)  # storages are 64-byte aligned
    assert describe(mapped, {}) == got
    assert torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "checkpoint.pth") == []
    buf = io.BytesIO()  # and the same through a file object, read back by minigrad
    minigrad.save(checkpoint, buf)
    assert buf.getvalue() == (tmp_path / "checkpoint.pth").read_bytes()
    buf.seek(0)
    assert _describe_minigrad(minigrad.load(buf)) == expected


def test_a_torch_optimizer_accepts_a_minigrad_optimizer_state_dict(tmp_path):
    """minigrad trains with Adam and saves model and optimizer; torch resumes from the file, and its next step is
    the step minigrad takes."""
    model, adam, checkpoint = _minigrad_checkpoint()
    minigrad.save({"model": checkpoint["model_state_dict"], "optimizer": checkpoint["adam"]}, tmp_path / "ckpt.pth")
    ckpt = torch.load(tmp_path / "ckpt.pth", weights_only=True)
    twin = NeuralNetwork()
    twin.load_state_dict(ckpt["model"])
    twin_opt = torch.optim.Adam(twin.parameters(), lr=1e-3)
    twin_opt.load_state_dict(ckpt["optimizer"])
    x = np.random.default_rng(2).standard_normal((4, 1, 28, 28)).astype(np.float32)
    for lib, m, opt, inp in ((torch, twin, twin_opt, torch.from_numpy(x)),
                             (minigrad, model, adam, minigrad.from_numpy(x))):
        loss = m(inp).logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    for (name, a), (_, b) in zip(twin.state_dict().items(), model.state_dict().items()):
        np.testing.assert_allclose(a.numpy(), b.data, rtol=1e-5, atol=1e-7, err_msg=name)
    assert twin_opt.state_dict()["state"][0]["step"].item() == 3.0


def test_a_whole_minigrad_model_is_torchs_zip_format(tmp_path):
    """A whole model's file is torch's zip; torch's weights-only loader refuses it as it refuses torch models, by
    naming the class."""
    minigrad.save(MGNeuralNetwork(), tmp_path / "model.pth")
    with pytest.raises(Exception, match="minigrad.cli.model.NeuralNetwork"):
        torch.load(tmp_path / "model.pth", weights_only=True)


def test_mmap_loads_are_copy_on_write(tmp_path):
    """mmap=True maps the storages privately: tensors are writable, and writing never reaches the file."""
    torch.save({"w": torch.arange(1000.0), "b": torch.ones(3)}, tmp_path / "w.pth")
    before = (tmp_path / "w.pth").read_bytes()
    sd = minigrad.load(tmp_path / "w.pth", mmap=True)
    sd["w"].data[:] = -1.0
    sd["w"].add_(1.0)
    assert sd["w"].data.tolist() == [0.0] * 1000 and (tmp_path / "w.pth").read_bytes() == before
    assert minigrad.load(tmp_path / "w.pth")["w"].data[5] == 5.0


def test_zip64_records_for_files_past_4_gib(tmp_path, monkeypatch):
    """Members and offsets past 4 GiB need zip64 fields; the writer's threshold is lowered so a small file has
    them, and Python's zipfile, torch and minigrad all read it."""
    from minigrad.serialization import _zip

    monkeypatch.setattr(_zip, "ZIP64_AT", 100)
    obj = {"w": minigrad.arange(300.0), "b": minigrad.ones(3), "n": 7}
    minigrad.save(obj, tmp_path / "z.pth")
    import zipfile

    with zipfile.ZipFile(tmp_path / "z.pth") as z:
        assert z.testzip() is None and b"PK\x06\x06" in (tmp_path / "z.pth").read_bytes()
    back = torch.load(tmp_path / "z.pth", weights_only=True)
    assert back["w"].tolist() == list(range(300)) and back["n"] == 7
    assert minigrad.load(tmp_path / "z.pth")["w"].data.tolist() == list(range(300))


def test_shared_storages_survive_load_then_save(torch_files, tmp_path):
    """A checkpoint torch wrote, loaded by minigrad (views into one storage) and saved again, still has one storage
    where torch had one, and torch reads back the same values."""
    for mode in (False, True):
        ckpt = minigrad.load(torch_files["checkpoint"][0], mmap=mode)
        minigrad.save(ckpt, tmp_path / "again.pth")
        back = torch.load(tmp_path / "again.pth", weights_only=True)
        assert describe(back, {}) == describe(torch_files["checkpoint"][1], {})
