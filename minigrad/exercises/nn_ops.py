"""Exercises 9-14: activations, softmax, the loss, the linear layer (the tutorial MLP's ops)."""
import numpy as np

from ..autograd.function import Function
from .basic import _r, _unary
from .catalog import Case, Exercise, register
from .helpers import sum_to


class ReLU(Function):
    """z = max(x, 0)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        """dz/dx = 1 where x > 0, else 0"""
        x, = ctx.saved_tensors
        return g * (x > 0)


register(Exercise(
    "relu", "relu", ReLU, _unary, lambda lib, x: lib.relu(x), math="z = relu(x)", formulas=("dx = g * (x > 0)",),
    hints=["relu is x where x > 0 and 0 elsewhere: its slope is 1 or 0.", "g * (x > 0)."]))


class Sigmoid(Function):
    """z = 1 / (1 + exp(-x))"""

    @staticmethod
    def forward(ctx, x):
        z = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        """dz/dx = z (1 - z)"""
        z, = ctx.saved_tensors
        return g * z * (1 - z)


register(Exercise(
    "sigmoid", "sigmoid", Sigmoid, _unary, lambda lib, x: lib.sigmoid(x), math="z = sigmoid(x)",
    formulas=("dx = g * z * (1 - z)",),
    hints=["Write the derivative in terms of the output z: forward saved it.", "dz/dx = z * (1 - z)."]))


def _rows(rng):
    return [Case((_r(rng, 3, 4),)), Case((_r(rng, 2, 5),)), Case((3 * _r(rng, 4, 4),), square=True),
            Case((_r(rng, 2, 3, 4),))]


class Softmax(Function):
    """z = exp(x) / Σ exp(x), along the last dim"""

    @staticmethod
    def forward(ctx, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))  # shifted so exp cannot overflow; z is unchanged
        z = e / e.sum(axis=-1, keepdims=True)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        """dz_i/dx_j = z_i (δ_ij - z_j), so dx = z * (g - Σ g z) along the last dim"""
        z, = ctx.saved_tensors
        return z * (g - (g * z).sum(axis=-1, keepdims=True))


register(Exercise(
    "softmax", "softmax", Softmax, _rows, lambda lib, x: lib.softmax(x, dim=-1), math="z = softmax(x)",
    formulas=("dx = z * (g - Σ g z)",),
    hints=["Each output depends on every input of its row: the Jacobian is z_i (δ_ij - z_j).",
           "Do not build the Jacobian: contract it with g. dx_j = Σ_i g_i z_i (δ_ij - z_j).",
           "dx = z * (g - (g * z).sum(axis=-1, keepdims=True))."]))


class LogSoftmax(Function):
    """z = x - log Σ exp(x), along the last dim"""

    @staticmethod
    def forward(ctx, x):
        m = x.max(axis=-1, keepdims=True)
        z = x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        """dz_i/dx_j = δ_ij - softmax(x)_j, so dx = g - softmax * Σ g"""
        z, = ctx.saved_tensors
        return g - np.exp(z) * g.sum(axis=-1, keepdims=True)


register(Exercise(
    "log_softmax", "log_softmax", LogSoftmax, _rows, lambda lib, x: lib.log_softmax(x, dim=-1),
    math="z = log_softmax(x)", formulas=("dx = g - softmax(x) * Σ g",),
    hints=["d/dx_j of log Σ exp(x) is softmax(x)_j.", "exp(z) is the softmax: forward saved z.",
           "dx = g - np.exp(z) * g.sum(axis=-1, keepdims=True)."]))


def _ce_cases(rng):
    out = []
    for n, c in ((4, 3), (5, 5), (2, 6), (8, 4)):
        out.append(Case((_r(rng, n, c), rng.integers(0, c, n)), square=n == c))
    return out


class CrossEntropy(Function):
    """loss = mean over the batch of -log softmax(logits)[i, target[i]]; logits (N, C), integer target (N,)"""

    @staticmethod
    def forward(ctx, logits, target):
        m = logits.max(axis=1, keepdims=True)
        logp = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
        n = len(target)
        ctx.save_for_backward(logp, target)
        return -logp[np.arange(n), target].mean()

    @staticmethod
    def backward(ctx, g):
        """dloss/dlogits = (softmax(logits) - onehot(target)) / N; the target is not differentiable: None"""
        logp, target = ctx.saved_tensors
        n = len(target)
        grad = np.exp(logp)
        grad[np.arange(n), target] -= 1
        return g * grad / n, None


register(Exercise(
    "cross_entropy", "cross-entropy", CrossEntropy, _ce_cases,
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), math="loss = cross_entropy(logits, target)",
    formulas=("dlogits = g * (softmax - onehot(target)) / N", "none: the target is class indices"),
    nondiff={1: "an integer target"},
    sizes=lambda case: [(len(case.inputs[1]), "a mean divides by the batch size")],
    hints=["The loss of row i is -logits[i, t] + log Σ exp(logits[i]).",
           "Its gradient in row i is softmax(logits[i]) - onehot(t[i]); the mean divides it by N.",
           "The target holds integers: return None as its gradient.",
           "grad = np.exp(logp); grad[np.arange(N), target] -= 1; return g * grad / N, None."]))


def _linear_cases(rng):
    return [Case((_r(rng, 4, 3), _r(rng, 5, 3), _r(rng, 5))), Case((_r(rng, 2, 6), _r(rng, 3, 6), _r(rng, 3))),
            Case((_r(rng, 4, 4), _r(rng, 4, 4), _r(rng, 4)), square=True),
            Case((_r(rng, 6, 2), _r(rng, 4, 2), _r(rng, 4)))]


class Linear(Function):
    """z = x @ Wᵀ + b;  x (N, in), W (out, in) (torch's layout), b (out,) -> z (N, out)"""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return x @ weight.T + bias

    @staticmethod
    def backward(ctx, g):
        """dx = g @ W: (N, out) @ (out, in);  dW = gᵀ @ x: (out, N) @ (N, in);  db = Σ_N g (b was broadcast)"""
        x, weight = ctx.saved_tensors
        return g @ weight, g.T @ x, sum_to(g, (weight.shape[0],))


register(Exercise(
    "linear", "linear layer", Linear, _linear_cases, lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
    math="z = x @ Wᵀ + b", formulas=("dx = g @ W", "dW = gᵀ @ x", "db = g summed over the batch"),
    hints=["It is a matmul with Wᵀ plus a broadcast add: combine the two exercises.",
           "Shapes: dx is (N, in), dW is (out, in), db is (out,); g is (N, out).",
           "dx = g @ W, dW = g.T @ x, db = g.sum(axis=0)."]))
