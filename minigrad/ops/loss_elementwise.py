"""The elementwise losses: binary cross-entropy (on probabilities and on logits), mean squared error, L1. Each
Function (its loss per element, its derivatives), then the torch-level function with torch's checks."""
import warnings

import numpy as np

from ..autograd.function import Function, call
from ._promote import _broadcast_check
from .loss import _as_t, _floats, _legacy_reduction, _name, _reduce, _reduction, _scale
from .pointwise import Sigmoid, abs
from .reduction import sum


class BinaryCrossEntropy(Function):
    """BCE on probabilities x in [0, 1], each log clamped at -100 as torch does:
        l = -w (t log x + (1 - t) log(1 - x))
        dl/dx = w (x - t) / max(x (1 - x), 1e-12),     dl/dt = -w logit(x) = w (log(1 - x) - log x)
    """

    @staticmethod
    def forward(ctx, x, t, weight=None, reduction="mean"):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = (t - 1) * log_1mx - t * log_x
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, t)
        ctx.weight, ctx.reduction, ctx.n = weight, reduction, x.size
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        g = _scale(g, ctx.reduction, ctx.n)
        if ctx.weight is not None:
            g = g * ctx.weight
        gx = g * (x - t) / np.maximum((1 - x) * x, 1e-12)
        with np.errstate(divide="ignore"):
            gt = -g * np.log(x / (1 - x))
        return gx, gt


def _elementwise_weight(weight, input, what="weight"):
    """A weight broadcast against the input, as an array of the input's dtype."""
    if weight is None:
        return None
    w = weight.data.astype(input.data.dtype, copy=False)
    try:
        np.broadcast_shapes(w.shape, input.data.shape)
    except ValueError:
        raise RuntimeError(f"{what} of shape {list(w.shape)} cannot be broadcast to the input's shape "
                           f"{list(input.data.shape)}") from None
    return w


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1]; each log clamped at -100."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if input.data.dtype != target.data.dtype:
        raise RuntimeError(f"Found dtype {_name(target)} but expected {_name(input)}")
    x = input.data
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    return BinaryCrossEntropy.apply(input, target, weight=_elementwise_weight(weight, input), reduction=reduction)


class BinaryCrossEntropyWithLogits(Function):
    """BCE on logits x, stable for any |x| (softplus(-x) = log(1 + e^-|x|) + max(-x, 0)), with pos_weight p:
        l = w ((1 - t) x + (1 + (p - 1) t) softplus(-x))
        dl/dx = w ((p t + 1 - t) σ(x) - p t),     dl/dt = w (-x + (p - 1) softplus(-x))
    Without pos_weight (p = 1): dl/dx = w (σ(x) - t), dl/dt = -w x.
    """

    @staticmethod
    def forward(ctx, x, t, weight=None, pos_weight=None, reduction="mean"):
        softplus_neg = _softplus_neg(x)
        if pos_weight is None:
            loss = (1 - t) * x + softplus_neg
        else:
            loss = (1 - t) * x + ((pos_weight - 1) * t + 1) * softplus_neg
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, t)
        ctx.weight, ctx.pos_weight, ctx.reduction, ctx.n = weight, pos_weight, reduction, x.size
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        g = _scale(g, ctx.reduction, ctx.n)
        if ctx.weight is not None:
            g = g * ctx.weight
        sig = call(Sigmoid, x)
        pw = ctx.pos_weight
        if pw is None:
            return g * (sig - t), g * -x
        pt = pw * t
        return g * ((pt + 1 - t) * sig - pt), g * ((pw - 1) * _softplus_neg(x) - x)


def _softplus_neg(x):
    """log(1 + e^-x), for any magnitude of x."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """BCE on logits, stable for any magnitude; `pos_weight` (broadcast over the last, class, dim) weighs positives."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    input, target = _floats(input, target)
    ref = _as_t(input)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight=_elementwise_weight(weight, ref), reduction=reduction,
        pos_weight=_elementwise_weight(pos_weight, ref, "pos_weight"))


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _weighted(errors, weight, input, reduction):
    """torch's weighted mse/l1: Σ w e / Σ w for "mean"."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    weighted = errors * weight
    if reduction == "none":
        return weighted
    return sum(weighted) if reduction == "sum" else sum(weighted) / sum(weight)


class MseLoss(Function):
    """l = (x - t)²;   dl/dx = 2 (x - t),   dl/dt = -2 (x - t)   (x and t broadcast together)"""

    @staticmethod
    def forward(ctx, x, t, reduction="mean"):
        d = x - t
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.n = reduction, d.size
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gd = (2 * _scale(g, ctx.reduction, ctx.n)) * (x - t)
        return gd, -gd


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)², reduced; input and target broadcast together (with torch's warning)."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _broadcast_check(input, target)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    return MseLoss.apply(*_floats(input, target), reduction=reduction)


class L1Loss(Function):
    """l = |x - t|;   dl/dx = sign(x - t),   dl/dt = -sign(x - t)"""

    @staticmethod
    def forward(ctx, x, t, reduction="mean"):
        d = x - t
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.n = reduction, d.size
        return _reduce(np.abs(d), reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gd = _scale(g, ctx.reduction, ctx.n) * np.sign(x - t)
        return gd, -gd


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|, reduced; input and target broadcast together (with torch's warning)."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _broadcast_check(input, target)
    if weight is not None:
        return _weighted(abs(input - target), weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    return L1Loss.apply(*_floats(input, target), reduction=reduction)
