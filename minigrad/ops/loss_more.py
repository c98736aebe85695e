"""The other losses of nn.functional: regression (smooth_l1, huber), distributions (kl_div, poisson_nll,
gaussian_nll) and margins (margin_ranking, hinge_embedding, soft_margin, multilabel_soft_margin, multilabel_margin,
multi_margin, cosine_embedding, triplet_margin).

Each is a composition of differentiable ops written as torch's ATen (or its Python) writes it, so values, gradients
and second derivatives follow from ops that are checked on their own; the reductions are torch's
apply_loss_reduction ("mean" of the elements, "sum", or "none").
"""
import builtins
import math
import warnings

import numpy as np

from .._dtype import scalar_type
from ..autograd import grad_mode
from ..tensor import Tensor
from .activation import Softplus, logsigmoid
from .compare import clamp, minimum, where
from .embedding import pairwise_distance
from .indexing import gather
from .loss import _legacy_reduction, _reduction
from .loss_elementwise import _size_warning, l1_loss
from .pointwise import abs, exp, log
from .reduction import sum


def _reduced(loss, reduction):
    """torch's apply_loss_reduction on a Tensor of per-element losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _enum(size_average, reduce, reduction):
    """The reduction torch's C++ losses get: the legacy pair wins; an unknown name is a ValueError."""
    return _reduction(size_average, reduce, reduction)


def _broadcast(input, target):
    shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    return input.expand(*shape), target.expand(*shape)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d² / β where |d| < β, else |d| - 0.5 β (d = input - target); β = 0 is l1_loss."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    input, target = _broadcast(input, target)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    reduction = _reduction(None, None, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    a = abs(d)
    return _reduced(where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d² where |d| < δ, else δ (|d| - 0.5 δ)  (smooth_l1 times δ, with β = δ)."""
    _size_warning(input, target)
    input, target = _broadcast(input, target)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    if weight is None:
        reduction = _reduction(None, None, reduction)
    elif reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = input - target
    a = abs(d)
    loss = where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduced(loss, reduction)


def _xlogy_self(t):
    """t log t, and 0 where t = 0 (torch's xlogy(t, t))."""
    zero = t == 0
    return t * log(where(zero, 1.0, t))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL: t (log t - input), or e^t (t - input) with log_target; "batchmean" divides the sum by N."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction != "batchmean":
            reduction = _reduction(None, None, reduction)
    if log_target:
        loss = exp(target) * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduced(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """e^input - target · input (log_input), or input - target log(input + eps); `full` adds Stirling's
    t log t - t + ½ log(2π t) where t > 1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        big = target > 1
        t = where(big, target, 2.0)  # a safe stand-in where the term is dropped
        stirling = t * log(t) - t + log(t * (2 * math.pi)) * 0.5
        loss = loss + where(big, stirling, 0.0)
    return _reduced(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """½ (log max(var, eps) + (input - target)² / max(var, eps)) (+ ½ log 2π when full); the clamp is invisible to
    the gradient, as torch clamps under no_grad."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input * 0.0 + var
    elif (var.data < 0).any():
        raise ValueError("var has negative entry/entries")
    vs, xs = tuple(var.shape), tuple(input.shape)
    if vs != xs:
        if xs[:-1] == vs:
            var = var.unsqueeze(-1)
        elif len(xs) == len(vs) and builtins.sum(y for x, y in zip(xs, vs) if x != y) == 1:
            pass  # heteroscedastic: one dim of var is 1
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    with grad_mode.no_grad():
        shift = clamp(var, min=eps) - var
    var = var + shift
    d = input - target
    loss = (log(var) + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduced(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target (input1 - input2) + margin)"""
    reduction = _enum(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduced(clamp(-target * (input1 - input2) + margin, min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where target = 1, max(0, margin - x) where target = -1 (torch adds both terms, by target != ∓1)"""
    reduction = _enum(size_average, reduce, reduction)
    output_margin = where(target != 1, clamp(margin - input, min=0), 0.0)
    output_self = where(target != -1, input, 0.0)
    return _reduced(output_margin + output_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + e^(-target · input)), as a softplus that cannot overflow"""
    reduction = _enum(size_average, reduce, reduction)
    return _reduced(Softplus.apply(-input * target, 1.0, math.inf), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log σ(x) + (1 - t) log σ(-x)), weighted, averaged over the classes (the last dim), then reduced"""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = sum(loss, dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduced(loss, reduction)


def _long_target(target):
    if target.data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type(target.data.dtype)}")
    return target.data


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Σ_{j in y} Σ_{k not in y} max(0, 1 - (x_{y_j} - x_k)) / C per sample, where y is the target's prefix of
    class indices before the first -1; as a masked (N, C, C) hinge over all class pairs"""
    reduction = _enum(size_average, reduce, reduction)
    t = _long_target(target)
    if input.ndim > 2 or input.shape != target.shape or (input.ndim == 2 and input.shape[0] == 0):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(input.shape)}")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t2 = t.reshape(x.shape)
    n, c = x.shape
    if t2.size and (t2.min() < -1 or t2.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    counts = np.zeros((n, c), x.data.dtype)  # how often each class is listed before the first -1
    for i in range(n):
        row = t2[i]
        stop = np.argmax(row < 0) if (row < 0).any() else c
        np.add.at(counts[i], row[:stop], 1)
    pairs = counts[:, :, None] * (counts == 0)[:, None, :]  # (N, j, k): target class j against non-target k
    hinge = clamp(1 - x.unsqueeze(2) + x.unsqueeze(1), min=0)  # 1 - (x_j - x_k)
    loss = sum(hinge * pairs, dim=(1, 2)) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduced(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Σ_{j ≠ y} max(0, margin - x_y + x_j)^p (times weight[y]) / C per sample"""
    reduction = _enum(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    t = _long_target(target)
    x = input if input.ndim == 2 else input.reshape(1, -1)
    n, c = x.shape
    if t.reshape(-1).shape[0] != n or (input.ndim == 2 and t.ndim != 1):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got {list(t.shape)}. Input has "
                           f"shape {list(input.shape)}.")
    t = t.reshape(-1)
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    x_y = gather(x, 1, Tensor._make(t[:, None], None))  # (N, 1)
    h = clamp(margin - x_y + x, min=0)
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight.data[t][:, None]
    others = (np.arange(c) != t[:, None]).astype(x.data.dtype)  # j ≠ y
    loss = sum(h * others, dim=1) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduced(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target = 1, max(0, cos - margin) where target = -1; cos with ‖·‖² + 1e-12"""
    reduction = _enum(size_average, reduce, reduction)
    d = target.ndim
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if d == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if d == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    prod = sum(input1 * input2, dim=d)
    mag1 = sum(input1 * input1, dim=d) + 1e-12
    mag2 = sum(input2 * input2, dim=d) + 1e-12
    cos = prod / (mag1 * mag2) ** 0.5
    pos = where(target == 1, 1 - cos, 0.0)
    neg = where(target == -1, clamp(cos - margin, min=0), 0.0)
    return _reduced(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with pairwise distances; swap uses min(d(a, n), d(p, n))"""
    reduction = _enum(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduced(clamp(d_pos - d_neg + margin, min=0), reduction)
