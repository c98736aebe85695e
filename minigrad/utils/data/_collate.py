"""default_collate: a list of samples -> one batch, keeping the samples' structure (torch's rules, type by type).

tensors -> stacked on a new dim 0; NumPy arrays -> tensors, stacked; Python ints -> int64, floats -> float64, bools
-> bool; strings -> the list as is; tuples -> a list per position (torch keeps this for backwards compatibility);
namedtuples, lists and dicts -> the same type, collated per field / position / key.
"""
import collections.abc
import copy
import re

import numpy as np

from ... import ops
from ..._dtype import float64
from ...creation import as_tensor, tensor
from ...tensor import Tensor

_np_str_obj_array_pattern = re.compile(r"[SaUO]")
default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists;"
                                  " found {}")


def _stack(batch):
    shape = batch[0].data.shape
    if all(t.data.shape == shape for t in batch) and not any(t.requires_grad for t in batch):
        return Tensor._make(np.stack([t.data for t in batch]), None)  # (B, *shape): no graph needed
    return ops.stack(batch, 0)  # torch's error for ragged shapes; keeps the graph for tensors that need grad


def _collate_sequence(batch, elem):
    it = iter(batch)
    elem_size = len(next(it))
    if not all(len(e) == elem_size for e in it):
        raise RuntimeError("each element in list of batch should be of equal size")
    transposed = [default_collate(samples) for samples in zip(*batch)]
    if isinstance(elem, tuple):
        return transposed
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            clone[:] = transposed
            return clone
        return type(elem)(transposed)
    except TypeError:  # a sequence type that cannot be built from a list
        return transposed


def default_collate(batch):
    """Merge a list of samples into a batch (see the module docstring for the per-type rules)."""
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(elem, np.ndarray):
            if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
                raise TypeError(default_collate_err_msg_format.format(elem.dtype))
            return default_collate([as_tensor(b) for b in batch])
        if elem.shape == ():  # NumPy scalars keep their dtype
            return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):  # bools included: they collate to a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(batch, elem)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_convert(data):
    """Without batching (batch_size=None): NumPy arrays and scalars become tensors, containers are walked."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
