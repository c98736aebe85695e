"""Padding layers: ConstantPad / ZeroPad / ReflectionPad / ReplicationPad / CircularPad in 1, 2 and 3 dims. Each
forward is F.pad (ops/pad.py) in its mode; `padding` is an int (every side) or torch's flat tuple (left, right of
the last dim, then top, bottom, then front, back), kept as given, as torch keeps it."""
from collections.abc import Iterable

from . import functional as F
from .module import Module


def _sides(padding, n):
    """An int as n copies (torch's _ntuple); a sequence as a tuple, unchecked (F.pad checks it at call time)."""
    return tuple(padding) if isinstance(padding, Iterable) else (padding,) * n


class _ConstantPadNd(Module):
    def __init__(self, padding, value):
        super().__init__()
        self.padding = _sides(padding, 2 * self._dims)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of (N, C, W) or (C, W) with `value`."""
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims of (N, C, H, W) or (C, H, W) with `value`."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims of (N, C, D, H, W) or (C, D, H, W) with `value`."""
    _dims = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _PadNd(Module):
    """A non-constant mode: the padded elements copy input elements (mirrored, repeated or wrapped around)."""
    mode = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, 2 * self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad by mirroring about the edge, the edge itself not repeated: [a b c] -> [c b | a b c | b a]."""
    mode, _dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    mode, _dims = "reflect", 2


class ReflectionPad3d(_PadNd):
    mode, _dims = "reflect", 3


class ReplicationPad1d(_PadNd):
    """Pad by repeating the edge element: [a b c] -> [a a | a b c | c c]."""
    mode, _dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    mode, _dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    mode, _dims = "replicate", 3


class _CircularPadNd(_PadNd):
    """Pad by wrapping around: [a b c] -> [b c | a b c | a b]. Unlike the others torch checks the rank here."""
    mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, self.mode)


class CircularPad1d(_CircularPadNd):
    _dims = 1


class CircularPad2d(_CircularPadNd):
    _dims = 2


class CircularPad3d(_CircularPadNd):
    _dims = 3
