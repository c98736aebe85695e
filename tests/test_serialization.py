"""minigrad.save / minigrad.load: exact round trips, atomic writes, and a clear error for every bad file."""
import ast
import hashlib
import io
import json
import math
import os
import struct
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import serialization
from minigrad.serialization import SerializationError

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


# ---- exact comparison ---------------------------------------------------------------------------------------------
def _same(a, b, where="obj"):
    """Equal values of exactly the same types, bit for bit (NaN == NaN, -0.0 != 0.0)."""
    assert type(a) is type(b), f"{where}: {type(b).__name__} loaded as {type(a).__name__}"
    if isinstance(a, minigrad.Tensor):
        assert a.requires_grad == b.requires_grad, f"{where}: requires_grad"
        a, b = a.data, b.data
    if isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), f"{where}: values"
    elif isinstance(a, float):
        assert struct.pack("<d", a) == struct.pack("<d", b), f"{where}: {a!r} vs {b!r}"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} vs {list(b)}"
        for k in a:
            assert type(k) is type([j for j in b if j == k][0]), f"{where}: key type of {k!r}"
            _same(a[k], b[k], f"{where}[{k!r}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _round_trip(obj, tmp_path):
    path = tmp_path / "model_weights.pth"
    minigrad.save(obj, path)
    from_path = minigrad.load(path)
    buf = io.BytesIO()
    minigrad.save(obj, buf)
    buf.seek(0)
    from_buffer = minigrad.load(buf)
    assert buf.read() == b""  # load consumed exactly the object
    assert path.read_bytes() == buf.getvalue()  # one format, wherever it goes
    return from_path, from_buffer


# ---- strategies -----------------------------------------------------------------------------------------------------
@st.composite
def arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    arr = draw(hnp.arrays(dtype, shape))  # any values: NaN, inf, -0.0, extremes
    layout = draw(st.sampled_from(["c", "transposed", "strided", "fortran"]))
    if layout == "transposed" and arr.ndim >= 2:
        arr = arr.T  # non-contiguous views are saved by value
    elif layout == "strided" and arr.ndim >= 1:
        arr = arr[::2]
    elif layout == "fortran":
        arr = np.asfortranarray(arr)
    return arr


tensors = arrays().map(minigrad.from_numpy) | arrays().filter(lambda a: a.dtype.kind == "f").map(
    lambda a: minigrad.from_numpy(a).requires_grad_(True))
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
           | st.text(max_size=8) | st.binary(max_size=8))
leaves = scalars | tensors | arrays() | st.sampled_from([minigrad.float32, minigrad.int64, minigrad.bool])
keys = st.text(max_size=6) | st.integers(-5, 10**12)


def _containers(children):
    return (st.lists(children, max_size=4) | st.lists(children, max_size=4).map(tuple)
            | st.dictionaries(keys, children, max_size=4)
            | st.dictionaries(keys, children, max_size=4).map(OrderedDict))


nested = st.recursive(leaves, _containers, max_leaves=12)


# ---- round trips ----------------------------------------------------------------------------------------------------
@given(obj=nested)
def test_nested_structures_round_trip_exactly(obj, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rt")
    for loaded in _round_trip(obj, tmp):
        _same(loaded, obj)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_and_shapes_round_trip(dtype, tmp_path):
    base = np.arange(24).reshape(2, 3, 4).astype(dtype)
    obj = [minigrad.from_numpy(a) for a in (base, base.transpose(2, 0, 1), base[:, ::2, 1:], base[0, 0, 0, ...],
                                             base[:0], np.empty((3, 0, 2), dtype))]
    for loaded in _round_trip(obj, tmp_path):
        _same(loaded, obj)
        for t in loaded:  # every loaded tensor owns a writable, contiguous, native-order array
            assert t.data.flags.owndata and t.data.flags.writeable and t.data.flags.c_contiguous
            assert t.data.dtype.isnative


def test_keys_types_and_containers_are_kept(tmp_path):
    sd = OrderedDict([("linear_relu_stack.0.weight", minigrad.randn(4, 3)), ("b", minigrad.zeros(4))])
    p = minigrad.zeros(3, requires_grad=True)
    opt = minigrad.optim.Adam([p])
    p.grad = minigrad.ones(3)
    opt.step()
    ckpt = {"epoch": 5, "model": sd, "optimizer": opt.state_dict(), "shape": minigrad.Size([2, 3]),
            (1, "a"): None, 2.5: [1, (2, [3])], True: b"\x00\xff", "np": (np.float64(1.5), np.int64(7), np.bool_(1))}
    for loaded in _round_trip(ckpt, tmp_path):
        _same(loaded, ckpt)
        assert list(loaded["optimizer"]["state"]) == [0]  # int keys stay ints
        assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_shared_memory_tensors_are_saved_separately(tmp_path):
    base = minigrad.arange(6.0)
    view = base.data[2:4]
    loaded = _round_trip({"a": base, "b": minigrad.from_numpy(view), "c": base}, tmp_path)[0]
    loaded["a"].data[2] = 100.0
    assert loaded["b"].data[0] == 2.0 and loaded["c"].data[2] == 2.0


def test_parameter_and_requires_grad_round_trip(tmp_path):
    from minigrad.nn import Parameter

    w = Parameter(minigrad.randn(2, 2))
    frozen = Parameter(minigrad.randn(2), requires_grad=False)
    loaded = _round_trip([w, frozen, w.detach()], tmp_path)[0]
    _same(loaded, [w, frozen, w.detach()])


def test_torch_like_workflow_with_any_file_name(tmp_path):
    model = {"weight": minigrad.randn(3, 2), "bias": minigrad.randn(3)}
    for name in ("model_weights.pth", "model.pt", "checkpoint", "weights.tar", "a b.c.d"):
        minigrad.save(model, tmp_path / name)
        minigrad.save(model, str(tmp_path / name))  # overwrite, through a str path
        _same(minigrad.load(str(tmp_path / name), weights_only=True), model)
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["model_weights.pth", "model.pt", "checkpoint", "weights.tar", "a b.c.d"])


def test_open_files_and_several_objects_in_one_stream(tmp_path):
    path = tmp_path / "stream.bin"
    with open(path, "wb") as f:
        minigrad.save({"a": minigrad.ones(2)}, f)
        minigrad.save([1, 2], f)
    with open(path, "rb") as f:
        _same(minigrad.load(f, map_location="cpu"), {"a": minigrad.ones(2)})
        assert minigrad.load(f, map_location={"cuda:0": "cpu"}) == [1, 2]
        assert f.read() == b""


def test_file_layout_is_the_documented_one(tmp_path):
    t = minigrad.tensor([1.5, -2.0])
    path = tmp_path / "f.pth"
    minigrad.save({"w": t}, path)
    raw = path.read_bytes()
    magic, version, flags, m_len, p_len = struct.unpack("<8sIIQQ", raw[:32])
    assert (magic, version, flags) == (b"\x89MGRAD\r\n", 1, 0)
    data_start = -(-(32 + m_len) // 64) * 64
    assert len(raw) == data_start + p_len + 32
    assert raw[-32:] == hashlib.sha256(raw[:-32]).digest()
    root = json.loads(raw[32:32 + m_len])["root"]
    node = root["items"][0][1]
    assert root["kind"] == "dict" and root["items"][0][0] == {"kind": "str", "value": "w"}
    assert node["kind"] == "tensor" and node["dtype"] == "float32" and node["shape"] == [2]
    start = data_start + node["offset"]
    assert np.frombuffer(raw[start:start + node["nbytes"]], "<f4").tolist() == [1.5, -2.0]


def test_no_pickle_anywhere():
    tree = ast.parse(Path(serialization.__file__).read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                     if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"pickle", "marshal", "shelve", "dill", "cloudpickle", "copyreg"}
    assert "eval(" not in Path(serialization.__file__).read_text()


# ---- what cannot be saved -------------------------------------------------------------------------------------------
def test_unsupported_objects_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save the object\['model'\]\[1\] of type builtins.set"):
        minigrad.save({"model": [1, {2}]}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match=r"key .* is a Tensor"):
        minigrad.save({minigrad.ones(1): 1}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match="arrays of dtype complex128 are not supported"):
        minigrad.save(np.zeros(2, complex), tmp_path / "x.pth")
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        minigrad.save(loop, tmp_path / "x.pth")
    assert os.listdir(tmp_path) == []  # nothing written, no temp file left


def test_missing_parent_directory_fails_like_torch(tmp_path):
    target = tmp_path / "no" / "such" / "w.pth"
    with pytest.raises(RuntimeError) as t_err:
        torch.save(torch.ones(1), str(target))
    with pytest.raises(RuntimeError) as m_err:
        minigrad.save(minigrad.ones(1), str(target))
    assert str(m_err.value) == str(t_err.value)


# ---- atomic writes -------------------------------------------------------------------------------------------------
def _crash_after(monkeypatch, n_writes, exc=OSError("disk full (simulated)")):
    real = serialization._HashingWriter.write
    calls = []

    def write(self, b):
        calls.append(len(b))
        if len(calls) > n_writes:
            raise exc
        real(self, b)

    monkeypatch.setattr(serialization._HashingWriter, "write", write)


@pytest.mark.parametrize("n_writes", [0, 1, 3])
@pytest.mark.parametrize("exc", [OSError("disk full (simulated)"), KeyboardInterrupt()])
def test_a_crash_mid_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, n_writes, exc):
    path = tmp_path / "model_weights.pth"
    old = {"w": minigrad.arange(1000.0)}
    minigrad.save(old, path)
    os.chmod(path, 0o640)
    before = path.read_bytes()
    _crash_after(monkeypatch, n_writes, exc)
    with pytest.raises(type(exc)):
        minigrad.save({"w": minigrad.zeros(5000), "x": minigrad.ones(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model_weights.pth"]  # the temp file is gone
    monkeypatch.undo()
    _same(minigrad.load(path), old)
    minigrad.save({"w": minigrad.ones(2)}, path)  # a later save replaces it, keeping its permissions
    assert (os.stat(path).st_mode & 0o777) == 0o640
    _same(minigrad.load(path), {"w": minigrad.ones(2)})


def test_a_crash_at_the_rename_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.pth"
    minigrad.save([1, 2, 3], path)

    def replace(src, dst):
        raise OSError("power cut (simulated)")

    monkeypatch.setattr(serialization.os, "replace", replace)
    with pytest.raises(OSError, match="power cut"):
        minigrad.save([4, 5, 6], path)
    monkeypatch.undo()
    assert minigrad.load(path) == [1, 2, 3] and os.listdir(tmp_path) == ["w.pth"]


# ---- bad files ----------------------------------------------------------------------------------------------------
def _saved_bytes(obj=None):
    buf = io.BytesIO()
    minigrad.save({"w": minigrad.arange(10.0), "n": 3} if obj is None else obj, buf)
    return buf.getvalue()


def _load_error(tmp_path, raw, name="bad.pth"):
    path = tmp_path / name
    path.write_bytes(raw)
    with pytest.raises(RuntimeError) as err:
        minigrad.load(path)
    assert isinstance(err.value, SerializationError)
    assert repr(str(path)) in str(err.value), "the message names the file"
    with pytest.raises(SerializationError) as err_stream:  # the same problem read from an open file
        minigrad.load(io.BytesIO(raw))
    assert "<BytesIO>" in str(err_stream.value)
    return str(err.value)


@pytest.mark.parametrize("keep", [1, 7, 20, 31, 32, 50, 200, -33, -1])
def test_truncated_files(tmp_path, keep):
    raw = _saved_bytes()
    msg = _load_error(tmp_path, raw[:keep])
    assert "is truncated" in msg


@pytest.mark.parametrize("where", ["manifest", "payload", "padding", "checksum"])
def test_corrupt_bytes_fail_the_checksum(tmp_path, where):
    raw = bytearray(_saved_bytes())
    m_len = struct.unpack("<Q", raw[16:24])[0]
    pos = {"manifest": 40, "payload": len(raw) - 40, "padding": 32 + m_len, "checksum": len(raw) - 1}[where]
    raw[pos] ^= 0x01
    msg = _load_error(tmp_path, bytes(raw))
    assert "is corrupt" in msg and "SHA-256 checksum" in msg


def test_trailing_bytes_after_the_data(tmp_path):
    path = tmp_path / "x.pth"
    path.write_bytes(_saved_bytes() + b"junk")
    with pytest.raises(SerializationError, match="unexpected bytes after the end"):
        minigrad.load(path)


def test_torch_files_are_refused_without_unpickling(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pth")
    msg = _load_error(tmp_path, (tmp_path / "torch.pth").read_bytes())
    assert "is not a minigrad file" in msg and "zip archive, as torch.save writes" in msg
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf, _use_new_zipfile_serialization=False)
    msg = _load_error(tmp_path, buf.getvalue())
    assert "is not a minigrad file" in msg and "Python pickle" in msg


def test_random_bytes_and_empty_files(tmp_path):
    rng = np.random.default_rng(0)
    for n in (5, 64, 4096):
        msg = _load_error(tmp_path, b"\x00" + rng.bytes(n))
        assert "is not a minigrad file" in msg and "starts with" in msg
    assert "is empty" in _load_error(tmp_path, b"")


def _forge(manifest=None, version=1, payload=b""):
    """A file with a valid checksum around content minigrad.save would never write."""
    m = json.dumps(manifest).encode()
    head = struct.pack("<8sIIQQ", b"\x89MGRAD\r\n", version, 0, len(m), len(payload))
    body = head + m + bytes(-(-(32 + len(m)) // 64) * 64 - 32 - len(m)) + payload
    return body + hashlib.sha256(body).digest()


@pytest.mark.parametrize("manifest, fragment", [
    ({"root": {"kind": "tensor", "dtype": "object", "shape": [1], "offset": 0, "nbytes": 8}}, "unknown dtype 'object'"),
    ({"root": {"kind": "tensor", "dtype": "float64", "shape": [4], "offset": 0, "nbytes": 32}}, "outside the payload"),
    ({"root": {"kind": "tensor", "dtype": "float64", "shape": [2], "offset": 0, "nbytes": 4}}, "says it has 4 bytes"),
    ({"root": {"kind": "tensor", "dtype": "float32", "shape": [-1], "offset": 0, "nbytes": 4}}, "bad shape"),
    ({"root": {"kind": "pickle", "value": "cos\nsystem\n"}}, "unknown node"),
    ({"root": {"kind": "dict", "items": [[{"kind": "list", "items": []}, {"kind": "none"}]]}}, "a dict key is a list"),
    ({"root": {"kind": "int", "value": "7"}}, "a int node holds '7'"),
    ({"root": {"kind": "float", "value": "nope"}}, "a float node holds 'nope'"),
    ({"root": {"kind": "float", "bits": "7ff8"}}, "a float node holds '7ff8'"),
    ({"nothing": 1}, "no root object"),
])
def test_forged_manifests_are_refused(tmp_path, manifest, fragment):
    msg = _load_error(tmp_path, _forge(manifest, payload=bytes(8)))
    assert "is corrupt: bad manifest" in msg and fragment in msg


def test_newer_format_versions_are_refused(tmp_path):
    msg = _load_error(tmp_path, _forge({"root": {"kind": "none"}}, version=2))
    assert "has format version 2; this minigrad reads version 1" in msg


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "nope.pth")
    path = tmp_path / "ok.pth"
    minigrad.save(1.0, path)
    with pytest.raises(RuntimeError, match="cannot move a tensor to 'cuda'"):
        minigrad.load(path, map_location="cuda")
    with pytest.raises(TypeError, match="callable map_location"):
        minigrad.load(path, map_location=lambda storage, loc: storage)
    with pytest.raises(TypeError, match="never unpickles"):
        minigrad.load(path, pickle_module=object())
    assert math.isclose(minigrad.load(path, map_location=minigrad.device("cpu")), 1.0)


def test_the_tutorials_save_and_load(tmp_path):
    """torch's "Save and Load the Model": weights through state_dict; a whole module is refused (it would need
    pickle), by name."""
    model = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    minigrad.save(model.state_dict(), tmp_path / "model_weights.pth")
    fresh = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    fresh.load_state_dict(minigrad.load(tmp_path / "model_weights.pth", weights_only=True))
    fresh.eval()
    _same(fresh.state_dict(), model.state_dict())
    with pytest.raises(TypeError, match=r"cannot save the object of type minigrad\.nn\..*Sequential"):
        minigrad.save(model, tmp_path / "model.pth")
    assert os.listdir(tmp_path) == ["model_weights.pth"]


def test_saving_through_a_symlink_replaces_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "w.pth"
    minigrad.save([1], target)
    (tmp_path / "link.pth").symlink_to(target)
    minigrad.save([2], tmp_path / "link.pth")
    assert (tmp_path / "link.pth").is_symlink() and minigrad.load(target) == [2]
    assert sorted(os.listdir(tmp_path / "real")) == ["w.pth"]
