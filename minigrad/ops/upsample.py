"""interpolate (nearest, linear, bilinear) and pixel_shuffle / pixel_unshuffle, as compositions of differentiable
minigrad ops: index_select gathers the source rows/columns (torch's source-index formulas), constant weights blend
the two linear neighbours, and the shuffles are reshape + permute. Every derivative is those ops' own."""
import math

import numpy as np

from ..tensor import Tensor
from .index_more import index_select

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _gather(x, dim, idx):
    return index_select(x, dim, Tensor._make(np.asarray(idx, np.int64), None))


def _const(x, w, dim):
    shape = [1] * x.data.ndim
    shape[dim] = -1
    return Tensor._make(w.astype(x.data.dtype).reshape(shape), None)


def _nearest(x, dim, out, scale):
    n = x.data.shape[dim]
    s = n / out if scale is None else 1.0 / scale
    idx = np.minimum(np.floor(np.arange(out) * s).astype(np.int64), n - 1)
    return _gather(x, dim, idx)


def _linear(x, dim, out, scale, align_corners):
    n = x.data.shape[dim]
    d = np.arange(out, dtype=np.float64)
    if align_corners:
        src = d * ((n - 1) / (out - 1) if out > 1 else 0.0)
    else:
        s = n / out if scale is None else 1.0 / scale
        src = np.maximum(s * (d + 0.5) - 0.5, 0.0)
    i0 = np.minimum(src.astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    return _gather(x, dim, i0) * _const(x, 1.0 - lam, dim) + _gather(x, dim, i1) * _const(x, lam, dim)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    x = input.data
    k = x.ndim - 2
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * k
        if len(sizes) != k:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(x.shape[2:])} and output size of {sizes}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             f"format.")
        scales = [None] * k
    else:
        scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * k
        if len(scales) != k:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(x.shape[2:])} and scale_factor of shape {scales}. "
                             f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             f"(s1, s2, ...,sK) format.")
        sizes = [int(math.floor(float(n) * float(s))) for n, s in zip(x.shape[2:], scales)]
        if recompute_scale_factor:
            scales = [None] * k
    if mode == "linear" and x.ndim != 3:
        raise NotImplementedError(f"Got {x.ndim}D input, but linear mode needs 3D input")
    if mode == "bilinear" and x.ndim != 4:
        raise NotImplementedError(f"Got {x.ndim}D input, but bilinear mode needs 4D input")
    if mode not in ("nearest", "linear", "bilinear") or x.ndim not in (3, 4):
        raise NotImplementedError(f"interpolate: mode {mode!r} on a {x.ndim}D input is not implemented in minigrad")
    if min(sizes) <= 0:
        names = "HW"[-k:] if k <= 2 else "DHW"
        fmt = lambda v: ", ".join(f"{a}: {b}" for a, b in zip(names, v))  # noqa: E731
        sep = " and" if k == 1 else ""
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({fmt(x.shape[2:])}){sep} "
                           f"output ({fmt(sizes)})")
    if mode != "nearest" and tuple(sizes) == x.shape[2:]:
        return input.clone()  # no size changes: torch copies, whatever the scale factor
    y = input
    for j in reversed(range(k)):  # the last dim first: torch's h-weights multiply the w-blends
        if mode == "nearest":
            # torch's 2-D nearest kernel keeps a dim whose size is unchanged (its 1-D one does not)
            if k == 1 or sizes[j] != x.shape[2 + j]:
                y = _nearest(y, 2 + j, sizes[j], scales[j])
        elif sizes[j] != x.shape[2 + j]:  # torch's linear kernels leave a dim whose size is kept as it is
            y = _linear(y, 2 + j, sizes[j], scales[j], align_corners)
    return y


def pixel_shuffle(input, upscale_factor):
    x = input.data
    r = upscale_factor
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           f"dimension(s)")
    if x.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by {r * r}")
    *b, c, h, w = x.shape
    nb = len(b)
    y = input.reshape(*b, c // (r * r), r, r, h, w)
    y = y.permute(*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2)
    return y.reshape(*b, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    x = input.data
    r = downscale_factor
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    if x.shape[-2] % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{x.shape[-2]} is not divisible by {r}")
    if x.shape[-1] % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{x.shape[-1]} is not divisible by {r}")
    *b, c, h, w = x.shape
    nb = len(b)
    y = input.reshape(*b, c, h // r, r, w // r, r)
    y = y.permute(*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3)
    return y.reshape(*b, c * r * r, h // r, w // r)
