"""F.pad: constant padding (its gradient is the crop back, its gradient's gradient the padding with zeros again), and
reflect / replicate / circular padding as a read by index (each padded element is a copy of some input element, so
the gradient adds the copies back: Index's backward)."""
import numpy as np

from ..autograd.function import Function, call
from .indexing import Index


class ConstantPad(Function):
    """z = x surrounded by `value`;   dx = g cropped back to x (Index), whose own gradient pads with zeros"""

    node_name = "ConstantPadNdBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.crop = tuple(slice(a, a + n) for (a, _), n in zip(widths, x.shape))
        return np.pad(x, widths, constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return call(Index, g, ctx.crop)


def _source(n, left, right, mode):
    """For each padded position along a dim of size n, the input position it copies."""
    i = np.arange(-left, n + right)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    # circular: negative pads crop first, then the pads wrap around what is kept, x[lo : n - cut_right], of size c
    lo, c = max(-left, 0), n - max(-left, 0) - max(-right, 0)
    return (i + left - max(left, 0)) % max(c, 1) + lo


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dims: pad = (left of the last dim, right of it, left of the one before, ...)."""
    if mode not in ("constant", "reflect", "replicate", "circular"):  # torch checks the mode first
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = [int(p) for p in pad]
    x = input.data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {x.ndim}")
    pairs = [(pad[2 * j], pad[2 * j + 1]) for j in reversed(range(k))]  # the padded dims, in order
    if mode == "constant":
        if any(p < 0 for p in pad):  # negative padding crops
            crop = tuple(slice(max(-a, 0), n - max(-b, 0)) for (a, b), n in zip(pairs, x.shape[x.ndim - k:]))
            input = input[(Ellipsis,) + crop]
            pairs = [(max(a, 0), max(b, 0)) for a, b in pairs]
        widths = [(0, 0)] * (x.ndim - k) + pairs
        return ConstantPad.apply(input, widths, 0.0 if value is None else value)
    if value:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if k > 3 or x.ndim not in (k + 1, k + 2):  # k padded dims, with one channel dim and maybe a batch dim before
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for j in range(k) if mode == "reflect" else ():  # torch checks the last dim first, argument #4, then #6, #8
        (a, b), n = pad[2 * j:2 * j + 2], x.shape[x.ndim - 1 - j]
        if a >= n or b >= n:
            raise RuntimeError(f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({a}, {b}) at dimension {x.ndim - 1 - j} of input "
                               f"{list(x.shape)}")
    index = [Ellipsis]
    for j, ((a, b), n) in enumerate(zip(pairs, x.shape[x.ndim - k:])):
        if mode == "circular":
            kept = n - max(-a, 0) - max(-b, 0)
            if a > n or b > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            size = kept + max(a, 0) + max(b, 0)
            if size < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            if size and (a > kept or b > kept):  # torch fills a pad from the kept part in place: they would overlap
                raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to "
                                   "tensor refer to a single memory location. Please clone() the tensor before "
                                   "performing the operation.")
        index.append(_source(n, a, b, mode).reshape((-1,) + (1,) * (k - 1 - j)))
    return Index.apply(input, tuple(index), advanced=True)
