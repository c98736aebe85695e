"""Convolution as im2col + one matmul, and its two adjoints.

A 2-D convolution reads, for each output pixel, a (C/groups, kh, kw) window of the zero-padded input: a strided
view of it (no copy) is laid out as columns (the im2col buffer) and multiplied by the weight in one matmul. The
derivative of z = conv(x, w) is linear in each argument:

    dx = conv_transpose(g, w)      (each output gradient spread back over its window, col2im)
    dw = conv_weight(x, g)         (each window correlated with the output gradient)

Those are Functions too (ConvTranspose, ConvWeight), and each one's backward is written with the other two, so every
order of derivative is a convolution of some kind and create_graph differentiates any of them.

Layouts: x (N, C, H, W), w (O, C/groups, kh, kw), z (N, O, Ho, Wo); `padding` is ((top, bottom), (left, right)).
Inside, the padded input is copied channels-last once, so the im2col copy reads runs of channels; with few channels
per group (a first layer on grayscale or RGB images) those runs are too short, and the columns are copied in
channels-first order instead, one strided copy per kernel offset, which also gives the output in (N, O, Ho, Wo)
order without a transpose (at 64x1x28x28 -> 16: forward 1.15 -> 0.28 ms, weight gradient 1.22 -> 0.40 ms).
Conv1d is conv2d on a height-1 image. The im2col buffer is bounded: at most _BLOCK elements are laid out at a time
(blocks of samples, or of output rows of one sample).
"""
import math
import threading

import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function, call
from .pad import pad as _pad

_BLOCK = 1 << 23  # elements of the im2col buffer at a time (32 MiB in float32)
_FEW = 8  # channels per group up to which the channels-first columns are faster (measured at 1, 3, 4, 8 and 16)
_scratch_buffers = threading.local()


def _scratch(slot, shape, dtype):
    """A reused work array for a temporary (the padded input, the im2col columns, the channels-last output). Fresh
    arrays of megabytes come from the OS as new pages, and faulting them in cost 3x the convolution itself (4.3 ms
    against 1.1 ms for 64x1x28x28 -> 16); the largest of each temporary seen so far is kept, per thread and dtype."""
    key, size = (slot, np.dtype(dtype).str), math.prod(shape)
    bufs = _scratch_buffers.__dict__
    buf = bufs.get(key)
    if buf is None or buf.size < size:
        buf = bufs[key] = np.empty(size, dtype)
    return buf[:size].reshape(shape)


def _nhwc_padded(x, padding):
    """The input zero-padded and channels-last, (N, Hp, Wp, C): one copy that pads and transposes, after which each
    window's (kh, kw, C) elements lie in runs of C, the fast order for the im2col copy."""
    (pt, pb), (pl, pr) = padding
    n, c, h, w = x.shape
    xp = _scratch("padded", (n, h + pt + pb, w + pl + pr, c), x.dtype)
    if pt or pb or pl or pr:
        xp.fill(0)
    xp[:, pt:pt + h, pl:pl + w] = x.transpose(0, 2, 3, 1)
    return xp


def _windows(xp, kernel, stride, dilation, out_hw, groups):
    """The channels-last padded input's windows as a view (no copy): (N, Ho, Wo, groups, kh, kw, C/groups)."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    (kh, kw), (s1, s2), (d1, d2), (ho, wo) = kernel, stride, dilation, out_hw
    cg = c // groups
    return np.lib.stride_tricks.as_strided(
        xp, (n, ho, wo, groups, kh, kw, cg), (sn, sh * s1, sw * s2, sc * cg, sh * d1, sw * d2, sc), writeable=False)


def _blocks(n, ho, per_row):
    """(samples, output rows) blocks whose im2col columns hold at most _BLOCK elements (one row at the least)."""
    if per_row * ho <= _BLOCK:
        step = max(1, _BLOCK // (per_row * ho))
        for n0 in range(0, n, step):
            yield slice(n0, min(n, n0 + step)), slice(0, ho)
    else:
        rows = max(1, _BLOCK // per_row)
        for n0 in range(n):
            for h0 in range(0, ho, rows):
                yield slice(n0, n0 + 1), slice(h0, min(ho, h0 + rows))


def _im2col(windows, groups, fresh=False):
    """The im2col copy of a block of windows (Nb, rows, Wo, g, kh, kw, C/g): (g, M, K) with M = Nb·rows·Wo output
    pixels and K = kh·kw·C/g, the window's elements in the weight matrix's order. `fresh`: a new array that may
    outlive the call (kept for the weight gradient), not the scratch one."""
    buf = np.empty(windows.shape, windows.dtype) if fresh else _scratch("columns", windows.shape, windows.dtype)
    np.copyto(buf, windows)
    return buf.reshape(-1, groups, math.prod(windows.shape[4:])).swapaxes(0, 1)


def _out_hw(hw, kernel, stride, padding, dilation):
    return tuple((n + p0 + p1 - d * (k - 1) - 1) // s + 1
                 for n, k, s, (p0, p1), d in zip(hw, kernel, stride, padding, dilation))


def _weight_matrix(w, groups):
    """(O, C/g, kh, kw) -> (g, kh·kw·C/g, O/g): the weight in the im2col columns' order."""
    o, cg, kh, kw = w.shape
    return w.reshape(groups, o // groups, cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(groups, kh * kw * cg, -1)


def _columns_nchw(x, padding, kernel, stride, dilation, out_hw, fresh=False):
    """For few channels: x's windows as columns (N, C, kh, kw, Ho, Wo), one strided copy of (N, C, Ho, Wo) per kernel
    offset (runs of Wo elements, where the channels-last copy moves runs of C); `fresh` as in _im2col."""
    (pt, pb), (pl, pr) = padding
    n, c, h, w = x.shape
    (kh, kw), (s1, s2), (d1, d2), (ho, wo) = kernel, stride, dilation, out_hw
    xp = x
    if pt or pb or pl or pr:
        xp = _scratch("padded", (n, c, h + pt + pb, w + pl + pr), x.dtype)
        xp.fill(0)
        xp[:, :, pt:pt + h, pl:pl + w] = x
    shape = (n, c, kh, kw, ho, wo)
    cols = np.empty(shape, x.dtype) if fresh else _scratch("columns", shape, x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i * d1:i * d1 + s1 * (ho - 1) + 1:s1, j * d2:j * d2 + s2 * (wo - 1) + 1:s2]
    return cols


def _sample_blocks(n, per_sample):
    """Slices of samples whose columns hold at most _BLOCK elements (one sample at the least)."""
    step = max(1, _BLOCK // per_sample)
    return [slice(n0, min(n, n0 + step)) for n0 in range(0, n, step)]


def _conv_few(x, w, stride, padding, dilation, groups, keep=None):
    """_conv for few channels per group: z[n, group] = w[group] (O/g, K) @ columns[n, group] (K, Ho·Wo)."""
    o, cg, kh, kw = w.shape
    n = x.shape[0]
    ho, wo = _out_hw(x.shape[2:], (kh, kw), stride, padding, dilation)
    wm = w.reshape(groups, o // groups, cg * kh * kw)  # each row in the columns' (c, i, j) order
    z = np.empty((n, o, ho, wo), np.result_type(x, w))
    blocks = _sample_blocks(n, x.shape[1] * kh * kw * ho * wo)
    for bn in blocks:
        cols = _columns_nchw(x[bn], padding, (kh, kw), stride, dilation, (ho, wo), fresh=_keeps(keep, blocks))
        if _keeps(keep, blocks):
            keep["columns"] = cols
        np.matmul(wm, cols.reshape(-1, groups, cg * kh * kw, ho * wo),
                  out=z[bn].reshape(-1, groups, o // groups, ho * wo))
    return z


def _conv_weight_few(x, g, w_shape, stride, padding, dilation, groups, columns=None):
    """_conv_weight for few channels per group: dw[group] = Σ_n g[n, group] (O/g, Ho·Wo) @ columns[n, group]ᵀ."""
    o, cg, kh, kw = w_shape
    n, _, ho, wo = g.shape
    dw = np.zeros((groups, o // groups, cg * kh * kw), np.result_type(x, g))
    for bn in _sample_blocks(n, x.shape[1] * kh * kw * ho * wo):
        cols = columns if columns is not None else _columns_nchw(x[bn], padding, (kh, kw), stride, dilation, (ho, wo))
        gb = g[bn].reshape(-1, groups, o // groups, ho * wo)
        dw += np.matmul(gb, cols.reshape(-1, groups, cg * kh * kw, ho * wo).swapaxes(2, 3)).sum(0)
    return dw.reshape(w_shape)


def _keeps(keep, blocks):
    """Whether the columns are kept for the weight gradient: asked for, and laid out in one block."""
    return keep is not None and len(blocks) == 1


def _conv(x, w, stride, padding, dilation, groups, keep=None):
    """z[n, o] = Σ_{c,i,j} w[o, c, i, j] · xpad[n, c, s·h + d·i, s·w + d·j]   (c within o's group)
    `keep`: a dict that receives the im2col columns when they fit in one block, for _conv_weight to reuse (torch's
    old CPU convolution kept its unfolded input between forward and backward the same way)."""
    o, cg, kh, kw = w.shape
    if cg <= _FEW:
        return _conv_few(x, w, stride, padding, dilation, groups, keep)
    n = x.shape[0]
    ho, wo = _out_hw(x.shape[2:], (kh, kw), stride, padding, dilation)
    cols = _windows(_nhwc_padded(x, padding), (kh, kw), stride, dilation, (ho, wo), groups)
    wm = _weight_matrix(w, groups)  # (g, K, O/g)
    z = _scratch("out", (n, ho, wo, groups, o // groups), np.result_type(x, w))  # channels-last while it is filled
    blocks = list(_blocks(n, ho, groups * kh * kw * cg * wo))
    for bn, bh in blocks:
        c = _im2col(cols[bn, bh], groups, fresh=_keeps(keep, blocks))
        if _keeps(keep, blocks):
            keep["columns"] = c
        zb = z[bn, bh]  # contiguous: whole rows of some samples, or some rows of one sample
        np.matmul(c, wm, out=zb.reshape(-1, groups, o // groups).swapaxes(0, 1))  # (g, M, K) @ (g, K, O/g)
    return z.reshape(n, ho, wo, o).transpose(0, 3, 1, 2).copy()  # a fresh NCHW array, never the scratch itself


def _conv_transpose(g, w, x_shape, stride, padding, dilation, groups):
    """dx: each output gradient spread over its window, g[n, o, h, w] · w[o, c, i, j] added at xpad[n, c, s·h + d·i,
    s·w + d·j] (col2im), then the padding cut away. One batched matmul gives, for each kernel offset (i, j), the
    contribution of every output pixel as a contiguous (M, C/g) block; each block is added to a shifted strided view."""
    o, cg, kh, kw = w.shape
    n, _, ho, wo = g.shape
    (pt, pb), (pl, pr) = padding
    (s1, s2), (d1, d2) = stride, dilation
    og = o // groups
    dtype = np.result_type(g, w)
    xp = _scratch("spread", (n, x_shape[2] + pt + pb, x_shape[3] + pl + pr, groups, cg), dtype)
    xp.fill(0)
    wk = w.reshape(groups, og, cg, kh * kw).transpose(0, 3, 1, 2)  # (g, kh·kw, O/g, C/g)
    gl = g.transpose(0, 2, 3, 1).reshape(n, ho, wo, groups, og)  # channels-last view
    for bn, bh in _blocks(n, ho, groups * kh * kw * cg * wo):
        rows = bh.stop - bh.start
        gb = gl[bn, bh].reshape(-1, groups, og).swapaxes(0, 1)[:, None]  # (g, 1, M, O/g)
        parts = np.matmul(gb, wk, out=_scratch("parts", (groups, kh * kw, gb.shape[2], cg), dtype))  # (g, 1, M, O/g)
        # @ (g, kh·kw, O/g, C/g) -> (g, kh·kw, M, C/g)
        parts = parts.reshape(groups, kh * kw, -1, rows, wo, cg).transpose(1, 2, 3, 4, 0, 5)  # (kh·kw, Nb, rows,
        for i in range(kh):                                                                  #  Wo, g, C/g)
            top = i * d1 + bh.start * s1
            for j in range(kw):
                left = j * d2
                xp[bn, top:top + s1 * (rows - 1) + 1:s1, left:left + s2 * (wo - 1) + 1:s2] += parts[i * kw + j]
    xp = xp[:, pt:pt + x_shape[2], pl:pl + x_shape[3]].reshape(n, x_shape[2], x_shape[3], groups * cg)
    return xp.transpose(0, 3, 1, 2).copy()  # a fresh NCHW array, never the scratch itself


def _conv_weight(x, g, w_shape, stride, padding, dilation, groups, columns=None):
    """dw[o, c, i, j] = Σ_{n,h,w} g[n, o, h, w] · xpad[n, c, s·h + d·i, s·w + d·j]; `columns`: the forward's, when it
    kept them (one block)"""
    o, cg, kh, kw = w_shape
    if cg <= _FEW:
        return _conv_weight_few(x, g, w_shape, stride, padding, dilation, groups, columns)
    n, _, ho, wo = g.shape
    gl = g.transpose(0, 2, 3, 1).reshape(n, ho, wo, groups, o // groups)
    dw = np.zeros((groups, kh * kw * cg, o // groups), np.result_type(x, g))
    if columns is not None:
        dw += np.matmul(columns.swapaxes(1, 2), gl.reshape(-1, groups, o // groups).swapaxes(0, 1))
        return dw.reshape(groups, kh, kw, cg, o // groups).transpose(0, 4, 3, 1, 2).reshape(w_shape)
    cols = _windows(_nhwc_padded(x, padding), (kh, kw), stride, dilation, (ho, wo), groups)
    for bn, bh in _blocks(n, ho, groups * kh * kw * cg * wo):
        c = _im2col(cols[bn, bh], groups)
        gb = gl[bn, bh].reshape(-1, groups, o // groups).swapaxes(0, 1)  # (g, M, O/g)
        dw += np.matmul(c.swapaxes(1, 2), gb)  # (g, K, M) @ (g, M, O/g)
    return dw.reshape(groups, kh, kw, cg, o // groups).transpose(0, 4, 3, 1, 2).reshape(w_shape)


class Convolution(Function):
    """z = conv(x, w) + b;   dx = conv_transpose(g, w),   dw = conv_weight(x, g),   db = Σ_{n,h,w} g"""

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
        ctx.save_for_backward(x, w)
        ctx.options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        ctx.kept = {} if ctx.needs_input_grad[1] else None  # the columns, for the weight gradient
        z = _conv(x, w, stride, padding, dilation, groups, ctx.kept)
        if b is not None:
            z += b.reshape(-1, 1, 1)
        return z

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = call(ConvTranspose, g, w, x_shape=x.shape, **ctx.options) if need[0] else None
        # a plain backward reuses forward's columns (a create_graph one differentiates ConvWeight in x: no shortcut)
        columns = ctx.kept.get("columns") if need[1] and type(x) is np.ndarray else None
        gw = call(ConvWeight, x, g, w_shape=w.shape, columns=columns, **ctx.options) if need[1] else None
        gb = np.sum(g, axis=(0, 2, 3)) if len(need) > 2 and need[2] else None
        return gx, gw, gb


class ConvTranspose(Function):
    """z = conv_transpose(g, w), the adjoint of x ↦ conv(x, w):  ⟨conv_transpose(g, w), x⟩ = ⟨g, conv(x, w)⟩, so
    d/dg = conv(gg, w),   d/dw = conv_weight(gg, g)"""

    @staticmethod
    def forward(ctx, g, w, x_shape, stride, padding, dilation, groups):
        ctx.save_for_backward(g, w)
        ctx.options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return _conv_transpose(g, w, x_shape, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        dg = call(Convolution, gg, w, **ctx.options) if need[0] else None
        dw = call(ConvWeight, gg, g, w_shape=w.shape, **ctx.options) if need[1] else None
        return dg, dw


class ConvWeight(Function):
    """z = conv_weight(x, g), with ⟨conv_weight(x, g), v⟩ = ⟨g, conv(x, v)⟩ = ⟨conv_transpose(g, v), x⟩, so
    d/dx = conv_transpose(g, gg),   d/dg = conv(x, gg)"""

    @staticmethod
    def forward(ctx, x, g, w_shape, stride, padding, dilation, groups, columns=None):
        ctx.save_for_backward(x, g)
        ctx.options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return _conv_weight(x, g, w_shape, stride, padding, dilation, groups, columns)

    @staticmethod
    def backward(ctx, gg):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        dx = call(ConvTranspose, g, gg, x_shape=x.shape, **ctx.options) if need[0] else None
        dg = call(Convolution, x, gg, **ctx.options) if need[1] else None
        return dx, dg


# ---- the torch-level functions: torch's argument forms and checks ------------------------------------------------
def _tuple(v, n, name):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={list(v)}")
    return v


def _same_padding(kernel, dilation):
    """'same': total d·(k-1) per dim, the odd one extra at the end (torch's choice)."""
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))


def _check(name, dims, x, w, b, padding, groups):
    """torch's checks of conv{dims}d's arguments, in its words."""
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(x.shape)}")
    if w.ndim != dims + 2:
        raise RuntimeError(f"weight should have at least three dimensions, but got weight of size {list(w.shape)}"
                           if w.ndim < 3 else
                           f"expected stride to be a single integer value or a list of {w.ndim - 2} values to match "
                           f"the convolution dimensions, but got stride={[1] * dims}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(w.shape)}] instead")
    xs = x.shape if x.ndim == dims + 2 else (1,) + x.shape
    if xs[1] != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input{list(xs)} to have "
                           f"{w.shape[1] * groups} channels, but got {xs[1]} channels instead")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type(x.dtype)} but found {_scalar_type(w.dtype)}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_scalar_type(x.dtype).lower()}) and bias type "
                           f"({_scalar_type(b.dtype).lower()}) should be the same")
    if b is not None and (b.ndim != 1 or b.shape[0] != w.shape[0]):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{w.shape[0]} elements, but got bias of size {list(b.shape)} instead")
    if not isinstance(padding, str):
        padded = [n + p0 + p1 for n, (p0, p1) in zip(xs[2:], padding)]
        if any(p < k for p, k in zip(padded, w.shape[2:])):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                               f"size: ({' x '.join(map(str, w.shape[2:]))}). Kernel size can't be greater than "
                               "actual input size")


def _conv_nd(name, dims, input, weight, bias, stride, padding, dilation, groups):
    """conv1d and conv2d: checks, then Convolution on a batched 4-D input (a height-1 image for conv1d)."""
    x, w = input.data, weight.data
    stride, dilation = _tuple(stride, dims, "stride"), _tuple(dilation, dims, "dilation")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = _same_padding(w.shape[2:], dilation) if padding == "same" else ((0, 0),) * dims
    else:
        pads = tuple((p, p) for p in _tuple(padding, dims, "padding"))
    _check(name, dims, x, w, None if bias is None else bias.data, pads, groups)
    unbatched = x.ndim == dims + 1
    if unbatched:
        input = input.unsqueeze(0)
    if dims == 1:  # (N, C, L) as (N, C, 1, L)
        input, weight = input.unsqueeze(2), weight.unsqueeze(2)
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
    args = (input, weight) if bias is None else (input, weight, bias)
    z = Convolution.apply(*args, stride=stride, padding=pads, dilation=dilation, groups=groups)
    if dims == 1:
        z = z.squeeze(2)
    return z.squeeze(0) if unbatched else z


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """z[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c], over the input channels of o's group; padding is an int, a pair, 'same'
    or 'valid' (zeros; nn.Conv2d pads other ways with F.pad first)."""
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d on (N, C, 1, L): the same Functions, one row high."""
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv_padded(input, weight, bias, stride, padding, dilation, groups, padding_mode, dims):
    """nn.Conv*d's forward for padding_mode reflect / replicate / circular: F.pad that way, then a 'valid' conv."""
    if isinstance(padding, str):  # 'same' (valid has nothing to pad)
        pads = _same_padding(weight.shape[2:], _tuple(dilation, dims, "dilation")) if padding == "same" else ()
    else:
        pads = tuple((p, p) for p in _tuple(padding, dims, "padding"))
    flat = [p for pair in reversed(pads) for p in pair]  # F.pad's order: the last dim first
    if math.prod(1 + p for p in flat) > 1:
        input = _pad(input, flat, mode=padding_mode)
    return _conv_nd(f"conv{dims}d", dims, input, weight, bias, stride, 0, dilation, groups)
