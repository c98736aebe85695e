"""interpolate (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area; antialiased bilinear, bicubic and
lanczos) and pixel_shuffle / pixel_unshuffle, as compositions of differentiable minigrad ops, so every derivative (of
every order) is those ops' own.

Each interpolating mode is separable: along one spatial dim, output position i reads a few source positions (taps)
with weights that depend only on the sizes,

    y[..., i, ...] = Σ_t w_t[i] · x[..., idx_t[i], ...]      (nearest: one tap, no weight; linear 2; cubic 4)

so index_select gathers each tap, constant weights blend them, and the dims are resampled one after another, the
last first (torch's inner loop). The taps follow torch's source-index rules (UpSample.h): the scale n/out, or
1/scale_factor when one is given and not recomputed, or (n-1)/(out-1) with align_corners; nearest's index in float32
arithmetic, as torch computes it. With antialias the filter widens with the shrink factor (PIL's resampling, as
torch's). 'area' is adaptive average pooling (ops/pool.py). The shuffles are reshape + permute.

Where torch's backward is not the derivative of its forward (nearest on 3-D and 5-D input, and antialiasing, on a
kept size with a scale factor; bicubic keeping every size), or its forward is wrong (antialiasing to width 1 repeats
the first row), minigrad computes the forward as the formulas say and differentiates that;
tests/test_nn_more_layers.py shows each case."""
import warnings

import numpy as np

from ..tensor import Tensor
from .index_more import index_select
from .pool_more import _averaging_matrix, adaptive_avg_pool1d, adaptive_avg_pool2d

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4, "lanczos": 4}  # the input rank each one takes
_A = -0.75  # torch's cubic convolution constant (Keys' kernel with a = -0.75)


def _gather(x, dim, idx):
    return index_select(x, dim, Tensor._make(np.asarray(idx, np.int64), None))


def _const(x, w, dim):
    shape = [1] * x.data.ndim
    shape[dim] = -1
    return Tensor._make(w.astype(x.data.dtype).reshape(shape), None)


def _resample(x, dim, taps):
    """Σ_t x[idx_t] · w_t along dim (a lone tap without weight is a plain gather)."""
    y = None
    for idx, w in taps:
        t = _gather(x, dim, idx) if w is None else _gather(x, dim, idx) * _const(x, w, dim)
        y = t if y is None else y + t
    return y


def _nearest_taps(n, out, scale, exact, shortcuts):
    """torch's nearest_idx / nearest_exact_idx: floor(i·s) or floor((i + ½)·s) in float32, at most n-1. Where
    `shortcuts` (the 2-D kernel's forward, and every backward), a kept size reads i and a doubled one i >> 1."""
    i = np.arange(out)
    if shortcuts and not exact and out in (n, 2 * n):
        return [(i if out == n else i >> 1, None)]
    s = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(out)
    pos = (i.astype(np.float32) + np.float32(0.5)) * s if exact else i.astype(np.float32) * s
    return [(np.minimum(np.floor(pos).astype(np.int64), n - 1), None)]


def _source(n, out, scale, align_corners, cubic, dt):
    """The real source position of each output position, in dt (torch's opmath type): i·(n-1)/(out-1) with
    align_corners, else (i + ½)·s - ½ (clamped at 0 except for cubic); then its floor (torch's floorf) at most n-1,
    and the fraction past it, in [0, 1]."""
    i = np.arange(out, dtype=dt)
    if align_corners:
        src = i * (dt(n - 1) / dt(out - 1) if out > 1 else dt(0))
    else:
        s = dt(1.0 / scale) if scale else dt(n) / dt(out)
        src = s * (i + dt(0.5)) - dt(0.5)
        if not cubic:
            src = np.maximum(src, dt(0))
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n - 1)
    return i0, np.clip(src - i0, dt(0), dt(1))


def _linear_taps(n, out, scale, align_corners, dt):
    i0, lam = _source(n, out, scale, align_corners, False, dt)
    return [(i0, 1 - lam), (np.minimum(i0 + 1, n - 1), lam)]


def _cubic_taps(n, out, scale, align_corners, dt):
    """Keys' cubic convolution on the 4 neighbours i0-1 .. i0+2, clamped into [0, n-1] (torch's border rule):
    w(d) = (A+2)|d|³ - (A+3)|d|² + 1 for |d| <= 1, A|d|³ - 5A|d|² + 8A|d| - 4A for 1 < |d| < 2."""
    i0, t = _source(n, out, scale, align_corners, True, dt)
    near = lambda d: ((_A + 2) * d - (_A + 3)) * d * d + 1  # noqa: E731
    far = lambda d: ((_A * d - 5 * _A) * d + 8 * _A) * d - 4 * _A  # noqa: E731
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    return [(np.clip(i0 - 1 + j, 0, n - 1), w) for j, w in enumerate(weights)]


def _filter(mode, d):
    """The antialiasing filters: the triangle, Keys' cubic with a = -0.5 (PIL's), Lanczos with 3 lobes."""
    d = np.abs(d)
    if mode == "bilinear":
        return np.maximum(1 - d, 0)
    if mode == "bicubic":
        a = -0.5
        return np.where(d < 1, ((a + 2) * d - (a + 3)) * d * d + 1,
                        np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, 0))
    return np.where(d < 3, np.sinc(d) * np.sinc(d / 3), 0)


def _antialias_taps(mode, n, out, scale, align_corners, dt):
    """torch's antialiased resampling (PIL's): output i is centred at c = s·(i + ½) and, when shrinking (s > 1), its
    filter is stretched s times so that it averages every input it covers, w_j ∝ filter((j - c + ½) / s) over the
    inputs j within the support, normalised to sum 1. align_corners changes only s, to (n-1)/(out-1)."""
    radius = {"bilinear": 1, "bicubic": 2, "lanczos": 3}[mode]
    if align_corners:
        s = dt(n - 1) / dt(out - 1) if out > 1 else dt(0)
    else:
        s = dt(1.0 / scale) if scale else dt(n) / dt(out)
    support, inv = (radius * s, 1 / s) if s >= 1 else (dt(radius), dt(1))
    taps = int(np.ceil(support)) * 2 + 1
    center = s * (np.arange(out, dtype=dt) + dt(0.5))
    lo = np.maximum(np.trunc(center - support + dt(0.5)).astype(np.int64), 0)
    count = np.clip(np.minimum(np.trunc(center + support + dt(0.5)).astype(np.int64), n) - lo, 0, taps)
    j = np.arange(taps)
    w = _filter(mode, (j + lo[:, None] - center[:, None] + dt(0.5)) * inv).astype(dt) * (j < count[:, None])
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w)
    idx = np.minimum(lo[:, None] + j, n - 1)
    return [(idx[:, t], w[:, t]) for t in range(taps) if w[:, t].any()]


def _area(input, sizes):
    """adaptive_avg_pool{1,2,3}d with torch's checks; the 3-D one as a (Do, D) averaging matmul over D, then the
    2-D pool over (H, W)."""
    x = input.data
    k = len(sizes)
    name = "adaptive_avg_pool3d" if k == 3 else "adaptive_avg_pool2d"
    shown = [1] + sizes if k == 1 else sizes
    if min(sizes) < 0:
        listed = f"{shown[0]}, {shown[1]},{shown[2]}" if k == 3 else ", ".join(map(str, shown))
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{listed}}}")
    dims = x.shape[:2] + (1,) + x.shape[2:] if k == 1 else x.shape
    for d in range(1 if k == 3 else 2, len(dims)):
        if dims[d] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(dims)} with dimension {d} being empty")
    if k == 1:
        return adaptive_avg_pool1d(input, sizes[0])
    if k == 2:
        return adaptive_avg_pool2d(input, sizes)
    n, c, d, h, w = x.shape
    ad = Tensor._make(_averaging_matrix(d, sizes[0], x.dtype), None)
    y = (ad @ input.reshape(n, c, d, h * w)).reshape(n, c * sizes[0], h, w)  # (Do, D) @ (N, C, D, HW)
    return adaptive_avg_pool2d(y, sizes[1:]).reshape(n, c, *sizes)


def _integer(v):
    """torch's _is_integer: an int, a NumPy integer, or a tensor of integers."""
    if isinstance(v, Tensor):
        return v.data.dtype.kind != "f"
    return isinstance(v, (int, np.integer))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims of (N, C, [D, [H,]] W) to `size`, or to floor(n · scale_factor). torch's argument
    checks, in torch's order (torch/nn/functional.py), then the kernel's own (sizes above 0)."""
    x = input.data
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    k = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != k:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(x.shape[2:])} and output size of {size}. Please "
                                 f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 f"(o1, o2, ...,oK) format.")
            if not all(_integer(s) for s in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            sizes = [int(s) for s in size]
        else:
            sizes = [int(size)] * k
        scales = [None] * k
    elif scale_factor is not None:
        scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * k
        if len(scales) != k:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(x.shape[2:])} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             f"scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scales]
        sizes = [int(n * s) for n, s in zip(x.shape[2:], scales)]  # truncation, as torch's sym_int and C++ cast
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":  # the kernels then see only the output size
        scales = [None] * k
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    if x.ndim not in (3, 4, 5) or mode not in ("nearest", "nearest-exact", "area") and _RANK.get(mode) != x.ndim:
        if mode in ("linear", "bilinear", "trilinear") and x.ndim in (3, 4, 5):
            raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_RANK[mode]}D input")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: {_MODES} (got {mode})")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode == "area":
        return _area(input, sizes)
    if x.size == 0 and x.shape[0] and min(x.shape[2:], default=1) > 0:
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes {list(x.shape)}")
    if min(sizes) <= 0 or min(x.shape[2:]) <= 0:
        names = "DHW"[-k:]
        fmt = lambda v: ", ".join(f"{a}: {b}" for a, b in zip(names, v))  # noqa: E731
        sep = " and" if k == 1 else ""
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({fmt(x.shape[2:])}){sep} "
                           f"output ({fmt(sizes)})")
    dt = np.float64 if x.dtype == np.float64 else np.float32  # torch's opmath type
    y = input
    for j in reversed(range(k)):  # the last dim first: torch's outer weights multiply the inner blends
        n, out, d = x.shape[2 + j], sizes[j], 2 + j
        if mode in ("nearest", "nearest-exact"):
            y = _resample(y, d, _nearest_taps(n, out, scales[j], mode == "nearest-exact", shortcuts=k == 2))
        elif antialias:  # torch's antialiased kernels copy a kept size
            if out != n:
                y = _resample(y, d, _antialias_taps(mode, n, out, scales[j], align_corners, dt))
        elif mode == "bicubic":  # torch's cubic kernel resamples a kept size too: a scale factor other than 1 moves it
            y = _resample(y, d, _cubic_taps(n, out, scales[j], align_corners, dt))
        elif out != n:  # torch's linear kernels copy a kept size, whatever the scale factor
            y = _resample(y, d, _linear_taps(n, out, scales[j], align_corners, dt))
    return input.clone() if y is input else y


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """torch's older name for interpolate, deprecated with its warning."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear with align_corners=True: the corner pixels of input and output coincide."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


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
