"""minigrad.save / minigrad.load: exact round trips in torch's zip format (the default), atomic writes, minigrad's own
older format still read (and hardened), and a clear error for every bad file of that format. Interop with real
torch lives in test_torch_files.py, hostile torch-format files in test_torch_files_malicious.py."""
import ast
import hashlib
import io
import json
import math
import os
import pickle
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
from minigrad.serialization import SerializationError, _atomic, _zip, native

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
leaves = scalars | tensors | st.sampled_from([minigrad.float32, minigrad.int64, minigrad.bool])
native_leaves = leaves | arrays() | arrays().map(lambda a: a[(0,) * a.ndim] if a.size else np.float64(0.5))
keys = st.text(max_size=6) | st.integers(-5, 10**12)


def _containers(children):
    return (st.lists(children, max_size=4) | st.lists(children, max_size=4).map(tuple)
            | st.dictionaries(keys, children, max_size=4)
            | st.dictionaries(keys, children, max_size=4).map(OrderedDict))


nested = st.recursive(leaves, _containers, max_leaves=12)
native_nested = st.recursive(native_leaves, _containers, max_leaves=12)


# ---- round trips ----------------------------------------------------------------------------------------------------
@given(obj=nested)
def test_nested_structures_round_trip_exactly(obj, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rt")
    for loaded in _round_trip(obj, tmp):
        _same(loaded, obj)


@given(obj=native_nested)
def test_numpy_arrays_and_scalars_round_trip_with_weights_only_false(obj, tmp_path_factory):
    """NumPy objects are written as NumPy pickles them (as torch.save does); like torch, a weights-only load
    refuses them, and weights_only=False rebuilds them (from their bytes, never through NumPy's pickle hooks)."""
    path = tmp_path_factory.mktemp("np") / "ckpt.pth"
    minigrad.save(obj, path)
    _same(minigrad.load(path, weights_only=False), obj)


def test_numpy_objects_need_weights_only_false_as_in_torch(tmp_path):
    ckpt = {"best": np.float64(0.875), "confusion": np.arange(6, dtype=np.int16).reshape(2, 3).T, "none": np.zeros(0)}
    for writer in (minigrad.save, torch.save):
        writer(ckpt, tmp_path / "ckpt.pth")
        with pytest.raises(SerializationError, match="GLOBAL numpy._core.multiarray.scalar was not an allowed"):
            minigrad.load(tmp_path / "ckpt.pth")
        _same(minigrad.load(tmp_path / "ckpt.pth", weights_only=False), ckpt)
    minigrad.save(ckpt, tmp_path / "ckpt.pth")
    back = torch.load(tmp_path / "ckpt.pth", weights_only=False)
    _same(back, ckpt)


def _native_bytes(obj):
    buf = io.BytesIO()
    native.write(obj, buf)
    return buf.getvalue()


@given(obj=native_nested)
def test_files_of_minigrads_own_format_keep_loading(obj, tmp_path_factory):
    """Files written by minigrad's own format (the default until torch's zip format) load as they always did,
    NumPy arrays and scalars included, from a path or a stream."""
    path = tmp_path_factory.mktemp("native") / "old.pth"
    path.write_bytes(_native_bytes(obj))
    _same(minigrad.load(path), obj)
    buf = io.BytesIO(path.read_bytes())
    _same(minigrad.load(buf), obj)
    assert buf.read() == b""


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_and_shapes_round_trip(dtype, tmp_path):
    base = np.arange(24).reshape(2, 3, 4).astype(dtype)
    obj = [minigrad.from_numpy(a) for a in (base, base.transpose(2, 0, 1), base[:, ::2, 1:], base[0, 0, 0, ...],
                                             base[:0], np.empty((3, 0, 2), dtype))]
    for loaded in _round_trip(obj, tmp_path):
        _same(loaded, obj)
        for t, original in zip(loaded, obj):  # writable, native order, and the saved strides (torch keeps them)
            assert t.data.flags.writeable and t.data.dtype.isnative
            if original.data.size:
                assert t.data.strides == original.data.strides
        loaded[0].data.reshape(-1)[9] = 0  # views of one array still share it, as torch's storages do
        assert loaded[1].data[1, 0, 2] == 0 and loaded[2].data[0, 1, 0] == 0


def test_keys_types_and_containers_are_kept(tmp_path):
    sd = OrderedDict([("linear_relu_stack.0.weight", minigrad.randn(4, 3)), ("b", minigrad.zeros(4))])
    p = minigrad.zeros(3, requires_grad=True)
    opt = minigrad.optim.Adam([p])
    p.grad = minigrad.ones(3)
    opt.step()
    ckpt = {"epoch": 5, "model": sd, "optimizer": opt.state_dict(), "shape": minigrad.Size([2, 3]),
            (1, "a"): None, 2.5: [1, (2, [3])], True: b"\x00\xff", "set": {1, 2}, "dtype": minigrad.float16,
            "device": minigrad.device("cpu"), "big": -2 ** 100}
    for loaded in _round_trip(ckpt, tmp_path):
        _same(loaded, ckpt)
        assert list(loaded["optimizer"]["state"]) == [0]  # int keys stay ints
        assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)


def test_shared_memory_is_kept_shared(tmp_path):
    """As torch.save does: a view and its base are one storage in the file, and share memory after loading; the
    same tensor twice loads as one tensor."""
    base = minigrad.arange(6.0)
    view = base.data[2:4]
    loaded = _round_trip({"a": base, "b": minigrad.from_numpy(view), "c": base}, tmp_path)[0]
    loaded["a"].data[2] = 100.0
    assert loaded["b"].data[0] == 100.0 and loaded["c"] is loaded["a"]
    with zipfile_of(tmp_path / "model_weights.pth") as z:
        assert [n for n in z.namelist() if "/data/" in n] == ["archive/data/0"]


def test_the_native_format_saves_shared_memory_separately(tmp_path):
    base = minigrad.arange(6.0)
    loaded = minigrad.load(io.BytesIO(_native_bytes({"a": base, "b": minigrad.from_numpy(base.data[2:4])})))
    loaded["a"].data[2] = 100.0
    assert loaded["b"].data[0] == 2.0


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


def test_open_files_and_several_native_objects_in_one_stream(tmp_path):
    with open(tmp_path / "one.pth", "wb") as f:
        minigrad.save({"a": minigrad.ones(2)}, f)
    with open(tmp_path / "one.pth", "rb") as f:
        _same(minigrad.load(f), {"a": minigrad.ones(2)})
    path = tmp_path / "stream.bin"
    with open(path, "wb") as f:  # minigrad's own format can follow itself in one stream (a zip cannot)
        native.write({"a": minigrad.ones(2)}, f)
        native.write([1, 2], f)
    with open(path, "rb") as f:
        _same(minigrad.load(f, map_location="cpu"), {"a": minigrad.ones(2)})
        assert minigrad.load(f, map_location={"cuda:0": "cpu"}) == [1, 2]
        assert f.read() == b""


def zipfile_of(path):
    import zipfile

    return zipfile.ZipFile(path)


def test_file_layout_is_torchs(tmp_path):
    """Stored members under archive/, data 64-byte aligned, CRCs right, the records torch reads."""
    path = tmp_path / "f.pth"
    minigrad.save({"w": minigrad.tensor([1.5, -2.0]), "n": minigrad.arange(3)}, path)
    raw = path.read_bytes()
    with zipfile_of(path) as z:
        assert z.testzip() is None  # every CRC checks
        names = z.namelist()
        assert names == ["archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
                         "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version"]
        assert z.read("archive/byteorder") == b"little" and z.read("archive/version") == b"3\n"
        for info in z.infolist():
            assert info.compress_type == 0
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + name_len + extra_len
            assert start % 64 == 0
        assert np.frombuffer(z.read("archive/data/0"), "<f4").tolist() == [1.5, -2.0]
    assert torch.load(path, weights_only=True)["n"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("source", sorted(Path(serialization.__file__).parent.glob("*.py")) +
                         [Path(minigrad.__file__).parent / "safetensors.py"], ids=lambda p: p.name)
def test_no_pickle_anywhere(source):
    """The pickle in torch's files is read and written by minigrad's own code: Python's pickle (whose loads can
    call anything) is never imported, and nothing is evaluated."""
    text = source.read_text()
    tree = ast.parse(text)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    assert not imported & {"pickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "copyreg", "torch"}
    assert "eval(" not in text and "exec(" not in text


# ---- what cannot be saved -------------------------------------------------------------------------------------------
def test_unsupported_objects_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save the object\['model'\]\[1\] of type builtins.object"):
        minigrad.save({"model": [1, object()]}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match=r"key .* is a Tensor"):
        minigrad.save({minigrad.ones(1): 1}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match="NumPy dtype complex128 is not supported"):
        minigrad.save([np.zeros(2, complex)], tmp_path / "x.pth")
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
    real = _zip.ZipWriter._put
    calls = []

    def write(self, b):
        calls.append(len(b))
        if len(calls) > n_writes:
            raise exc
        real(self, b)

    monkeypatch.setattr(_zip.ZipWriter, "_put", write)


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

    monkeypatch.setattr(_atomic.os, "replace", replace)
    with pytest.raises(OSError, match="power cut"):
        minigrad.save([4, 5, 6], path)
    monkeypatch.undo()
    assert minigrad.load(path) == [1, 2, 3] and os.listdir(tmp_path) == ["w.pth"]


# ---- bad files ----------------------------------------------------------------------------------------------------
def _saved_bytes(obj=None):
    """A file of minigrad's own format: the bad-file tests of that format's reader."""
    return _native_bytes({"w": minigrad.arange(10.0), "n": 3} if obj is None else obj)


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


def _legacy_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def test_torchs_legacy_format_loads(tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    obj = {"w": base, "row": base[1], "i": torch.arange(3), "p": torch.nn.Parameter(torch.ones(2)), "n": 3,
           "sd": torch.nn.Linear(2, 2).state_dict()}
    path = tmp_path / "old.pth"
    path.write_bytes(_legacy_bytes(obj))
    for loaded in (minigrad.load(path), minigrad.load(io.BytesIO(path.read_bytes()))):
        assert loaded["w"].data.tolist() == base.tolist() and loaded["row"].data.tolist() == [4.0, 5.0, 6.0, 7.0]
        assert loaded["i"].dtype == minigrad.int64 and loaded["n"] == 3 and loaded["p"].requires_grad
        assert list(loaded["sd"]) == ["weight", "bias"]
        loaded["w"].data[1, 0] = -1.0  # one storage, as in torch
        assert loaded["row"].data[0] == -1.0


@pytest.mark.parametrize("keep", [3, 30, 200, -60, -13, -1])
def test_truncated_legacy_files(tmp_path, keep):
    raw = _legacy_bytes({"w": torch.arange(10.0), "b": torch.ones(3)})
    msg = _load_error(tmp_path, raw[:keep])
    assert "corrupt" in msg or "truncated" in msg


def test_a_legacy_file_whose_object_would_run_code(tmp_path):
    raw = _legacy_bytes({"w": torch.ones(2)})
    header = b"".join(pickle.dumps(v, protocol=2) for v in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    marker = tmp_path / "marker"
    evil = header + pickle.dumps({"x": _RunsCode(os.system, f"touch {marker}")}, protocol=2) + raw[len(header):]
    msg = _load_error(tmp_path, evil)
    assert "Unsupported global: GLOBAL posix.system" in msg and not marker.exists()
    assert "bare Python pickle" in _load_error(tmp_path, pickle.dumps({"a": 1}, protocol=2))


class _RunsCode:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def test_random_bytes_and_empty_files(tmp_path):
    rng = np.random.default_rng(0)
    for n in (5, 64, 4096):
        msg = _load_error(tmp_path, b"\x00" + rng.bytes(n))
        assert "is not a file minigrad can read" in msg and "starts with" in msg
    assert "is empty" in _load_error(tmp_path, b"")


def _forge(manifest=None, version=1, payload=b""):
    """A file with a valid checksum around content minigrad.save would never write."""
    m = json.dumps(manifest).encode()
    head = struct.pack("<8sIIQQ", b"\x89MGRAD\r\n", version, 0, len(m), len(payload))
    body = head + m + bytes(-(-(32 + len(m)) // 64) * 64 - 32 - len(m)) + payload
    return body + hashlib.sha256(body).digest()


@pytest.mark.parametrize("manifest, fragment", [
    ({"root": {"kind": "tensor", "dtype": "object", "shape": [1], "offset": 0, "nbytes": 8}},
     "field 'dtype' is 'object', not one of the dtypes"),
    ({"root": {"kind": "tensor", "dtype": "float64", "shape": [4], "offset": 0, "nbytes": 32}}, "outside the payload"),
    ({"root": {"kind": "tensor", "dtype": "float64", "shape": [2], "offset": 0, "nbytes": 4}}, "says it has 4 bytes"),
    ({"root": {"kind": "tensor", "dtype": "float32", "shape": [-1], "offset": 0, "nbytes": 4}}, "bad shape"),
    ({"root": {"kind": "pickle", "value": "cos\nsystem\n"}}, "unknown node"),
    ({"root": {"kind": "dict", "items": [[{"kind": "list", "items": []}, {"kind": "none"}]]}}, "a dict key is a list"),
    ({"root": {"kind": "int", "value": "7"}}, "a int node holds '7'"),
    ({"root": {"kind": "float", "value": "nope"}}, "a float node holds 'nope'"),
    ({"root": {"kind": "float", "bits": "7ff8"}}, "a float node holds '7ff8'"),
    ({"nothing": 1}, "no root object"),
    # minigrad's own format, hardened (issue 14): each field is checked even when the checksum is valid
    ({"root": {"kind": "size", "items": [{"kind": "str", "value": "a"}]}}, "a size node holds 'a'"),
    ({"root": {"kind": "size", "items": [{"kind": "int", "value": -3}]}}, "a size node holds -3"),
    ({"root": {"kind": "npscalar", "dtype": "float32", "shape": [2], "offset": 0, "nbytes": 8}},
     "an npscalar's field 'shape' is [2]"),
    ({"root": {"kind": "tensor", "dtype": "float32", "shape": [2], "offset": 0, "nbytes": 8, "requires_grad": "no"}},
     "field 'requires_grad' is 'no', not true or false"),
    ({"root": {"kind": "tensor", "dtype": "float32", "shape": [2], "offset": 0, "nbytes": 8, "parameter": 1}},
     "field 'parameter' is 1, not true or false"),
    ({"root": {"kind": "dict", "items": [[{"kind": "str", "value": "k"}, {"kind": "none"}],
                                         [{"kind": "str", "value": "k"}, {"kind": "int", "value": 1}]]}},
     "holds the key 'k' twice"),
    ({"root": {"kind": "tensor", "dtype": ["float32"], "shape": [2], "offset": 0, "nbytes": 8}},
     "field 'dtype' is ['float32'], not one of the dtypes"),
    ({"root": {"kind": "dtype", "value": ["float32"]}}, "a dtype node's value is ['float32']"),
    ({"root": {"kind": "tensor", "dtype": "int32", "shape": [2], "offset": 0, "nbytes": 8, "parameter": True,
               "requires_grad": True}}, "int32 tensor has field 'requires_grad' true"),
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
    assert minigrad.load(path, map_location=lambda storage, loc: storage) == 1.0  # torch's old idiom for "CPU"
    with pytest.raises(TypeError, match="never unpickles"):
        minigrad.load(path, pickle_module=object())
    assert math.isclose(minigrad.load(path, map_location=minigrad.device("cpu")), 1.0)


def test_the_tutorials_save_and_load(tmp_path):
    """torch's "Save and Load the Model": weights through state_dict, and the whole model, which a default
    (weights-only) load refuses with torch's explanation and weights_only=False restores."""
    model = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    minigrad.save(model.state_dict(), tmp_path / "model_weights.pth")
    fresh = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    fresh.load_state_dict(minigrad.load(tmp_path / "model_weights.pth", weights_only=True))
    fresh.eval()
    _same(fresh.state_dict(), model.state_dict())
    minigrad.save(model, tmp_path / "model.pth")
    with pytest.raises(SerializationError) as err:
        minigrad.load(tmp_path / "model.pth")
    msg = str(err.value)
    assert "Weights only load failed" in msg and "weights_only` set to `False`" in msg and "model.pth" in msg
    assert "Unsupported global: GLOBAL minigrad.nn.container.Sequential was not an allowed global" in msg
    whole = minigrad.load(tmp_path / "model.pth", weights_only=False)
    assert type(whole) is minigrad.nn.Sequential and repr(whole) == repr(model)
    _same(whole.state_dict(), model.state_dict())
    x = minigrad.randn(5, 4)
    assert np.array_equal(whole(x).data, model(x).data)


def test_saving_through_a_symlink_replaces_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "w.pth"
    minigrad.save([1], target)
    (tmp_path / "link.pth").symlink_to(target)
    minigrad.save([2], tmp_path / "link.pth")
    assert (tmp_path / "link.pth").is_symlink() and minigrad.load(target) == [2]
    assert sorted(os.listdir(tmp_path / "real")) == ["w.pth"]
