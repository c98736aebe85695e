"""Fused ops for neural networks: the losses, dropout, and the identity nodes that module backward hooks hang on.

A loss is one node rather than a chain of small ones because its backward collapses to one short formula
(cross-entropy: softmax minus the target) and because that formula is both faster and better conditioned than
differentiating through log, exp and sums separately.

Conventions: `reduction` is "none" | "sum" | "mean"; `_scale` turns the incoming gradient of the reduced loss into a
per-element gradient. Every array a formula meets is cast to the input's dtype first, so float32 stays float32.
"""
import numpy as np

from ..autograd.function import Function


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


def _scale(g, reduction, dtype, denominator):
    """The gradient reaching each element's loss: g itself ("none"), or the scalar g (/ denominator for "mean")."""
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return g / dtype.type(denominator)
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


def _log_softmax_rows(x2):
    """(rows, C) -> (softmax, row max m (rows, 1), log Σ e^(x - m) (rows, 1)): logsumexp is m + the last, kept
    apart so that -log softmax = (m - x) + log Σ never rounds m + log Σ first (at logits 512, float32 would lose
    the 0.69 to 512's ulp; torch's log_softmax does not)."""
    m = x2.max(axis=1, keepdims=True)
    p = np.exp(x2 - m)
    s = p.sum(axis=1, keepdims=True)
    p /= s
    return p, m, np.log(s)


class CrossEntropy(Function):
    """Cross-entropy with class indices: log-softmax and the negative log-likelihood in one node.

    With logp = log softmax(x) over the classes, class weights w and label smoothing ε over C classes, each row i
    with target t (not ignore_index) has loss
        l_i = -Σ_c q_ic logp_ic,   q_ic = (1 - ε) w_t [c = t] + (ε / C) w_c
    and "mean" divides Σ l_i by Σ_i w_{t_i} over the rows not ignored (torch's weighted mean).
    Since Σ_c ∂logp_ic/∂x_ik = ... the gradient is
        dl_i/dx_ik = p_ik S_i - q_ik,   S_i = Σ_c q_ic = (1 - ε) w_t + (ε / C) Σ_c w_c
    which is softmax minus the one-hot target when there are no weights and no smoothing.
    """

    node_name = "CrossEntropyLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        x2 = _rows(x)
        t = target.reshape(-1)
        rows, n_classes = x2.shape
        p, m, log_s = _log_softmax_rows(x2)
        ignored = t == ignore_index
        if weight is None and label_smoothing == 0 and not ignored.any():  # every row counts once
            loss = (m[:, 0] - x2[np.arange(rows), t]) + log_s[:, 0]  # -logp_t
            ctx.save_for_backward(p, t)
            ctx.plain, ctx.reduction, ctx.shape = True, reduction, x.shape
            out = _reduce(loss, reduction, rows)
            return out.reshape(target.shape) if reduction == "none" else out
        t_safe = np.where(ignored, 0, t) if ignored.any() else t
        r = np.arange(rows)
        kept = (~ignored).astype(x.dtype)
        wt = kept if weight is None else weight[t_safe] * kept  # w_t per row, 0 where ignored
        loss = wt * ((m[:, 0] - x2[r, t_safe]) + log_s[:, 0])  # -w_t logp_t
        eps = label_smoothing
        if eps > 0:
            w = np.ones(n_classes, x.dtype) if weight is None else weight
            smooth = ((m - x2) + log_s) @ w * kept  # -Σ_c w_c logp_ic, 0 where ignored
            loss = (1 - eps) * loss + (eps / n_classes) * smooth
        denominator = wt.sum(dtype=x.dtype)
        ctx.save_for_backward(p, t_safe, wt)
        ctx.plain, ctx.weight, ctx.eps, ctx.kept, ctx.reduction, ctx.denominator, ctx.shape = (
            False, weight, eps, kept, reduction, denominator, x.shape)
        out = _reduce(loss, reduction, denominator)
        return out.reshape(target.shape) if reduction == "none" else out

    @staticmethod
    @np.errstate(invalid="ignore")  # 0 * inf in rows that are all ignored: those rows are zeroed below
    def backward(ctx, g):
        if ctx.plain:  # softmax minus the one-hot target, times the incoming gradient (/ rows for "mean")
            p, t = ctx.saved_tensors
            g = _scale(g, ctx.reduction, p.dtype, p.shape[0])
            grad = p * (g.reshape(-1, 1) if ctx.reduction == "none" else g)
            grad[np.arange(p.shape[0]), t] -= g.reshape(-1) if ctx.reduction == "none" else g
            return _unrows(grad, ctx.shape)
        p, t_safe, wt = ctx.saved_tensors
        rows, n_classes = p.shape
        g = _scale(g, ctx.reduction, p.dtype, ctx.denominator)
        g_row = g.reshape(-1) if ctx.reduction == "none" else g  # one gradient per row, or one for all
        g_col = g.reshape(-1, 1) if ctx.reduction == "none" else g
        eps = ctx.eps
        if eps > 0:
            w = np.ones(n_classes, p.dtype) if ctx.weight is None else ctx.weight
            s = (1 - eps) * wt + (eps / n_classes) * w.sum(dtype=p.dtype) * ctx.kept  # S_i
            grad = p * (g_col * s[:, None])
            grad -= (g_col * (eps / n_classes)) * ctx.kept[:, None] * w  # the smoothing part of q
        elif ctx.weight is None and ctx.kept.all():
            grad = p * g_col  # S_i = 1
        else:
            grad = p * (g_col * wt[:, None])
        grad[np.arange(rows), t_safe] -= g_row * ((1 - eps) * wt)  # the target part of q
        if not ctx.kept.all():
            grad[ctx.kept == 0] = 0  # ignored rows get exactly 0, even when "mean" divides by a zero total weight
        return _unrows(grad, ctx.shape)


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
        if label_smoothing > 0:
            q = q * (1 - label_smoothing) + label_smoothing / n_classes
        m = x.max(axis=dim, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
        logp = x - m
        logp -= np.log(np.exp(logp).sum(axis=dim, keepdims=True))
        wq = q if weight is None else q * weight.reshape((-1,) + (1,) * (x.ndim - dim - 1))
        loss = -(logp * wq).sum(axis=dim)
        positions = x.size // n_classes if n_classes else 0
        ctx.save_for_backward(logp, wq)
        ctx.dim, ctx.weight, ctx.eps, ctx.reduction, ctx.positions = dim, weight, label_smoothing, reduction, positions
        return _reduce(loss, reduction, positions)

    @staticmethod
    def backward(ctx, g):
        logp, wq = ctx.saved_tensors
        g = _scale(g, ctx.reduction, logp.dtype, ctx.positions)
        if ctx.reduction == "none":
            g = np.expand_dims(g, ctx.dim)
        gx = g * (np.exp(logp) * wq.sum(axis=ctx.dim, keepdims=True) - wq)
        wlogp = logp if ctx.weight is None else logp * ctx.weight.reshape((-1,) + (1,) * (logp.ndim - ctx.dim - 1))
        gq = (-(1 - ctx.eps) * g) * wlogp
        return gx, gq


class NllLoss(Function):
    """The negative log-likelihood of log-probabilities x (rows, C) at targets t, weighted:
        l_i = -w_{t_i} x_{i, t_i}  (0 where t_i = ignore_index);  "mean" divides by Σ_i w_{t_i}
        dl_i/dx_ik = -w_{t_i} [k = t_i]
    """

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        x2 = _rows(x)
        t = target.reshape(-1)
        ignored = t == ignore_index
        t_safe = np.where(ignored, 0, t) if ignored.any() else t
        kept = (~ignored).astype(x.dtype)
        wt = kept if weight is None else weight[t_safe] * kept
        loss = -wt * x2[np.arange(x2.shape[0]), t_safe]
        denominator = wt.sum(dtype=x.dtype)
        ctx.save_for_backward(t_safe, wt)
        ctx.kept, ctx.reduction, ctx.denominator, ctx.shape, ctx.rows = kept, reduction, denominator, x.shape, x2.shape
        out = _reduce(loss, reduction, denominator)
        return out.reshape(target.shape) if reduction == "none" else out

    @staticmethod
    def backward(ctx, g):
        t_safe, wt = ctx.saved_tensors
        g = _scale(g, ctx.reduction, wt.dtype, ctx.denominator).reshape(-1)
        grad = np.zeros(ctx.rows, wt.dtype)
        with np.errstate(invalid="ignore"):
            grad[np.arange(ctx.rows[0]), t_safe] = np.where(ctx.kept > 0, -g * wt, 0)  # ignored rows: exactly 0
        return _unrows(grad, ctx.shape)


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
        ctx.weight, ctx.reduction = weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        g = _scale(g, ctx.reduction, x.dtype, x.size)
        if ctx.weight is not None:
            g = g * ctx.weight
        gx = g * (x - t) / np.maximum((1 - x) * x, x.dtype.type(1e-12))
        with np.errstate(divide="ignore"):
            gt = -g * np.log(x / (1 - x))
        return gx, gt


class BinaryCrossEntropyWithLogits(Function):
    """BCE on logits x, stable for any |x| (softplus(-x) = log(1 + e^-|x|) + max(-x, 0)), with pos_weight p:
        l = w ((1 - t) x + (1 + (p - 1) t) softplus(-x))
        dl/dx = w ((p t + 1 - t) σ(x) - p t),     dl/dt = w (-x + (p - 1) softplus(-x))
    Without pos_weight (p = 1): dl/dx = w (σ(x) - t), dl/dt = -w x.
    """

    @staticmethod
    def forward(ctx, x, t, weight=None, pos_weight=None, reduction="mean"):
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # log(1 + e^-x)
        if pos_weight is None:
            loss = (1 - t) * x + softplus_neg
        else:
            loss = (1 - t) * x + ((pos_weight - 1) * t + 1) * softplus_neg
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, t, softplus_neg)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, t, softplus_neg = ctx.saved_tensors
        g = _scale(g, ctx.reduction, x.dtype, x.size)
        if ctx.weight is not None:
            g = g * ctx.weight
        sig = np.exp(-softplus_neg)  # σ(x) = 1 / (1 + e^-x)
        pw = ctx.pos_weight
        if pw is None:
            return g * (sig - t), g * -x
        pt = pw * t
        return g * ((pt + 1 - t) * sig - pt), g * ((pw - 1) * softplus_neg - x)


class MseLoss(Function):
    """l = (x - t)²;   dl/dx = 2 (x - t),   dl/dt = -2 (x - t)   (x and t broadcast together)"""

    @staticmethod
    def forward(ctx, x, t, reduction="mean"):
        d = x - t
        ctx.save_for_backward(d)
        ctx.reduction = reduction
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        gd = (2 * _scale(g, ctx.reduction, d.dtype, d.size)) * d
        return gd, -gd


class L1Loss(Function):
    """l = |x - t|;   dl/dx = sign(x - t),   dl/dt = -sign(x - t)"""

    @staticmethod
    def forward(ctx, x, t, reduction="mean"):
        d = x - t
        ctx.save_for_backward(d)
        ctx.reduction = reduction
        return _reduce(np.abs(d), reduction)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        gd = _scale(g, ctx.reduction, d.dtype, d.size) * np.sign(d)
        return gd, -gd


class Dropout(Function):
    """z = x * m / (1 - p) with m ~ Bernoulli(1 - p) per element;   dz/dx = m / (1 - p)"""

    node_name = "MulBackward0"  # torch's dropout is a multiplication by the scaled mask too

    @staticmethod
    def forward(ctx, x, p, rng):
        keep = rng.random(x.shape, dtype=np.float32) >= np.float32(p)
        mask = keep.astype(x.dtype)
        if p < 1:
            mask *= x.dtype.type(1 / (1 - p))
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask


class BackwardHookFunction(Function):
    """z = x (the same array): a node on a module's input or output for a full backward hook to observe;  dz/dx = 1"""

    node_name = "BackwardHookFunctionBackward"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class Pack(Function):
    """z = concat(ravel(x1), ravel(x2), ...): several inputs as one node, so a module backward hook sees all their
    gradients at once;   dz/dxi = the slice of g that is xi's, reshaped."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, *xs):
        ctx.shapes = [x.shape for x in xs]
        return np.concatenate([x.reshape(-1) for x in xs])

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for shape in ctx.shapes:
            n = int(np.prod(shape, dtype=np.int64))
            out.append(g[start:start + n].reshape(shape))
            start += n
        return tuple(out)
