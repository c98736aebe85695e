"""The classification losses: cross-entropy (class indices or probabilities) and the negative log-likelihood.

A loss is one node rather than a chain of small ones because its backward collapses to one short formula
(cross-entropy: softmax minus the target) that is both faster and better conditioned than differentiating through
log, exp and sums separately. The formula is still made of differentiable pieces (the softmax is recomputed from
the saved logits by the Softmax Function; the target part is a constant), so it differentiates again.

Conventions: `reduction` is "none" | "sum" | "mean"; `_scale` turns the incoming gradient of the reduced loss into a
per-element gradient. Every array a formula meets is cast to the input's dtype first, so float32 stays float32.
"""
import warnings

import numpy as np

from .._dtype import scalar_type
from ..autograd.function import Function, call
from ..tensor import Tensor
from ._promote import _operands
from .softmax import LogSoftmax, Softmax, shifted_logsumexp


def _name(t):
    """torch's scalar type name of a tensor's dtype: Float, Double, Long, ..."""
    return scalar_type(t.data.dtype)


def _reduce(loss, reduction, denominator=None):
    """The loss per element -> "none": as is, "sum": Σ, "mean": Σ / denominator (default: the element count)."""
    if reduction == "none":
        return loss
    total = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(total)
    n = loss.dtype.type(loss.size if denominator is None else denominator)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty batch gives nan, as in torch
        return np.asarray(total / n)


def _scale(g, reduction, denominator):
    """The gradient reaching each element's loss: g itself ("none"), or the scalar g (/ denominator for "mean";
    the denominator is a Python number or a scalar of the input's dtype, so float32 stays float32)."""
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return g / denominator
    return g


def _rows(x):
    """(N, C, d1, ...) or (C,) or (N, C) as a (rows, C) matrix with the classes last (a copy only for >2 dims)."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x[None, :]
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g2, shape):
    """The inverse of `_rows`: (rows, C) back to the input's layout."""
    if len(shape) == 2:
        return g2
    if len(shape) == 1:
        return g2[0]
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g2.reshape(moved), -1, 1)


def _legacy_reduction(size_average, reduce):
    """The deprecated (size_average, reduce) pair as a `reduction` string, with torch's warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _class_weight(weight, input, n_classes):
    """The per-class weight as an array of the input's dtype, checked like torch checks it."""
    if weight is None:
        return None
    if weight.data.ndim != 1 or weight.data.shape[0] != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.data.shape)}")
    if weight.data.dtype != input.data.dtype:
        raise RuntimeError(f"expected scalar type {_name(input)} but found {_name(weight)}")
    return weight.data


def _float_input(fn, kernel, input):
    """Integer logits: torch's NotImplementedError (its kernel has no integer version), with what to do."""
    if input.data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_name(input)}\': {fn} needs floating-point '
                                  f"input; convert it with input.float()")


def _class_targets(input, target, ignore_index):
    """Check class-index targets against the input (N, C, d1, ...) or (C,); return them as an int64 array."""
    x, t = input.data, target.data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_name(target)}")
    if x.ndim == 1:
        if t.size != 1 or t.ndim > 1:
            raise RuntimeError(f"Expected target size [], got {list(t.shape)}")
    else:
        if t.ndim and x.shape[0] != t.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
        if x.ndim == 2 and t.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 4 and t.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                               f"{t.ndim}")
        expected = (x.shape[0],) + x.shape[2:]
        if t.shape != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    t = t.astype(np.int64, copy=False)
    if t.size and (t.min() < 0 or t.max() >= n_classes):  # then look closer: ignore_index may be the reason
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {t.reshape(-1)[np.argmax(bad.reshape(-1))]} is out of bounds.")
    return t, n_classes


def _floats(input, target):
    """input and target in their promoted float dtype (a cast that keeps gradients flowing where needed)."""
    if input.data.dtype == target.data.dtype:
        return input, target
    x, t = _operands(input, target)
    if isinstance(x, Tensor) and x.data.dtype.kind not in "f":
        x = x.float()
    return x, t


class CrossEntropy(Function):
    """Cross-entropy with class indices: log-softmax and the negative log-likelihood in one node.

    With logp = log softmax(x) over the classes, class weights w and label smoothing ε over C classes, each row i
    with target t (not ignore_index) has loss
        l_i = -Σ_c q_ic logp_ic,   q_ic = (1 - ε) w_t [c = t] + (ε / C) w_c
    and "mean" divides Σ l_i by Σ_i w_{t_i} over the rows not ignored (torch's weighted mean).
    Since ∂logp_ic/∂x_ik = [c = k] - p_ik, the gradient is
        dl_i/dx_ik = p_ik S_i - q_ik,   S_i = Σ_c q_ic = (1 - ε) w_t + (ε / C) Σ_c w_c
    which is softmax minus the one-hot target when there are no weights and no smoothing (S_i = 1).
    """

    node_name = "CrossEntropyLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        x2 = _rows(x)
        t = target.reshape(-1)
        rows, n_classes = x2.shape
        r = np.arange(rows)
        m, log_s = shifted_logsumexp(x2, 1)
        ignored = t == ignore_index
        eps = label_smoothing
        w = np.ones(n_classes, x.dtype) if weight is None else weight
        plain = weight is None and eps == 0 and not ignored.any()  # every row counts once: q is one-hot, S = 1
        t_safe = np.where(ignored, 0, t) if ignored.any() else t
        kept = (~ignored).astype(x.dtype)
        wt = kept if weight is None else weight[t_safe] * kept  # w_t per row, 0 where ignored
        loss = (m[:, 0] - x2[r, t_safe]) + log_s[:, 0]  # -logp_t
        if not plain:
            loss = wt * loss
        if eps > 0:
            smooth = ((m - x2) + log_s) @ w * kept  # -Σ_c w_c logp_ic, 0 where ignored
            loss = (1 - eps) * loss + (eps / n_classes) * smooth
        denominator = rows if plain else wt.sum(dtype=x.dtype)
        if ctx.needs_input_grad[0]:  # the constant parts of the gradient: q, S, and which rows count
            ctx.p = np.exp((x2 - m) - log_s)  # softmax, for a plain backward (see there)
            q = np.zeros(x2.shape, x.dtype)
            q[r, t_safe] = 1 if plain else (1 - eps) * wt
            if eps > 0:
                q += (eps / n_classes) * (kept[:, None] * w)
            ctx.q = q
            ctx.s = None if plain or (weight is None and eps == 0) else (
                (1 - eps) * wt + (eps / n_classes) * w.sum(dtype=x.dtype) * kept)[:, None]
            ctx.kept = None if not ignored.any() else kept[:, None] > 0
        ctx.save_for_backward(x)
        ctx.reduction, ctx.denominator = reduction, denominator
        out = _reduce(loss, reduction, denominator)
        return out.reshape(target.shape) if reduction == "none" else out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # p = softmax(x): forward's, or in a create_graph backward (x a Tensor) recomputed by Softmax, in the graph
        p = ctx.p if type(x) is np.ndarray else call(Softmax, _rows(x), dim=1)
        g = _scale(g, ctx.reduction, ctx.denominator)
        g = g.reshape(-1, 1) if ctx.reduction == "none" else g
        grad = ((p if ctx.s is None else p * ctx.s) - ctx.q) * g
        if ctx.kept is not None:  # ignored rows get exactly 0, even when "mean" divides by a zero total weight
            with np.errstate(invalid="ignore"):
                grad = np.where(ctx.kept, grad, 0.0)
        return _unrows(grad, x.shape)


class SoftCrossEntropy(Function):
    """Cross-entropy with class probabilities q (the same shape as x), optional smoothing ε and class weights w:
        q' = (1 - ε) q + ε / C,   l = -Σ_c w_c q'_c logp_c   per position;  "mean" divides by numel / C
        dl/dx_k = p_k Σ_c w_c q'_c - w_k q'_k,     dl/dq_k = -(1 - ε) w_k logp_k
    """

    node_name = "SoftCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, q, weight=None, reduction="mean", label_smoothing=0.0):
        dim = 0 if x.ndim == 1 else 1
        n_classes = x.shape[dim]
        m, log_s = shifted_logsumexp(x, dim)
        w = None if weight is None else weight.reshape((-1,) + (1,) * (x.ndim - dim - 1))
        loss = -((x - m) - log_s) * _weighted_q(q, w, label_smoothing, n_classes)
        positions = x.size // n_classes if n_classes else 0
        ctx.save_for_backward(x, q)
        ctx.dim, ctx.w, ctx.eps, ctx.reduction, ctx.positions = dim, w, label_smoothing, reduction, positions
        return _reduce(loss.sum(axis=dim), reduction, positions)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors
        logp = call(LogSoftmax, x, dim=ctx.dim)
        wq = _weighted_q(q, ctx.w, ctx.eps, x.shape[ctx.dim])
        g = _scale(g, ctx.reduction, ctx.positions)
        if ctx.reduction == "none":
            g = np.expand_dims(g, ctx.dim)
        gx = g * (np.exp(logp) * np.sum(wq, axis=ctx.dim, keepdims=True) - wq)
        gq = (-(1 - ctx.eps) * g) * (logp if ctx.w is None else logp * ctx.w)
        return gx, gq


def _weighted_q(q, w, eps, n_classes):
    """w q' with q' = (1 - ε) q + ε / C: the soft target, smoothed and weighted."""
    if eps > 0:
        q = q * (1 - eps) + eps / n_classes
    return q if w is None else q * w


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of logits `input` (N, C, d1, ...) or (C,) against class indices (N, d1, ...) or against class
    probabilities of input's shape. One fused node: log-softmax, weighted nll, label smoothing, reduction."""
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _float_input("cross_entropy", "log_softmax_lastdim_kernel_impl", input)
    if target.data.dtype.kind == "f" and target.ndim == input.ndim and target.shape != input.shape:
        raise RuntimeError(f"cross_entropy: a float target holds class probabilities and must have the input's "
                           f"shape {list(input.shape)}, got {list(target.shape)} (class indices would be int64 of "
                           f"shape {list(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else []})")
    if input.data.shape == target.data.shape:  # class probabilities
        if target.data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        input, target = _floats(input, target)
        n_classes = input.shape[0] if input.ndim == 1 else input.shape[1]
        w = _class_weight(weight, _as_t(input), n_classes)
        return SoftCrossEntropy.apply(input, target, weight=w, reduction=reduction,
                                        label_smoothing=float(label_smoothing))
    t, n_classes = _class_targets(input, target, ignore_index)
    w = _class_weight(weight, input, n_classes)
    return CrossEntropy.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction,
                                label_smoothing=float(label_smoothing))


def _as_t(x):
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x), None)


class NllLoss(Function):
    """The negative log-likelihood of log-probabilities x (rows, C) at targets t, weighted:
        l_i = -w_{t_i} x_{i, t_i}  (0 where t_i = ignore_index);  "mean" divides by Σ_i w_{t_i}
        dl_i/dx_ik = -w_{t_i} [k = t_i]   (a constant: the loss is linear in x)
    """

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        x2 = _rows(x)
        t = target.reshape(-1)
        ignored = t == ignore_index
        t_safe = np.where(ignored, 0, t) if ignored.any() else t
        kept = (~ignored).astype(x.dtype)
        wt = kept if weight is None else weight[t_safe] * kept
        r = np.arange(x2.shape[0])
        loss = -wt * x2[r, t_safe]
        denominator = wt.sum(dtype=x.dtype)
        if ctx.needs_input_grad[0]:
            ctx.coef = np.zeros(x2.shape, x.dtype)
            ctx.coef[r, t_safe] = -wt
            ctx.kept = None if not ignored.any() else kept[:, None] > 0
        ctx.reduction, ctx.denominator, ctx.shape = reduction, denominator, x.shape
        out = _reduce(loss, reduction, denominator)
        return out.reshape(target.shape) if reduction == "none" else out

    @staticmethod
    def backward(ctx, g):
        g = _scale(g, ctx.reduction, ctx.denominator)
        grad = ctx.coef * (g.reshape(-1, 1) if ctx.reduction == "none" else g)
        if ctx.kept is not None:  # ignored rows: exactly 0
            with np.errstate(invalid="ignore"):
                grad = np.where(ctx.kept, grad, 0.0)
        return _unrows(grad, ctx.shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log-likelihood of log-probabilities `input` (N, C, d1, ...) at class indices `target`."""
    reduction = _reduction(size_average, reduce, reduction)
    _float_input("nll_loss", "nll_loss_out_frame", input)
    t, n_classes = _class_targets(input, target, ignore_index)
    w = _class_weight(weight, input, n_classes)
    return NllLoss.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction)


