"""torch's dtypes as small named objects over NumPy dtypes: `minigrad.float32` prints like `torch.float32`.

The one table of dtype names: each dtype knows torch's ScalarType name ("Float"), from which its tensor type name
("torch.FloatTensor") and the lower-case words of some messages ("float") follow."""
import builtins

import numpy as np


class dtype:
    __slots__ = ("name", "np", "scalar_type", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name, np_dtype, scalar_type):
        self.name = name
        self.scalar_type = scalar_type
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons; copying or pickling keeps them so
        return self.name


float16 = dtype("float16", np.float16, "Half")
float32 = dtype("float32", np.float32, "Float")
float64 = dtype("float64", np.float64, "Double")
int8 = dtype("int8", np.int8, "Char")
int16 = dtype("int16", np.int16, "Short")
int32 = dtype("int32", np.int32, "Int")
int64 = dtype("int64", np.int64, "Long")
uint8 = dtype("uint8", np.uint8, "Byte")
bool = dtype("bool", np.bool_, "Bool")  # noqa: A001 - torch's name
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def from_numpy_dtype(np_dtype):
    """The minigrad dtype of a NumPy dtype; TypeError for ones torch has no equivalent of."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


# The dtype a Python number stands for; float is the default dtype, which set_default_dtype changes
PY_DTYPES = {builtins.bool: bool.np, builtins.int: int64.np, builtins.float: float32.np}


def default_float():
    """The default float dtype (torch.get_default_dtype()), as a NumPy dtype."""
    return PY_DTYPES[builtins.float]


def scalar_type(np_dtype):
    """torch's ScalarType name of a NumPy dtype, as its error messages print it: Float, Long, Bool."""
    d = _BY_NP.get(np.dtype(np_dtype))
    return d.scalar_type if d is not None else str(np_dtype)


def tensor_type(np_dtype):
    """torch's legacy tensor type name: torch.FloatTensor, torch.LongTensor."""
    d = _BY_NP.get(np.dtype(np_dtype))
    return f"torch.{d.scalar_type}Tensor" if d is not None else "torch.Tensor"


def to_np(d):
    """A NumPy dtype from a minigrad dtype, a Python type (float -> float64, int -> int64, bool) or a NumPy dtype."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:  # a Python float is a double, and torch reads dtype=float as float64
        return float64.np
    if d is builtins.int:
        return int64.np
    if d is builtins.bool:
        return bool.np
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d].np
    try:
        return from_numpy_dtype(d).np
    except TypeError:
        raise TypeError(f"expected a minigrad dtype such as minigrad.float32, but got {d!r}") from None


def category(np_dtype):
    """0 bool, 1 integer, 2 floating: torch promotes by category before by size."""
    k = np_dtype.kind
    return 0 if k == "b" else (2 if k == "f" else 1)


def promote(a, b):
    """torch.promote_types for NumPy dtypes: a float meeting an integer stays that float (NumPy would widen)."""
    ca, cb = category(a), category(b)
    if ca == cb:
        return np.promote_types(a, b)
    return a if ca > cb else b


def scalar_dtype(value):
    """The NumPy dtype torch gives a Python scalar standing alone."""
    if isinstance(value, builtins.bool):
        return bool.np
    if isinstance(value, builtins.int):
        return int64.np
    if isinstance(value, builtins.float):
        return PY_DTYPES[builtins.float]
    if isinstance(value, np.generic):
        return np.dtype(type(value))
    raise TypeError(f"expected a Tensor or a Python number, but got {type(value).__name__}")
