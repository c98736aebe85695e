"""Finite differences for every differentiable op: central differences in float64 against backward, trusting
nothing but minigrad's own forward (torch is not consulted here).

Inputs keep away from kinks (|x| > 0.05 for abs/relu, operands of maximum 0.05 apart, distinct values for max/min,
values off clamp's bounds) and from poles (log, sqrt, division), where a difference quotient straddles a jump.
"""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd import gradcheck
from strategies import arrays, broadcastable_pair, distinct_arrays, positive_arrays, shapes

F64 = np.float64
small = shapes(max_dims=3, max_side=3)
small_nd = shapes(min_dims=1, max_dims=3, max_side=3)


def check(fn, *arrs):
    ts = [minigrad.from_numpy(np.array(a, copy=True)) for a in arrs]
    for t in ts:
        if t.is_floating_point():
            t.requires_grad_()
    assert gradcheck(fn, ts, eps=1e-6, atol=1e-6, rtol=1e-5)


def away(lo=0.05):
    """Values in [-3, 3] but at least `lo` from 0."""
    return lambda dt, s: arrays(dt, s, min_magnitude=lo)


# Each case is a strategy for (fn, input arrays): one builder per kind of op, drawing whatever it needs.
def binary(fn, y_values=arrays):
    @st.composite
    def build(draw):
        a, b = draw(broadcastable_pair(max_dims=3))
        return fn, [draw(arrays(F64, a)), draw(y_values(F64, b))]
    return build()


def unary(fn, values=arrays, shape=small):
    @st.composite
    def build(draw):
        return fn, [draw(values(F64, draw(shape)))]
    return build()


@st.composite
def separated_pair(draw):
    """x and y with |x - y| >= 0.05 everywhere: maximum/minimum are smooth there."""
    a, b = draw(broadcastable_pair(max_dims=3))
    x, y = draw(arrays(F64, a)), draw(arrays(F64, b)) + 0.1  # + 0.1: all zeros (hypothesis's favourite) is no tie
    assume(np.all(np.abs(x - y) >= 0.05))
    return x, y


@st.composite
def matmul_case(draw):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ra, rb = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(st.integers(1, 2))
    a = (k,) if ra == 1 else (batch,) * (ra - 2) + (n, k)
    b = (k,) if rb == 1 else (draw(st.sampled_from([1, batch])),) * (rb - 2) + (k, m)
    return (lambda x, y: x @ y), [draw(arrays(F64, a)), draw(arrays(F64, b))]


@st.composite
def reduce_case(draw, name, values=arrays, tuple_dims=True):
    shape = draw(small_nd)
    x = draw(values(F64, shape))
    nd = len(shape)
    dim = draw(st.one_of(st.integers(-nd, nd - 1),
                         st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(tuple))
               if tuple_dims else st.integers(-nd, nd - 1))
    keep = draw(st.booleans())
    if name == "var_std":
        n = int(np.prod([shape[d] for d in ((dim,) if isinstance(dim, int) else dim)]))
        corr = draw(st.integers(0, max(n - 1, 0)))
        if n == 1:
            corr = 0
        op = draw(st.sampled_from(["var", "std"]))
        if op == "std":  # std is not differentiable where it is 0
            x = x + np.arange(x.size).reshape(x.shape)
        return (lambda t: getattr(t, op)(dim, keepdim=keep, correction=corr)), [x]
    return (lambda t: getattr(t, name)(dim, keepdim=keep)), [x]


@st.composite
def softmax_case(draw, name):
    shape = draw(small_nd)
    d = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda t: getattr(t, name)(d)), [draw(arrays(F64, shape))]


def distinct(dt, shape):
    return distinct_arrays(dt, shape)


@st.composite
def index_case(draw):
    shape = draw(small_nd)
    x = draw(arrays(F64, shape))
    kind = draw(st.sampled_from(["basic", "ints", "mask", "setitem"]))
    if kind == "basic":
        idx = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True).filter(
            lambda i: all(not isinstance(p, slice) or p.step is None or p.step > 0
                          for p in (i if isinstance(i, tuple) else (i,)))))
        return (lambda t: t[idx]), [x]
    if kind == "ints":
        idx = minigrad.tensor(draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=5)))
        return (lambda t: t[idx]), [x]
    if kind == "mask":
        mask = minigrad.from_numpy(draw(hnp.arrays(np.bool_, shape)))
        return (lambda t: t[mask]), [x]
    v = draw(arrays(F64, shape[1:]))
    return (lambda t, u: (lambda z: (z.__setitem__(0, u * u), z)[1])(t * 1)), [x, v]


@st.composite
def join_case(draw):
    shape = draw(small_nd)
    d = draw(st.integers(-len(shape), len(shape) - 1))
    kind = draw(st.sampled_from(["cat", "stack", "split", "chunk"]))
    x, y = draw(arrays(F64, shape)), draw(arrays(F64, shape))
    if kind == "cat":
        return (lambda a, b: minigrad.cat([a, b * b], d)), [x, y]
    if kind == "stack":
        return (lambda a, b: minigrad.stack([a, b], d)), [x, y]
    size = draw(st.integers(1, shape[d]))
    if kind == "split":
        return (lambda a: tuple(p * (i + 1) for i, p in enumerate(a.split(size, d)))), [x]
    return (lambda a: tuple(p.exp() for p in a.chunk(size, d))), [x]


@st.composite
def shape_case(draw):
    shape = draw(small_nd)
    x = draw(arrays(F64, shape))
    n = len(shape)
    perm = draw(st.permutations(range(n)))
    d0, d1 = draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))
    u = draw(st.integers(-n - 1, n))
    fns = [lambda t: t.reshape(-1), lambda t: t.view(*shape[::-1]) if shape[::-1] == shape else t.reshape(
        shape[::-1]), lambda t: t.flatten(), lambda t: t.unsqueeze(u).squeeze(), lambda t: t.transpose(d0, d1),
        lambda t: t.permute(*perm), lambda t: t.T if n == 2 else t.mT if n > 2 else t.t(),
        lambda t: t.unsqueeze(0).expand(2, *shape), lambda t: t.squeeze(0) if shape[0] == 1 else t.view(shape)]
    return draw(st.sampled_from(fns)), [x]


@st.composite
def where_case(draw):
    a, b = draw(broadcastable_pair(max_dims=3))
    cond = minigrad.from_numpy(draw(hnp.arrays(np.bool_, a)))
    return (lambda x, y: minigrad.where(cond, x, y)), [draw(arrays(F64, a)), draw(arrays(F64, b))]


@st.composite
def clamp_tensor_case(draw):
    shape = draw(small)
    x = draw(arrays(F64, shape))
    lo = x + draw(st.sampled_from([-0.5, 0.5]))  # x below lo, or above it
    hi = lo + draw(st.sampled_from([-0.3, 0.2, 1.0]))  # lo > hi, or x above hi, or x inside: never on a bound
    return (lambda a, b, c: minigrad.clamp(a, b, c)), [x, lo, hi]


def _off_bounds(dt, s):
    return arrays(dt, s).map(lambda a: np.where(np.abs(np.abs(a) - 1) < 0.05, a * 1.2, a))


CASES = {
    "add": binary(lambda x, y: x + y), "sub": binary(lambda x, y: x - y), "mul": binary(lambda x, y: x * y),
    "div": binary(lambda x, y: x / y, y_values=lambda dt, s: arrays(dt, s, min_magnitude=0.3)),
    "pow_tensor": binary(lambda x, y: y ** x, y_values=lambda dt, s: positive_arrays(dt, s, 0.3, 3.0)),
    "scalar_ops": unary(lambda x: 2.5 - x * 3 + x / 4 - 1.5 / (x * x + 1) + 2 ** x),
    "neg": unary(lambda x: -x), "pow": unary(lambda x: x ** 3 + x ** 2), "pow_frac": unary(
        lambda x: x ** 0.5 + x ** -1.5, positive_arrays), "exp": unary(lambda x: x.exp()),
    "log": unary(lambda x: x.log(), positive_arrays), "sqrt": unary(lambda x: x.sqrt(), positive_arrays),
    "abs": unary(lambda x: x.abs(), away()), "relu": unary(lambda x: x.relu(), away()),
    "sigmoid": unary(lambda x: x.sigmoid()), "tanh": unary(lambda x: x.tanh()),
    "clamp": unary(lambda x: x.clamp(-1, 1), _off_bounds), "clamp_tensor": clamp_tensor_case(),
    "maximum": separated_pair().map(lambda p: ((lambda x, y: minigrad.maximum(x, y)), list(p))),
    "minimum": separated_pair().map(lambda p: ((lambda x, y: minigrad.minimum(x, y)), list(p))),
    "where": where_case(), "matmul": matmul_case(),
    "sum": reduce_case("sum"), "mean": reduce_case("mean"), "var_std": reduce_case("var_std"),
    "amax": reduce_case("amax", distinct), "amin": reduce_case("amin", distinct),
    "logsumexp": reduce_case("logsumexp"),
    "max_dim": reduce_case("max", distinct, False).map(lambda c: ((lambda t: c[0](t)[0]), c[1])),
    "min_dim": reduce_case("min", distinct, False).map(lambda c: ((lambda t: c[0](t).values), c[1])),
    "max_min_whole": unary(lambda x: x.max() - x.min(), distinct),
    "softmax": softmax_case("softmax"), "log_softmax": softmax_case("log_softmax"),
    "shape": shape_case(), "index": index_case(), "join": join_case(),
}


@pytest.mark.parametrize("name", CASES)
@given(data=st.data())
def test_finite_differences(name, data):
    fn, arrs = data.draw(CASES[name])
    check(fn, *arrs)

