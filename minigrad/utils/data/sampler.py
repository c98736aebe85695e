"""Samplers: iterables of dataset indices (or of index lists, for BatchSampler), as torch.utils.data's."""
import numpy as np

from ...random import Generator, _gen


class Sampler:
    """Base class: subclasses define `__iter__` over indices and, usually, `__len__`."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh permutation per epoch (or draws with replacement). Without a generator, each epoch seeds a private
    one from the global stream, so `minigrad.manual_seed` makes the whole sequence of epochs reproducible."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _rng(self):
        if self.generator is not None:
            return _gen(self.generator)
        seed = int(_gen(None).integers(0, 2**63, dtype=np.int64))
        return _gen(Generator().manual_seed(seed))

    def _index_array(self):
        """All of this epoch's indices as one int64 array (the DataLoader's fast path slices it per batch)."""
        n, rng = len(self.data_source), self._rng()
        if self.replacement:
            return rng.integers(0, n, self.num_samples, dtype=np.int64)
        whole, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(whole)] + [rng.permutation(n)[:rest]]
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, without replacement."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _gen(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups a sampler's indices into lists of `batch_size`; the last shorter one is dropped when `drop_last`."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        if type(self.sampler) in (SequentialSampler, RandomSampler):  # exact types: a subclass may reorder
            # one array for the epoch, cut into batches: the same indices as the loop below, without it
            idx = (np.arange(len(self.sampler), dtype=np.int64) if type(self.sampler) is SequentialSampler
                   else self.sampler._index_array())
            stop = len(idx) - len(idx) % self.batch_size if self.drop_last else len(idx)
            for start in range(0, stop, self.batch_size):
                yield idx[start:start + self.batch_size].tolist()
            return
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
