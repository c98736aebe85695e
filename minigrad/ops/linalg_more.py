"""torch's other products: mv addmm addmv addr baddbmm addbmm inner kron vdot cross cdist block_diag chain_matmul
tensordot einsum, and torch.linalg's vecdot multi_dot (the norms: linalg_norms.py). All but einsum are compositions
of differentiable ops (matmul, mul, sum, reshape, cat), so their gradients, and the gradients of those, come from
the ops they are made of. einsum is one Function whose backward is another einsum per operand."""
import builtins
import math
import string

import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function, call
from ..tensor import Tensor
from .compare import where
from .linalg import Mv, matmul
from .linalg_decomp import _with_out
from .linalg_norms import vector_norm
from .nn import Addmm
from .pointwise import abs
from .reduction import amax, sum
from .shape import cat, expand, permute, reshape, stack


def _scaled(t, c):
    """c * t as torch's add-products treat beta: c == 0 ignores t (its nan and inf do not propagate)."""
    if c == 0:
        return where(np.zeros(t.shape, bool), t, 0.0)
    return t if c == 1 else t * c


def _fits(input, *shape):
    """input must expand to the product's shape: torch's expand messages otherwise"""
    expand(input.detach(), *shape)


def _dims(name, **tensors):
    for arg, (t, n) in tensors.items():
        if t.ndim != n:
            raise RuntimeError(f"{name}: Expected {n}-D argument {arg}, but got {t.ndim}-D")


# ---- matrix-vector and the add-products -------------------------------------------------------------------------
@_with_out
def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    if input.dtype != vec.dtype:  # torch's words (mv runs as addmv into a result of vec's dtype)
        v, m = _scalar_type(vec.data.dtype), _scalar_type(input.data.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, and {v}")
    return Mv.apply(input, vec)


@_with_out
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta·input + alpha·(mat1 @ mat2); the plain case is Addmm, linear's node."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'mat1' if mat1.ndim != 2 else 'mat2'} must be a matrix, got {mat1.ndim if mat1.ndim != 2 else mat2.ndim}-D tensor")  # noqa: E501
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    _fits(input, mat1.shape[0], mat2.shape[1])
    if beta == 1 and alpha == 1 and input.dtype == mat1.dtype == mat2.dtype:
        return Addmm.apply(input, mat1, mat2)
    return _scaled(input, beta) + _scaled(matmul(mat1, mat2), alpha)


@_with_out
def addmv(input, mat, vec, *, beta=1, alpha=1):
    fits = input.shape in ((), (1,), tuple(mat.shape[:1]))
    if mat.ndim == 2 and vec.ndim == 1 and mat.shape[1] == vec.shape[0] and not fits:
        raise RuntimeError(f"size mismatch, got input ({'x'.join(map(str, input.shape))}), mat ({mat.shape[0]}x"
                           f"{mat.shape[1]}), vec ({vec.shape[0]})")
    return _scaled(input, beta) + _scaled(mv(mat, vec), alpha)


@_with_out
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    _dims("addr", vec1=(vec1, 1), vec2=(vec2, 1))
    _fits(input, vec1.shape[0], vec2.shape[0])
    return _scaled(input, beta) + _scaled(vec1.unsqueeze(1) * vec2, alpha)


def _batch_pair(batch1, batch2):
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    b, n, k = batch1.shape
    if tuple(batch2.shape[:2]) != (b, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
                           f"[{batch2.shape[0]}, {batch2.shape[1]}].")


@_with_out
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    _batch_pair(batch1, batch2)
    _fits(input, batch1.shape[0], batch1.shape[1], batch2.shape[2])
    return _scaled(input, beta) + _scaled(matmul(batch1, batch2), alpha)


@_with_out
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta·input + alpha·Σ_b batch1[b] @ batch2[b]"""
    _batch_pair(batch1, batch2)
    _fits(input, batch1.shape[1], batch2.shape[2])
    return _scaled(input, beta) + _scaled(sum(matmul(batch1, batch2), 0), alpha)


# ---- inner, vdot, vecdot, kron, tensordot -----------------------------------------------------------------------
@_with_out
def inner(input, other):
    """Σ over the last dim of both: (*a, k) and (*b, k) -> (*a, *b); a 0-dim operand multiplies."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    k = input.shape[-1]
    z = matmul(reshape(input, -1, k), reshape(other, -1, k).mT)  # (A, k) @ (k, B) -> (A, B)
    return reshape(z, *input.shape[:-1], *other.shape[:-1])


@_with_out
def vdot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return matmul(input, other)  # real tensors: no conjugate


@_with_out
def vecdot(x, y, *, dim=-1):
    if x.shape[dim] != y.shape[dim]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[dim]}] and src [{y.shape[dim]}] to "
                           f"have the same number of elements, but got {x.shape[dim]} and {y.shape[dim]} elements "
                           "respectively")
    return sum(x * y, dim)


@_with_out
def kron(input, other):
    """(a ⊗ b)[i·B + j] = a[i] b[j] in every dim: an outer product by broadcasting, then each pair of dims merged."""
    n = builtins.max(input.ndim, other.ndim)
    a_shape, b_shape = (1,) * (n - input.ndim) + tuple(input.shape), (1,) * (n - other.ndim) + tuple(other.shape)
    a = reshape(input, *[s for d in a_shape for s in (d, 1)])  # (a0, 1, a1, 1, ...)
    b = reshape(other, *[s for d in b_shape for s in (1, d)])  # (1, b0, 1, b1, ...)
    return reshape(a * b, *[x * y for x, y in zip(a_shape, b_shape)])


@_with_out
def tensordot(a, b, dims=2):
    """Contract dims_a of a with dims_b of b: both moved to the inner side, flattened, one matmul."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for x, y in zip(da, db):  # torch's message names the dims as given; a size 1 broadcasts
        if a.shape[x] != b.shape[y] and 1 in (a.shape[x], b.shape[y]):
            if a.shape[x] == 1:
                a = expand(a, *[b.shape[y] if d == x % a.ndim else -1 for d in range(a.ndim)])
            else:
                b = expand(b, *[a.shape[x] if d == y % b.ndim else -1 for d in range(b.ndim)])
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {x} "
                               f"and second has size {b.shape[y]} in dim {y}")
    da, db = [d % a.ndim for d in da], [d % b.ndim for d in db]
    fa, fb = [d for d in range(a.ndim) if d not in da], [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    am = reshape(permute(a, *fa, *da), -1, k)  # (free_a, k)
    bm = reshape(permute(b, *db, *fb), k, -1)  # (k, free_b)
    return reshape(matmul(am, bm), *[a.shape[d] for d in fa], *[b.shape[d] for d in fb])


# ---- cross, cdist, block_diag, chain products -------------------------------------------------------------------
def _cross(input, other, dim, name):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and "
                           f"{other.shape[dim]}")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    a, b = expand(input, *shape), expand(other, *shape)
    a1, a2, a3 = (a.select(dim, i) for i in range(3))
    b1, b2, b3 = (b.select(dim, i) for i in range(3))
    return stack([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim)


@_with_out
def cross(input, other, dim=None):
    """torch.cross: without dim, the first dim of size 3 (torch's deprecated default)."""
    if dim is None:
        dim = next((d for d in range(input.ndim) if input.shape[d] == 3), -1)
    return _cross(input, other, dim, "linalg.cross")


@_with_out
def linalg_cross(input, other, *, dim=-1):
    return _cross(input, other, dim, "linalg.cross")


def cdist(x1, x2, p=2.0, compute_mode=None):
    """‖x1[..., i, :] - x2[..., j, :]‖_p for every pair: (..., P, M), (..., R, M) -> (..., P, R)"""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.ndim < 2 else 2} got: "
                           f"{(x1 if x1.ndim < 2 else x2).ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, 1, M) - (..., 1, R, M) -> (..., P, R, M)
    if p == math.inf:  # torch's cdist gives every tied |diff| the whole gradient (vector_norm shares it out)
        a = abs(diff)
        top = amax(a, -1, True).detach()
        return top.squeeze(-1) + sum(where(a.detach() == top, a - top, 0.0), -1)
    return vector_norm(diff, p, -1)


def block_diag(*tensors):
    """The tensors (0-, 1- or 2-D) along the diagonal of one matrix, zeros elsewhere."""
    from ..creation import zeros

    mats = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        mats.append(reshape(t, 1, 1) if t.ndim == 0 else (t.unsqueeze(0) if t.ndim == 1 else t))
    if not mats:
        return zeros(1, 0)
    dtype = mats[0].dtype
    width = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        rows.append(cat([zeros(r, left, dtype=dtype), m.type(dtype) if m.dtype != dtype else m,
                         zeros(r, width - left - c, dtype=dtype)], 1))
        left += c
    return cat(rows, 0)


def _chain_order(dims):
    """The cheapest parenthesisation of a matrix chain (dims[i] x dims[i+1] for matrix i), as torch's multi_dot
    chooses it: split[i][j] is where the product of matrices i..j splits."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


@_with_out
def multi_dot(tensors):
    """A₁ A₂ ... Aₙ (first and last may be vectors: a row and a column), in the cheapest order, as torch's."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        ok = t.ndim in ((1, 2) if i in (0, len(tensors) - 1) else (2,))
        if not ok:
            which = "first" if i == 0 else ("last" if i == len(tensors) - 1 else None)
            if which:
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    first_vec, last_vec = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)  # (k,) -> (1, k)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(1)  # (k,) -> (k, 1)
    split = _chain_order([mats[0].shape[0]] + [m.shape[1] for m in mats])

    def product(i, j):
        if i == j:
            return mats[i]
        return matmul(product(i, split[i][j]), product(split[i][j] + 1, j))

    z = product(0, len(mats) - 1)
    if first_vec:
        z = z.squeeze(0)
    if last_vec:
        z = z.squeeze(-1)
    return z


@_with_out
def chain_matmul(*matrices):
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)


# ---- einsum -----------------------------------------------------------------------------------------------------
class Einsum(Function):
    """z = einsum('s₁,s₂,...->o', x₁, x₂, ...);   dxᵢ = einsum('o,(the others)->sᵢ', g, x_j≠i), where a letter
    repeated in sᵢ (a diagonal) is renamed and tied back by an identity matrix, and a letter only in sᵢ (summed
    there alone) comes from a vector of ones: constants that are operands too, so this backward is an einsum and
    differentiates again."""

    @staticmethod
    def forward(ctx, *operands, equation):
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        return np.einsum(equation, *operands, optimize=len(operands) > 2)

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        ins, out = ctx.equation.split("->")
        ins = ins.split(",")
        sizes = {c: s for sub, x in zip(ins, xs) for c, s in zip(sub, x.shape)}
        grads = []
        for i, sub in enumerate(ins):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            subs, args = [out] + [s for j, s in enumerate(ins) if j != i], [g] + [x for j, x in enumerate(xs) if j != i]
            free = iter(c for c in string.ascii_letters if c not in ctx.equation)
            target, seen = "", set()
            for c in sub:
                if c in seen:  # a diagonal: a fresh letter, tied to c by an identity
                    fresh = next(free)
                    subs.append(c + fresh)
                    args.append(np.eye(sizes[c], dtype=bool))
                    c = fresh
                seen.add(c)
                target += c
            for c in dict.fromkeys(sub):  # a letter that nothing else carries: broadcast by a vector of ones
                if not builtins.any(c in s for s in subs):
                    subs.append(c)
                    args.append(np.ones(sizes[c], dtype=bool))
            grads.append(call(Einsum, *args, equation=",".join(subs) + "->" + target))
        return tuple(grads)


def _parse_einsum(equation, operands):
    """torch's equation (spaces, '...', implicit output) as an explicit one with a letter for each dim; the
    operands expanded where their '...' dims broadcast."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(ins) else
                           "einsum(): fewer operands were provided than specified in the equation")
    spare = [c for c in string.ascii_letters if c not in eq]
    ell_nd = builtins.max([x.ndim - len(s.replace("...", "")) for s, x in zip(ins, operands) if "..." in s] or [0])
    ell = "".join(spare[:ell_nd])
    subs, xs = [], []
    for s, x in zip(ins, operands):
        if "..." in s:  # its dims align from the right with the other operands' (a size 1 broadcasts, below)
            k = x.ndim - len(s.replace("...", ""))
            s = s.replace("...", ell[ell_nd - k:] if k > 0 else "")
        if len(s) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({x.ndim}) for operand {len(subs)}"
                               + (" and no ellipsis was given" if "..." not in equation else ""))
        subs.append(s)
        xs.append(x)
    sizes = {}  # a letter's size: a dim of size 1 broadcasts, as in torch
    for i, (s, x) in enumerate(zip(subs, xs)):
        mine = {}
        for c, n in zip(s, x.shape):
            if mine.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, "
                                   f"{mine[c]} != {n}")
            seen = sizes.setdefault(c, n)
            if n != seen and 1 not in (n, seen):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {seen}")
            sizes[c] = builtins.max(seen, n)
    xs = [x if all(n == sizes[c] for c, n in zip(s, x.shape)) else expand(x, *[sizes[c] for c in s])
          for s, x in zip(subs, xs)]
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for c in "".join(subs):
            counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return ",".join(subs) + "->" + out, xs


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq, xs = _parse_einsum(equation, operands)
    for x in xs[1:]:
        if x.dtype != xs[0].dtype:
            raise RuntimeError(f"expected scalar type {_scalar_type(xs[0].data.dtype)} but found "
                               f"{_scalar_type(x.data.dtype)}")
    return Einsum.apply(*xs, equation=eq)
