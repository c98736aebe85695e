"""State dicts both ways between minigrad and torch, bit for bit.

Tensors are copied through NumPy with their dtype kept, so float32 weights stay exactly the same float32 bits;
anything that is not a tensor (step counters, hyper-parameters in an optimizer's state dict) passes through, and
dicts, lists and tuples are converted recursively, so `optimizer.state_dict()` converts as well as a model's.

These convert objects in one process that has both libraries. Files need no conversion at all: `minigrad.save`
writes torch's format and `minigrad.load` reads it without torch, so a `.pth` written by either side loads in the
other (tests/test_torch_files.py evaluates a torch-trained model in minigrad from its file alone, and back).
"""
from collections import OrderedDict

import numpy as np
import torch

import minigrad


def _walk(obj, leaf_type, convert):
    if isinstance(obj, leaf_type):
        return convert(obj)
    if isinstance(obj, dict):
        out = OrderedDict() if isinstance(obj, OrderedDict) else {}
        for key, value in obj.items():
            out[key] = _walk(value, leaf_type, convert)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(_walk(value, leaf_type, convert) for value in obj)
    return obj


def _minigrad_to_torch(t, device):
    arr = np.array(t.numpy(), copy=True)  # own the memory: torch must not alias minigrad's live weights
    return torch.from_numpy(arr).to(device)


def _torch_to_minigrad(t):
    if t.dtype == torch.bfloat16:
        raise TypeError("to_minigrad: bfloat16 tensors have no NumPy dtype; convert them to float32 first")
    arr = t.detach().cpu().numpy().copy()
    return minigrad.from_numpy(arr)


def to_torch(state_dict, device="cpu"):
    """minigrad state dict (keys -> minigrad.Tensor) -> the same keys -> torch.Tensor on `device`, same bits."""
    return _walk(state_dict, minigrad.Tensor, lambda t: _minigrad_to_torch(t, device))


def to_minigrad(state_dict):
    """torch state dict (keys -> torch.Tensor, any device) -> the same keys -> minigrad.Tensor, same bits."""
    return _walk(state_dict, torch.Tensor, _torch_to_minigrad)


def copy_weights(source, target):
    """Load `source` module's weights into `target`, whichever framework each is in (torch or minigrad)."""
    state = source.state_dict()
    if isinstance(target, torch.nn.Module):
        device = next(target.parameters()).device
        target.load_state_dict(to_torch(state, device) if not isinstance(source, torch.nn.Module) else state)
    else:
        target.load_state_dict(to_minigrad(state) if isinstance(source, torch.nn.Module) else state)
    return target
