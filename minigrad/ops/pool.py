"""Pooling: max (the gradient goes to each window's argmax: Gather's scatter-add back), average (a fixed linear map:
its gradient spreads g / divisor over each window, and that spreading's gradient is the average pooling again), and
(adaptive average pooling is in pool_more.py, with its checks). 1-D pooling is 2-D pooling of a
height-1 image."""
import math

import numpy as np

from ..autograd.function import Function, call
from .indexing import Gather


def _pair(v):
    """An int or a 1- or 2-sequence as the (height, width) pair torch reads it as."""
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(i) for i in v)
    return v * 2 if len(v) == 1 else v


def _out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling output size, with ceil_mode's rule that the last window must start inside the input or the
    left padding."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pad_to_fit(x, kernel, stride, padding, dilation, out_hw, value):
    """x padded by `padding` in front and at the end as much as the last window needs (at least `padding`)."""
    widths = [(0, 0), (0, 0)]
    for n, k, s, p, d, o in zip(x.shape[2:], kernel, stride, padding, dilation, out_hw):
        widths.append((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)))
    if not any(a or b for a, b in widths):
        return x  # read, never written: no copy needed
    return np.pad(x, widths, constant_values=value)


def _running_max(xp, kernel, stride, dilation, out_hw, nan_aware):
    """The max of each window and which window element (0 .. kh·kw-1) holds it: a running max over the kh·kw shifted
    strided views, vectorized over all windows at once. A later element wins only when greater (so ties go to the
    first), or, `nan_aware`, when NaN (torch's rule; np.maximum propagates NaN into the max either way)."""
    (kh, kw), (s1, s2), (d1, d2), (ho, wo) = kernel, stride, dilation, out_hw
    kind = np.uint8 if kh * kw < 256 else np.int64
    z, arg, step = None, np.zeros(xp.shape[:2] + (ho, wo), kind), np.empty(xp.shape[:2] + (ho, wo), kind)
    wins, nan = np.empty((2,) + arg.shape, bool)  # reused across the offsets
    for i in range(kh):
        for j in range(kw):
            v = xp[:, :, i * d1:i * d1 + s1 * (ho - 1) + 1:s1, j * d2:j * d2 + s2 * (wo - 1) + 1:s2]
            if z is None:
                z = v.copy()
                continue
            np.greater(v, z, out=wins)
            if nan_aware:
                wins |= np.isnan(v, out=nan)
            np.maximum(z, v, out=z)
            # the element numbers only grow, so arg = max(arg, k · wins) records the last winner (np.copyto with
            # where= is 70x slower than these two uint8 passes)
            np.maximum(arg, np.multiply(wins, kind(i * kw + j), out=step), out=arg)
    return z, arg


class MaxPool2d(Function):
    """z = the max of each window;   dx = g added at each window's (first) argmax. The argmax indices are
    constants of the graph (returned too, as torch's return_indices), so the backward is a scatter-add at them."""

    node_name = "MaxPool2DWithIndicesBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_hw):
        n, c, h, w = x.shape
        (kh, kw), (s1, s2), (d1, d2), (ho, wo) = kernel, stride, dilation, out_hw
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _pad_to_fit(x, kernel, stride, padding, dilation, out_hw, fill)
        z, arg = _running_max(xp, kernel, stride, dilation, out_hw, nan_aware=False)
        if x.dtype.kind == "f" and np.isnan(z).any():  # a NaN in some window: it must win its window's argmax too
            z, arg = _running_max(xp, kernel, stride, dilation, out_hw, nan_aware=True)
        # flat positions in each (H, W) plane, as torch's indices: the window's corner plus the element's offset
        corner = (np.arange(ho)[:, None] * s1 - padding[0]) * w + np.arange(wo)[None, :] * s2 - padding[1]
        offset = np.array([i * d1 * w + j * d2 for i in range(kh) for j in range(kw)], np.int64)
        index = np.take(offset, arg) + corner
        # windows that do not overlap have distinct argmaxes: the scatter may then write instead of add
        ctx.index, ctx.shape, ctx.overlap = index, x.shape, s1 < d1 * (kh - 1) + 1 or s2 < d2 * (kw - 1) + 1
        return z, index

    @staticmethod
    def backward(ctx, g):
        return call(MaxPool2dBackward, g, ctx.index, ctx.shape, ctx.overlap)


class MaxPool2dBackward(Function):
    """z = zeros(x's shape) with g[n, c, h, w] added at the flat position index[n, c, h, w] of plane (n, c);
    dz/dg · gg = gg read back at those positions (Gather), so this scatter differentiates too."""

    inputs = 1

    @staticmethod
    def forward(ctx, g, index, shape, overlap=True):
        n, c, h, w = shape
        ctx.index = index
        flat = (index.reshape(n * c, index.size // max(1, n * c)) + np.arange(n * c)[:, None] * (h * w)).ravel()
        if overlap:  # an input element may be the max of several windows: add up
            return np.bincount(flat, weights=g.ravel(), minlength=n * c * h * w).astype(g.dtype).reshape(shape)
        out = np.zeros(shape, g.dtype)
        out.ravel()[flat] = g.ravel()
        return out

    @staticmethod
    def backward(ctx, gg):
        n, c = ctx.index.shape[:2]
        flat_in, flat_out = math.prod(gg.shape[2:]), math.prod(ctx.index.shape[2:])  # (no -1: a batch may be empty)
        return call(Gather, gg.reshape(n, c, flat_in), ctx.index.reshape(n, c, flat_out), 2).reshape(ctx.index.shape)


def _window_sum(xp, kernel, stride, out_hw):
    """Σ over each window of the padded input, as kh·kw shifted strided slices added up: (N, C, Ho, Wo)."""
    (kh, kw), (s1, s2), (ho, wo) = kernel, stride, out_hw
    z = np.zeros(xp.shape[:2] + (ho, wo), xp.dtype)
    for i in range(kh):
        for j in range(kw):
            z += xp[:, :, i:i + s1 * (ho - 1) + 1:s1, j:j + s2 * (wo - 1) + 1:s2]
    return z


class AvgPool2d(Function):
    """z = Σ_window x / divisor (a constant per output position);   dx = g / divisor spread over each window"""

    node_name = "AvgPool2DBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_hw, divisor):
        ctx.options = dict(kernel=kernel, stride=stride, padding=padding, divisor=divisor)
        ctx.shape = x.shape
        xp = _pad_to_fit(x, kernel, stride, padding, (1, 1), out_hw, 0)
        return _window_sum(xp, kernel, stride, out_hw) / divisor

    @staticmethod
    def backward(ctx, g):
        return call(AvgPool2dBackward, g, shape=ctx.shape, **ctx.options)


class AvgPool2dBackward(Function):
    """z = g / divisor added over each window (into zeros of the input's shape): linear in g, and its adjoint is
    the average pooling itself, so dz/dg · gg = avg_pool(gg)."""

    inputs = 1

    @staticmethod
    def forward(ctx, g, shape, kernel, stride, padding, divisor):
        ctx.options = dict(kernel=kernel, stride=stride, padding=padding, divisor=divisor)
        (kh, kw), (s1, s2), (p1, p2) = kernel, stride, padding
        n, c, ho, wo = g.shape
        ctx.out_hw = (ho, wo)
        gd = g / divisor
        xp = np.zeros((n, c, max(shape[2] + 2 * p1, (ho - 1) * s1 + kh), max(shape[3] + 2 * p2, (wo - 1) * s2 + kw)),
                      gd.dtype)
        for i in range(kh):
            for j in range(kw):
                xp[:, :, i:i + s1 * (ho - 1) + 1:s1, j:j + s2 * (wo - 1) + 1:s2] += gd
        return xp[:, :, p1:p1 + shape[2], p2:p2 + shape[3]]

    @staticmethod
    def backward(ctx, gg):
        o = ctx.options
        return call(AvgPool2d, gg, o["kernel"], o["stride"], o["padding"], ctx.out_hw, o["divisor"])


def _divisor(n, k, s, p, out, count_include_pad):
    """Per output position along one dim: the window's length clipped to the padded input (count_include_pad) or to
    the input itself — torch's rule."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


# ---- torch-level functions ------------------------------------------------------------------------------------
def _batched(input):
    """The input as a batch (N, C, H, W): returns (input, unbatched)."""
    x = input.data
    if x.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if 0 in x.shape[-3:]:  # an empty batch is fine (an empty result), as in torch
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(x.shape)}")
    return (input.unsqueeze(0), True) if x.ndim == 3 else (input, False)


def _check_pool(x, kernel, stride, padding, dilation, out_hw, max_pool):
    for k, p, d in zip(kernel, padding, dilation):
        if k <= 0 or any(s <= 0 for s in stride):
            raise RuntimeError("kernel size and stride should be greater than zero")
        if p > (((k - 1) * d + 1) // 2 if max_pool else k // 2):
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    if max_pool and any(p > k // 2 for k, p in zip(kernel, padding)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {padding[1]}, "
                           f"padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}")
    if any(o < 1 for o in out_hw):
        c, h, w = x.shape[-3:]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out_hw[0]}x{out_hw[1]}). "
                           "Output size is too small")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] or stride == () else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    input, unbatched = _batched(input)
    x = input.data
    out_hw = tuple(_out_size(n, k, s, p, d, ceil_mode)
                   for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation))
    _check_pool(x, kernel, stride, padding, dilation, out_hw, True)
    z, index = MaxPool2d.apply(input, kernel, stride, padding, dilation, out_hw)
    if unbatched:
        z, index = z.squeeze(0), index.squeeze(0)
    return (z, index) if return_indices else z


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] or stride == () else _pair(stride)
    padding = _pair(padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    input, unbatched = _batched(input)
    x = input.data
    out_hw = tuple(_out_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in zip(x.shape[2:], kernel, stride, padding))
    _check_pool(x, kernel, stride, padding, (1, 1), out_hw, False)
    if divisor_override is not None:
        divisor = float(divisor_override)
    else:
        dh, dw = (_divisor(n, k, s, p, o, count_include_pad)
                  for n, k, s, p, o in zip(x.shape[2:], kernel, stride, padding, out_hw))
        divisor = np.outer(dh, dw).astype(x.dtype)
    z = AvgPool2d.apply(input, kernel, stride, padding, out_hw, divisor)
    return z.squeeze(0) if unbatched else z


def _as_2d(fn, input, name, *args, **kwargs):
    """A 1-D pooling as the 2-D one over a height-1 image: (N, C, L) -> (N, C, 1, L)."""
    if input.data.ndim not in (2, 3):  # torch's two messages
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{list(input.data.shape)}" if name == "max_pool1d" else
                           f"Expected 2 to 3 dimensions, but got {input.data.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")
    out = fn(input.unsqueeze(-2), *args, **kwargs)
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


def _one(v, fill):
    v = v if isinstance(v, int) else v[0]
    return (fill, v)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    stride = None if stride is None or stride == [] or stride == () else _one(stride, 1)
    k, p = _one(kernel_size, 1)[1], _one(padding, 0)[1]
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    return _as_2d(max_pool2d, input, "max_pool1d", _one(kernel_size, 1), stride, _one(padding, 0), _one(dilation, 1),
                  ceil_mode, return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    stride = None if stride is None or stride == [] or stride == () else _one(stride, 1)
    return _as_2d(avg_pool2d, input, "avg_pool1d", _one(kernel_size, 1), stride, _one(padding, 0), ceil_mode,
                  count_include_pad)
