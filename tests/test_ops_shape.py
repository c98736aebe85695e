"""Shape ops and indexing against torch: the values move, so each gradient must move back exactly the same way."""
import functools
import warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from parity import check_parity
from strategies import arrays, dims, float_dtypes, shapes


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


@st.composite
def array_and_new_shape(draw):
    """An array and another shape with as many elements: its dims regrouped, 1s inserted, maybe one -1."""
    dt = draw(float_dtypes)
    shape = draw(shapes())
    x = draw(arrays(dt, shape))
    factors = [f for n in shape for f in _factor(n)]
    new = list(draw(st.permutations(factors)))
    while new and len(new) > 1 and draw(st.booleans()):  # merge two neighbours
        i = draw(st.integers(0, len(new) - 2))
        new[i:i + 2] = [new[i] * new[i + 1]]
    for _ in range(draw(st.integers(0, 2))):
        new.insert(draw(st.integers(0, len(new))), 1)
    if new and draw(st.booleans()):
        new[draw(st.integers(0, len(new) - 1))] = -1
    return x, tuple(new)


def _factor(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@given(case=array_and_new_shape())
def test_reshape_view(case):
    x, new = case
    parity(lambda L, a: a.reshape(new), x)
    parity(lambda L, a: L.reshape(a, new), x)
    parity(lambda L, a: a.view(*new) if new else a.view(new), x)
    parity(lambda L, a: a.view(-1), x)


def test_view_of_non_contiguous_refuses_like_torch():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
            lib.zeros(3, 4).t().view(12)
    parity(lambda L, a: a.t().reshape(12), np.arange(12.0).reshape(3, 4))


@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_flatten_squeeze_unsqueeze(dt, shape, data):
    shape = data.draw(st.permutations(shape + (1,) * data.draw(st.integers(0, 2))))  # squeezable dims
    x = data.draw(arrays(dt, tuple(shape)))
    n = x.ndim
    parity(lambda L, a: a.flatten(), x)
    if n:
        s, e = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
        s, e = data.draw(st.sampled_from([s, s - n])), data.draw(st.sampled_from([e, e - n]))
        parity(lambda L, a: L.flatten(a, s, e), x)
        parity(lambda L, a: a.flatten(start_dim=s), x)
    parity(lambda L, a: a.squeeze(), x)
    d = data.draw(dims(n, allow_tuple=True))
    parity(lambda L, a: L.squeeze(a, d), x)
    u = data.draw(st.integers(-n - 1, n))
    parity(lambda L, a: a.unsqueeze(u), x)
    parity(lambda L, a: L.unsqueeze(a, u).squeeze(u), x)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_transpose_permute(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    n = x.ndim
    d0, d1 = data.draw(st.integers(-n, n - 1)), data.draw(st.integers(-n, n - 1))
    parity(lambda L, a: a.transpose(d0, d1), x)
    parity(lambda L, a: L.transpose(a, d0, d1), x)
    parity(lambda L, a: L.swapaxes(a, d0, d1), x)
    perm = data.draw(st.permutations(range(n)))
    perm = [data.draw(st.sampled_from([p, p - n])) for p in perm]
    parity(lambda L, a: a.permute(*perm), x)
    parity(lambda L, a: L.permute(a, perm), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch deprecates .T on anything but 2-D; it still reverses the dims
        parity(lambda L, a: a.T, x)
    if n <= 2:
        parity(lambda L, a: a.t(), x)
        parity(lambda L, a: L.t(a), x)
    if n >= 2:
        parity(lambda L, a: a.mT, x)


@given(dt=float_dtypes, shape=shapes(max_dims=3), data=st.data())
def test_expand(dt, shape, data):
    # size-1 dims are the ones that grow
    shape = tuple(data.draw(st.sampled_from([1, s])) for s in shape)
    x = data.draw(arrays(dt, shape))
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    target = lead + tuple(data.draw(st.integers(1, 3)) if s == 1 else s for s in shape)
    parity(lambda L, a: a.expand(*target) if target else a.expand(target), x)
    parity(lambda L, a: a.expand(lead + (-1,) * len(shape)), x)
    parity(lambda L, a: a.expand_as(L.zeros(target, dtype=a.dtype)), x)


# ---- indexing ----------------------------------------------------------------------------------------------------
def _positive_steps(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_basic_indexing(dt, shape, data):
    """ints (negative too), slices with steps, ..., None, in any mix."""
    x = data.draw(arrays(dt, shape))
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True).filter(_positive_steps))
    parity(lambda L, a: a[index], x)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_integer_array_indexing(dt, shape, data):
    """Index tensors with repeated entries: their gradients must add up, not overwrite."""
    x = data.draw(arrays(dt, shape))
    idx = data.draw(hnp.arrays(np.int64, st.sampled_from([(4,), (2, 3), ()]),
                               elements=st.integers(-shape[0], shape[0] - 1)))
    parity(lambda L, a, i: a[i], x, idx)
    parity(lambda L, a, i: a[i, ...], x, idx)
    if x.ndim >= 2:
        j = np.arange(idx.size, dtype=np.int64).reshape(idx.shape) % shape[1]
        parity(lambda L, a, i, k: a[i, k], x, idx, j)  # paired: picks single elements
        parity(lambda L, a, i: a[:, i], x, idx % shape[1])
        parity(lambda L, a, i: a[i, 1:], x, idx)
    parity(lambda L, a: a[[0, 0, -1]], x)  # a Python list indexes like a tensor


def test_repeated_indices_accumulate():
    x = np.array([1.0, 2.0, 3.0])
    idx = np.array([0, 2, 0, 0], np.int64)
    m, _ = parity(lambda L, a, i: a[i], x, idx)
    xm = minigrad.tensor(x, requires_grad=True)
    xm[minigrad.tensor(idx)].sum().backward()
    np.testing.assert_array_equal(xm.grad.numpy(), [3.0, 0.0, 1.0])


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_boolean_mask_indexing(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    k = data.draw(st.integers(1, x.ndim))  # a mask over the leading k dims
    mask = data.draw(hnp.arrays(np.bool_, shape[:k]))
    parity(lambda L, a, m: a[m], x, mask)
    parity(lambda L, a: a[a > 0], x)
    parity(lambda L, a, m: a[..., m], x, data.draw(hnp.arrays(np.bool_, shape[-1:])))


def test_float_index_refused():
    for lib in (torch, minigrad):
        with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
            lib.zeros(3)[lib.tensor([0.0])]


def test_index_out_of_range_raises_index_error():
    for lib in (torch, minigrad):
        with pytest.raises(IndexError):
            lib.zeros(3, 2)[3]


# ---- joining and splitting ------------------------------------------------------------------------------------------
@given(shape=shapes(min_dims=1, max_dims=3), k=st.integers(1, 3), data=st.data())
def test_cat_stack(shape, k, data):
    dts = [data.draw(float_dtypes) for _ in range(k)]  # mixed float32/float64 promote, like torch
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    sizes = [data.draw(st.integers(0, 3)) for _ in range(k)]
    parts = [data.draw(arrays(dt, shape[:d % len(shape)] + (n,) + shape[d % len(shape) + 1:]))
             for dt, n in zip(dts, sizes)]
    parity(lambda L, *xs: L.cat(xs, d), *parts)
    parity(lambda L, *xs: L.cat(list(xs), dim=d), *parts)
    same = [data.draw(arrays(dt, shape)) for dt in dts]
    s = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parity(lambda L, *xs: L.stack(xs, s), *same)
    parity(lambda L, *xs: L.stack(xs, dim=s), *same)


@given(dt=float_dtypes, shape=shapes(min_dims=1), data=st.data())
def test_split_chunk(dt, shape, data):
    x = data.draw(arrays(dt, shape))
    d = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = shape[d]
    size = data.draw(st.integers(1, n + 1))
    parity(lambda L, a: a.split(size, d), x)
    parity(lambda L, a: L.split(a, size, dim=d), x)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sections = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    parity(lambda L, a: a.split(sections, d), x)
    chunks = data.draw(st.integers(1, n + 2))
    parity(lambda L, a: a.chunk(chunks, d), x)
    parity(lambda L, a: L.chunk(a, chunks, dim=d), x)


def test_split_output_used_twice_and_one_unused():
    """Only some pieces reach the loss: the others' slices of the gradient are zeros, as torch."""
    x = np.arange(10.0).reshape(5, 2)
    parity(lambda L, a: (lambda p: p[0] * p[2] + p[0])(a.split(2)), x)
    parity(lambda L, a: a.chunk(3)[1].exp(), x)


def test_shape_errors_match_torch():
    cases = [
        (lambda L: L.zeros(2, 3).reshape(4, 2), RuntimeError, "shape '\\[4, 2\\]' is invalid for input of size 6"),
        (lambda L: L.zeros(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
        (lambda L: L.zeros(2, 3).expand(4, 3), RuntimeError, "The expanded size of the tensor \\(4\\) must match the "
                                                             "existing size \\(2\\) at non-singleton dimension 0"),
        (lambda L: L.zeros(2, 3).transpose(0, 2), IndexError, "Dimension out of range \\(expected to be in range of "
                                                              "\\[-2, 1\\], but got 2\\)"),
        (lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError, "Sizes of tensors must match except in "
                                                                        "dimension 0. Expected size 3 but got size 4"),
        (lambda L: L.stack([L.zeros(2, 3), L.zeros(3, 2)]), RuntimeError, "stack expects each tensor to be equal size"),
        (lambda L: L.zeros(2, 3, 4).t(), RuntimeError, "t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"),
        (lambda L: L.zeros(2, 3).split([1, 1], 1), RuntimeError, "split_with_sizes expects split_sizes to sum "
                                                             "exactly to 3"),
        (lambda L: L.zeros(3, 2)[3], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    ]
    for fn, exc, msg in cases:
        for lib in (torch, minigrad):
            with pytest.raises(exc, match=msg):
                fn(lib)
