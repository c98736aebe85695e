"""Exercises 15-18: layer norm, batch norm, max-pool, conv2d. Their forwards are written here in NumPy; the checker
differentiates the same computation composed of minigrad ops (mean, var, reshape, amax, slicing, stack, matmul)."""
import numpy as np

from ..autograd.function import Function
from .basic import _r
from .catalog import Case, Exercise, register
from .helpers import sum_to


def _ln_cases(rng):
    return [Case((_r(rng, 3, 5), 1 + _r(rng, 5), _r(rng, 5))), Case((_r(rng, 4, 2), 1 + _r(rng, 2), _r(rng, 2))),
            Case((_r(rng, 4, 4), 1 + _r(rng, 4), _r(rng, 4)), square=True),
            Case((_r(rng, 2, 3, 6), 1 + _r(rng, 6), _r(rng, 6)))]


class LayerNorm(Function):
    """z = (x - mean) / sqrt(var + eps) * weight + bias, the statistics over the last dim (D); weight, bias (D,)"""

    @staticmethod
    def forward(ctx, x, weight, bias, eps=1e-5):
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # biased, as torch's layer_norm
        rstd = 1 / np.sqrt(var + eps)
        xhat = (x - mu) * rstd
        ctx.save_for_backward(xhat, rstd, weight)
        return xhat * weight + bias

    @staticmethod
    def backward(ctx, g):
        """With d = g * weight: dx = rstd * (d - mean(d) - xhat * mean(d * xhat)), means over the last dim (the
        mean and the variance both depend on every x of the row); dweight = Σ g * xhat; dbias = Σ g"""
        xhat, rstd, weight = ctx.saved_tensors
        d = g * weight
        dx = rstd * (d - d.mean(axis=-1, keepdims=True) - xhat * (d * xhat).mean(axis=-1, keepdims=True))
        return dx, sum_to(g * xhat, weight.shape), sum_to(g, weight.shape)


def _ln_composed(lib, x, w, b, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True, correction=0)
    return (x - mu) / (var + eps).sqrt() * w + b


register(Exercise(
    "layer_norm", "layer norm", LayerNorm, _ln_cases, _ln_composed,
    torch=lambda torch, x, w, b, eps=1e-5: torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps),
    math="z = layer_norm(x) * weight + bias", formulas=("dx = rstd * (d - mean(d) - xhat * mean(d * xhat))",
                                                        "dweight = Σ g * xhat", "dbias = Σ g"),
    sizes=lambda case: [(case.inputs[0].shape[-1], "the statistics average over the D features of a row")],
    hints=["weight and bias are a broadcast mul and add: their gradients are sums over the rows.",
           "For x, set d = g * weight and differentiate xhat = (x - mean) * rstd: mean and rstd depend on x too.",
           "dx = rstd * (d - d.mean(-1, keepdims=True) - xhat * (d * xhat).mean(-1, keepdims=True))."]))


def _bn_cases(rng):
    return [Case((_r(rng, 6, 3), 1 + _r(rng, 3), _r(rng, 3))), Case((_r(rng, 4, 4), 1 + _r(rng, 4), _r(rng, 4)),
                                                                    square=True),
            Case((_r(rng, 2, 3, 2, 2), 1 + _r(rng, 3), _r(rng, 3))), Case((_r(rng, 5, 2), 1 + _r(rng, 2), _r(rng, 2)))]


class BatchNorm(Function):
    """Training-mode batch norm: the statistics of each channel (dim 1) over the batch and any spatial dims;
    x (N, C) or (N, C, H, W); weight, bias (C,)"""

    @staticmethod
    def forward(ctx, x, weight, bias, eps=1e-5):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)  # (C,) -> (1, C, 1, 1): one value per channel
        mu = x.mean(axis=axes, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)  # biased, as torch normalizes with
        rstd = 1 / np.sqrt(var + eps)
        xhat = (x - mu) * rstd
        ctx.save_for_backward(xhat, rstd, weight)
        ctx.axes = axes
        return xhat * weight.reshape(shape) + bias.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        """Layer norm's formula with the means over ctx.axes (the batch and spatial dims) instead of the last one"""
        xhat, rstd, weight = ctx.saved_tensors
        axes = ctx.axes
        d = g * weight.reshape((1, -1) + (1,) * (g.ndim - 2))
        dx = rstd * (d - d.mean(axis=axes, keepdims=True) - xhat * (d * xhat).mean(axis=axes, keepdims=True))
        return dx, (g * xhat).sum(axis=axes), g.sum(axis=axes)


def _bn_composed(lib, x, w, b, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(dim=axes, keepdim=True)
    var = x.var(dim=axes, keepdim=True, correction=0)
    return (x - mu) / (var + eps).sqrt() * w.reshape(shape) + b.reshape(shape)


def _bn_sizes(case):
    x = case.inputs[0]
    return [(x.size // x.shape[1], "the batch statistics average over N·H·W values per channel")]


register(Exercise(
    "batch_norm", "batch norm", BatchNorm, _bn_cases, _bn_composed,
    torch=lambda torch, x, w, b, eps=1e-5: torch.nn.functional.batch_norm(x, None, None, w, b, True, 0.1, eps),
    math="z = batch_norm(x) * weight + bias", formulas=("dx = rstd * (d - mean(d) - xhat * mean(d * xhat))",
                                                        "dweight = Σ g * xhat", "dbias = Σ g"),
    sizes=_bn_sizes,
    hints=["It is layer norm turned sideways: the statistics run over the batch (and H, W) for each channel.",
           "Reuse the layer-norm formula with means over axes (0, 2, 3, ...) instead of the last axis.",
           "weight and bias are (C,): sum g * xhat and g over every axis but 1."]))


def _pool_cases(rng):
    return [Case((_r(rng, 2, 3, 4, 4),), {"kernel_size": 2}, square=True),
            Case((_r(rng, 1, 2, 4, 6),), {"kernel_size": 2}), Case((_r(rng, 2, 1, 6, 3),), {"kernel_size": 3}),
            Case((_r(rng, 1, 2, 6, 9),), {"kernel_size": 3})]


class MaxPool2d(Function):
    """z = the max of each k×k window, windows not overlapping (stride k); x (N, C, H, W) with H, W multiples of k"""

    @staticmethod
    def forward(ctx, x, kernel_size):
        k = kernel_size
        n, c, h, w = x.shape
        windows = x.reshape(n, c, h // k, k, w // k, k)  # (N, C, H/k, k, W/k, k)
        z = windows.max(axis=(3, 5))
        ctx.mask = windows == z[:, :, :, None, :, None]  # where each window's max sits
        ctx.shape = x.shape
        return z

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 at each window's max, 0 elsewhere: g is routed to the winner"""
        return (ctx.mask * g[:, :, :, None, :, None]).reshape(ctx.shape)


def _pool_composed(lib, x, kernel_size):
    k = kernel_size
    n, c, h, w = x.shape
    return x.reshape(n, c, h // k, k, w // k, k).amax(dim=(3, 5))


register(Exercise(
    "max_pool2d", "max-pool", MaxPool2d, _pool_cases, _pool_composed,
    torch=lambda torch, x, kernel_size: torch.nn.functional.max_pool2d(x, kernel_size),
    math="z = max_pool2d(x, k)", formulas=("dx = g at each window's max, 0 elsewhere",),
    hints=["Only the largest value of each window changes the output.",
           "forward kept a mask of where the max sits, in the (N, C, H/k, k, W/k, k) layout.",
           "(mask * g[:, :, :, None, :, None]).reshape(x.shape)."]))


def _conv_cases(rng):
    return [Case((_r(rng, 2, 3, 5, 5), _r(rng, 4, 3, 3, 3), _r(rng, 4))),
            Case((_r(rng, 1, 2, 4, 6), _r(rng, 3, 2, 2, 3), _r(rng, 3))),
            Case((_r(rng, 2, 2, 4, 4), _r(rng, 2, 2, 2, 2), _r(rng, 2)), square=True),
            Case((_r(rng, 1, 3, 3, 5), _r(rng, 2, 3, 3, 3), _r(rng, 2)))]


class Conv2d(Function):
    """z[n, o] = Σ_c x[n, c] ⋆ weight[o, c] + bias[o]: stride 1, no padding; x (N, C, H, W), weight (O, C, kh, kw),
    bias (O,) -> z (N, O, H - kh + 1, W - kw + 1)"""

    @staticmethod
    def forward(ctx, x, weight, bias):
        kh, kw = weight.shape[2:]
        cols = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # (N, C, Ho, Wo, kh, kw)
        ctx.save_for_backward(x, weight)
        return np.einsum("nchwij,ocij->nohw", cols, weight) + bias[None, :, None, None]

    @staticmethod
    def backward(ctx, g):
        """dweight[o, c, i, j] = Σ g[n, o, h, w] x[n, c, h + i, w + j];  dbias = Σ g;  dx: each weight tap (i, j)
        adds g, mixed back to the C channels, into the window it read from (a full correlation with the flipped
        kernel)"""
        x, weight = ctx.saved_tensors
        kh, kw = weight.shape[2:]
        ho, wo = g.shape[2:]
        cols = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
        dweight = np.einsum("nchwij,nohw->ocij", cols, g)
        dx = np.zeros_like(x)
        for i in range(kh):  # kh * kw taps, each one einsum over the whole batch
            for j in range(kw):
                dx[:, :, i:i + ho, j:j + wo] += np.einsum("nohw,oc->nchw", g, weight[:, :, i, j])
        return dx, dweight, g.sum(axis=(0, 2, 3))


def _conv_composed(lib, x, w, b):
    """im2col from slices and stack, then one batched matmul: (O, C·k) @ (N, C·k, Ho·Wo) -> (N, O, Ho·Wo)"""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    cols = lib.stack([x[:, :, i:i + ho, j:j + wo] for i in range(kh) for j in range(kw)], dim=2)
    z = w.reshape(o, c * kh * kw) @ cols.reshape(n, c * kh * kw, ho * wo)
    return z.reshape(n, o, ho, wo) + b.reshape(1, o, 1, 1)


register(Exercise(
    "conv2d", "conv2d", Conv2d, _conv_cases, _conv_composed,
    torch=lambda torch, x, w, b: torch.nn.functional.conv2d(x, w, b),
    math="z = conv2d(x, weight) + bias", formulas=("dx = g correlated with the flipped weight (full)",
                                                   "dweight = g correlated with x", "dbias = Σ g over N, H, W"),
    hints=["bias is broadcast over N, H and W: sum g over those axes.",
           "With the windows cols (N, C, Ho, Wo, kh, kw), forward is one einsum: so is dweight, with g in place of "
           "weight.",
           "For dx, loop over the kh·kw taps: tap (i, j) read x[:, :, i:i+Ho, j:j+Wo]; add g mixed by "
           "weight[:, :, i, j] there.",
           "dx[:, :, i:i+Ho, j:j+Wo] += np.einsum('nohw,oc->nchw', g, weight[:, :, i, j])."]))
