"""Older conv-net layers, each a composition of differentiable ops (so every derivative, of every order, is theirs):

    lp_pool:              z = (Σ_window x^p)^(1/p)     = (k · avg_pool(x^p))^(1/p), the p-norm of each window
    local_response_norm:  z = x / (k + α/n · Σ_{n neighbouring channels} x²)^β   (AlexNet's; zero-padded at the ends)
    channel_shuffle:      (N, g·c, *) -> (N, c·g, *): the channels of g groups interleaved (ShuffleNet)

written as torch's own functional writes them (torch/nn/functional.py), so values round alike."""
import numpy as np

from .pad import pad
from .pointwise import abs, relu  # noqa: A004
from .pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .rounding import sign


def _check_norm_type(norm_type):
    if isinstance(norm_type, (int, float)) and norm_type == 0:
        raise ValueError(f"norm_type must be a non-zero value, but got {norm_type}")


def _lp_finish(out, kernel_count, norm_type):
    """(k · mean(x^p))^(1/p). sign(out) · relu(|out|) is out itself, but its derivative at out = 0 is 0 rather
    than 1: torch's formula, kept so that the gradients agree there too."""
    return (sign(out) * relu(abs(out))).mul(kernel_count).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    _check_norm_type(norm_type)
    if norm_type == float("inf"):  # the max of |x| over each window
        return max_pool1d(abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool1d(-abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, kernel_size, norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kw, kh = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    _check_norm_type(norm_type)
    if norm_type == float("inf"):
        return max_pool2d(abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool2d(-abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, kw * kh, norm_type)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Each x[n, c] divided by (k + α · mean over channels c - ⌊size/2⌋ .. c + ⌈size/2⌉ - 1 of x²)^β, the channels
    past either end counted as zeros. torch pools (N, 1, C, L) with a (size, 1) window for 3-D input and
    (N, 1, C, H, rest) with (size, 1, 1) for more dims; here the latter is the same window over (N, 1, C, H·rest)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    if isinstance(size, float):
        raise TypeError(f"pad(): argument 'pad' failed to unpack the object at pos {3 if dim == 3 else 5} with error "
                        "\"type must be tuple of ints,but got float\"")
    if size <= 0:  # torch's avg_pool2d / avg_pool3d refusals, in their words
        if dim == 3:
            raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
        if size == 0:
            raise RuntimeError("kernel size should be greater than zero, but got kT: 0 kH: 1 kW: 1")
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad=0, kernel_size={size} "
                           "and dilation=1")
    sizes = input.shape
    div = input.mul(input)
    div = div.reshape(sizes[0], 1, sizes[1], int(np.prod(sizes[2:])))  # (N, 1, C, rest)
    div = pad(div, (0, 0, size // 2, (size - 1) // 2))  # zeros before and after the channels
    div = avg_pool2d(div, (size, 1), stride=1).squeeze(1).reshape(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def channel_shuffle(input, groups):
    """(N, g·c, *) viewed as (N, g, c, *), the two group dims swapped, viewed back: channel j·g + i <- i·c + j."""
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"channel_shuffle(): argument 'groups' (position 2) must be int, not {type(groups).__name__}")
    x = input.data
    if x.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = x.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    n, rest = x.shape[0], x.shape[2:]
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape(x.shape)
