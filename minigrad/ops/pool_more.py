"""adaptive_max_pool2d and max_unpool2d, both on pool.MaxPool2dBackward, the scatter of values to flat (H, W)
positions that Gather differentiates: adaptive max pooling's gradient scatters g to the argmaxes (windows may
overlap: added up), and max unpooling is that scatter itself (written, as torch's), so its gradient gathers."""
import math

import numpy as np

from ..autograd.function import Function, call
from .pool import MaxPool2dBackward, _batched, _pair


class AdaptiveMaxPool2d(Function):
    """z[i, j] = the max of rows ⌊i·H/Ho⌋ .. ⌈(i+1)·H/Ho⌉ and the columns likewise; dx = g added at the argmaxes."""

    node_name = "AdaptiveMaxPool2DBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, out_hw):
        n, c, h, w = x.shape
        ho, wo = out_hw
        z = np.empty((n, c, ho, wo), x.dtype)
        index = np.empty((n, c, ho, wo), np.int64)
        for i in range(ho):
            h0, h1 = (i * h) // ho, math.ceil((i + 1) * h / ho)
            for j in range(wo):
                w0, w1 = (j * w) // wo, math.ceil((j + 1) * w / wo)
                win = x[:, :, h0:h1, w0:w1].reshape(n, c, -1)
                k = np.argmax(win, axis=2)  # the first max (a NaN counts as the max, as in torch)
                z[:, :, i, j] = np.take_along_axis(win, k[..., None], 2)[..., 0]
                index[:, :, i, j] = (h0 + k // (w1 - w0)) * w + w0 + k % (w1 - w0)
        ctx.index, ctx.shape = index, x.shape
        return z, index

    @staticmethod
    def backward(ctx, g):
        return call(MaxPool2dBackward, g, ctx.index, ctx.shape, True)


class MaxUnpool2d(MaxPool2dBackward):
    """z = zeros((N, C) + output size) with x written at its indices;   dx = gg read back there (Gather)."""

    node_name = "MaxUnpool2DBackward0"


def adaptive_max_pool2d(input, output_size, return_indices=False):
    input, unbatched = _batched(input)
    size = (output_size,) * 2 if output_size is None or isinstance(output_size, int) else tuple(output_size)
    size = size * 2 if len(size) == 1 else size
    out_hw = tuple(n if o is None else int(o) for n, o in zip(input.shape[2:], size))
    if any(o <= 0 for o in out_hw):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected output_size to be positive, but got {list(out_hw)}")
    z, index = AdaptiveMaxPool2d.apply(input, out_hw)
    if unbatched:
        z, index = z.squeeze(0), index.squeeze(0)
    return (z, index) if return_indices else z


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding = _pair(padding)
    idx = np.asarray(getattr(indices, "data", indices))
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {idx.dtype}")
    if idx.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(idx.shape)}")
    x, unbatched = _batched(input)
    if unbatched:
        idx = idx[None]
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(x.shape[2:], stride, padding, kernel))
    out_hw = default if output_size is None else tuple(int(o) for o in tuple(output_size)[-2:])
    if idx.size and (idx.min() < 0 or idx.max() >= out_hw[0] * out_hw[1]):
        raise RuntimeError(f"Found an invalid max index: {int(idx.max() if idx.max() >= 0 else idx.min())} (output "
                           f"volumes are of size {out_hw[0]}x{out_hw[1]}")
    z = MaxUnpool2d.apply(x, idx, shape=x.shape[:2] + out_hw, overlap=False)
    return z.squeeze(0) if unbatched else z
