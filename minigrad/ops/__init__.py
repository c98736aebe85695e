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
# ---- issue 11b (reductions, scans, sorting) ----
# ---- issue 11c (activations, losses) ----
# ---- issue 12 (conv, pool, norm) ----
# conv.py conv1d conv2d (im2col + one matmul; ConvTranspose, ConvWeight); pad.py pad; pool.py max/avg/adaptive pooling;
# normalization.py batch_norm layer_norm group_norm dropout2d
from .conv import conv1d, conv2d  # noqa: F401
from .normalization import batch_norm, dropout2d, group_norm, layer_norm  # noqa: F401
from .pad import pad  # noqa: F401
from .pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d,  # noqa: F401
                   max_pool2d)
from .compare import (  # noqa: F401
    allclose, ceil, clamp, clip, eq, equal, floor, ge, gt, isclose, isfinite, isinf, isnan, le, logical_and,
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
