"""NumPy arrays and scalars in torch's format, spelled as NumPy pickles them (as torch.save writes them too).

    np.float64(1.5)  ->  numpy._core.multiarray.scalar(numpy.dtype("f8", False, True) + BUILD state, raw bytes)
    np.ndarray       ->  numpy._core.multiarray._reconstruct(numpy.ndarray, (0,), b"b") + BUILD
                         (1, shape, dtype, is_fortran, raw bytes)

torch's weights-only loader refuses these globals, and so does minigrad's by default: they load with
weights_only=False, where minigrad builds them itself from the raw bytes (dtypes from minigrad's table only, sizes
checked), never through NumPy's pickle hooks.
"""
import numpy as np

from .. import _dtype
from ._pickle import Global, PickleError

_CODES = {d.np.str[1:]: d.np for d in _dtype.ALL}  # "f8" -> float64, ..., "b1" -> bool
_MULTIARRAY = type(np.float64(0)).__reduce__(np.float64(0))[0].__module__  # numpy._core.multiarray (NumPy 2)
_DTYPE_STATE_TAIL = (None, None, None, -1, -1, 0)


def _dtype_of(code, align=False, copy=True):
    if type(code) is not str or code not in _CODES:
        raise PickleError(f"numpy.dtype({code!r:.20}) is not one of minigrad's dtypes ({', '.join(_CODES)})")
    return _CODES[code]


def _scalar(dt, raw):
    if not isinstance(dt, np.dtype) or type(raw) is not bytes or len(raw) != dt.itemsize:
        raise PickleError("a NumPy scalar whose bytes do not fit its dtype")
    return np.frombuffer(raw, dt, count=1)[0]


class Globals:
    """The NumPy globals minigrad answers when weights_only=False (NumPy 1's module names too), for one load: the
    arrays its _reconstruct made are the only ones BUILD may fill."""

    def __init__(self):
        self.shells = {}  # id -> an empty array _reconstruct made, waiting for its BUILD
        self.table = {"numpy.dtype": Global("numpy.dtype", call=_dtype_of), "numpy.ndarray": Global("numpy.ndarray"),
                      "builtins.bytes": Global("builtins.bytes", call=lambda: b"")}  # pickle 2's spelling of b""
        for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
            self.table[f"{module}.scalar"] = Global(f"{module}.scalar", call=_scalar)
            self.table[f"{module}._reconstruct"] = Global(f"{module}._reconstruct", call=self._reconstruct)

    def _reconstruct(self, cls, shape=(0,), code=b"b"):
        if not (isinstance(cls, Global) and cls.name == "numpy.ndarray"):
            raise PickleError("_reconstruct of something other than numpy.ndarray")
        shell = np.empty(0, np.uint8)
        self.shells[id(shell)] = shell
        return shell

    def build(self, inst, state):
        if not isinstance(inst, np.dtype) and self.shells.pop(id(inst), None) is not inst:
            raise PickleError("BUILD on a NumPy array that _reconstruct did not just make")
        _build(inst, state)


def _build(inst, state):
    """BUILD on a dtype (only little-endian or no byte order: nothing to change) or on an array _reconstruct made."""
    if isinstance(inst, np.dtype):
        if not (type(state) is tuple and len(state) == 8 and state[0] == 3 and state[1] in ("<", "|", "=")
                and state[2:] == _DTYPE_STATE_TAIL):
            raise PickleError("a NumPy dtype state minigrad does not read (big-endian or structured)")
        return
    if not (type(state) is tuple and len(state) == 5 and state[0] == 1):
        raise PickleError("a NumPy array state of an unknown version")
    _, shape, dt, fortran, raw = state
    if not (type(shape) is tuple and all(type(n) is int and 0 <= n < 2 ** 62 for n in shape) and len(shape) <= 32
            and isinstance(dt, np.dtype) and dt in _CODES.values() and type(fortran) is bool and type(raw) is bytes):
        raise PickleError("a NumPy array state with a bad shape, dtype or data")
    count = 1
    for n in shape:
        count *= n
    if count * dt.itemsize != len(raw):
        raise PickleError(f"a NumPy array of shape {shape} and dtype {dt} holds {len(raw)} bytes")
    inst.__setstate__((1, shape, dt, fortran, raw))  # NumPy's own, on checked values: sizes match, dtype plain


# ---- save ----------------------------------------------------------------------------------------------------------
def save_dtype(pickler, dt, where):
    pickler.call("numpy", "dtype", (dt.str[1:], False, True), where)
    pickler.save((3, "|" if dt.itemsize == 1 else "<") + _DTYPE_STATE_TAIL, where)
    pickler.write(b"b")  # BUILD


def save(pickler, obj, where):
    """np.generic or np.ndarray, as NumPy itself pickles them."""
    arr = np.asarray(obj)
    if arr.dtype.str[1:] not in _CODES:
        raise TypeError(f"minigrad.save: cannot save {where}: NumPy dtype {arr.dtype} is not supported")
    little = arr.astype(arr.dtype.newbyteorder("<"), order="C", copy=False)
    raw = little.tobytes().decode("latin-1")
    if isinstance(obj, np.generic):
        pickler.global_(_MULTIARRAY, "scalar")
        save_dtype(pickler, arr.dtype, where)
        pickler.call("_codecs", "encode", (raw, "latin1"), where)
        pickler.write(b"\x86R")  # TUPLE2, REDUCE
        return
    pickler.global_(_MULTIARRAY, "_reconstruct")
    pickler.global_("numpy", "ndarray")
    pickler.save((0,), where)
    pickler.save(b"b", where)
    pickler.write(b"\x87R(")  # TUPLE3, REDUCE: _reconstruct(ndarray, (0,), b"b"); MARK: its state follows
    pickler.save(1, where)
    pickler.save(tuple(int(n) for n in arr.shape), where)
    save_dtype(pickler, arr.dtype, where)
    pickler.save(False, where)
    pickler.call("_codecs", "encode", (raw, "latin1"), where)
    pickler.write(b"tb")  # TUPLE, BUILD
