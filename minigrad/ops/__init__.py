"""The ops, one home per kind: in each file an op's Function (forward, backward, the derivative in its docstring)
directly above its torch-level function. This package only gathers them; Tensor's methods (tensor.py) and the
`minigrad` namespace call them from here.

pointwise.py    + - * / ** exp log log1p sqrt abs relu sigmoid tanh, casts and copies
compare.py      clamp maximum minimum where (differentiable); comparisons, logical ops, rounding
reduction.py    sum mean var std max min amax amin (and the non-differentiable argmax all any norm)
softmax.py      softmax log_softmax logsumexp around the one log-sum-exp
shape.py        view reshape flatten squeeze unsqueeze transpose permute expand cat stack
indexing.py     x[i], narrow select split chunk unbind gather
inplace.py      x[i] = v, add_ mul_ zero_ fill_ copy_ clamp_ scatter_ ... (recorded as torch records them)
linalg.py       matmul mm bmm dot outer
nn.py           linear dropout and the identity nodes of module backward hooks
loss.py         cross_entropy nll_loss;   loss_elementwise.py   binary_cross_entropy(_with_logits) mse_loss l1_loss
"""
# ---- issue 11a (pointwise) ----
from .binary import (  # noqa: F401
    arctan2, atan2, clamp_max, clamp_min, copysign, float_power, floor_divide, fmod, heaviside, hypot, logaddexp,
    logaddexp2, remainder, xlogy,
)
from .pointwise_inplace import (  # noqa: F401
    acos_, acosh_, addcdiv_, addcmul_, arccos_, arccosh_, arcsin_, arcsinh_, arctan_, arctanh_, asin_, asinh_,
    atan2_, atan_, atanh_, ceil_, clamp_max_, clamp_min_, copysign_, cos_, cosh_, erf_, erfc_, erfinv_, exp2_, expm1_,
    fix_, float_power_, floor_, floor_divide_, fmod_, frac_, heaviside_, hypot_, lerp_, log10_, log1p_, log2_, logit_,
    nan_to_num_, reciprocal_, remainder_, round_, rsqrt_, sgn_, sign_, sin_, sinh_, square_, tan_, trunc_, xlogy_,
)
from .rounding import ceil, fix, floor, frac, nan_to_num, positive, round, sgn, sign, trunc  # noqa: F401
from .special import erf, erfc, erfinv, logit  # noqa: F401
from .ternary import addcdiv, addcmul, lerp  # noqa: F401
from .unary import (  # noqa: F401
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh, atan, atanh, cos, cosh, exp2, expm1,
    log2, log10, reciprocal, rsqrt, sin, sinh, square, tan,
)
# ---- issue 11b (reductions, scans, sorting) ----
from .reduction_more import aminmax, count_nonzero, dist, nanmean, nansum, std_mean, var_mean  # noqa: F401
from .scan import cummax, cummin, cumprod, cumsum, logcumsumexp, prod  # noqa: F401
from .sort import (  # noqa: F401
    argsort, kthvalue, median, mode, msort, nanmedian, nanquantile, quantile, sort, topk, unique, unique_consecutive,
)
# ---- issue 11c (activations, losses) ----
from .activation import (  # noqa: F401
    celu, celu_, elu, elu_, gelu, glu, logsigmoid, mish, selu, selu_, silu, softmin, softplus, softsign, tanhshrink,
)
from .activation_piecewise import (  # noqa: F401
    hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_, prelu, relu6, rrelu, rrelu_,
    softshrink, threshold, threshold_,
)
from .embedding import bilinear, cosine_similarity, embedding, normalize, pairwise_distance, pdist  # noqa: F401
from .loss_more import (  # noqa: F401
    cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div, margin_ranking_loss,
    multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, poisson_nll_loss, smooth_l1_loss,
    soft_margin_loss, triplet_margin_loss,
)
# ---- issue 12 (conv, pool, norm) ----
# conv.py conv1d conv2d (im2col + one matmul; ConvTranspose, ConvWeight); pad.py pad; pool.py max/avg/adaptive pooling;
# normalization.py batch_norm layer_norm group_norm dropout2d
from .conv import conv1d, conv2d  # noqa: F401
from .normalization import batch_norm, dropout2d, group_norm, layer_norm  # noqa: F401
from .pad import pad  # noqa: F401
from .pool import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d  # noqa: F401
from .pool_more import adaptive_avg_pool1d, adaptive_avg_pool2d  # noqa: F401
# ---- issue 11d (indexing and shape) ----
from .diagonal import (  # noqa: F401
    diag, diag_embed, diagflat, diagonal, diagonal_scatter, trace, tril, tril_, triu, triu_,
)
from .index_more import (  # noqa: F401
    index_add, index_add_, index_copy, index_copy_, index_fill, index_fill_, index_select, masked_fill, masked_fill_,
    masked_scatter, masked_scatter_, masked_select, select_scatter, slice_scatter, take, take_along_dim,
)
from .lookup import argwhere, bincount, bucketize, histc, nonzero, searchsorted  # noqa: F401
from .scatter_reduce import scatter_add, scatter_add_, scatter_reduce, scatter_reduce_  # noqa: F401
from .shape_more import (  # noqa: F401
    atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors, broadcast_to, cartesian_prod,
    column_stack, dsplit, dstack, flip, fliplr, flipud, hsplit, hstack, meshgrid, ravel, repeat, repeat_interleave,
    roll, rot90, row_stack, tensor_split, tile, unfold, vsplit, vstack,
)
# ---- issue 11f (linear algebra) ----
from .linalg_decomp import cholesky, det, inv, slogdet, solve  # noqa: F401
from .linalg_spectral import pinv, qr, svd  # noqa: F401
from .linalg_more import (  # noqa: F401
    addbmm, addmm, addmv, addr, baddbmm, block_diag, cdist, chain_matmul, cross, einsum, inner, kron, mv, tensordot,
    vdot,
)
from .compare import (  # noqa: F401
    allclose, bitwise_not, ceil, clamp, clip, eq, equal, floor, ge, gt, isclose, isfinite, isinf, isnan, le, logical_and,
    logical_not, logical_or, logical_xor, lt, maximum, minimum, ne, round, sign, where,
)
from .indexing import chunk, gather, getitem, narrow, select, split, unbind  # noqa: F401
from .inplace import (  # noqa: F401
    _check_inplace, add_, clamp_, copy_, div_, fill_, mul_, normal_, scatter, scatter_, setitem, sub_, uniform_,
    zero_,
)
from .linalg import bmm, dot, matmul, mm, outer  # noqa: F401
from .loss import cross_entropy, nll_loss  # noqa: F401
from .loss_elementwise import binary_cross_entropy, binary_cross_entropy_with_logits, l1_loss, mse_loss  # noqa: F401
from .nn import dropout, linear  # noqa: F401
from .pointwise import abs, add, div, exp, log, log1p, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, true_divide  # noqa: F401,E501
from .reduction import all, amax, amin, any, argmax, argmin, max, mean, min, norm, std, sum, var  # noqa: F401
from .shape import (  # noqa: F401
    cat, concat, concatenate, expand, expand_as, flatten, moveaxis, movedim, permute, reshape, reshape_as, squeeze, stack, swapaxes,
    swapdims, t, transpose, unflatten, unsqueeze, view, view_as,
)
from .softmax import log_softmax, logsumexp, softmax  # noqa: F401
