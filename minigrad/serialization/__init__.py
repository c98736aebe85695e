"""minigrad.save / minigrad.load: torch's file format by default, read and written without torch.

`save` writes torch's zip format (what torch.save writes since 1.6), which real `torch.load(f, weights_only=True)`
reads: state_dicts, optimizer state_dicts and checkpoint dicts, and whole models (`nn.Module`s). `load` reads that
format whoever wrote it, torch's legacy format (legacy.py) and minigrad's own older one (native.py), telling them
apart by their first bytes. Loading runs nothing from the file: the pickle inside a torch file is interpreted by
minigrad's own reader (_pickle.py), which answers only the globals torch's weights-only loader allows (torchzip.py),
and with `weights_only=False` also nn.Module subclasses (modules.py) and NumPy objects (_numpy.py). Every bad file
raises SerializationError (a RuntimeError) naming the file and the problem.
"""
import io
import os

from .._size import _check_device
from . import legacy, native, torchzip
from ._atomic import atomic_write
from ._errors import SerializationError, file_name

__all__ = ["save", "load", "SerializationError", "atomic_write"]


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write `obj` to `f` in torch's zip format: a path (any file name) or a binary file opened for writing.

    A path is written atomically (see atomic_write): a crash or an error mid-save leaves any previous file at `f` as
    it was. Nothing is written when `obj` holds something that cannot be saved (the TypeError names it)."""
    if pickle_module is not None or pickle_protocol != 2:
        raise TypeError("minigrad.save writes pickle protocol 2 with its own writer: pickle_module and "
                        "pickle_protocol cannot be changed")
    if not _use_new_zipfile_serialization:
        raise TypeError("minigrad.save writes only torch's zip format (_use_new_zipfile_serialization=True)")
    if hasattr(f, "write"):
        torchzip.write(obj, f)
    else:
        atomic_write(f, lambda out: torchzip.write(obj, out))


def _check_map_location(map_location):
    """Everything loads onto the CPU; a map_location may say so (or name another device, which fails like .to())."""
    if map_location is None:
        return
    if isinstance(map_location, dict):
        targets = map_location.values()
    elif callable(map_location):  # called with each storage: `lambda storage, loc: storage` keeps it on the CPU
        return
    else:
        targets = [map_location]
    for target in targets:
        _check_device(target)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Read what `save` or `torch.save` wrote, from a path or a binary file opened for reading.

    weights_only=True (the default, as in torch): tensors, numbers, strings, containers, dtypes; a whole model needs
    weights_only=False, which imports the model's nn.Module classes by name (and never calls anything else).
    mmap=True (a path only): storages are mapped copy-on-write instead of read, so loading costs little memory."""
    if pickle_module is not None:
        raise TypeError("minigrad.load never unpickles with Python's pickle: pickle_module is not supported")
    if pickle_load_args.keys() - {"encoding"}:
        raise TypeError(f"minigrad.load() got an unexpected keyword argument '{next(iter(pickle_load_args))}'")
    weights_only = True if weights_only is None else weights_only
    _check_map_location(map_location)
    name = file_name(f)
    if hasattr(f, "read"):
        if mmap:
            raise ValueError("f must be a file path in order to use the mmap argument")
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        return _load(f, name, False, map_location, weights_only, False)
    with open(os.fspath(f), "rb") as fh:
        return _load(fh, name, True, map_location, weights_only, bool(mmap))


def _load(fh, name, is_path, map_location, weights_only, use_mmap):
    start = fh.tell()
    head = fh.read(8)
    fh.seek(start)
    if not head:
        raise SerializationError(f"minigrad.load: {name} is empty: nothing to read")
    if head.startswith(b"PK"):
        obj = torchzip.read(fh, name, map_location, weights_only, use_mmap)
        fh.seek(0, os.SEEK_END)  # a zip archive ends the stream: its directory is at the end
        return obj
    if native.MAGIC.startswith(head[:len(native.MAGIC)]):
        return native.read(fh, name, is_path)
    if legacy.is_legacy(head):
        if use_mmap:
            raise SerializationError(f"minigrad.load: {name} is in torch's legacy format, which cannot be mmap'd")
        return legacy.read(fh, name, map_location, weights_only)
    if head[:1] == b"\x80":
        raise SerializationError(f"minigrad.load: {name} is a bare Python pickle (pickle.dump's, not torch.save's): "
                                 "minigrad never unpickles arbitrary pickles, since unpickling can run any code")
    raise SerializationError(f"minigrad.load: {name} is not a file minigrad can read: it starts with {head!r}, where "
                             f"torch's zip format starts with b'PK\\x03\\x04' and minigrad's own with "
                             f"{native.MAGIC!r}")
