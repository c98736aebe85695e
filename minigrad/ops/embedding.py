"""Lookups and vector geometry: embedding (a Function: its backward is a scatter-add that skips padding_idx),
bilinear, normalize, cosine_similarity, pairwise_distance and pdist (compositions of differentiable ops, so they
differentiate to any order)."""
import math

import numpy as np

from .._dtype import scalar_type
from ..autograd import grad_mode
from ..autograd.function import Function, call
from ..tensor import Tensor
from .compare import clamp, where
from .linalg import matmul
from .reduction import amax, norm, sum
from .pointwise import abs


class Embedding(Function):
    """z = W[i] (rows of the table W (num, d) picked by integer indices i of any shape);
    dz/dW: each row's gradient g is added into row i, times a constant c per index: 0 where i = padding_idx, and
    1 / (how often i occurs) with scale_grad_by_freq (torch's embedding_dense_backward)"""

    inputs = 1

    @staticmethod
    def forward(ctx, w, indices, coef=None, keep=None):
        ctx.indices, ctx.coef, ctx.keep, ctx.num = indices, coef, keep, w.shape[0]
        return w[indices]

    @staticmethod
    def backward(ctx, g):
        return call(EmbeddingBackward, g, ctx.indices, ctx.coef, ctx.keep, ctx.num)


class EmbeddingBackward(Function):
    """z = zeros (num, d) with z[i] += c g for each index i (rows of g);
    dz/dg = gg's rows at i, 0 where i = padding_idx: torch's embedding_dense_double_backward, which leaves out the
    1 / frequency scale (it treats that scale as part of the first gradient only)"""

    node_name = "EmbeddingBackwardBackward0"
    inputs = 1

    @staticmethod
    def forward(ctx, g, indices, coef, keep, num):
        ctx.indices, ctx.keep = indices, keep
        rows = g.reshape(-1, g.shape[-1])
        if coef is not None:
            rows = rows * coef.reshape(-1, 1)
        out = np.zeros((num, g.shape[-1]), g.dtype)
        np.add.at(out, indices.reshape(-1), rows)
        return out

    @staticmethod
    def backward(ctx, gg):
        looked_up = call(Embedding, gg, ctx.indices)
        return looked_up if ctx.keep is None else looked_up * ctx.keep[..., None]


def _renorm_(weight, indices, max_norm, norm_type):
    """torch's embedding_renorm_: each looked-up row whose norm exceeds max_norm is scaled down to max_norm, in
    place and outside autograd."""
    w = weight.data
    rows = np.unique(indices)
    if norm_type == math.inf:
        norms = np.abs(w[rows]).max(axis=1)
    else:
        norms = (np.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._vc[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    num = weight.data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= num or padding_idx < 0 and padding_idx < -num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % num
    if idx.dtype not in (np.int64, np.int32):
        name = f"torch.{scalar_type(idx.dtype)}Tensor"
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, "
                           f"Int; but got {name} instead (while checking arguments for embedding)")
    if weight.data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if idx.size and (idx.min() < -num or idx.max() >= num):
        raise IndexError("index out of range in self")
    idx = idx % num if idx.size and idx.min() < 0 else idx
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    keep = None if padding_idx is None else idx != padding_idx  # the padding row gets no gradient
    coef = None if keep is None else keep.astype(weight.data.dtype)
    if scale_grad_by_freq:
        counts = np.bincount(idx.reshape(-1), minlength=num).astype(weight.data.dtype)
        coef = (1 / counts[idx]) if coef is None else coef / counts[idx]
    return Embedding.apply(weight, idx, coef, keep)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1ᵀ W_k x2 + b_k for W (out, in1, in2): a matmul and a product summed over in2 (compositions)."""
    x1, x2, w = input1, input2, weight
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
    if tuple(x1.shape[:-1]) != tuple(x2.shape[:-1]):
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(x1.shape[:-1])} and "
                           f"{list(x2.shape[:-1])}")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got {w.ndim}")
    out, in1, in2 = w.shape
    if x1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {x1.shape[-1]} but expected "
                           f"{in1}")
    if x2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2.shape[-1]} but expected "
                           f"{in2}")
    lead = tuple(x1.shape[:-1])
    # (B, in1) @ (in1, out * in2) -> (B, out, in2), times x2 (B, 1, in2), summed over in2 -> (B, out)
    t = matmul(x1.reshape(-1, in1), w.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = sum(t * x2.reshape(-1, 1, in2), dim=2)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out,))


def _vector_norm(x, p, dim, keepdim):
    """‖x‖_p along dim. A zero vector gets norm 0 with gradient 0, as in torch (the plain formula's derivative
    x / ‖x‖ would be 0/0 there): its entries are swapped for ones before the norm, and the result for zero."""
    if p == math.inf:
        return amax(abs(x), dim=dim, keepdim=keepdim)
    zero = np.all(x.data == 0, axis=dim, keepdims=True)
    if not zero.any():
        return norm(x, p, dim=dim, keepdim=keepdim)
    n = norm(where(zero, 1.0, x), p, dim=dim, keepdim=True)
    n = where(zero, 0.0, n)
    return n if keepdim else n.squeeze(dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, eps) along dim (torch's own composition)."""
    denom = clamp(_vector_norm(input, p, dim, True), min=eps).expand_as(input)
    return input / denom


def _straight_clamp_min(t, eps):
    """max(t, eps) as a value, but with the gradient of t itself: torch clamps the norms under no_grad."""
    with grad_mode.no_grad():
        shift = clamp(t, min=eps) - t
    return t + shift


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ (x1 / max(‖x1‖, eps)) (x2 / max(‖x2‖, eps)) along dim, after broadcasting x1 and x2 (torch's order:
    each is normalised first, which keeps the result within [-1, 1])."""
    shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = _straight_clamp_min(_vector_norm(x1, 2, dim, True), eps)
    n2 = _straight_clamp_min(_vector_norm(x2, 2, dim, True), eps)
    return sum((x1 / n1) * (x2 / n2), dim=dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p over the last dim (torch adds eps to the difference)."""
    d = max(x1.ndim, x2.ndim) - 1
    return _vector_norm(x1 - x2 + eps, p, max(d, 0), keepdim)


def pdist(input, p=2):
    """‖x_i - x_j‖_p for each pair of rows i < j of input (N, M), in row-major order of the pairs."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    return _vector_norm(input[i] - input[j], p, 1, False)
