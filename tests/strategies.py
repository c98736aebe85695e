"""hypothesis strategies shared by the op tests: shapes, broadcastable pairs, dims, and float arrays.

Sizes stay small (at most 4 dims of at most 4) so that a parity example costs well under a millisecond and the
finite-difference checks stay cheap; the interesting cases are in the shapes (0-dim, size-1 dims, broadcasting)
and in the values (huge logits, ties, values near zero), not in the element count.
"""
import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The tensors here have a few dozen elements: torch's intra-op thread pool only adds wake-up latency, about ten
# times the op itself on a busy 2-core machine (6 ms against 0.5 ms for a softmax forward and backward).
torch.set_num_threads(1)

FLOATS = (np.float64, np.float32)
float_dtypes = st.sampled_from(FLOATS)


def shapes(min_dims=0, max_dims=4, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_pair(min_dims=0, max_dims=4):
    """Two shapes that broadcast together, each possibly shorter than the result or with 1s in it."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=max_dims, max_side=4).map(
        lambda s: s.input_shapes)


def _elements(dtype, lo, hi, min_magnitude=0.0):
    """Finite floats in [lo, hi], exactly representable in `dtype`; optionally away from zero."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    if width == 32:  # hypothesis wants bounds that float32 represents exactly
        lo, hi = float(np.float32(lo)), float(np.float32(hi))
    x = st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)
    if min_magnitude:
        x = x.filter(lambda v: abs(v) >= min_magnitude)
    return x


def arrays(dtype, shape, lo=-3.0, hi=3.0, min_magnitude=0.0):
    """A float array of `shape` (a shape or a strategy for one) with values in [lo, hi]."""
    return hnp.arrays(np.dtype(dtype), shape, elements=_elements(dtype, lo, hi, min_magnitude))


def positive_arrays(dtype, shape, lo=0.1, hi=5.0):
    """For log, sqrt and fractional powers: strictly positive and away from 0, where derivatives blow up."""
    return arrays(dtype, shape, lo, hi)


def large_arrays(dtype, shape):
    """Huge magnitudes for the delicate ops (log_softmax, logsumexp, softmax, sigmoid, tanh): a naive exp would
    overflow. Mixed with ordinary values so ties to the max and large spreads both occur."""
    big = 1e4 if np.dtype(dtype) == np.float32 else 1e6
    return hnp.arrays(np.dtype(dtype), shape, elements=st.one_of(
        _elements(dtype, -big, big), _elements(dtype, -3.0, 3.0), st.sampled_from([-big, big, 0.0])))


@st.composite
def dims(draw, ndim, allow_none=False, allow_tuple=True):
    """A `dim` argument for an ndim tensor: an int (possibly negative), a tuple of distinct dims, or None."""
    n = max(ndim, 1)
    single = st.integers(-n, n - 1) if ndim else st.sampled_from([0, -1])
    options = [single]
    if allow_tuple and ndim:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
            lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds])))
    if allow_none:
        options.append(st.none())
    return draw(st.one_of(*options))


keepdims = st.booleans()


@st.composite
def array_and_dim(draw, dtype=None, min_dims=1, max_dims=4, allow_tuple=False, values=None):
    """(array, dim) with dim an int (or a tuple when allowed) valid for the array."""
    dt = draw(float_dtypes) if dtype is None else dtype
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims))
    arr = draw((values or arrays)(dt, shape))
    return arr, draw(dims(len(shape), allow_tuple=allow_tuple))


@st.composite
def distinct_arrays(draw, dtype, shape):
    """Values with no ties (a random permutation of spaced values): max/min/sort gradients are then unambiguous,
    and finite differences do not straddle a kink."""
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else shape
    n = int(np.prod(shape, dtype=np.int64))
    perm = draw(st.permutations(range(n)))
    scale = draw(st.sampled_from([0.5, 1.0, 3.0]))
    return ((np.asarray(perm, np.float64) - n / 2) * scale).reshape(shape).astype(dtype)
