"""Matrix products: the hot path of every MLP, three forward and five backward per Linear-ReLU stack step."""
import numpy as np

from ..autograd.function import Function


class MatMul(Function):
    """z = x @ y (batched over leading dims);   dx = g @ yᵀ,   dy = xᵀ @ g  (1-D operands as row/column vectors)"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.matmul(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if x.ndim == 1 and y.ndim == 1:  # dot product: g is a scalar
            return g * y, g * x
        xm = x[None, :] if x.ndim == 1 else x  # (k,) -> (1, k)
        ym = y[:, None] if y.ndim == 1 else y  # (k,) -> (k, 1)
        gm = g
        if x.ndim == 1:
            gm = np.expand_dims(gm, -2)
        if y.ndim == 1:
            gm = np.expand_dims(gm, -1)
        gx = np.matmul(gm, np.swapaxes(ym, -1, -2))  # (..., n, m) @ (..., m, k) -> (..., n, k)
        gy = np.matmul(np.swapaxes(xm, -1, -2), gm)  # (..., k, n) @ (..., n, m) -> (..., k, m)
        if x.ndim == 1:
            gx = gx[..., 0, :]
        if y.ndim == 1:
            gy = gy[..., 0]
        return gx, gy


class Mm(MatMul):
    """The 2-D case, named as torch names it; the same rule without the reshaping."""

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g @ y.T, x.T @ g  # (N, m) @ (m, k) -> (N, k);  (k, N) @ (N, m) -> (k, m)


class Linear(Function):
    """z = x @ wᵀ + b  (w is (out, in), torch's layout);   dx = g @ w,   dw = gᵀ @ x,   db = Σ_batch g"""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        z = x @ w.T  # (N, in) @ (in, out) -> (N, out); BLAS reads w.T without a copy
        if b is not None:
            z += b  # in place: one allocation per layer, not two
        return z

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad  # the first layer's input needs none: skip its (N, out) @ (out, in) product
        gx = g @ w if need[0] else None  # (N, out) @ (out, in) -> (N, in)
        g2 = g.reshape(-1, g.shape[-1])
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if need[1] else None  # (out, N) @ (N, in) -> (out, in)
        gb = g2.sum(axis=0) if len(need) > 2 and need[2] else None
        return gx, gw, gb
