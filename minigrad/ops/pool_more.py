"""adaptive_max_pool1d/2d and max_unpool1d/2d, both on pool.MaxPool2dBackward, the scatter of values to flat (H, W)
positions that Gather differentiates: adaptive max pooling's gradient scatters g to the argmaxes (windows may
overlap: added up), and max unpooling is that scatter itself (written, as torch's), so its gradient gathers. The 1-D
forms are the 2-D ones over a height-1 (pooling) or width-1 (unpooling, as torch's) image.

Also here: the *_with_indices names torch's functional has, and adaptive average pooling (two averaging matrices,
Aₕ x Aᵥᵀ, so its gradients are matmuls) with torch's argument checks (negative and empty output sizes, empty inputs)."""
import math

import numpy as np

from .._dtype import scalar_type
from ..autograd.function import Function, call
from ..tensor import Tensor
from . import pool
from .pool import MaxPool2dBackward, _pair


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
                win = x[:, :, h0:h1, w0:w1].reshape(n, c, (h1 - h0) * (w1 - w0))  # (no -1: n may be 0)
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


# ---- torch-level functions ------------------------------------------------------------------------------------
def _list_with_default(out_size, defaults):
    """torch's: an int stays; a sequence has each None replaced by the input's size there."""
    if isinstance(out_size, (int, np.integer)):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [d if v is None else v for v, d in zip(out_size, defaults[-len(out_size):])]


def _int_list(v, name):
    """An int or a sequence of ints as a tuple (torch's argument parser for an int[] argument)."""
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    if not isinstance(v, (tuple, list)) or not all(isinstance(i, (int, np.integer)) for i in v):
        raise TypeError(f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not "
                        f"{type(v).__name__}")
    return tuple(int(i) for i in v)


def _check_nonempty(name, shape, dims, shown=None):
    for i in dims:
        if shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(shape if shown is None else shown)} with dimension {i} being empty")


def _check_rank_1d(x, name):
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           f"(while checking arguments for {name})")


def _check_one(size, name):
    if len(size) != 1:
        raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got {len(size)})")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """(the max over each adaptive window, the flat (H, W) position of each max), whatever return_indices says."""
    x = input.data
    size = _list_with_default(output_size, x.shape)
    size = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(x.shape)}")
    _check_nonempty("adaptive_max_pool2d", x.shape, range(1, x.ndim))
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    out_hw = tuple(int(o) for o in size)
    if min(out_hw) < 0:
        shape = list(x.shape[:-2]) + list(out_hw)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out_hw)}: {shape}")
    unbatched = x.ndim == 3
    z, index = AdaptiveMaxPool2d.apply(input.unsqueeze(0) if unbatched else input, out_hw)
    return (z.squeeze(0), index.squeeze(0)) if unbatched else (z, index)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    z, index = adaptive_max_pool2d_with_indices(input, output_size)
    return (z, index) if return_indices else z


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    size = _int_list(output_size, "adaptive_max_pool1d")
    x = input.data
    _check_rank_1d(x, "adaptive_max_pool1d")
    _check_one(size, "adaptive_max_pool1d")
    _check_nonempty("adaptive_max_pool1d", x.shape, range(1, x.ndim))
    z, index = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, size[0]))  # (N, C, 1, L) -> (N, C, 1, Lo)
    return z.squeeze(-2), index.squeeze(-2)  # on a height-1 plane the flat position is the position along L


def adaptive_max_pool1d(input, output_size, return_indices=False):
    z, index = adaptive_max_pool1d_with_indices(input, output_size)
    return (z, index) if return_indices else z


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return pool.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def _averaging_matrix(n, out, dtype):
    """(out, n): row i averages x[floor(i·n/out) : ceil((i+1)·n/out)], adaptive pooling's windows."""
    a = np.zeros((out, n), dtype)
    for i in range(out):
        start, end = (i * n) // out, -(-((i + 1) * n) // out)
        a[i, start:end] = 1 / (end - start)
    return a


def _check_avg_size(out):
    if len(out) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if min(out) < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{out[0]}, {out[1]}}}")


def adaptive_avg_pool2d(input, output_size):
    """z = Aₕ x Aᵥᵀ with the two averaging matrices: the mean over each adaptive window, and its gradients (and all
    higher ones) are those of two matmuls. torch's checks first: output sizes >= 0 (0 gives an empty result), a
    non-empty plane (an empty batch or channel dim is fine)."""
    x = input.data
    size = _list_with_default(output_size, x.shape)
    size = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    size = tuple(int(o) for o in size)
    _check_avg_size(size)
    if size == (1, 1):  # torch's shortcut, for any rank and even an empty plane (nan): the mean over (H, W)
        return input.mean((-2, -1), keepdim=True)
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(x.shape)}")
    _check_nonempty("adaptive_avg_pool2d", x.shape, (x.ndim - 2, x.ndim - 1))
    ah = Tensor._make(_averaging_matrix(x.shape[-2], size[0], x.dtype), None)
    awt = Tensor._make(np.ascontiguousarray(_averaging_matrix(x.shape[-1], size[1], x.dtype).T), None)
    return ah @ input @ awt  # (Ho, H) @ (*, H, W) @ (W, Wo) -> (*, Ho, Wo)


def adaptive_avg_pool1d(input, output_size):
    size = _int_list(output_size, "adaptive_avg_pool1d")
    x = input.data
    _check_rank_1d(x, "adaptive_avg_pool1d")
    _check_one(size, "adaptive_avg_pool1d")
    _check_avg_size((1, size[0]))
    if size[0] == 1:  # torch's (1, 1) shortcut (adaptive_avg_pool2d), empty input included
        return input.mean(-1, keepdim=True)
    plane = x.shape[:-1] + (1,) + x.shape[-1:]  # torch pools (N, C, 1, L) and names that shape
    _check_nonempty("adaptive_avg_pool2d", plane, (len(plane) - 1,))
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size[0])).squeeze(-2)  # over a height-1 image


def _unpool_output_size(input, kernel, stride, padding, output_size):
    """torch's (nn/functional.py): the default size (n - 1)·s + k - 2p, or output_size (its last len(kernel)
    entries) if it lies strictly within one stride of that."""
    k = len(kernel)
    default = [(input.shape[-k + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(k)]
    if output_size is None:
        out = default
    else:
        if len(output_size) == k + 2:
            output_size = output_size[2:]
        if len(output_size) != k:
            raise ValueError(f"output_size should be a sequence containing {k} or {k + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for d in range(k):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
        out = output_size
    for d in range(k):
        if out[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={out[d]}")
    return tuple(int(o) for o in out)


def _max_unpool2d(input, indices, out_hw):
    """torch's max_unpool2d kernel: its checks, in its order, then the scatter."""
    idx = np.asarray(getattr(indices, "data", indices))
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {scalar_type(idx.dtype)}")
    x = input.data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {x.ndim} "
                           "dimensions.")
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(x.shape)}) but "
                           f"got indices tensor with shape: {list(idx.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"max_unpooling2d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(x.shape)} with dimension {i} being empty.")
    unbatched = x.ndim == 3
    if unbatched:
        input, idx = input.unsqueeze(0), idx[None]
    volume = out_hw[0] * out_hw[1]
    bad = (idx < 0) | (idx >= volume)
    if volume and bad.any():  # the first bad one, in memory order (torch checks nothing for an empty output)
        raise RuntimeError(f"Found an invalid max index: {int(idx[bad][0])} (output volumes are of size "
                           f"{out_hw[0]}x{out_hw[1]})")
    if volume:
        z = MaxUnpool2d.apply(input, idx, shape=input.shape[:2] + tuple(out_hw), overlap=False)
    else:  # nothing to write: an empty result that still hangs on input's graph
        z = input.flatten(2)[..., :0].reshape(input.shape[:2] + tuple(out_hw))
    return z.squeeze(0) if unbatched else z


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _max_unpool2d(input, indices, _unpool_output_size(input, kernel, stride, _pair(padding), output_size))


def _single(v):
    return (int(v),) if isinstance(v, (int, np.integer)) else tuple(int(i) for i in v)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The 2-D unpooling of (N, C, L, 1), as torch's: the flat positions of a width-1 plane are those along L."""
    kernel = _single(kernel_size)
    stride = kernel if stride is None else _single(stride)
    out = _unpool_output_size(input, kernel, stride, _single(padding), output_size)
    index = indices.unsqueeze(-1) if hasattr(indices, "unsqueeze") else np.asarray(indices)[..., None]
    return _max_unpool2d(input.unsqueeze(-1), index, out + (1,)).squeeze(-1)
