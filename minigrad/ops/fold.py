"""unfold (im2col) and fold (col2im), each the other's adjoint, so each one's backward is the other (to any order).

unfold: (N, C, H, W) -> (N, C·kh·kw, L), column l holding the (padded, dilated) window of output position l, rows in
(c, i, j) order; fold: (N, C·kh·kw, L) -> (N, C, H, W), each column added back over its window (overlaps sum).
"""
import numpy as np

from ..autograd.function import Function, call
from .pool import _pair


def _blocks(hw, kernel, dilation, padding, stride):
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in zip(hw, kernel, dilation, padding, stride))


def _view(a, i, j, kernel, dilation, stride, out):
    (d1, d2), (s1, s2), (ho, wo) = dilation, stride, out
    return a[:, :, i * d1:i * d1 + s1 * (ho - 1) + 1:s1, j * d2:j * d2 + s2 * (wo - 1) + 1:s2]


class Unfold(Function):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, kernel, dilation, padding, stride):
        ctx.options = dict(kernel=kernel, dilation=dilation, padding=padding, stride=stride)
        ctx.hw = x.shape[2:]
        n, c, h, w = x.shape
        (kh, kw), (p1, p2) = kernel, padding
        out = _blocks((h, w), kernel, dilation, padding, stride)
        xp = np.pad(x, ((0, 0), (0, 0), (p1, p1), (p2, p2))) if p1 or p2 else x
        cols = np.empty((n, c, kh, kw) + out, x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = _view(xp, i, j, kernel, dilation, stride, out)
        return cols.reshape(n, c * kh * kw, out[0] * out[1])

    @staticmethod
    def backward(ctx, g):
        return call(Fold, g, output_size=ctx.hw, **ctx.options)


class Fold(Function):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, output_size, kernel, dilation, padding, stride):
        ctx.options = dict(kernel=kernel, dilation=dilation, padding=padding, stride=stride)
        n, ck, _ = cols.shape
        (kh, kw), (p1, p2), (h, w) = kernel, padding, output_size
        c = ck // (kh * kw)
        out = _blocks((h, w), kernel, dilation, padding, stride)
        xp = np.zeros((n, c, h + 2 * p1, w + 2 * p2), cols.dtype)
        cols = cols.reshape((n, c, kh, kw) + out)
        for i in range(kh):
            for j in range(kw):
                _view(xp, i, j, kernel, dilation, stride, out)[...] += cols[:, :, i, j]
        return xp[:, :, p1:p1 + h, p2:p2 + w].copy()

    @staticmethod
    def backward(ctx, g):
        return call(Unfold, g, **ctx.options)


def _options(kernel_size, dilation, padding, stride):
    return dict(kernel=_pair(kernel_size), dilation=_pair(dilation), padding=_pair(padding), stride=_pair(stride))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C·kh·kw, L); a 3-D input is one unbatched image."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    opts = _options(kernel_size, dilation, padding, stride)
    blocks = _blocks(input.shape[-2:], opts["kernel"], opts["dilation"], opts["padding"], opts["stride"])
    if any(b <= 0 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size="
                           f"{opts['kernel']}, dilation={opts['dilation']}, padding={opts['padding']}, calculated "
                           f"shape of the array of sliding blocks as {blocks}, but its components must be at least "
                           "one.")
    if input.ndim == 3:
        return Unfold.apply(input.unsqueeze(0), **opts).squeeze(0)
    return Unfold.apply(input, **opts)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C·kh·kw, L) -> (N, C, *output_size), overlapping windows summed; a 2-D input is unbatched."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    opts = _options(kernel_size, dilation, padding, stride)
    size = _pair(output_size)
    kh, kw = opts["kernel"]
    ck, length = input.shape[-2:]
    if ck % (kh * kw):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={ck} and kernel_size={opts['kernel']}")
    blocks = _blocks(size, opts["kernel"], opts["dilation"], opts["padding"], opts["stride"])
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(f"Given output_size={size}, kernel_size={opts['kernel']}, dilation={opts['dilation']}, "
                           f"padding={opts['padding']}, stride={opts['stride']}, expected size of input's "
                           f"dimension 2 to match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    if input.ndim == 2:
        return Fold.apply(input.unsqueeze(0), output_size=size, **opts).squeeze(0)
    return Fold.apply(input, output_size=size, **opts)
