"""The OpInfo harness's two halves side by side: a torch sample argument copied for minigrad (`to_minigrad`), and
the outputs and gradients of both compared (`compare_outputs`, `compare_grads`), raising Mismatch with what differs."""
import math

import numpy as np
import torch

import minigrad


class Unsupported(Exception):
    """A sample argument that minigrad has no counterpart for (complex dtype, torch.Generator, ...)."""

# ------------------------------------------------------------------------------------------------ conversion

def _minigrad_dtype(torch_dtype):
    name = str(torch_dtype).rsplit(".", 1)[-1]
    d = getattr(minigrad, name, None)
    if not isinstance(d, minigrad.dtype):
        raise Unsupported(f"dtype {torch_dtype}")
    return d


def to_minigrad(obj, memo):
    """A copy of a sample argument for minigrad: tensors become minigrad tensors holding a copy of their values
    (the same torch tensor twice becomes the same minigrad tensor twice: `memo` maps id -> copy), dtypes map by
    name, torch.Size becomes minigrad.Size; numbers, strings, slices and None pass unchanged."""
    if isinstance(obj, torch.Tensor):
        if id(obj) in memo:
            return memo[id(obj)][1]
        if obj.is_complex() or obj.layout != torch.strided or obj.is_quantized:
            raise Unsupported(f"{obj.dtype} {obj.layout} tensor")
        _minigrad_dtype(obj.dtype)
        m = minigrad.from_numpy(obj.detach().cpu().resolve_neg().resolve_conj().numpy().copy())
        if obj.requires_grad:
            m.requires_grad_(True)
        memo[id(obj)] = (obj, m)
        return m
    if isinstance(obj, torch.dtype):
        return _minigrad_dtype(obj)
    if isinstance(obj, torch.Size):
        return minigrad.Size(tuple(obj))
    if isinstance(obj, torch.device):
        if obj.type != "cpu":
            raise Unsupported(f"device {obj}")
        return minigrad.device(str(obj))
    if isinstance(obj, (torch.memory_format, torch.layout)):  # by name, when minigrad has them
        m = getattr(minigrad, str(obj).rsplit(".", 1)[-1], None)
        if m is None or isinstance(m, (type(minigrad), minigrad.dtype)) or callable(m):
            raise Unsupported(f"{type(obj).__name__} {obj}")
        return m
    if isinstance(obj, torch.Generator):
        raise Unsupported("torch.Generator")
    if isinstance(obj, list):
        return [to_minigrad(x, memo) for x in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(to_minigrad(x, memo) for x in obj)
    if isinstance(obj, dict):
        return {k: to_minigrad(v, memo) for k, v in obj.items()}
    if type(obj).__module__.startswith("torch"):
        raise Unsupported(f"argument of type {type(obj).__module__}.{type(obj).__qualname__}")
    return obj


def flatten(obj):
    """The leaves of an output: tensors, numbers, None; tuples, lists and torch.return_types are opened."""
    if isinstance(obj, (tuple, list)) and not isinstance(obj, (torch.Size, minigrad.Size)):
        out = []
        for x in obj:
            out.extend(flatten(x))
        return out
    return [obj]


def torch_grad_inputs(sample):
    """The tensors of a sample (input, args, kwargs, in that order, each once) that require grad."""
    seen, out = set(), []
    for t in flatten([sample.input, list(sample.args), list(sample.kwargs.values())]):
        if isinstance(t, torch.Tensor) and t.requires_grad and id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out

# ------------------------------------------------------------------------------------------------ comparison

class Mismatch(Exception):
    def __init__(self, msg, err=None):
        super().__init__(msg)
        self.err = err


def as_numpy(t):
    if isinstance(t, minigrad.Tensor):
        return np.asarray(t.detach().numpy())
    if t._is_zerotensor():  # torch's efficient zeros (a second derivative that is identically 0)
        return np.zeros(tuple(t.shape), str(t.dtype).replace("torch.", ""))
    return t.detach().cpu().numpy()


def compare_arrays(ours, theirs, what, tol, values=True):
    """Raise Mismatch unless the two arrays agree in shape, dtype and (when `values`) value. Returns the largest
    absolute difference (0 for exact kinds)."""
    if ours.shape != theirs.shape:
        raise Mismatch(f"{what}: shape {tuple(ours.shape)}, torch's {tuple(theirs.shape)}")
    if ours.dtype != theirs.dtype:
        raise Mismatch(f"{what}: dtype {ours.dtype}, torch's {theirs.dtype}")
    if not values or ours.size == 0:
        return 0.0
    if ours.dtype.kind in "fc":
        close = np.isclose(ours, theirs, equal_nan=True, **tol)
        if not close.all():
            diff = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
            diff = np.where(close, 0, np.nan_to_num(diff, nan=np.inf))
            i = np.unravel_index(np.argmax(diff), diff.shape)
            err = float(diff[i])
            raise Mismatch(f"{what}: {int((~close).sum())}/{close.size} elements differ, largest at {tuple(map(int, i))}"
                           f": {ours[i]!r} vs torch's {theirs[i]!r} (abs {err:.3g})", err)
        finite = np.isfinite(ours) & np.isfinite(theirs)
        return float(np.abs(ours[finite].astype(np.float64) - theirs[finite]).max()) if finite.any() else 0.0
    if not np.array_equal(ours, theirs):
        n = int((ours != theirs).sum())
        raise Mismatch(f"{what}: {n}/{ours.size} elements differ")
    return 0.0


def compare_leaf(m, t, what, tol, values=True):
    if isinstance(t, torch.Tensor):
        if not isinstance(m, minigrad.Tensor):
            raise Mismatch(f"{what}: minigrad gives {type(m).__name__}, torch a Tensor")
        return compare_arrays(as_numpy(m), as_numpy(t), what, tol, values)
    if isinstance(m, minigrad.Tensor):
        raise Mismatch(f"{what}: minigrad gives a Tensor, torch {type(t).__name__} {t!r}")
    if isinstance(t, bool):
        if not isinstance(m, (bool, np.bool_)) or bool(m) != t:
            raise Mismatch(f"{what}: {m!r}, torch's {t!r}")
        return 0.0
    if isinstance(t, (int, float)):
        if not isinstance(m, (int, float, np.number)) or isinstance(m, bool):
            raise Mismatch(f"{what}: {type(m).__name__} {m!r}, torch's {type(t).__name__} {t!r}")
        if values and not (math.isclose(m, t, rel_tol=tol["rtol"], abs_tol=tol["atol"])
                           or (math.isnan(m) and math.isnan(t))):
            raise Mismatch(f"{what}: {m!r}, torch's {t!r}")
        return 0.0
    if m != t:
        raise Mismatch(f"{what}: {m!r}, torch's {t!r}")
    return 0.0


def compare_outputs(m_out, t_out, tol, values=True):
    m_leaves, t_leaves = flatten(m_out), flatten(t_out)
    if len(m_leaves) != len(t_leaves):
        raise Mismatch(f"{len(m_leaves)} outputs, torch gives {len(t_leaves)}")
    err = 0.0
    for i, (m, t) in enumerate(zip(m_leaves, t_leaves)):
        err = max(err, compare_leaf(m, t, f"output {i}" if len(t_leaves) > 1 else "output", tol, values))
    return err


def compare_grads(m_grads, t_grads, what, tol):
    """None and all zeros are the same gradient (torch gives None where an input does not reach the output)."""
    err = 0.0
    for i, (m, t) in enumerate(zip(m_grads, t_grads)):
        name = f"{what} of input {i}"
        if t is None and m is None:
            continue
        if t is None or m is None:
            present = as_numpy(m if t is None else t)
            if np.any(present != 0):
                who = "minigrad" if t is None else "torch"
                raise Mismatch(f"{name}: only {who} has a (nonzero) gradient")
            continue
        err = max(err, compare_arrays(as_numpy(m), as_numpy(t), name, tol))
    return err
