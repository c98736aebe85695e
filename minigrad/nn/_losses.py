"""The loss functions of nn.functional: torch's argument checks and messages, then one fused Function each."""
import warnings

import numpy as np

from .. import ops
from ..functions import nn as N
from ..ops._promote import _broadcast_check, _operands
from ..tensor import Tensor

_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
          "float32": "Float", "float64": "Double", "float16": "Half"}


def _name(t):
    """torch's scalar type name of a tensor's dtype: Float, Double, Long, ..."""
    return _NAMES.get(t.data.dtype.name, t.data.dtype.name)


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
        return N.SoftCrossEntropy.apply(input, target, weight=w, reduction=reduction,
                                        label_smoothing=float(label_smoothing))
    t, n_classes = _class_targets(input, target, ignore_index)
    w = _class_weight(weight, input, n_classes)
    return N.CrossEntropy.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction,
                                label_smoothing=float(label_smoothing))


def _as_t(x):
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x), None)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log-likelihood of log-probabilities `input` (N, C, d1, ...) at class indices `target`."""
    reduction = _reduction(size_average, reduce, reduction)
    _float_input("nll_loss", "nll_loss_out_frame", input)
    t, n_classes = _class_targets(input, target, ignore_index)
    w = _class_weight(weight, input, n_classes)
    return N.NllLoss.apply(input, target=t, weight=w, ignore_index=ignore_index, reduction=reduction)


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
    return ops.sum(weighted) if reduction == "sum" else ops.sum(weighted) / ops.sum(weight)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)², reduced; input and target broadcast together (with torch's warning)."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _broadcast_check(input, target)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    return N.MseLoss.apply(*_floats(input, target), reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|, reduced; input and target broadcast together (with torch's warning)."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _broadcast_check(input, target)
    if weight is not None:
        return _weighted(ops.abs(input - target), weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    return N.L1Loss.apply(*_floats(input, target), reduction=reduction)


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
    return N.BinaryCrossEntropy.apply(input, target, weight=_elementwise_weight(weight, input), reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """BCE on logits, stable for any magnitude; `pos_weight` (broadcast over the last, class, dim) weighs positives."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    input, target = _floats(input, target)
    ref = _as_t(input)
    return N.BinaryCrossEntropyWithLogits.apply(
        input, target, weight=_elementwise_weight(weight, ref), reduction=reduction,
        pos_weight=_elementwise_weight(pos_weight, ref, "pos_weight"))
