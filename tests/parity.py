"""The one parity helper: run a function in torch and in minigrad on the same arrays, compare everything."""
import numpy as np
import torch

import minigrad

TOL = {np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6)}


def _to_torch(a, grad):
    t = torch.from_numpy(np.array(a, copy=True))
    return t.requires_grad_(grad and t.is_floating_point())


def _to_minigrad(a, grad):
    t = minigrad.from_numpy(np.array(a, copy=True))
    return t.requires_grad_(grad and t.is_floating_point())


def scaled_for_float32(tol, theirs):
    """tol with, in float32, its absolute part times the array's largest finite magnitude (at least 1): a second
    derivative's rounding is relative to the largest terms summed into it, so an element near 0 beside elements of
    size s carries about s·eps (fresh runs found cumprod's -0.0176 beside 21.1 off by 1.9e-6)."""
    if theirs.dtype != np.float32 or not theirs.size:
        return tol
    finite = np.abs(theirs[np.isfinite(theirs)])
    return dict(tol, atol=tol["atol"] * max(1.0, float(finite.max())) if finite.size else tol["atol"])


def _close(ours, theirs, what, rtol, atol):
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != torch's {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
    if ours.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)


def check_parity(torch_fn, minigrad_fn, *arrays, grad=True, rtol=None, atol=None, seed=0):
    """Run `torch_fn(*torch_tensors)` and `minigrad_fn(*minigrad_tensors)` on copies of `arrays`; compare the
    outputs (values, shape, dtype) and, when `grad`, every floating input's gradient of sum(output * w) for a
    fixed random w. Outputs may be a tensor or a tuple of tensors. Returns (minigrad outputs, torch outputs)."""
    tt = [_to_torch(a, grad) for a in arrays]
    mt = [_to_minigrad(a, grad) for a in arrays]
    t_out, m_out = torch_fn(*tt), minigrad_fn(*mt)
    t_outs = t_out if isinstance(t_out, (tuple, list)) else (t_out,)
    m_outs = m_out if isinstance(m_out, (tuple, list)) else (m_out,)
    assert len(t_outs) == len(m_outs), f"{len(m_outs)} outputs, torch gives {len(t_outs)}"
    floats = [np.dtype(a.dtype) for a in arrays if np.dtype(a.dtype).kind == "f"] or [np.dtype(np.float64)]
    tol = dict(TOL.get(min(floats, key=lambda d: d.itemsize), TOL[np.dtype(np.float32)]))
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    for i, (m, t) in enumerate(zip(m_outs, t_outs)):
        _close(m.detach().numpy(), t.detach().numpy(), f"output {i}", **tol)
    if not grad:
        return m_out, t_out
    rng = np.random.default_rng(seed)
    t_loss, m_loss = 0, 0
    for m, t in zip(m_outs, t_outs):
        if t.requires_grad:
            w = rng.standard_normal(t.shape).astype(t.detach().numpy().dtype)
            t_loss = t_loss + (t * torch.from_numpy(w)).sum()
            m_loss = m_loss + (m * minigrad.from_numpy(w)).sum()
    if not isinstance(t_loss, torch.Tensor):
        return m_out, t_out
    t_loss.backward()
    m_loss.backward()
    for i, (m, t) in enumerate(zip(mt, tt)):
        if t.requires_grad:
            if t.grad is None:
                assert m.grad is None or not np.any(m.grad.numpy()), f"input {i}: gradient where torch has none"
                continue
            assert m.grad is not None, f"input {i}: no gradient, torch has one"
            _close(m.grad.numpy(), t.grad.numpy(), f"gradient of input {i}", **tol)
    return m_out, t_out
