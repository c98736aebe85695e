"""minigrad.safetensors against the safetensors package: the same bytes for the same tensors, files read both ways
(metadata included), and every lying header refused with SerializationError naming the file."""
import json
import struct

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import safetensors as mst
from minigrad.serialization import SerializationError

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


def _tensors():
    rng = np.random.default_rng(0)
    out = {f"t_{np.dtype(d).name}": minigrad.from_numpy((rng.standard_normal((3, 2)) * 10).astype(d)) for d in DTYPES}
    out["scalar"] = minigrad.tensor(2.5)
    out["empty"] = minigrad.zeros(0, 4)
    out["linear_relu_stack.0.weight"] = minigrad.randn(4, 3)
    return out


def _same(a, b):
    assert list(sorted(a)) == list(sorted(b))
    for k in a:
        x = a[k].data if isinstance(a[k], minigrad.Tensor) else a[k].numpy()
        y = b[k].data if isinstance(b[k], minigrad.Tensor) else b[k].numpy()
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), k


def test_round_trip_and_the_same_bytes_as_the_package(tmp_path):
    tensors = _tensors()
    meta = {"format": "pt", "epoch": "3", "note": "ünïcode"}
    mst.save_file(tensors, tmp_path / "m.safetensors", metadata=meta)
    _same(mst.load_file(tmp_path / "m.safetensors"), tensors)
    with safetensors.safe_open(tmp_path / "m.safetensors", framework="np") as f:
        assert f.metadata() == meta
    torch_tensors = {k: torch.from_numpy(v.data.copy()) for k, v in tensors.items()}
    one = {"format": "pt"}  # the package orders several metadata keys as its hash map does (varies per run)
    assert mst.save(tensors, one) == safetensors.torch.save(torch_tensors, metadata=one)
    assert mst.save(tensors) == safetensors.torch.save(torch_tensors)
    _same(mst.load(mst.save(tensors)), tensors)


def test_files_cross_both_ways_with_metadata(tmp_path):
    tensors = _tensors()
    torch_tensors = {k: torch.from_numpy(v.data.copy()) for k, v in tensors.items()}
    safetensors.torch.save_file(torch_tensors, tmp_path / "t.safetensors", metadata={"by": "torch"})
    _same(mst.load_file(tmp_path / "t.safetensors"), torch_tensors)
    with mst.safe_open(tmp_path / "t.safetensors", framework="pt") as f:
        assert f.metadata() == {"by": "torch"} and f.keys() == sorted(tensors)
        assert f.get_tensor("scalar").item() == 2.5
    safetensors.numpy.save_file({k: v.data for k, v in tensors.items()}, tmp_path / "n.safetensors")
    _same(mst.load_file(tmp_path / "n.safetensors"), tensors)
    mst.save_file(tensors, tmp_path / "m.safetensors", metadata={"by": "minigrad"})
    _same(safetensors.torch.load_file(tmp_path / "m.safetensors"), tensors)
    with safetensors.safe_open(tmp_path / "m.safetensors", framework="pt") as f:
        assert f.metadata() == {"by": "minigrad"}
    assert minigrad.load  # a safetensors file is not a torch file: minigrad.load says what it is not
    with pytest.raises(SerializationError, match="not a file minigrad can read"):
        minigrad.load(tmp_path / "m.safetensors")


def test_a_model_state_dict_through_safetensors(tmp_path):
    model = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    mst.save_file(model.state_dict(), tmp_path / "model.safetensors")
    fresh = minigrad.nn.Sequential(minigrad.nn.Linear(4, 3), minigrad.nn.ReLU(), minigrad.nn.Linear(3, 2))
    fresh.load_state_dict(mst.load_file(tmp_path / "model.safetensors"))
    _same(fresh.state_dict(), model.state_dict())


def test_what_the_package_refuses_to_save_is_refused(tmp_path):
    base = minigrad.randn(4, 4)
    with pytest.raises(ValueError, match="non contiguous tensor: `t`"):
        mst.save_file({"t": base.t()}, tmp_path / "x.safetensors")
    with pytest.raises(RuntimeError, match="Some tensors share memory"):
        mst.save_file({"a": base, "b": minigrad.from_numpy(base.data[1])}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata must be a dict of str -> str"):
        mst.save_file({"a": base}, tmp_path / "x.safetensors", metadata={"epoch": 3})
    import os
    assert os.listdir(tmp_path) == []


def _forge(header, data=b"", pad=True):
    raw = json.dumps(header).encode()
    if pad:
        raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


@pytest.mark.parametrize("raw, match", [
    (b"", "truncated"),
    (b"\x08\x00\x00", "truncated"),
    (struct.pack("<Q", 1 << 40) + b"{}", "larger than the file"),
    (struct.pack("<Q", 100) + b"{}      ", "larger than the file"),
    (_forge({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, bytes(8)), "outside the file's 8"),
    (_forge({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}, bytes(8)), "needs 16 bytes"),
    (_forge({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)), "no gaps, no overlaps"),
    (_forge({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)), "starts at data byte 4"),
    (_forge({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, bytes(8)), "cover 4 data bytes"),
    (_forge({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, bytes(4)), "non-negative ints"),
    (_forge({"a": {"dtype": "F32", "shape": [2 ** 70], "data_offsets": [0, 4]}}, bytes(4)), "non-negative ints"),
    (_forge({"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}, bytes(4)), "outside"),
    (_forge({"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}, bytes(4)), "unknown dtype 'Q7'"),
    (_forge({"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, bytes(2)), "no equivalent"),
    (_forge({"a": {"dtype": "F32", "shape": [1]}}, bytes(4)), "is not {dtype, shape, data_offsets}"),
    (_forge({"__metadata__": {"k": 1}}), "__metadata__ is not an object of strings"),
    (_forge([1, 2]), "not a JSON object"),
    (struct.pack("<Q", 8) + b"{not js}", "not valid JSON"),
    (struct.pack("<Q", 8) + b"\xff\xfe{}    ", "not valid JSON"),
    (struct.pack("<Q", 16) + b'{"a":1,"a":2}   ', "names 'a' twice"),
    (struct.pack("<Q", 8) + b"[" * 8 + b"]" * 8, "not valid JSON|not a JSON object"),
])
def test_lying_headers(tmp_path, raw, match):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(raw)
    with pytest.raises(SerializationError, match=match) as err:
        mst.load_file(path)
    assert repr(str(path)) in str(err.value)
    with pytest.raises(SerializationError, match=match):
        mst.load(raw)


VALID = mst.save({"w": minigrad.arange(12.0).reshape(3, 4), "n": minigrad.tensor([1, 2, 3])}, {"k": "v"})


@given(edits=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=4),
       cut=st.none() | st.integers(0, len(VALID)))
def test_random_damage_is_refused_or_loads_within_the_file(edits, cut):
    raw = bytearray(VALID)
    for pos, value in edits:
        raw[pos] = value
    raw = bytes(raw[:cut] if cut is not None else raw)
    try:
        out = mst.load(raw)
    except SerializationError:
        return
    assert sum(t.data.nbytes for t in out.values()) <= len(raw)  # data damage can change values, never bounds
