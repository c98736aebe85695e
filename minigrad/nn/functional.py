"""minigrad.nn.functional: the stateless layers and losses (`import minigrad.nn.functional as F`).

Thin: each function here is the op of the same name in `minigrad/ops/` (linear and dropout in ops/nn.py, the
losses in ops/loss.py and ops/loss_elementwise.py), where its Function and torch's argument checks live.
"""
import warnings

import numpy as np

from .. import ops
from ..autograd import grad_mode
from ..ops.loss import cross_entropy, nll_loss
from ..ops.loss_elementwise import binary_cross_entropy, binary_cross_entropy_with_logits, l1_loss, mse_loss
from ..ops.nn import dropout, linear
from ..ops.pointwise import Relu
from ..tensor import Tensor

# ---- imports of issue 11c (activations, losses) ----
from ..ops.activation import (  # noqa: E402
    celu, celu_, elu, elu_, gelu, glu, logsigmoid, mish, selu, selu_, silu, softmin, softplus, softsign, tanhshrink,
)
from ..ops.activation_piecewise import (  # noqa: E402
    hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_, prelu, relu6, rrelu, rrelu_,
    softshrink, threshold, threshold_,
)
from ..ops.embedding import bilinear, cosine_similarity, embedding, normalize, pairwise_distance, pdist  # noqa: E402
from ..ops.loss_more import (  # noqa: E402
    cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div, margin_ranking_loss,
    multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, poisson_nll_loss, smooth_l1_loss,
    soft_margin_loss, triplet_margin_loss,
)
# ---- imports of issue 12 (conv, pool, norm) ----
from ..ops.normalization_more import dropout1d, instance_norm, rms_norm  # noqa: E402
from ..ops.upsample import interpolate, pixel_shuffle, pixel_unshuffle  # noqa: E402
from ..ops.conv import conv1d, conv2d
from ..ops.normalization import batch_norm, dropout2d, group_norm, layer_norm
from ..ops.pad import pad
from ..ops.pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d  # noqa: E402
from ..ops.fold import fold, unfold  # noqa: E402
from ..ops.pool_more import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d, adaptive_max_pool2d_with_indices, max_pool1d_with_indices, max_pool2d_with_indices,
    max_unpool1d, max_unpool2d,
)
# ---- imports of issue 12g (conv-net layer breadth) ----
from ..ops.upsample import upsample, upsample_bilinear, upsample_nearest  # noqa: E402
from ..ops.pool_extra import channel_shuffle, local_response_norm, lp_pool1d, lp_pool2d  # noqa: E402
from ..ops.dropout_more import dropout3d  # noqa: E402

__all__ = ["linear", "relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax", "dropout", "one_hot",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]
__all__ += ["gelu", "silu", "mish", "elu", "celu", "selu", "leaky_relu", "prelu", "rrelu", "relu6", "hardtanh",
            "hardsigmoid", "hardswish", "softplus", "softsign", "softmin", "logsigmoid", "tanhshrink", "softshrink",
            "hardshrink", "threshold", "glu", "elu_", "celu_", "selu_", "leaky_relu_", "hardtanh_", "rrelu_",
            "threshold_", "embedding", "bilinear", "normalize", "cosine_similarity",
            "pairwise_distance", "pdist"]
__all__ += ["smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
            "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
            "multilabel_margin_loss", "multi_margin_loss", "cosine_embedding_loss", "triplet_margin_loss"]
__all__ += ["conv1d", "conv2d", "pad", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",  # issue 12
            "adaptive_avg_pool1d", "adaptive_avg_pool2d", "batch_norm", "layer_norm", "group_norm", "dropout2d"]
__all__ += ["conv_transpose1d", "conv_transpose2d", "fold", "unfold", "adaptive_max_pool2d",
            "max_unpool2d"]
__all__ += ["rms_norm", "instance_norm", "dropout1d", "interpolate", "pixel_shuffle", "pixel_unshuffle"]
__all__ += ["upsample", "upsample_nearest", "upsample_bilinear", "adaptive_max_pool1d",  # issue 12g
            "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "max_pool1d_with_indices",
            "max_pool2d_with_indices", "max_unpool1d", "lp_pool1d", "lp_pool2d", "local_response_norm",
            "channel_shuffle", "dropout3d"]


def relu(input, inplace=False):
    if not isinstance(input, Tensor):
        raise TypeError(f"relu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if inplace:
        return relu_(input)
    return Relu.apply(input)


def relu_(input):
    """max(x, 0) written into x itself. Under a recording graph x takes over the new node, as torch's relu_ does."""
    ops._check_inplace(input)
    if grad_mode._enabled and input.requires_grad:
        out = Relu.apply(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, True
    else:
        np.maximum(input.data, 0, out=input.data)
    input._vc[0] += 1
    return input


def sigmoid(input):
    return ops.sigmoid(input)


def tanh(input):
    return ops.tanh(input)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return ops.log_softmax(input, dim, dtype=dtype)


def one_hot(tensor, num_classes=-1):
    """int64 class indices of any shape -> int64 of shape (*, num_classes) with a 1 at each index."""
    idx = tensor.data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out, None)
