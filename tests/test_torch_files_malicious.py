"""Hostile and damaged torch-format files: each is refused with SerializationError naming the file, nothing in it
runs, and nothing is allocated beyond what the file's own size justifies."""
import io
import os
import pickle
import struct
import zipfile
import zlib

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.serialization import SerializationError, _pickle
from minigrad.serialization._pickle import BINPERSID, MARK, REDUCE, TUPLE
from minigrad.serialization._zip import ZipWriter


def torch_zip(data_pkl, storages=(), archive="archive"):
    """A torch-format zip around any pickle: the records torch writes, and the given storages."""
    buf = io.BytesIO()
    out = ZipWriter(buf)
    out.write(f"{archive}/data.pkl", data_pkl)
    out.write(f"{archive}/byteorder", b"little")
    for key, raw in storages:
        out.write(f"{archive}/data/{key}", raw)
    out.write(f"{archive}/version", b"3\n")
    out.close()
    return buf.getvalue()


def refused(raw, tmp_path, match, **kwargs):
    """Load `raw` by path, by open file and from BytesIO: each must raise SerializationError naming the source."""
    path = tmp_path / "evil.pth"
    path.write_bytes(raw)
    messages = []
    for source, name in ((path, repr(str(path))), (None, repr(str(path))), (io.BytesIO(raw), "<BytesIO>")):
        with pytest.raises(SerializationError, match=match) as err:
            if source is None:
                with open(path, "rb") as f:
                    minigrad.load(f, **kwargs)
            else:
                minigrad.load(source, **kwargs)
        assert name in str(err.value)
        messages.append(str(err.value))
    return messages[0]


# ---- pickles that would run code ------------------------------------------------------------------------------------
class _RunsCode:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _marker_payloads(marker):
    return {
        "os.system": _RunsCode(os.system, f"touch {marker}"),
        "eval": _RunsCode(eval, f"open({str(marker)!r}, 'w').close()"),
        "exec": _RunsCode(exec, f"open({str(marker)!r}, 'w').close()"),
        "builtins.open": _RunsCode(open, str(marker), "w"),
        "nested in a state_dict": {"weight": torch.ones(2), "evil": [_RunsCode(os.system, f"touch {marker}")]},
    }


@pytest.mark.parametrize("kind", ["os.system", "eval", "exec", "builtins.open", "nested in a state_dict"])
@pytest.mark.parametrize("weights_only", [True, False])
def test_pickles_that_would_run_code_are_refused(tmp_path, kind, weights_only):
    marker = tmp_path / "marker"
    payload = _marker_payloads(marker)[kind]
    buf = io.BytesIO()
    torch.save(payload, buf)  # torch writes the hostile pickle into a real torch-format file
    msg = refused(buf.getvalue(), tmp_path, "GLOBAL|never calls", weights_only=weights_only)
    assert not marker.exists()
    named = {"os.system": "posix.system", "eval": "eval", "exec": "exec", "builtins.open": "io.open",
             "nested in a state_dict": "posix.system"}[kind]
    assert named in msg
    if weights_only:
        assert "Weights only load failed" in msg and "Unsupported global" in msg
    # the same pickle, bare (no zip): never unpickled at all
    refused(pickle.dumps(payload, protocol=2), tmp_path, "bare Python pickle")
    assert not marker.exists()


class UserClass:  # importable by name: torch's loader (and minigrad's) refuse it under weights_only=True
    def __init__(self):
        self.x = 1


def test_a_user_class_is_refused_by_weights_only_and_not_built_without_it(tmp_path):
    buf = io.BytesIO()
    torch.save({"obj": UserClass()}, buf)
    msg = refused(buf.getvalue(), tmp_path, "Unsupported global: GLOBAL .*UserClass was not an allowed global")
    assert "weights_only` set to `False`" in msg
    refused(buf.getvalue(), tmp_path, "imports only nn.Module subclasses", weights_only=False)


@pytest.mark.parametrize("pkl, match", [
    (b"\x80\x02cposix\nsystem\nX\x04\x00\x00\x00trueR.", "posix.system"),
    (b"\x80\x02cbuiltins\ngetattr\n.", "getattr"),
    (b"\x80\x02ctorch\nload\n.", "torch.load"),
    (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)R.", "malformed"),  # wrong arguments to an allowed function
    (b"\x80\x02ccollections\nOrderedDict\n)\x81.", "NEWOBJ on collections.OrderedDict"),
    (b"\x80\x02K\x01K\x02R.", "REDUCE on a int"),
    (b"\x80\x02(o.", "opcode b'o'"),  # protocol 1's OBJ
    (b"cos\nsystem\n(S'true'\ntR.", "os.system"),  # protocol 0
    (b"\x80\x02\x8c\x02os\x8c\x06system\x93.", "opcode"),  # protocol 4's STACK_GLOBAL
    (b"\x80\x02]q\x00h\x00a.", "refers to itself"),
    (b"\x80\x02X\xff\xff\xff\xffab.", "ends in the middle"),
    (b"\x80\x02" + b"]" * 5000 + b"a" * 4999 + b".", "nested more than 200"),
    (b"\x80\x02N" + b"\x85" * 100000 + b".", "nested more than 200"),
    (b"\x80\x02h\x05.", "memo entry 5 is read before"),
    (b"\x80\x02N}N.", "malformed stack"),
    (b"\x80\x02NNNs.", "SETITEM on a NoneType"),
    (b"\x80\x02Q.", "malformed"),
    (b"\x80\x02K\x01Q.", "persistent id that is not a storage"),
    (b"\x80\x02}]]s.", "malformed"),  # an unhashable key
])
def test_hostile_and_malformed_pickles(tmp_path, pkl, match):
    refused(torch_zip(pkl), tmp_path, match)


# ---- tensors that lie about their storage --------------------------------------------------------------------------
def _tensor_pickle(numel, offset, size, stride, storage="FloatStorage", key="0", requires_grad=False,
                   location="cpu"):
    p = _pickle.Pickler()
    p.global_("torch._utils", "_rebuild_tensor_v2")
    p.write(MARK + MARK)
    p.save("storage")
    p.global_("torch", storage)
    p.save(key)
    p.save(location)
    p.save(numel)
    p.write(TUPLE + BINPERSID)
    for field in (offset, size, stride, requires_grad):
        p.save(field)
    p.call("collections", "OrderedDict", (), "hooks")
    p.write(TUPLE + REDUCE)
    return p.bytes()


@pytest.mark.parametrize("fields, nbytes, match", [
    ((4, 0, (10,), (1,)), 16, "reaches element 10 of a storage of 4"),
    ((4, 3, (2,), (1,)), 16, "reaches element 5"),
    ((4, 0, (2, 2), (3, 1)), 16, "reaches element 5"),
    ((4, 0, (-1,), (1,)), 16, "non-negative ints"),
    ((4, 0, (2,), (-1,)), 16, "non-negative ints"),
    ((4, -1, (2,), (1,)), 16, "storage offset is -1"),
    ((4, 0, (2 ** 70,), (1,)), 16, "non-negative ints"),
    ((4, 0, (2 ** 40, 2 ** 40), (0, 0)), 16, "reaches element"),
    ((4, 0, (2, 2), (1,)), 16, "as many"),
    ((4, 0, (True,), (1,)), 16, "non-negative ints"),
    ((4, 0, [2], [1]), 16, "must be tuples"),
    ((4, 0, (2,), (1,)), 12, "should hold 4 float32 elements \\(16 bytes\\), but its member has 12"),
    ((2 ** 60, 0, (2,), (1,)), 16, "should hold"),
    ((-4, 0, (2,), (1,)), 16, "malformed storage reference"),
])
def test_tensors_that_lie_about_their_storage(tmp_path, fields, nbytes, match):
    refused(torch_zip(_tensor_pickle(*fields), [("0", bytes(nbytes))]), tmp_path, match)


@pytest.mark.parametrize("storage, match", [
    ("BFloat16Storage", "torch.BFloat16Storage, which torch allows but minigrad has no equivalent"),
    ("ComplexFloatStorage", "no equivalent"),
    ("EvilStorage", "Unsupported global: GLOBAL torch.EvilStorage"),
])
def test_unknown_storage_types(tmp_path, storage, match):
    refused(torch_zip(_tensor_pickle(4, 0, (4,), (1,), storage=storage), [("0", bytes(16))]), tmp_path, match)


def test_unknown_dtypes_and_missing_storages(tmp_path):
    refused(torch_zip(b"\x80\x02ctorch\ncomplex64\n."), tmp_path, "torch.complex64, which torch allows")
    refused(torch_zip(b"\x80\x02ctorch\nfloat99\n."), tmp_path, "GLOBAL torch.float99")
    refused(torch_zip(_tensor_pickle(4, 0, (4,), (1,), key="7")), tmp_path, "no member 'archive/data/7'")
    raw = torch_zip(_tensor_pickle(4, 0, (4,), (1,), requires_grad=True, storage="LongStorage"), [("0", bytes(32))])
    refused(raw, tmp_path, "int64 tensor says it requires grad")


# ---- damaged zips --------------------------------------------------------------------------------------------------
def _valid_file():
    buf = io.BytesIO()
    minigrad.save({"w": minigrad.arange(64.0).reshape(8, 8), "b": minigrad.ones(8), "step": 3}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("keep", [2, 30, 100, 500, -100, -22, -1])
def test_truncated_zips(tmp_path, keep):
    refused(_valid_file()[:keep], tmp_path, "truncated|not a valid zip")


def test_a_crc_mismatch_is_caught(tmp_path):
    raw = bytearray(_valid_file())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo("archive/data/0")
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + 5] ^= 0x10  # one bit of one float
    refused(bytes(raw), tmp_path, "CRC-32 of member 'archive/data/0' does not match")


def test_a_zip_bomb_member_is_never_inflated(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02N.")
        z.writestr("archive/data/0", bytes(64 << 20))  # 64 MiB of zeros in ~64 KiB
    assert len(buf.getvalue()) < 1 << 20
    refused(buf.getvalue(), tmp_path, "is compressed .method 8, claiming \\d+ bytes uncompressed")


def test_members_that_claim_more_than_the_file_holds(tmp_path):
    raw = bytearray(_valid_file())
    end = raw.rindex(b"PK\x05\x06")
    cd_offset = struct.unpack("<I", raw[end + 16:end + 20])[0]
    entry = raw.index(b"PK\x01\x02", cd_offset + 1)  # the second member's directory entry
    raw[entry + 20:entry + 28] = struct.pack("<II", 1 << 30, 1 << 30)  # sizes: 1 GiB
    refused(bytes(raw), tmp_path, "claims 1073741824 bytes .* past the end of the file")


def test_duplicate_members_are_refused(tmp_path):
    buf = io.BytesIO()
    out = ZipWriter(buf)
    out.write("archive/data.pkl", b"\x80\x02N.")
    out.write("archive/data.pkl", b"\x80\x02K\x01.")
    out.close()
    refused(buf.getvalue(), tmp_path, "appears twice")


def test_a_zip_that_is_not_torchs(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", b"hi")
    refused(buf.getvalue(), tmp_path, "not torch's format")


def test_storages_saved_on_a_gpu_need_a_map_location(tmp_path):
    raw = torch_zip(_tensor_pickle(4, 0, (4,), (1,), location="cuda:0"), [("0", bytes(16))])
    refused(raw, tmp_path, "on a CUDA device but minigrad has only the CPU.*map_location='cpu'")
    seen = []
    for where in ("cpu", {"cuda:0": "cpu"}, minigrad.device("cpu"), lambda storage, loc: seen.append(loc) or storage):
        assert minigrad.load(io.BytesIO(raw), map_location=where).data.tolist() == [0.0] * 4
    assert seen == ["cuda:0"]
    with pytest.raises(SerializationError, match="can only return its first argument"):
        minigrad.load(io.BytesIO(raw), map_location=lambda storage, loc: None)


def test_mmap_needs_a_path(tmp_path):
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        minigrad.load(io.BytesIO(_valid_file()), mmap=True)


# ---- random damage: always the library's error, or the same values ------------------------------------------------
def _same_as_saved(obj):
    assert obj["step"] == 3 and obj["w"].data.tolist() == minigrad.arange(64.0).reshape(8, 8).data.tolist()
    assert obj["b"].data.tolist() == [1.0] * 8


VALID = _valid_file()


@given(edits=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=4),
       cut=st.none() | st.integers(0, len(VALID)))
def test_random_corruptions_raise_serialization_error_or_load_the_same(edits, cut):
    raw = bytearray(VALID)
    for pos, flip in edits:
        raw[pos] ^= flip
    raw = bytes(raw[:cut] if cut is not None else raw)
    try:
        obj = minigrad.load(io.BytesIO(raw))
    except SerializationError:
        return
    _same_as_saved(obj)  # the damage hit bytes that carry nothing (padding, dates, the zip's version fields)


def _rezip(pkl):
    """VALID with its pickle replaced, CRCs recomputed: what reaches the unpickler when the zip is sound."""
    with zipfile.ZipFile(io.BytesIO(VALID)) as z:
        storages = [(n.rsplit("/", 1)[1], z.read(n)) for n in z.namelist() if "/data/" in n]
    return torch_zip(pkl, storages)


with zipfile.ZipFile(io.BytesIO(VALID)) as _z:
    PICKLE = _z.read("archive/data.pkl")


@given(edits=st.lists(st.tuples(st.integers(0, len(PICKLE) - 1), st.integers(0, 255)), min_size=1, max_size=3),
       cut=st.none() | st.integers(2, len(PICKLE)))
def test_random_pickle_damage_behind_valid_crcs(edits, cut):
    pkl = bytearray(PICKLE)
    for pos, value in edits:
        pkl[pos] = value
    try:
        obj = minigrad.load(io.BytesIO(_rezip(bytes(pkl[:cut] if cut else pkl))))
    except SerializationError:
        return
    for value in (obj.values() if isinstance(obj, dict) else [obj]):  # loaded: values may differ, never unsafely
        if isinstance(value, minigrad.Tensor):
            assert zlib.crc32(value.data.tobytes()) is not None


def _torch_written():
    buf = io.BytesIO()
    torch.save({"w": torch.arange(64.0).reshape(8, 8), "b": torch.ones(8), "step": 3}, buf)
    return buf.getvalue()


TORCH_VALID = _torch_written()  # torch's writer adds zip64 end records and its own padding: damage those too


@given(edits=st.lists(st.tuples(st.integers(0, len(TORCH_VALID) - 1), st.integers(1, 255)), min_size=1, max_size=4),
       cut=st.none() | st.integers(0, len(TORCH_VALID)))
def test_random_corruptions_of_a_torch_written_file(edits, cut):
    raw = bytearray(TORCH_VALID)
    for pos, flip in edits:
        raw[pos] ^= flip
    raw = bytes(raw[:cut] if cut is not None else raw)
    try:
        obj = minigrad.load(io.BytesIO(raw))
    except SerializationError:
        return
    _same_as_saved(obj)


def test_numpy_state_cannot_rewrite_a_storage(tmp_path):
    """With weights_only=False, BUILD with a NumPy array state applies only to arrays _reconstruct just made; a
    storage (an array too) cannot be resized or overwritten through it."""
    p = _pickle.Pickler()
    p.write(MARK)
    p.save("storage")
    p.global_("torch", "FloatStorage")
    p.save("0")
    p.save("cpu")
    p.save(4)
    p.write(TUPLE + BINPERSID)
    p.write(MARK)
    p.save(1)
    p.save((1000,))
    p.call("numpy", "dtype", ("f8", False, True), "dtype")
    p.save(False)
    p.save(bytes(8000))
    p.write(TUPLE + b"b")
    raw = torch_zip(p.bytes(), [("0", bytes(16))])
    refused(raw, tmp_path, "BUILD on a NumPy array that _reconstruct did not just make", weights_only=False)
    refused(raw, tmp_path, "GLOBAL numpy.dtype was not an allowed global")
