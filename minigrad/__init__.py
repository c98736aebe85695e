"""minigrad: autograd from scratch on NumPy, with torch's API. `import minigrad as torch` and go."""
from . import _runtime

_runtime.apply()  # freed memory kept for reuse: see _runtime (MINIGRAD_TUNE=0 leaves the process alone)

from . import _dtype
from ._dtype import (bool, double, dtype, float, float16, float32, float64, half, int, int8, int16, int32, int64,
                     long, short, uint8)
from .tensor import Size, Tensor, device
from ._size import channels_last, contiguous_format, memory_format, preserve_format
from .ops import (abs, add, all, allclose, amax, amin, any, argmax, argmin, bmm, cat, chunk, clamp, clip, concat,
                  concatenate, div, dot, eq, equal, exp, expand, flatten, gather, ge, gt, isclose, isfinite, isinf,
                  isnan, le, log, log1p, log_softmax, logical_and, logical_not, logical_or, logical_xor, logsumexp, lt,
                  matmul, max, maximum, mean, min, minimum, mm, moveaxis, movedim, mul, narrow, ne, neg, norm, outer,
                  permute, pow, relu, reshape, select, sigmoid, sign, softmax, split, sqrt, squeeze, stack, std, sub,
                  sum, swapaxes, swapdims, t, tanh, transpose, true_divide, unbind, unflatten, unsqueeze, var, where,
                  floor, ceil, round, scatter)
# ---- exports of issue 11a (pointwise) ----
from .ops import (acos, acos_, acosh, acosh_, addcdiv, addcmul, arccos, arccos_, arccosh, arccosh_, arcsin, arcsin_,
                  arcsinh, arcsinh_, arctan, arctan2, arctan_, arctanh, arctanh_, asin, asin_, asinh, asinh_, atan,
                  atan2, atan_, atanh, atanh_, ceil_, clamp_max, clamp_max_, clamp_min, clamp_min_, copysign, cos, cos_,
                  cosh, cosh_, erf, erf_, erfc, erfc_, erfinv, exp2, exp2_, expm1, expm1_, fix, fix_, float_power,
                  floor_, floor_divide, fmod, frac, frac_, heaviside, hypot, lerp, log1p_, log2, log2_, log10, log10_,
                  logaddexp, logaddexp2, logit, logit_, nan_to_num, nan_to_num_, positive, reciprocal, reciprocal_,
                  remainder, round_, rsqrt, rsqrt_, sgn, sin, sin_, sinh, sinh_, square, square_, tan, tan_, trunc,
                  trunc_, xlogy, xlogy_)
# ---- exports of issue 11b (reductions, scans, sorting) ----
from .ops import (aminmax, argsort, count_nonzero, cummax, cummin, cumprod, cumsum, dist, kthvalue, logcumsumexp,
                  median, mode, msort, nanmean, nanmedian, nanquantile, nansum, prod, quantile, sort, std_mean, topk,
                  unique, unique_consecutive, var_mean)
# ---- exports of issue 11c (activations, losses) ----
from .ops import (bilinear, celu, cosine_similarity, hardshrink, pairwise_distance, pdist, prelu, rrelu,  # noqa: E402
                  selu, threshold)
# ---- exports of issue 11e (torch-level pieces) ----
from . import backends
from .creation import get_default_device, get_default_dtype, set_default_device, set_default_dtype
# ---- exports of issue 12 (conv, pool, norm) ----
from .ops import (adaptive_avg_pool1d, avg_pool1d, batch_norm, conv1d, conv2d, group_norm, layer_norm, max_pool1d,
                  max_pool2d)
from .ops.pool_extra import channel_shuffle  # noqa: E402
from .ops.pool_more import (adaptive_max_pool1d_with_indices as adaptive_max_pool1d,  # noqa: E402  (torch's: a tuple)
                            max_pool1d_with_indices)
# ---- exports of issue 11d (indexing and shape) ----
from .ops import (argwhere, atleast_1d, atleast_2d, atleast_3d, bincount, broadcast_shapes, broadcast_tensors,
                  broadcast_to, bucketize, cartesian_prod, column_stack, diag, diag_embed, diagflat, diagonal,
                  diagonal_scatter, dsplit, dstack, flip, fliplr, flipud, histc, hsplit, hstack, index_add, index_copy,
                  index_fill, index_select, masked_fill, masked_scatter, masked_select, meshgrid, nonzero, ravel,
                  repeat_interleave, roll, rot90, row_stack, scatter_add, scatter_reduce, searchsorted, select_scatter,
                  slice_scatter, take, take_along_dim, tensor_split, tile, trace, tril, triu, vsplit, vstack)
# ---- exports of issue 11f (linear algebra) ----
from . import linalg  # noqa: E402
from .ops import (addbmm, addmm, addmv, addr, baddbmm, block_diag, cdist, chain_matmul, cross, einsum,  # noqa: E402
                  inner, kron, mv, tensordot, vdot)
from .ops.linalg_decomp import cholesky, det, inverse, logdet, slogdet  # noqa: E402
from .ops.linalg_spectral import pinverse  # noqa: E402
from .ops.linalg_extra import cholesky_inverse, cholesky_solve, svd  # noqa: E402
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                       ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import accelerator, autograd, cuda
from .serialization import load, save
from . import safetensors  # minigrad.safetensors: save_file / load_file, as safetensors.torch
from . import optim  # torch.optim is reachable after a bare `import torch`; so is minigrad.optim
from . import nn  # torch.nn is reachable after a bare `import torch`; so is minigrad.nn
from . import utils  # torch.utils.data is reachable after a bare `import torch`; so is minigrad.utils.data
from . import func  # torch.func's transforms
from ._tensor_str import get_printoptions, printoptions, set_printoptions

__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def promote_types(type1, type2):
    return _dtype.from_numpy_dtype(_dtype.promote(type1.np, type2.np))
