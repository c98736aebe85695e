"""Size, device and dim handling shared by Tensor and the ops, with torch's reprs and errors."""
import builtins
import operator

import numpy as np


class device:
    """`minigrad.device("cpu")`: the only device there is."""

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, builtins.int) and not isinstance(type, builtins.bool):  # device(0) is cuda:0
            type, index = "cuda", type
        type = str(type)
        if ":" in type:
            type, index = type.split(":", 1)
            index = int(index)
        if type not in ("cpu", "cuda", "mps"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps device type at start of device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


_CPU = device("cpu")


def _check_device(d):
    d = device(d)
    if d.type != "cpu":
        raise RuntimeError(
            f"minigrad runs on the CPU only (NumPy): cannot move a tensor to '{d}'. "
            "minigrad.cuda.is_available() is False; use device='cpu'."
        )


def _dim(d, ndim):
    """Wrap a negative dim, with torch's IndexError for one out of range."""
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def _size_args(size):
    """`f(2, 3)`, `f((2, 3))` and `f([2, 3])` all mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = tuple(size[0])
    try:
        return tuple(operator.index(s) for s in size)  # ints (Python, NumPy, 0-dim integer tensors), not 2.0 or "2"
    except TypeError:
        bad = next(i for i, s in enumerate(size) if not hasattr(s, "__index__"))
        raise TypeError(f"argument 'size' must be a tuple of ints, but found element of type "
                        f"{type(size[bad]).__name__} at pos {bad}") from None


class Size(tuple):
    """torch.Size: a tuple that prints as `minigrad.Size([2, 3])`."""

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    def numel(self):
        return builtins.int(np.prod(self, dtype=np.int64))

    # slicing, concatenating and repeating a Size give a Size, as in torch
    def __getitem__(self, index):
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


class memory_format:
    """torch's memory formats, accepted where torch takes `memory_format=`: minigrad's arrays are C-ordered."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"minigrad.{self.name}"


contiguous_format, preserve_format, channels_last = (memory_format(n) for n in ("contiguous_format",
                                                                                "preserve_format", "channels_last"))
