"""DataLoader, samplers and datasets against torch.utils.data: same batches, lengths, errors."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import minigrad
import minigrad.utils.data as mud


def as_np(x):
    """A batch (nested lists/dicts of tensors) -> the same structure of NumPy arrays, from either library."""
    if isinstance(x, (torch.Tensor, minigrad.Tensor)):
        return np.asarray(x.detach().numpy() if isinstance(x, torch.Tensor) else x.data)
    if isinstance(x, dict):
        return {k: as_np(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(as_np(v) for v in x) if not hasattr(x, "_fields") else tuple(as_np(v) for v in x)
    return x


def assert_same(a, b):
    a, b = as_np(a), as_np(b)
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64) % 3


def tensor_datasets():
    return (mud.TensorDataset(minigrad.from_numpy(X), minigrad.from_numpy(Y)),
            tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)))


class Nested:
    """A map-style dataset of nested samples (works unchanged with both libraries)."""

    def __init__(self, n=7):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full((2,), i, np.float32), "pair": (i, float(i) / 2), "name": f"s{i}", "flag": i % 2 == 0,
                "list": [np.int32(i), np.float64(i)]}


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_and_len_match_torch(batch_size, drop_last):
    mds, tds = tensor_datasets()
    m = mud.DataLoader(mds, batch_size=batch_size, drop_last=drop_last)
    t = tud.DataLoader(tds, batch_size=batch_size, drop_last=drop_last)
    assert len(m) == len(t)
    mb, tb = list(m), list(t)
    assert len(mb) == len(tb) == len(t)
    for a, b in zip(mb, tb):
        assert_same(a, b)


def test_nested_collate_matches_torch():
    for bs in (3, None):
        m = list(mud.DataLoader(Nested(), batch_size=bs))
        t = list(tud.DataLoader(Nested(), batch_size=bs))
        assert len(m) == len(t)
        for a, b in zip(m, t):
            assert_same(a, b)


@pytest.mark.parametrize("batch", [
    [1, 2, 3], [1.5, 2.0], [True, False], [np.float32(1), np.float32(2)], [np.int32(3), np.int32(4)],
    [np.array(3.0), np.array(4.0)], [np.zeros((2, 3), np.uint8), np.ones((2, 3), np.uint8)], ["a", "b"],
    [(1, "a"), (2, "b")], [[1, 2], [3, 4]], [{"a": [1, 2]}, {"a": [3, 4]}],
])
def test_default_collate_types_match_torch(batch):
    assert_same(mud.default_collate(batch), tud.default_collate(batch))


def test_default_collate_tensors_namedtuple_and_convert():
    from collections import namedtuple

    P = namedtuple("P", "x y")
    m = mud.default_collate([P(minigrad.tensor([1.0]), 2), P(minigrad.tensor([3.0]), 4)])
    t = tud.default_collate([P(torch.tensor([1.0]), 2), P(torch.tensor([3.0]), 4)])
    assert type(m) is P and type(t) is P
    assert_same(tuple(m), tuple(t))
    sample = (np.zeros(2), 3, [np.ones(1, np.float32)], {"k": np.int64(5)})
    assert_same(mud.default_convert(sample), tud.default_convert(sample))


@pytest.mark.parametrize("batch,exc,msg", [
    ([object(), object()], TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                      "lists; found <class 'object'>"),
    ([np.array(["a"]), np.array(["b"])], TypeError, "found <U1"),
    ([[1, 2], [1]], RuntimeError, "each element in list of batch should be of equal size"),
])
def test_default_collate_errors_match_torch(batch, exc, msg):
    with pytest.raises(exc, match=msg):
        tud.default_collate(batch)
    with pytest.raises(exc, match=msg):
        mud.default_collate(batch)


def test_collate_ragged_tensors_raises_like_torch():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0 "
                                           r"and \[3\] at entry 1"):
        mud.default_collate([minigrad.zeros(2), minigrad.zeros(3)])


def test_batch_sampler_and_custom_collate_match_torch():
    mds, tds = tensor_datasets()
    batches = [[3, 1], [0, 9, 8], [5]]
    m = mud.DataLoader(mds, batch_sampler=batches)
    t = tud.DataLoader(tds, batch_sampler=batches)
    assert len(m) == len(t) == 3
    for a, b in zip(m, t):
        assert_same(a, b)
    m = mud.DataLoader(mds, batch_size=4, collate_fn=lambda samples: [int(s[1]) for s in samples])
    t = tud.DataLoader(tds, batch_size=4, collate_fn=lambda samples: [int(s[1]) for s in samples])
    assert list(m) == list(t)


def test_batch_sampler_over_sequential_and_generic_samplers():
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]:
        expected = list(tud.BatchSampler(range(n), bs, drop))
        assert list(mud.BatchSampler(range(n), bs, drop)) == expected
        assert list(mud.BatchSampler(mud.SequentialSampler(range(n)), bs, drop)) == expected
        assert len(mud.BatchSampler(range(n), bs, drop)) == len(expected)


@pytest.mark.parametrize("kwargs,msg", [
    (dict(shuffle=True, sampler=[0, 1]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with batch_size"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
])
def test_bad_argument_combinations_raise_like_torch(kwargs, msg):
    mds, tds = tensor_datasets()
    with pytest.raises(ValueError, match=msg):
        tud.DataLoader(tds, **kwargs)
    with pytest.raises(ValueError, match=msg):
        mud.DataLoader(mds, **kwargs)


def test_attributes_frozen_after_init():
    dl = mud.DataLoader(tensor_datasets()[0], batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3
    dl.num_workers = 0  # not frozen in torch either


class Stream(mud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("bs,drop", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_matches_torch(bs, drop):
    m = mud.DataLoader(Stream(8), batch_size=bs, drop_last=drop)
    t = tud.DataLoader(TStream(8), batch_size=bs, drop_last=drop)
    assert len(m) == len(t)
    mb, tb = list(m), list(t)
    assert len(mb) == len(tb)
    for a, b in zip(mb, tb):
        assert_same(a, b)
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        mud.DataLoader(Stream(3), shuffle=True)


def test_shuffle_is_a_permutation_and_reproducible_under_manual_seed():
    mds, _ = tensor_datasets()
    minigrad.manual_seed(0)
    first = [b[1].tolist() for b in mud.DataLoader(mds, batch_size=4, shuffle=True)]
    second = [b[1].tolist() for b in mud.DataLoader(mds, batch_size=4, shuffle=True)]
    minigrad.manual_seed(0)
    again = [b[1].tolist() for b in mud.DataLoader(mds, batch_size=4, shuffle=True)]
    assert first == again  # the same seed, the same epoch
    assert first != second  # the next epoch draws a new order (deterministic under the seed)
    idx = [b[0][:, 0].tolist() for b in mud.DataLoader(mds, batch_size=4, shuffle=True)]
    assert sorted(int(v) // 3 for batch in idx for v in batch) == list(range(10))
    orders = {tuple(int(b[0][0, 0]) for b in mud.DataLoader(mds, batch_size=1, shuffle=True)) for _ in range(5)}
    assert len(orders) > 1  # epochs differ


def test_shuffle_with_generator_is_reproducible_and_independent_of_global_seed():
    mds, _ = tensor_datasets()

    def epoch(seed, global_seed):
        minigrad.manual_seed(global_seed)
        g = minigrad.Generator().manual_seed(seed)
        return [b[1].tolist() + b[0][:, 0].tolist() for b in mud.DataLoader(mds, batch_size=3, shuffle=True,
                                                                           generator=g)]

    assert epoch(5, 0) == epoch(5, 1)
    assert epoch(5, 0) != epoch(6, 0)


def test_random_sampler_options():
    g = minigrad.Generator().manual_seed(1)
    s = mud.RandomSampler(range(5), replacement=True, num_samples=12, generator=g)
    draws = list(s)
    assert len(draws) == len(s) == 12 and all(0 <= d < 5 for d in draws)
    s = mud.RandomSampler(range(5), num_samples=12, generator=g)
    draws = list(s)
    assert len(draws) == 12 and sorted(draws[:5]) == sorted(draws[5:10]) == list(range(5))
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        mud.RandomSampler(range(5), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        mud.RandomSampler(range(5), replacement=1)


@pytest.mark.parametrize("lengths,expected", [([3, 7], [3, 7]), ([0.3, 0.7], [3, 7]), ([0.33, 0.33, 0.34], [4, 3, 3]),
                                              ([0.5, 0.5], [5, 5]), ([0.1, 0.1, 0.8], [1, 1, 8])])
def test_random_split_lengths_match_torch(lengths, expected):
    mds, tds = tensor_datasets()
    g = minigrad.Generator().manual_seed(0)
    parts = mud.random_split(mds, lengths, generator=g)
    assert [len(p) for p in parts] == [len(p) for p in tud.random_split(tds, lengths)] == expected
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))
    again = mud.random_split(mds, lengths, generator=minigrad.Generator().manual_seed(0))
    assert [p.indices for p in again] == [p.indices for p in parts]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        mud.random_split(mds, [3, 3])


def test_subset_concat_and_fast_path_equals_slow_path():
    mds, tds = tensor_datasets()
    sub_m, sub_t = mud.Subset(mds, [9, 2, 4, 4]), tud.Subset(tds, [9, 2, 4, 4])
    for a, b in zip(mud.DataLoader(sub_m, batch_size=3), tud.DataLoader(sub_t, batch_size=3)):
        assert_same(a, b)
    cat_m, cat_t = mud.ConcatDataset([mds, sub_m]), tud.ConcatDataset([tds, sub_t])
    assert len(cat_m) == len(cat_t) == 14 and cat_m.cumulative_sizes == cat_t.cumulative_sizes
    for i in (0, 9, 10, 13, -1, -14):
        assert_same(cat_m[i], cat_t[i])
    # _getbatch (one fancy index) and per-sample fetch + default_collate give identical batches
    for ds in (mds, sub_m):
        for idx in ([0], [3, 1, 1, 2], list(range(len(ds)))[::-1]):
            assert_same(ds._getbatch(idx), mud.default_collate([ds[i] for i in idx]))


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        mud.TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
