"""Random programs of several ops with shared subexpressions, against torch.

A program starts from two or three leaves and appends one op at a time, each taking its operands from anything
computed so far, so values fan out to several consumers; the loss then uses every value once more. Gradients
reaching a tensor along different paths must add up exactly as torch's do.

Kinks (relu, abs, maximum, where) are applied to leaves only: the two libraries may round an intermediate value
differently in its last bit, and at a kink that would flip the subgradient rather than show a real difference.
"""
import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from parity import check_parity
from strategies import arrays, float_dtypes

SMOOTH_UNARY = {
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: L.sigmoid(x),
    "exp_tanh": lambda L, x: x.tanh().exp(),
    "scale": lambda L, x: x * 0.5 - 1,
    "square": lambda L, x: (x * 0.5) ** 2,
    "softmax0": lambda L, x: x.softmax(0),
    "log_softmax1": lambda L, x: L.log_softmax(x, dim=-1),
    "centre": lambda L, x: x - x.mean(1, keepdim=True),
    # var, not std: std's gradient jumps at a constant row (0 there, centred/std beside it), and the two libraries
    # may round a constant row's mean differently in float32, landing on either side
    "norm_rows": lambda L, x: x / (x.var(1, keepdim=True) + 1),
    "lse": lambda L, x: x - x.logsumexp(0, keepdim=True),
    "t_t": lambda L, x: x.t().reshape(x.shape[1], -1).t() * 1.5,
    "sum_bcast": lambda L, x: x * x.sum(0).tanh(),
    "amax_bcast": lambda L, x: x - x.amax(1, keepdim=True),
    "flip_rows": lambda L, x: L.cat([x[1:], x[:1]], 0),
    "stack_mean": lambda L, x: L.stack([x, x * 2], 0).mean(0),
    "index": lambda L, x: x[L.tensor([0] * x.shape[0])] + x,
    "sqrt": lambda L, x: (x * x + 1).sqrt(),
    "clamp": lambda L, x: x.tanh().clamp(-2, 2),
}
SMOOTH_BINARY = {
    "add": lambda L, x, y: x + y,
    "sub": lambda L, x, y: x - y,
    "mul": lambda L, x, y: x * y,
    "div": lambda L, x, y: x / (y * y + 1),
    "mm": lambda L, x, y: (x @ y.T @ x).tanh(),
    "matmul_vec": lambda L, x, y: x * (x @ y[0]).unsqueeze(1),
    "pow": lambda L, x, y: (x.sigmoid() + 0.5) ** y.tanh(),
}
KINK_LEAF = {
    "relu": lambda L, x, y: x.relu(),
    "abs": lambda L, x, y: x.abs(),
    "maximum": lambda L, x, y: L.maximum(x, y),
    "where": lambda L, x, y: L.where(x > y, x, y * 2),
    "clamp": lambda L, x, y: x.clamp(-1, 1),
}


@st.composite
def programs(draw):
    """A list of steps (op name, operand indices); operands index into leaves + earlier results."""
    n_leaves = draw(st.integers(2, 3))
    steps = []
    for _ in range(draw(st.integers(1, 3))):  # kinks first, on leaves
        name = draw(st.sampled_from(sorted(KINK_LEAF)))
        steps.append(("kink", name, draw(st.integers(0, n_leaves - 1)), draw(st.integers(0, n_leaves - 1))))
    for _ in range(draw(st.integers(3, 8))):
        avail = n_leaves + len(steps)
        if draw(st.booleans()):
            steps.append(("unary", draw(st.sampled_from(sorted(SMOOTH_UNARY))), draw(st.integers(0, avail - 1))))
        else:
            steps.append(("binary", draw(st.sampled_from(sorted(SMOOTH_BINARY))),
                          draw(st.integers(0, avail - 1)), draw(st.integers(0, avail - 1))))
    return n_leaves, steps


def run(L, steps, *leaves):
    values = list(leaves)
    for kind, name, *operands in steps:
        args = [values[i] for i in operands]
        fn = {"kink": KINK_LEAF, "unary": SMOOTH_UNARY, "binary": SMOOTH_BINARY}[kind][name]
        values.append(fn(L, *args))
    # every value feeds the loss once more: the fan-out of each node is at least two where it was consumed
    return sum(((k % 3) + 1) * v for k, v in enumerate(values[len(leaves):])) + values[-1] * values[0]


@given(dt=float_dtypes, rows=st.integers(2, 4), cols=st.integers(2, 4), prog=programs(), data=st.data())
def test_random_chains_match_torch(dt, rows, cols, prog, data):
    n_leaves, steps = prog
    leaves = [data.draw(arrays(dt, (rows, cols), -2, 2)) for _ in range(n_leaves)]
    # float32: up to ~15 ops deep, each rounding in its own order in each library; errors compound to ~1e-5
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}
    check_parity(lambda *xs: run(torch, steps, *xs), lambda *xs: run(minigrad, steps, *xs), *leaves, **tol)


def test_diamond_accumulates_exactly():
    """x feeds a and b, which meet again: dx = da/dx + db/dx, summed once, not twice or zero times."""
    def f(L, x):
        a, b = x * 3, x.exp()
        c = a * b + a
        return c.sum() + (c * a).mean()
    check_parity(lambda x: f(torch, x), lambda x: f(minigrad, x), np.array([[0.5, -1.0], [2.0, 0.0]]))


def test_same_tensor_as_both_operands():
    check_parity(lambda x: x * x + x / x.exp() - x, lambda x: x * x + x / x.exp() - x, np.linspace(-2, 2, 6))
