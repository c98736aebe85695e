"""minigrad: autograd from scratch on NumPy, with torch's API. `import minigrad as torch` and go."""
from . import _dtype
from ._dtype import (bool, double, dtype, float, float16, float32, float64, half, int, int8, int16, int32, int64,
                     long, short, uint8)
from .tensor import Size, Tensor, device
from .ops import (abs, add, all, allclose, amax, amin, any, argmax, argmin, bmm, cat, chunk, clamp, clip, concat,
                  concatenate, div, dot, eq, equal, exp, expand, flatten, gather, ge, gt, isclose, isfinite, isinf,
                  isnan, le, log, log1p, log_softmax, logical_and, logical_not, logical_or, logical_xor, logsumexp, lt,
                  matmul, max, maximum, mean, min, minimum, mm, moveaxis, movedim, mul, narrow, ne, neg, norm, outer,
                  permute, pow, relu, reshape, select, sigmoid, sign, softmax, split, sqrt, squeeze, stack, std, sub,
                  sum, swapaxes, swapdims, t, tanh, transpose, true_divide, unbind, unflatten, unsqueeze, var, where,
                  floor, ceil, round, scatter)
# ---- exports of issue 11a (pointwise) ----
# ---- exports of issue 11b (reductions, scans, sorting) ----
# ---- exports of issue 11c (activations, losses) ----
# ---- exports of issue 11e (torch-level pieces) ----
# ---- exports of issue 12 (conv, pool, norm) ----
from .ops import (adaptive_avg_pool1d, avg_pool1d, batch_norm, conv1d, conv2d, group_norm, layer_norm, max_pool1d,
                  max_pool2d)
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                       ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import accelerator, autograd, cuda
from .serialization import load, save
from . import optim  # torch.optim is reachable after a bare `import torch`; so is minigrad.optim
from . import nn  # torch.nn is reachable after a bare `import torch`; so is minigrad.nn
from . import utils  # torch.utils.data is reachable after a bare `import torch`; so is minigrad.utils.data
from ._tensor_str import get_printoptions, printoptions, set_printoptions

__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def get_default_dtype():
    return float32


def promote_types(type1, type2):
    return _dtype.from_numpy_dtype(_dtype.promote(type1.np, type2.np))
