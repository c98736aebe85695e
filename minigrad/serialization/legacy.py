"""torch's legacy format (torch.save before 1.6, or `_use_new_zipfile_serialization=False`), read only.

Five things follow each other in one stream: four pickles (the magic number 0x1950a86a20f9469cfc6c, the protocol
version 1001, a dict of system info (byte order, type sizes), then the object, whose storages are persistent ids
`("storage", torch.FloatStorage, key, location, numel, None)`), then a pickle of the storage keys, and for each key,
in that order, its element count (int64, little-endian) and its raw elements. The object's pickle is read by the
same restricted unpickler as the zip format's; each storage's memory is allocated only once the file is known to be
long enough to fill it.
"""
import os

import numpy as np

from . import _pickle, torchzip
from ._errors import SerializationError

MAGIC = 0x1950A86A20F9469CFC6C
PROTOCOL = 1001


class _LegacyLoader(torchzip._Loader):
    def __init__(self, name, map_location, weights_only, budget):
        super().__init__(name, map_location, weights_only)
        self.budget = budget  # bytes of storage data the file can still hold

    def persistent_load(self, pid):
        if not (type(pid) is tuple and len(pid) == 6 and pid[0] == "storage" and pid[5] is None):
            raise _pickle.PickleError("a persistent id that is not a whole storage (views of storages are not read)")
        _, kind, key, location, numel, _ = pid
        if not isinstance(kind, torchzip.StorageType) or type(key) is not str or type(numel) is not int or numel < 0:
            raise _pickle.PickleError(f"a malformed storage reference {pid[1:5]!r:.200}")
        self._check_location(location)
        if key in self.storages:
            dtype, arr = self.storages[key]
            if dtype is not kind.dtype or len(arr) != numel:
                raise self.bad(f"storage {key!r} is referred to with two different types or sizes")
            return arr
        nbytes = numel * kind.dtype.itemsize
        if nbytes > self.budget:
            raise self.bad(f"storage {key!r} says it holds {nbytes} bytes, more than the rest of the file")
        self.budget -= nbytes
        arr = np.empty(numel, kind.dtype.np)  # filled once the object's pickle is read
        self.storages[key] = (kind.dtype, self.mapped(arr, location))
        return arr


def read(f, name, map_location=None, weights_only=True):
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    data = f.read()  # legacy files are read whole: their pickles' lengths are known only by parsing them
    loader = _LegacyLoader(name, map_location, weights_only, size)
    plain = _pickle.Unpickler(data, loader.resolve, _no_storage, loader.build)
    header = [torchzip.unpickle(loader, None, plain) for _ in range(3)]
    if header[0] != MAGIC or header[1] != PROTOCOL or not isinstance(header[2], dict):
        raise SerializationError(f"minigrad.load: {name} is a Python pickle but not torch's legacy format (its first "
                                 "values are not torch's magic number and protocol version); minigrad never loads "
                                 "arbitrary pickles")
    big_endian = header[2].get("little_endian", True) is False
    main = _pickle.Unpickler(data, loader.resolve, loader.persistent_load, loader.build, start=plain.pos)
    obj = torchzip.unpickle(loader, None, main)
    keys_reader = _pickle.Unpickler(data, loader.resolve, _no_storage, loader.build, start=main.pos)
    keys = torchzip.unpickle(loader, None, keys_reader)
    if not (type(keys) is list and all(type(k) is str for k in keys)) or set(keys) != set(loader.storages):
        raise loader.bad("its list of storage keys does not match the storages its object refers to")
    pos, view = keys_reader.pos, memoryview(data)
    for key in keys:
        dtype, arr = loader.storages[key]
        if pos + 8 > len(data) or int.from_bytes(view[pos:pos + 8], "little") != len(arr):
            raise loader.bad(f"storage {key!r}'s record is truncated or has the wrong element count")
        end = pos + 8 + arr.nbytes
        if end > len(data):
            raise loader.bad(f"storage {key!r} is truncated")
        raw = np.frombuffer(view[pos + 8:end], dtype.np.newbyteorder(">" if big_endian else "<"))
        arr[...] = raw  # into the array the tensors already view (byte-swapped if the file is big-endian)
        pos = end
    return obj


def _no_storage(pid):
    raise _pickle.PickleError("a storage outside the object's pickle")


def is_legacy(head):
    """A pickle whose first value is torch's magic number (LONG1 of 10 bytes, protocol 2)."""
    return head[:2] == b"\x80\x02" and head[2:4] == b"\x8a\x0a"
