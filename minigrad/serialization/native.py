"""minigrad's own format (the default before torch's zip format was): still read, and written on request.

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
import hashlib
import json
import os
import struct
from collections import OrderedDict

import numpy as np

from .. import _dtype
from .._size import Size
from ..creation import from_numpy
from ..tensor import Tensor
from ._errors import SerializationError

MAGIC = b"\x89MGRAD\r\n"
VERSION = 1
_HEADER = struct.Struct("<8sIIQQ")  # magic, version, flags, manifest length, payload length
_ALIGN = 64
_DIGEST = 32  # SHA-256
_DTYPES = {d.name: d.np.newbyteorder("<") for d in _dtype.ALL}  # the only dtypes a file may name: never "object"


def _align(n):
    return -(-n // _ALIGN) * _ALIGN


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


def write(obj, f):
    """Write `obj` in minigrad's own format to the binary file `f` (several objects may follow each other)."""
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


# ---- load --------------------------------------------------------------------------------------------------------
def _foreign(name, head):
    return SerializationError(f"minigrad.load: {name} is not a file minigrad can read: it starts with {head[:8]!r}, "
                              f"where a minigrad file starts with {MAGIC!r} and torch's with b'PK\\x03\\x04'")


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
            return _dtype.from_numpy_dtype(self._dtype(n.get("value"), "a dtype node's value"))
        if kind in ("list", "tuple", "size", "dict", "OrderedDict"):
            items = n.get("items")
            if not isinstance(items, list):
                raise self.bad(f"a {kind} node has no item list")
            if kind in ("dict", "OrderedDict"):
                return self._dict(kind, items)
            values = [self.node(v) for v in items]
            if kind == "size":
                bad = [v for v in values if type(v) is not int or v < 0]
                if bad:
                    raise self.bad(f"a size node holds {bad[0]!r:.40}; a Size holds non-negative ints")
                return Size(values)
            return values if kind == "list" else tuple(values)
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
            if key in out:
                raise self.bad(f"a {kind} node holds the key {key!r:.60} twice")
            out[key] = self.node(pair[1])
        return out

    def _dtype(self, name, field):
        if type(name) is not str or name not in _DTYPES:
            raise self.bad(f"{field} is {name!r:.40}, not one of the dtypes {', '.join(_DTYPES)}")
        return _DTYPES[name]

    def _flag(self, n, field):
        value = n.get(field, False)
        if type(value) is not bool:
            raise self.bad(f"a tensor's field {field!r} is {value!r:.40}, not true or false")
        return value

    def _array(self, kind, n):
        dt, shape, offset, nbytes = n.get("dtype"), n.get("shape"), n.get("offset"), n.get("nbytes")
        dtype = self._dtype(dt, f"{'an' if kind[0] == 'n' else 'a'} {kind}'s field 'dtype'")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
            raise self.bad(f"the field 'shape' is a bad shape {shape!r:.60}")
        if kind == "npscalar" and shape:
            raise self.bad(f"an npscalar's field 'shape' is {shape!r:.60}; a NumPy scalar has shape []")
        count = 1
        for s in shape:
            count *= s
        if type(offset) is not int or type(nbytes) is not int or nbytes != count * dtype.itemsize:
            raise self.bad(f"an array of shape {shape} and dtype {dt} says it has {nbytes!r} bytes")
        if offset < 0 or offset + nbytes > len(self.payload):
            raise self.bad(f"an array's bytes [{offset}, {offset + nbytes}) lie outside the payload")
        requires_grad, parameter = self._flag(n, "requires_grad"), self._flag(n, "parameter")
        if requires_grad and dtype.kind != "f" and kind == "tensor":
            raise self.bad(f"a {dt} tensor has field 'requires_grad' true; only floating point tensors can "
                           "require grad")
        arr = np.frombuffer(self.payload, dtype=dtype, count=count, offset=offset) if count else np.empty(0, dtype)
        arr = arr.reshape(shape).astype(dtype.newbyteorder("="))  # an owned, writable, native-order copy
        if kind == "npscalar":
            return arr[()]
        if kind == "ndarray":
            return arr
        t = from_numpy(arr)
        if parameter:
            from ..nn import Parameter  # minigrad.nn needs this package's parent first: import when used

            try:
                return Parameter(t, requires_grad=requires_grad)
            except (TypeError, ValueError, RuntimeError) as e:
                raise self.bad(f"a {dt} tensor has field 'parameter' true, but is no Parameter: {e}") from None
        if requires_grad:
            t.requires_grad_(True)
        return t


def read(f, name, is_path):
    """The object stored in minigrad's format at `f`'s position (a path's file: the whole file)."""
    manifest, payload = _read(f, name, is_path)
    if not (isinstance(manifest, dict) and "root" in manifest):
        raise SerializationError(f"minigrad.load: {name} is corrupt: bad manifest: no root object")
    decoder = _Decoder(name, payload)
    try:
        return decoder.node(manifest["root"])
    except RecursionError:
        raise decoder.bad("nested too deeply") from None
