"""Second-derivative parity: differentiate (f(x) w).sum() with create_graph=True, then (g v).sum() again, in torch
and in minigrad on the same arrays, and compare both the first gradients and the second."""
import numpy as np
import torch

import minigrad
from parity import TOL, _close, scaled_for_float32


def _np(t):
    """A gradient as an array (torch may hand back a ZeroTensor, which refuses .numpy())."""
    if getattr(t, "_is_zerotensor", lambda: False)():
        return np.zeros(tuple(t.shape), t.detach().numpy(force=True).dtype)
    return t.detach().numpy()


def _grads(lib, fn, arrays, wrt, seed):
    ts = [lib.from_numpy(np.array(a, copy=True)) for a in arrays]
    for i in wrt:
        ts[i].requires_grad_(True)
    out = fn(*ts)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(tuple(out.shape)).astype(arrays[wrt[0]].dtype)
    inputs = [ts[i] for i in wrt]
    gs = lib.autograd.grad((out * lib.from_numpy(w)).sum(), inputs, create_graph=True, allow_unused=True)
    gs = [lib.zeros_like(t) if g is None else g for g, t in zip(gs, inputs)]
    vs = [lib.from_numpy(rng.standard_normal(tuple(g.shape)).astype(arrays[wrt[0]].dtype)) for g in gs]
    terms = [(g * v).sum() for g, v in zip(gs, vs) if g.requires_grad]
    if not terms:
        return [_np(g) for g in gs], [np.zeros(t.shape, arrays[wrt[0]].dtype) for t in inputs]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    ggs = lib.autograd.grad(total, inputs, allow_unused=True)
    return ([_np(g) for g in gs],
            [np.zeros(tuple(t.shape), arrays[wrt[0]].dtype) if gg is None else _np(gg)
             for gg, t in zip(ggs, inputs)])


def check_gradgrad(torch_fn, minigrad_fn, *arrays, wrt=None, rtol=None, atol=None, seed=0):
    """First and second gradients of minigrad_fn against torch_fn, with respect to the arrays at `wrt` (default:
    every floating array)."""
    wrt = [i for i, a in enumerate(arrays) if np.dtype(a.dtype).kind == "f"] if wrt is None else list(wrt)
    tol = dict(TOL[np.dtype(arrays[wrt[0]].dtype)])
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    t_g, t_gg = _grads(torch, torch_fn, arrays, wrt, seed)
    m_g, m_gg = _grads(minigrad, minigrad_fn, arrays, wrt, seed)
    for i, (m, t) in enumerate(zip(m_g, t_g)):
        _close(m, t, f"first gradient {i}", **scaled_for_float32(tol, t))
    for i, (m, t) in enumerate(zip(m_gg, t_gg)):
        _close(m, t, f"second gradient {i}", **scaled_for_float32(tol, t))
