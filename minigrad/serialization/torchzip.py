"""torch's file format (torch.save since 1.6), read and written without torch.

An archive `<name>/` holds `data.pkl` (pickle protocol 2 of the object, each tensor a call to
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` whose storage is a
persistent id `("storage", torch.FloatStorage, key, "cpu", numel)`), one member `data/<key>` per storage (raw
little-endian elements, 64-byte aligned), and `version`, `byteorder`, `.format_version`, `.storage_alignment`.
Loading answers each global the pickle names from the table below, the globals torch's `weights_only=True` loader
allows, with minigrad's own stand-ins; tensors become NumPy views into their storage, so tensors that shared a
storage in torch share memory in minigrad. A whole model (an nn.Module) is the module's class, created without
__init__, and its attributes (see modules.py): that needs `weights_only=False`.
"""
from collections import Counter, OrderedDict

import numpy as np

from .. import _dtype
from .._size import Size, device
from ..creation import from_numpy
from ..tensor import Tensor
from . import _numpy, _pickle, modules
from ._errors import SerializationError
from ._pickle import Global
from ._zip import ZipReader, ZipWriter

# torch's legacy storage classes, as the pickle names them, and the dtype of their elements
STORAGES = {"DoubleStorage": _dtype.float64, "FloatStorage": _dtype.float32, "HalfStorage": _dtype.float16,
            "LongStorage": _dtype.int64, "IntStorage": _dtype.int32, "ShortStorage": _dtype.int16,
            "CharStorage": _dtype.int8, "ByteStorage": _dtype.uint8, "BoolStorage": _dtype.bool}
_STORAGE_OF = {d.name: name for name, d in STORAGES.items()}
DTYPES = {d.name: d for d in _dtype.ALL}
# names torch's weights-only loader accepts that minigrad has nothing to build from: refused with the reason
_NO_EQUIVALENT = ({f"torch.{n}" for n in ("bfloat16", "complex32", "complex64", "complex128", "uint16", "uint32",
                                          "uint64", "float8_e4m3fn", "float8_e5m2", "quint8", "qint8", "qint32",
                                          "BFloat16Storage", "ComplexFloatStorage", "ComplexDoubleStorage",
                                          "QUInt8Storage", "QInt8Storage", "QInt32Storage", "UntypedStorage",
                                          "TypedStorage", "per_tensor_affine", "per_channel_affine")}
                  | {f"torch._utils.{n}" for n in ("_rebuild_qtensor", "_rebuild_sparse_tensor",
                                                   "_rebuild_nested_tensor", "_rebuild_meta_tensor_no_storage",
                                                   "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy",
                                                   "_rebuild_device_tensor_from_cpu_tensor")})
_MAX_INDEX = 2 ** 62
_PY2_NAMES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


class StorageType:
    """`torch.FloatStorage` as a pickle names it: only ever a field of a storage's persistent id."""

    def __init__(self, dtype):
        self.dtype = dtype


# ---- load ----------------------------------------------------------------------------------------------------------
class _Loader:
    def __init__(self, name, map_location, weights_only, reader=None, prefix="", big_endian=False):
        self.reader, self.prefix, self.name = reader, prefix, name
        self.map_location, self.weights_only, self.big_endian = map_location, weights_only, big_endian
        self.storages = {}  # key -> (dtype, 1-D array of the storage's elements)
        self.globals = self._table()
        self.numpy = None if weights_only else _numpy.Globals()  # torch's weights-only loader refuses NumPy too

    def bad(self, why):
        return SerializationError(f"minigrad.load: {self.name} is corrupt: {why}")

    def _table(self):
        """The globals a file may name (torch's weights-only list, less what minigrad cannot represent)."""
        table = {
            "collections.OrderedDict": Global("collections.OrderedDict", call=_container(OrderedDict)),
            "collections.Counter": Global("collections.Counter", call=_container(Counter)),
            "torch._utils._rebuild_tensor_v2": Global("torch._utils._rebuild_tensor_v2", call=self.rebuild_tensor),
            "torch._utils._rebuild_tensor": Global("torch._utils._rebuild_tensor", call=self.rebuild_tensor),
            "torch._utils._rebuild_tensor_v3": Global("torch._utils._rebuild_tensor_v3", call=self.rebuild_v3),
            "torch._utils._rebuild_parameter": Global("torch._utils._rebuild_parameter", call=self.parameter),
            "torch._utils._rebuild_parameter_with_state": Global("torch._utils._rebuild_parameter_with_state",
                                                                 call=self.parameter),
            "torch._tensor._rebuild_from_type_v2": Global("torch._tensor._rebuild_from_type_v2",
                                                          call=self.from_type),
            "torch.Tensor": Global("torch.Tensor"),
            "torch.nn.parameter.Parameter": Global("torch.nn.parameter.Parameter", new=self.parameter),
            "torch.Size": Global("torch.Size", call=_size),
            "torch.device": Global("torch.device", call=_device),
            "_codecs.encode": Global("_codecs.encode", call=_encode),
            "builtins.bytearray": Global("builtins.bytearray", call=lambda b=b"": bytearray(_need(b, bytes))),
            "builtins.set": Global("builtins.set", call=lambda items=(): set(_need(items, (list, tuple)))),
            "builtins.complex": Global("builtins.complex", call=_complex),
        }
        table.update({f"torch.{n}": d for n, d in DTYPES.items()})
        table.update({f"torch.{n}": StorageType(d) for n, d in STORAGES.items()})
        return table

    def resolve(self, module, qualname):
        module = _PY2_NAMES.get(module, module)  # protocol 2 may spell builtins as Python 2 did
        full = f"{module}.{qualname}"
        if full in self.globals:
            return self.globals[full]
        if self.numpy is not None and full in self.numpy.table:
            return self.numpy.table[full]
        if full in _NO_EQUIVALENT:
            raise SerializationError(f"minigrad.load: {self.name} uses {full}, which torch allows but minigrad has "
                                     f"no equivalent of (minigrad has dense CPU tensors of {', '.join(DTYPES)})")
        return modules.resolve_class(module, qualname, self.name, self.weights_only)

    def build(self, inst, state):
        if type(inst) is OrderedDict and type(state) is dict and all(type(k) is str for k in state):
            inst.__dict__.update(state)  # a state_dict's _metadata
        elif modules.is_module(inst):
            modules.restore(inst, state, self.name)
        elif isinstance(inst, (np.ndarray, np.dtype)) and self.numpy is not None:
            self.numpy.build(inst, state)
        else:
            raise _pickle.PickleError(f"BUILD on a {type(inst).__name__}: only OrderedDict and modules are built")

    def persistent_load(self, pid):
        if not (type(pid) is tuple and len(pid) == 5 and pid[0] == "storage"):
            raise _pickle.PickleError("a persistent id that is not a storage")
        _, kind, key, location, numel = pid
        if not isinstance(kind, StorageType) or type(key) is not str or type(numel) is not int or numel < 0:
            raise _pickle.PickleError(f"a malformed storage reference {pid[1:]!r:.200}")
        self._check_location(location)
        if key in self.storages:
            dtype, arr = self.storages[key]
            if dtype is not kind.dtype or len(arr) != numel:
                raise self.bad(f"storage {key!r} is referred to as {kind.dtype.name}[{numel}] and as "
                               f"{dtype.name}[{len(arr)}]")
            return arr
        member = f"{self.prefix}data/{key}"
        if member not in self.reader.members:
            raise self.bad(f"the pickle refers to storage {key!r}, but the archive has no member {member!r}")
        nbytes = numel * kind.dtype.itemsize
        if self.reader.size(member) != nbytes:
            raise self.bad(f"storage {key!r} should hold {numel} {kind.dtype.name} elements ({nbytes} bytes), but "
                           f"its member has {self.reader.size(member)} bytes")
        np_dtype = kind.dtype.np.newbyteorder(">" if self.big_endian else "<")
        arr = np.frombuffer(self.reader.read(member), dtype=np_dtype, count=numel) if numel else np.empty(0, np_dtype)
        if not np_dtype.isnative:
            arr = arr.astype(np_dtype.newbyteorder("="))
        self.storages[key] = (kind.dtype, self.mapped(arr, location))
        return arr

    def mapped(self, arr, location):
        """A callable map_location sees each storage, as in torch; it may only hand it back (all is on the CPU)."""
        if callable(self.map_location) and self.map_location(arr, location) is not arr:
            raise SerializationError(f"minigrad.load: {self.name}: map_location returned something other than the "
                                     "storage it was given; minigrad keeps every storage on the CPU, so a callable "
                                     "map_location can only return its first argument")
        return arr

    def _check_location(self, location):
        if type(location) is not str:
            raise _pickle.PickleError("a storage's location is not a string")
        if not location.startswith("cpu") and self.map_location is None:
            raise SerializationError(
                f"minigrad.load: {self.name}: Attempting to deserialize object on a {location.split(':')[0].upper()} "
                "device but minigrad has only the CPU. If you are running on a CPU-only machine, please use "
                "minigrad.load with map_location='cpu' to map your storages to the CPU.")

    def rebuild_tensor(self, storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
        if not isinstance(storage, np.ndarray) or type(requires_grad) is not bool:
            raise _pickle.PickleError("_rebuild_tensor_v2 called with the wrong kinds of arguments")
        arr = self._view(storage, offset, size, stride)
        t = from_numpy(arr)
        if requires_grad:
            if arr.dtype.kind != "f":
                raise self.bad(f"a {arr.dtype} tensor says it requires grad (only floating point tensors can)")
            t.requires_grad_(True)
        return t

    def rebuild_v3(self, storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
        if not isinstance(storage, np.ndarray) or dtype not in DTYPES.values() or storage.dtype != dtype.np:
            raise self.bad("_rebuild_tensor_v3 names a dtype that is not its storage's")
        return self.rebuild_tensor(storage, offset, size, stride, requires_grad)

    def _view(self, storage, offset, size, stride):
        if not (_ints(size) and _ints(stride) and len(size) == len(stride) and len(size) <= 32):
            raise self.bad(f"a tensor has size {_short(size)} and stride {_short(stride)}: they must be tuples of "
                           "as many non-negative ints (at most 32)")
        if type(offset) is not int or not 0 <= offset < _MAX_INDEX:
            raise self.bad(f"a tensor's storage offset is {_short(offset)}")
        count, extent = 1, offset + 1
        for n, s in zip(size, stride):
            count *= n
            extent += (n - 1) * s
        if count == 0:
            extent = offset
        if count >= _MAX_INDEX or extent > len(storage):
            raise self.bad(f"a tensor of size {tuple(size)}, stride {tuple(stride)} and offset {offset} reaches "
                           f"element {extent} of a storage of {len(storage)} elements")
        item = storage.dtype.itemsize
        base = storage[offset:] if count else storage[:0]
        return np.lib.stride_tricks.as_strided(base, shape=tuple(size), strides=tuple(s * item for s in stride))

    def parameter(self, data=None, requires_grad=True, hooks=None, state=None):
        from ..nn import Parameter  # minigrad.nn imports serialization's parent package: import when needed

        if not isinstance(data, Tensor) or type(requires_grad) is not bool or state:
            raise _pickle.PickleError("a Parameter is rebuilt from something that is not a plain tensor")
        if requires_grad and data.data.dtype.kind != "f":
            raise self.bad(f"a {data.data.dtype} Parameter says it requires grad (only floating point tensors can)")
        return Parameter(data, requires_grad=requires_grad)

    def from_type(self, func, new_type, args, state):
        if not (isinstance(func, Global) and func.call in (self.rebuild_tensor, self.rebuild_v3, self.parameter)
                and isinstance(new_type, Global) and type(args) is tuple and not state):
            raise _pickle.PickleError("_rebuild_from_type_v2 for a tensor subclass or a tensor with attributes")
        t = func.call(*args)
        return self.parameter(t, t.requires_grad) if new_type.name == "torch.nn.parameter.Parameter" else t


def _ints(v):
    return type(v) is tuple and all(type(x) is int and 0 <= x < _MAX_INDEX for x in v)


def _short(v):
    return f"{v!r:.80}"


def _need(v, kinds):
    if not isinstance(v, kinds):
        raise _pickle.PickleError(f"expected {kinds}, got a {type(v).__name__}")
    return v


def _container(kind):
    def make(items=()):
        return kind(_need(items, (list, tuple, dict)))
    return make


def _size(dims=()):
    if not (type(dims) is tuple and all(type(d) is int for d in dims)):
        raise _pickle.PickleError("torch.Size of something other than ints")
    return Size(dims)


def _device(kind="cpu", index=None):
    try:
        return device(_need(kind, str), index)
    except (RuntimeError, ValueError) as e:
        raise _pickle.PickleError(f"torch.device({kind!r:.40}): {e}") from None


def _encode(text, encoding="latin1"):
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        raise _pickle.PickleError("_codecs.encode is only used for bytes, as text and 'latin1'")
    return text.encode("latin-1")


def _complex(re=0.0, im=0.0):
    return complex(_need(re, (int, float)), _need(im, (int, float)))


def read(f, name, map_location=None, weights_only=True, use_mmap=False):
    reader = ZipReader(f, name, use_mmap)
    pickles = [n for n in reader.names if n.endswith("data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise SerializationError(f"minigrad.load: {name} is a zip archive but not torch's format: it should hold "
                                 f"one <archive>/data.pkl, and holds {len(pickles)}")
    prefix = pickles[0][:-len("data.pkl")]
    order = bytes(reader.read(prefix + "byteorder")) if prefix + "byteorder" in reader.members else b"little"
    if order not in (b"little", b"big"):
        raise reader.bad(f"its byteorder record says {order[:16]!r}, not 'little' or 'big'")
    loader = _Loader(name, map_location, weights_only, reader, prefix, big_endian=order == b"big")
    return unpickle(loader, reader.read(pickles[0]))


def unpickle(loader, data, unpickler=None):
    """Run the restricted unpickler over `data` for `loader`; every failure is a SerializationError."""
    name = loader.name
    unpickler = unpickler or _pickle.Unpickler(data, loader.resolve, loader.persistent_load, loader.build)
    try:
        return unpickler.load()
    except _pickle.PickleError as e:
        raise SerializationError(f"minigrad.load: {name} is corrupt: its pickle is malformed: {e}") from None
    except (IndexError, KeyError, TypeError, ValueError, UnicodeDecodeError, OverflowError, MemoryError) as e:
        raise SerializationError(f"minigrad.load: {name} is corrupt: its pickle is malformed "
                                 f"({type(e).__name__}: {e!s:.200})") from None


# ---- save ----------------------------------------------------------------------------------------------------------
class _Pickler(_pickle.Pickler):
    def __init__(self):
        super().__init__()
        self.storages = {}  # id(root array) -> (key, root array, little-endian C-contiguous)

    def save_key(self, k, where):
        if not _is_key(k):
            raise TypeError(f"minigrad.save: cannot save {where}: its key {k!r:.60} is a {type(k).__name__}; keys "
                            "must be str, int, float, bool, None, bytes or tuples of them")
        self.save(k, where)

    def save_other(self, obj, where):
        if isinstance(obj, Tensor):
            if not self.memo_get(obj):
                self._tensor(obj, where)
                self.memo_put(obj)
        elif isinstance(obj, _dtype.dtype):
            self.global_("torch", obj.name)
        elif isinstance(obj, Size):
            self.call("torch", "Size", (tuple(int(d) for d in obj),), where)
        elif isinstance(obj, device):
            self.call("torch", "device", (str(obj),), where)
        elif type(obj) in (set, frozenset):
            self.call("builtins", "set", (sorted(obj, key=repr),), where)
        elif type(obj) is complex:
            self.call("builtins", "complex", (obj.real, obj.imag), where)
        elif modules.is_module(obj):
            modules.save_module(self, obj, where)
        elif isinstance(obj, (np.ndarray, np.generic)):  # as torch.save writes them: weights_only=False to load
            _numpy.save(self, obj, where)
        else:
            raise TypeError(f"minigrad.save: cannot save {where} of type {type(obj).__module__}."
                            f"{type(obj).__qualname__}; minigrad saves tensors, numbers, strings, bytes, None, "
                            "dtypes, Size, nn.Modules and lists/tuples/dicts of them (never arbitrary objects)")

    def _tensor(self, t, where):
        is_param = type(t).__name__ == "Parameter"
        if is_param:  # _rebuild_parameter(tensor, requires_grad, hooks)
            self.global_("torch._utils", "_rebuild_parameter")
            self.write(_pickle.MARK)
        arr = t.data
        if arr.dtype.name not in _STORAGE_OF:
            raise TypeError(f"minigrad.save: cannot save {where}: tensors of dtype {arr.dtype} are not supported")
        key, numel, offset, strides = self._storage(arr)
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.write(_pickle.MARK + _pickle.MARK)
        for field in ("storage", None, key, "cpu", numel):
            if field is None:
                self.global_("torch", _STORAGE_OF[arr.dtype.name])
            else:
                self.save(field)
        self.write(_pickle.TUPLE + _pickle.BINPERSID)
        self.save(offset)
        self.save(tuple(int(n) for n in arr.shape))
        self.save(strides)
        self.save(bool(t.requires_grad) and not is_param)
        self.call("collections", "OrderedDict", (), where)
        self.write(_pickle.TUPLE + _pickle.REDUCE)
        if is_param:
            self.save(bool(t.requires_grad))
            self.call("collections", "OrderedDict", (), where)
            self.write(_pickle.TUPLE + _pickle.REDUCE)

    def _storage(self, arr):
        """(key, numel, offset, strides in elements): views of one C-contiguous array share its storage."""
        root, owner = arr, arr.base
        while owner is not None:  # to the outermost array: through as_strided's wrapper, as loaded tensors have
            if isinstance(owner, np.ndarray):
                root = owner
            owner = getattr(owner, "base", None)
        item = arr.itemsize
        start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        extent = start + item + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides))
        shared = (arr.size and root.dtype == arr.dtype and root.flags.c_contiguous and arr.dtype.isnative
                  and start % item == 0 and start >= 0 and extent <= root.nbytes
                  and all(s >= 0 and s % item == 0 for s in arr.strides))
        if not shared:
            root = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
            start, strides = 0, _contiguous_strides(arr.shape)
        else:
            strides = tuple(s // item for s in arr.strides)
        entry = self.storages.get(id(root))
        if entry is None:
            entry = self.storages[id(root)] = (str(len(self.storages)), root)
        return entry[0], root.size, start // item, strides


def _contiguous_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _is_key(k):
    if isinstance(k, tuple):
        return all(_is_key(x) for x in k)
    return k is None or isinstance(k, (str, int, float, bytes))


def write(obj, f, archive="archive"):
    """torch.save's zip format: the pickle, then each storage, then the records torch reads."""
    pickler = _Pickler()
    pickler.save(obj)
    data = pickler.bytes()
    out = ZipWriter(f)
    out.write(f"{archive}/data.pkl", data)
    out.write(f"{archive}/.format_version", b"1")
    out.write(f"{archive}/.storage_alignment", b"64")
    out.write(f"{archive}/byteorder", b"little")
    for key, root in pickler.storages.values():
        out.write(f"{archive}/data/{key}", root.reshape(-1).view(np.uint8) if root.size else b"")
    out.write(f"{archive}/version", b"3\n")
    out.close()
