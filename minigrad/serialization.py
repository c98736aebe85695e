"""minigrad.save / minigrad.load: tensors and nested containers of them, in a small format without pickle.

Loading reads JSON and raw array bytes and nothing else, so a file can never run code. What can be saved: Tensor
(and nn.Parameter), NumPy arrays and scalars, minigrad dtypes, minigrad.Size, None, bool, int, float, str, bytes,
and list, tuple, dict, OrderedDict of these (dict keys: str, int, float, bool, None, bytes or tuples of them).
Each tensor's bytes are written on their own, so tensors that share memory load as separate tensors.

File layout, format version 1 (integers little-endian):

    offset   size  field
    0        8     magic b"\\x89MGRAD\\r\\n" (the \\x89 and \\r\\n reveal text-mode or 7-bit mangling, as PNG's do)
    8        4     format version, uint32 (1)
    12       4     flags, uint32 (0; reserved)
    16       8     M: manifest length in bytes, uint64
    24       8     P: payload length in bytes, uint64
    32       M     manifest: UTF-8 JSON, {"root": node} (nodes below)
    32+M           zero bytes up to D = the next multiple of 64
    D        P     payload: each array's C-order little-endian bytes, at a 64-byte aligned offset from D
    D+P      32    SHA-256 of every byte before it

Nodes are JSON objects with a "kind": {"kind": "none"}, {"kind": "bool"|"int"|"str", "value": v},
{"kind": "float", "value": float.hex(v)} (exact; a NaN is {"bits": its 8 little-endian bytes in hex}),
{"kind": "bytes", "value": base64},
{"kind": "list"|"tuple"|"size", "items": [node, ...]}, {"kind": "dict"|"OrderedDict", "items": [[key, value], ...]},
{"kind": "dtype", "value": "float32"}, and arrays: {"kind": "tensor"|"ndarray"|"npscalar", "dtype": "float32",
"shape": [2, 3], "offset": byte offset in the payload, "nbytes": n} (+ "requires_grad" and "parameter" for tensors).
"""
import base64
import contextlib
import hashlib
import json
import os
import stat
import struct
import tempfile
from collections import OrderedDict

import numpy as np

from . import _dtype
from .tensor import Size, Tensor, _check_device

__all__ = ["save", "load", "SerializationError"]

MAGIC = b"\x89MGRAD\r\n"
VERSION = 1
_HEADER = struct.Struct("<8sIIQQ")  # magic, version, flags, manifest length, payload length
_ALIGN = 64
_DIGEST = 32  # SHA-256
_DTYPES = {d.name: d.np.newbyteorder("<") for d in _dtype.ALL}  # the only dtypes a file may name: never "object"


class SerializationError(RuntimeError):
    """A file minigrad.load cannot read: not a minigrad file, truncated, corrupt, or from a newer format."""


def _align(n):
    return -(-n // _ALIGN) * _ALIGN


def _name(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


# ---- save --------------------------------------------------------------------------------------------------------
class _Encoder:
    """Turns an object tree into manifest nodes; arrays are queued with their payload offsets."""

    def __init__(self):
        self.arrays = []  # (offset, little-endian C-contiguous array)
        self.size = 0
        self._open = set()  # ids of the containers being encoded: a cycle would recurse forever

    def _array(self, kind, arr, where, **extra):
        name = arr.dtype.name
        if name not in _DTYPES:
            raise TypeError(f"minigrad.save: cannot save {where}: arrays of dtype {arr.dtype} are not supported "
                            f"(supported: {', '.join(_DTYPES)})")
        arr = np.asarray(arr, dtype=_DTYPES[name], order="C")  # a copy only when non-contiguous or big-endian
        offset = _align(self.size)
        self.arrays.append((offset, arr))
        self.size = offset + arr.nbytes
        return dict(kind=kind, dtype=name, shape=list(arr.shape), offset=offset, nbytes=arr.nbytes, **extra)

    def node(self, obj, where="the object"):
        if obj is None:
            return {"kind": "none"}
        if isinstance(obj, np.generic):  # before float: np.float64 is a float, and should load as np.float64
            return self._array("npscalar", np.asarray(obj), where)
        if isinstance(obj, bool):
            return {"kind": "bool", "value": obj}
        if isinstance(obj, int):
            return {"kind": "int", "value": int(obj)}
        if isinstance(obj, float):
            if obj != obj:  # NaN: float.hex says "nan"; its bits keep the sign and payload
                return {"kind": "float", "bits": struct.pack("<d", obj).hex()}
            return {"kind": "float", "value": float(obj).hex()}
        if isinstance(obj, str):
            return {"kind": "str", "value": str(obj)}
        if isinstance(obj, (bytes, bytearray)):
            return {"kind": "bytes", "value": base64.b64encode(bytes(obj)).decode("ascii")}
        if isinstance(obj, Tensor):
            return self._array("tensor", obj.data, where, requires_grad=bool(obj.requires_grad),
                               parameter=type(obj).__name__ == "Parameter")
        if isinstance(obj, np.ndarray):
            return self._array("ndarray", obj, where)
        if isinstance(obj, _dtype.dtype):
            return {"kind": "dtype", "value": obj.name}
        if isinstance(obj, (list, tuple, dict)):
            if id(obj) in self._open:
                raise ValueError(f"minigrad.save: {where} contains itself; a self-referencing structure cannot be "
                                 "saved")
            self._open.add(id(obj))
            try:
                return self._container(obj, where)
            finally:
                self._open.discard(id(obj))
        raise TypeError(f"minigrad.save: cannot save {where} of type {type(obj).__module__}.{type(obj).__qualname__}"
                        "; minigrad saves tensors, arrays, numbers, strings, bytes, None, dtypes and "
                        "lists/tuples/dicts of them (no pickle, so no arbitrary objects)")

    def _container(self, obj, where):
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not _is_key(k):
                    raise TypeError(f"minigrad.save: cannot save {where}: its key {k!r} is a "
                                    f"{type(k).__name__}; keys must be str, int, float, bool, None, bytes or tuples "
                                    "of them")
                items.append([self.node(k, where), self.node(v, f"{where}[{k!r}]")])
            return {"kind": "OrderedDict" if isinstance(obj, OrderedDict) else "dict", "items": items}
        kind = "size" if isinstance(obj, Size) else ("tuple" if isinstance(obj, tuple) else "list")
        return {"kind": kind, "items": [self.node(v, f"{where}[{i}]") for i, v in enumerate(obj)]}


def _is_key(k):
    if isinstance(k, tuple):
        return all(_is_key(x) for x in k)
    return k is None or isinstance(k, (str, int, float, bytes))


class _HashingWriter:
    def __init__(self, f):
        self.f, self.sha = f, hashlib.sha256()

    def write(self, b):
        self.sha.update(b)
        self.f.write(b)


def _write(obj, f):
    enc = _Encoder()
    manifest = json.dumps({"root": enc.node(obj)}, separators=(",", ":"), allow_nan=False).encode("utf-8")
    out = _HashingWriter(f)
    out.write(_HEADER.pack(MAGIC, VERSION, 0, len(manifest), enc.size))
    out.write(manifest)
    out.write(bytes(_align(_HEADER.size + len(manifest)) - _HEADER.size - len(manifest)))
    pos = 0
    for offset, arr in enc.arrays:
        out.write(bytes(offset - pos))
        if arr.nbytes:
            out.write(arr.reshape(-1).view(np.uint8).data)
        pos = offset + arr.nbytes
    f.write(out.sha.digest())


def _new_file_mode(path):
    """The permissions a plain open(path, "w") would give: the old file's, or 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        pass
    try:
        with open("/proc/self/status") as status:  # Linux: read the umask without changing it
            mask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def save(obj, f):
    """Write `obj` to `f`: a path (str or os.PathLike, any file name) or a binary file opened for writing.

    A path is written atomically: the bytes go to a temporary file in the same directory, which is fsynced and then
    renamed over `f`, so a crash or error mid-save leaves any previous file at `f` as it was."""
    if hasattr(f, "write"):
        _write(obj, f)
        return
    path = os.fsdecode(os.fspath(f))
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    path = os.path.realpath(path)  # through a symlink, as open() would write: the link stays a link
    directory = os.path.dirname(path)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            _write(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:  # an error, or Ctrl-C: the previous file stays, the temporary one goes
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; elsewhere nothing to do)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# ---- load --------------------------------------------------------------------------------------------------------
def _foreign(name, head):
    if head.startswith(b"PK\x03\x04"):
        what = ("a zip archive, as torch.save writes; minigrad reads only files written by minigrad.save (to move "
                "torch weights over, convert the tensors to NumPy arrays and save those with minigrad.save)")
    elif head[:1] == b"\x80":
        what = "a Python pickle, which minigrad never loads because unpickling can run arbitrary code"
    else:
        what = f"it starts with {head[:8]!r}, where a minigrad file starts with {MAGIC!r}"
    return SerializationError(f"minigrad.load: {name} is not a minigrad file: {what}")


def _read_exactly(f, n):
    chunks, got = [], 0
    while got < n:  # in chunks: a bogus length from a damaged header must not allocate it all at once
        b = f.read(min(n - got, 1 << 26))
        if not b:
            break
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def _read(f, name, is_path):
    header = _read_exactly(f, _HEADER.size)
    if len(header) < _HEADER.size:
        if header and MAGIC.startswith(header[:len(MAGIC)]):
            raise SerializationError(f"minigrad.load: {name} is truncated: it ends inside the {_HEADER.size}-byte "
                                     f"header, after {len(header)} bytes")
        if not header:
            raise SerializationError(f"minigrad.load: {name} is empty: no minigrad data to read")
        raise _foreign(name, header)
    magic, version, _flags, manifest_len, payload_len = _HEADER.unpack(header)
    if magic != MAGIC:
        raise _foreign(name, header)
    if version != VERSION:
        raise SerializationError(f"minigrad.load: {name} has format version {version}; this minigrad reads version "
                                 f"{VERSION} (was it written by a newer minigrad?)")
    data_start = _align(_HEADER.size + manifest_len)
    total = data_start + payload_len + _DIGEST
    if is_path:  # the size is known: refuse a bogus length before trying to read (or allocate) it
        size = os.fstat(f.fileno()).st_size
        if size < total:
            raise SerializationError(f"minigrad.load: {name} is truncated: its header announces {total} bytes but "
                                     f"the file has {size}")
    rest = _read_exactly(f, total - _HEADER.size)
    if len(rest) < total - _HEADER.size:
        raise SerializationError(f"minigrad.load: {name} is truncated: its header announces {total} bytes but only "
                                 f"{_HEADER.size + len(rest)} could be read")
    body, digest = memoryview(rest)[:-_DIGEST], rest[-_DIGEST:]
    sha = hashlib.sha256(header)
    sha.update(body)
    if sha.digest() != digest:
        raise SerializationError(f"minigrad.load: {name} is corrupt: the SHA-256 checksum of its contents does not "
                                 "match the one stored at its end (the file was changed or damaged after saving)")
    if is_path and f.read(1):
        raise SerializationError(f"minigrad.load: {name} is corrupt: it has unexpected bytes after the end of the "
                                 f"data ({total} bytes)")
    try:
        manifest = json.loads(bytes(body[:manifest_len]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SerializationError(f"minigrad.load: {name} is corrupt: its manifest is not valid JSON ({e})") from None
    payload = body[data_start - _HEADER.size:]
    return manifest, payload


class _Decoder:
    def __init__(self, name, payload):
        self.name, self.payload = name, payload

    def bad(self, why):
        return SerializationError(f"minigrad.load: {self.name} is corrupt: bad manifest: {why}")

    def node(self, n):
        kind = n.get("kind") if isinstance(n, dict) else None
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = n.get("value")
            want = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not want:
                raise self.bad(f"a {kind} node holds {value!r}")
            return value
        if kind == "float":
            try:
                if "bits" in n:
                    return struct.unpack("<d", bytes.fromhex(n["bits"]))[0]
                return float.fromhex(n["value"])
            except (KeyError, TypeError, ValueError, struct.error):
                raise self.bad(f"a float node holds {n.get('value', n.get('bits'))!r}") from None
        if kind == "bytes":
            try:
                return base64.b64decode(n["value"], validate=True)
            except (KeyError, TypeError, ValueError):
                raise self.bad("a bytes node is not valid base64") from None
        if kind == "dtype":
            if n.get("value") not in _DTYPES:
                raise self.bad(f"unknown dtype {n.get('value')!r}")
            return _dtype.from_numpy_dtype(_DTYPES[n["value"]])
        if kind in ("list", "tuple", "size", "dict", "OrderedDict"):
            items = n.get("items")
            if not isinstance(items, list):
                raise self.bad(f"a {kind} node has no item list")
            if kind in ("dict", "OrderedDict"):
                return self._dict(kind, items)
            values = [self.node(v) for v in items]
            return values if kind == "list" else (tuple(values) if kind == "tuple" else Size(values))
        if kind in ("tensor", "ndarray", "npscalar"):
            return self._array(kind, n)
        raise self.bad(f"unknown node {n!r:.80}")

    def _dict(self, kind, items):
        out = OrderedDict() if kind == "OrderedDict" else {}
        for pair in items:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.bad("a dict item is not a [key, value] pair")
            key = self.node(pair[0])
            if not _is_key(key):
                raise self.bad(f"a dict key is a {type(key).__name__}")
            out[key] = self.node(pair[1])
        return out

    def _array(self, kind, n):
        dt, shape, offset, nbytes = n.get("dtype"), n.get("shape"), n.get("offset"), n.get("nbytes")
        if dt not in _DTYPES:
            raise self.bad(f"unknown dtype {dt!r}")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
            raise self.bad(f"bad shape {shape!r}")
        count = 1
        for s in shape:
            count *= s
        dtype = _DTYPES[dt]
        if type(offset) is not int or type(nbytes) is not int or nbytes != count * dtype.itemsize:
            raise self.bad(f"an array of shape {shape} and dtype {dt} says it has {nbytes!r} bytes")
        if offset < 0 or offset + nbytes > len(self.payload):
            raise self.bad(f"an array's bytes [{offset}, {offset + nbytes}) lie outside the payload")
        arr = np.frombuffer(self.payload, dtype=dtype, count=count, offset=offset) if count else np.empty(0, dtype)
        arr = arr.reshape(shape).astype(dtype.newbyteorder("="))  # an owned, writable, native-order copy
        if kind == "npscalar":
            return arr[()]
        if kind == "ndarray":
            return arr
        t = Tensor._make(arr, None)
        if n.get("parameter"):
            try:
                from .nn import Parameter
            except ImportError:
                Parameter = None
            if Parameter is not None:
                return Parameter(t, requires_grad=bool(n.get("requires_grad")))
        if n.get("requires_grad") and arr.dtype.kind == "f":
            t.requires_grad_(True)
        return t


def _check_map_location(map_location):
    """Everything loads onto the CPU; a map_location may say so (or name another device, which fails like .to())."""
    if map_location is None:
        return
    if isinstance(map_location, dict):
        targets = map_location.values()
    elif callable(map_location):
        raise TypeError("minigrad.load: a callable map_location is not supported; tensors always load on the CPU "
                        "(map_location=None or 'cpu')")
    else:
        targets = [map_location]
    for target in targets:
        _check_device(target)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None):
    """Read an object written by `save` from a path or a binary file opened for reading (from its current position
    to the end of that object). `weights_only` is accepted for torch's signature; minigrad files hold only data, so
    every load is weights-only. A file that is not minigrad's, truncated or corrupt raises SerializationError (a
    RuntimeError) naming the file and the problem."""
    if pickle_module is not None:
        raise TypeError("minigrad.load never unpickles: pickle_module is not supported")
    if mmap:
        raise TypeError("minigrad.load reads the whole file into memory: mmap=True is not supported")
    _check_map_location(map_location)
    name = _name(f)
    if hasattr(f, "read"):
        manifest, payload = _read(f, name, is_path=False)
    else:
        with open(os.fspath(f), "rb") as fh:
            manifest, payload = _read(fh, name, is_path=True)
    if not (isinstance(manifest, dict) and "root" in manifest):
        raise SerializationError(f"minigrad.load: {name} is corrupt: bad manifest: no root object")
    decoder = _Decoder(name, payload)
    try:
        return decoder.node(manifest["root"])
    except RecursionError:
        raise decoder.bad("nested too deeply") from None
