"""The floor: the tutorial MLP's training step written by hand in NumPy, no autograd, no Python objects per op.

Everything a NumPy library has to do, and nothing more: three matmuls forward, five backward (the input needs no
gradient), the fused softmax cross-entropy, and SGD in place. All float32. minigrad's target is to come within
1.15x of this.
"""
import numpy as np


class NumpyMLP:
    """Linear-ReLU-...-Linear with weights (out, in) as torch lays them out; trained by `step(x, y)`."""

    def __init__(self, weights, lr=1e-3):
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.lr = np.float32(lr)

    def forward(self, x):
        """Logits, plus what backward needs: the input of each layer (post-ReLU activations)."""
        acts = [x.reshape(len(x), -1)]  # Flatten: (N, 1, 28, 28) -> (N, 784), a view
        h = acts[0]
        last = len(self.params) - 1
        for i, (w, b) in enumerate(self.params):
            h = h @ w.T  # (N, in) @ (in, out) -> (N, out); BLAS takes w.T as a transposed flag, no copy
            h += b
            if i < last:
                np.maximum(h, 0, out=h)  # ReLU in place: the pre-activation is not needed by backward
                acts.append(h)
        return h, acts

    def step(self, x, y):
        """One SGD step on the batch; returns the mean cross-entropy loss (a float)."""
        logits, acts = self.forward(x)
        n = len(logits)
        # cross-entropy = logsumexp(logits) - logits[y];  d/dlogits = softmax(logits) - onehot(y), over n
        m = logits.max(axis=1, keepdims=True)
        e = np.exp(logits - m)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - logits[rows, y]))
        g = e / s
        g[rows, y] -= 1
        g *= np.float32(1.0 / n)
        for i in range(len(self.params) - 1, -1, -1):
            w, b = self.params[i]
            a = acts[i]
            gw = g.T @ a  # (out, N) @ (N, in) -> (out, in)
            gb = g.sum(axis=0)
            if i > 0:
                g = g @ w  # (N, out) @ (out, in) -> (N, in)
                g *= a > 0  # ReLU backward: a is the ReLU output, positive exactly where the gradient passes
            gw *= self.lr  # SGD, in place, no temporaries
            gb *= self.lr
            w -= gw
            b -= gb
        return loss

    def epoch(self, data):
        """One pass over pre-batched [(x, y), ...]; the last loss."""
        loss = None
        for x, y in data:
            loss = self.step(x, y)
        return loss
