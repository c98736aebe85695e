"""minigrad.safetensors: the safetensors format, with the API of the safetensors package's torch module.

    save_file(tensors, filename, metadata=None)   load_file(filename, device="cpu") -> {name: Tensor}
    save(tensors, metadata=None) -> bytes          load(data) -> {name: Tensor}
    safe_open(filename, framework="pt")            .keys(), .get_tensor(name), .metadata()

A file is 8 bytes (u64 little-endian N), N bytes of UTF-8 JSON, then the data:
`{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}`, offsets
relative to the data's start; the tensors tile the data exactly (no gap, no overlap). Written the way the package
writes it (tensors ordered by dtype, largest first, then by name; the header padded with spaces to a multiple of 8),
so the same tensors give the same bytes. Reading checks every field against the file's real size before touching
data, and raises SerializationError naming the file.
"""
import json
import os

import numpy as np

from . import _dtype
from .creation import from_numpy
from .serialization import SerializationError, atomic_write
from .serialization._errors import file_name
from .tensor import Tensor

__all__ = ["save_file", "load_file", "save", "load", "safe_open"]

# the format's dtype names, in the package's order (which sorts tensors in a file), and minigrad's dtype of each
_ORDER = ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
_TO_MINIGRAD = {"BOOL": _dtype.bool, "U8": _dtype.uint8, "I8": _dtype.int8, "I16": _dtype.int16, "F16": _dtype.float16,
                "I32": _dtype.int32, "F32": _dtype.float32, "F64": _dtype.float64, "I64": _dtype.int64}
_FROM_MINIGRAD = {d.name: code for code, d in _TO_MINIGRAD.items()}
_MAX_HEADER = 100_000_000  # the package's own limit


# ---- write ---------------------------------------------------------------------------------------------------------
def _prepare(tensors, metadata):
    if not isinstance(tensors, dict) or not all(isinstance(k, str) for k in tensors):
        raise TypeError("safetensors: expected a dict of str -> Tensor")
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("safetensors: metadata must be a dict of str -> str")
    arrays = {}
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"safetensors: {name!r} is a {type(t).__name__}, not a Tensor")
        if not t.data.flags.c_contiguous:
            raise ValueError(f"You are trying to save a non contiguous tensor: `{name}` which is not allowed. It "
                             "either means you are trying to save tensors which are reference of each other in which "
                             "case it's recommended to save only the full tensors, and reslice at load time, or "
                             "simply call `.contiguous()` on your tensor to pack it before saving.")
        arrays[name] = t.data
    _refuse_shared(arrays)
    order = sorted(arrays, key=lambda n: (-_ORDER.index(_FROM_MINIGRAD[arrays[n].dtype.name]), n))
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))  # the package: a hash map's order; here: sorted
    for name in order:
        a = arrays[name]
        header[name] = {"dtype": _FROM_MINIGRAD[a.dtype.name], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return raw, [np.ascontiguousarray(arrays[n], arrays[n].dtype.newbyteorder("<")) for n in order]


def _refuse_shared(arrays):
    """The package refuses tensors that share memory (they would load as copies); so does minigrad."""
    spans = sorted(((a.__array_interface__["data"][0], a.__array_interface__["data"][0] + a.nbytes), name)
                   for name, a in arrays.items() if a.nbytes)  # contiguous arrays: [start, start + nbytes)
    shared = [(spans[i][1], spans[i + 1][1]) for i in range(len(spans) - 1) if spans[i + 1][0][0] < spans[i][0][1]]
    if shared:
        names = sorted({n for pair in shared for n in pair})
        raise RuntimeError(f"Some tensors share memory, this will lead to duplicate memory on disk and potential "
                           f"differences when loading them again: [{names}]. Save copies (t.clone()) of all but one "
                           "of them.")


def _write(tensors, metadata, f):
    raw, arrays = _prepare(tensors, metadata)
    f.write(len(raw).to_bytes(8, "little"))
    f.write(raw)
    for a in arrays:
        if a.nbytes:
            f.write(a.reshape(-1).view(np.uint8).data)


def save_file(tensors, filename, metadata=None):
    """Write `tensors` ({name: Tensor}) to `filename`, atomically; metadata: {str: str}."""
    _prepare(tensors, metadata)  # refuse bad input before a temporary file exists
    atomic_write(filename, lambda f: _write(tensors, metadata, f))


def save(tensors, metadata=None):
    """The bytes save_file would write."""
    raw, arrays = _prepare(tensors, metadata)
    return b"".join([len(raw).to_bytes(8, "little"), raw] + [a.reshape(-1).view(np.uint8).tobytes() for a in arrays])


# ---- read ----------------------------------------------------------------------------------------------------------
class _Parsed:
    def __init__(self, name, head, size):
        """head: the file's first min(size, 8 + N) bytes, where size is the whole file's length."""
        self.name = name
        if size < 8:
            raise self.bad(f"it is truncated: {size} bytes, where the header's length alone takes 8")
        n = int.from_bytes(head[:8], "little")
        if n > _MAX_HEADER or 8 + n > size:
            raise self.bad(f"its header says it is {n} bytes long, larger than the file ({size} bytes)"
                           if 8 + n > size else f"its header is {n} bytes, more than the {_MAX_HEADER} allowed")
        self.header_len, self.data_len = n, size - 8 - n
        try:
            header = json.loads(bytes(head[8:8 + n]).decode("utf-8"), object_pairs_hook=self._pairs)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise self.bad(f"its header is not valid JSON ({e})") from None
        if not isinstance(header, dict):
            raise self.bad("its header is not a JSON object")
        self.meta = header.pop("__metadata__", None)
        if self.meta is not None and not (isinstance(self.meta, dict)
                                          and all(isinstance(v, str) for v in self.meta.values())):
            raise self.bad("its __metadata__ is not an object of strings")
        self.entries = {name: self._entry(name, info) for name, info in header.items()}
        self._check_tiling()

    def bad(self, why):
        return SerializationError(f"safetensors: {self.name} is corrupt: {why}")

    def _pairs(self, pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                raise self.bad(f"its header names {k!r:.60} twice")
            out[k] = v
        return out

    def _entry(self, name, info):
        where = f"tensor {name!r:.60}"
        if not (isinstance(info, dict) and set(info) == {"dtype", "shape", "data_offsets"}):
            raise self.bad(f"{where} is not {{dtype, shape, data_offsets}}")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if code not in _ORDER:
            raise self.bad(f"{where} has unknown dtype {code!r:.20}")
        if code not in _TO_MINIGRAD:
            raise SerializationError(f"safetensors: {self.name}: {where} has dtype {code}, which minigrad has no "
                                     f"equivalent of (it has {', '.join(_TO_MINIGRAD)})")
        if not (isinstance(shape, list) and all(type(s) is int and 0 <= s < 2 ** 62 for s in shape)):
            raise self.bad(f"{where} has shape {shape!r:.60}: expected a list of non-negative ints")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)
                and 0 <= offsets[0] <= offsets[1] <= self.data_len):
            raise self.bad(f"{where} has data_offsets {offsets!r:.60}, outside the file's {self.data_len} data bytes")
        dtype = _TO_MINIGRAD[code].np.newbyteorder("<")
        count = 1
        for s in shape:
            count *= s
        if count * dtype.itemsize != offsets[1] - offsets[0]:
            raise self.bad(f"{where} of shape {shape} and dtype {code} needs {count * dtype.itemsize} bytes, but its "
                           f"data_offsets {offsets} span {offsets[1] - offsets[0]}")
        return dtype, tuple(shape), offsets[0], offsets[1]

    def _check_tiling(self):
        end = 0
        for name, (_, _, begin, stop) in sorted(self.entries.items(), key=lambda kv: kv[1][2:]):
            if begin != end:
                raise self.bad(f"tensor {name!r:.60} starts at data byte {begin}, where the previous one ends at {end} "
                               "(tensors must tile the data: no gaps, no overlaps)")
            end = stop
        if end != self.data_len:
            raise self.bad(f"its tensors cover {end} data bytes, but the file holds {self.data_len}")

    def tensor(self, name, data):
        """`data`: a writable buffer holding the data section."""
        dtype, shape, begin, stop = self.entries[name]
        arr = np.frombuffer(data, dtype=dtype, count=(stop - begin) // dtype.itemsize, offset=begin) \
            if stop > begin else np.empty(0, dtype)
        if not dtype.isnative or begin % dtype.itemsize:
            arr = arr.astype(dtype.newbyteorder("="))  # aligned, native order
        return from_numpy(arr.reshape(shape))


def _read_all(f, name):
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    head = f.read(8)
    n = int.from_bytes(head, "little") if len(head) == 8 else 0
    parsed = _Parsed(name, head + f.read(min(n, max(size - 8, 0))), size)
    data = bytearray(parsed.data_len)  # the file proved it holds these bytes
    f.readinto(data)
    return parsed, data


def load_file(filename, device="cpu"):
    """{name: Tensor} from a safetensors file (on the CPU: device may say "cpu")."""
    _check_device(device)
    with open(filename, "rb") as f:
        parsed, data = _read_all(f, file_name(filename))
    return {name: parsed.tensor(name, data) for name in parsed.entries}


def load(data):
    """{name: Tensor} from the bytes of a safetensors file."""
    import io

    parsed, buf = _read_all(io.BytesIO(data), "<bytes>")
    return {name: parsed.tensor(name, buf) for name in parsed.entries}


def _check_device(device):
    if str(device) != "cpu":
        from ._size import _check_device as check

        check(device)


class safe_open:  # noqa: N801 - the package's name
    """`with safe_open(filename, framework="pt") as f:` f.keys(), f.get_tensor(name), f.metadata()."""

    def __init__(self, filename, framework="pt", device="cpu"):
        _check_device(device)
        if framework not in ("pt", "torch", "minigrad", "np", "numpy"):
            raise ValueError(f"safe_open: framework {framework!r} is not supported (use 'pt' or 'np')")
        self.numpy = framework in ("np", "numpy")
        with open(filename, "rb") as f:
            self._parsed, self._data = _read_all(f, file_name(filename))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return sorted(self._parsed.entries)

    def metadata(self):
        return self._parsed.meta

    def get_tensor(self, name):
        t = self._parsed.tensor(name, self._data)
        return t.data.copy() if self.numpy else t
