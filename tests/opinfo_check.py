"""One OpInfo sample, run in torch and minigrad and checked three ways (values, gradients, second derivatives); each
check ends in one of the outcomes below, and whatever either library raises stays inside the sample's result."""
import contextlib
import signal
import threading
import warnings

import numpy as np
import torch

import minigrad
from opinfo_compare import (Mismatch, Unsupported, as_numpy, compare_grads, compare_outputs, flatten, to_minigrad,
                            torch_grad_inputs)

CHECKS = ("values", "grad", "gradgrad")
AGREE, MISMATCH, MG_ERROR, UNSUPPORTED, TORCH_ERROR, NA = (
    "agree", "mismatch", "minigrad-error", "unsupported", "torch-error", "n/a")
COUNTED = (AGREE, MISMATCH, MG_ERROR, UNSUPPORTED)  # the outcomes that enter a percentage
DTYPES = {"float64": torch.float64, "float32": torch.float32}
# float64: rtol 1e-10, atol 1e-12, as tests/parity.py (every sample of every op minigrad has today agrees to 1e-12
# except real bugs; torch.testing's 1e-7 would hide a lot). float32 values: torch.testing's defaults; float32
# gradients rtol 1e-5: a gradient is a few more float32 roundings than the value (pow's exponent gradient,
# out * log(base), differs from torch's by 2e-6 relative). An op that needs looser ones gets an entry in
# TOL_OVERRIDES, keyed by OpInfo name, with the reason.
TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1.3e-6, atol=1e-5)}
GRAD_TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}
TOL_OVERRIDES = {}  # {"op name": {"float64": dict(rtol=..., atol=...)}, ...}: values and gradients alike
# Second derivatives only, where the two libraries' formulas round differently (each with why):
GRADGRAD_TOL_OVERRIDES = {
    # d²/dx² of BCE divides by (x (1 - x))², rounded differently near x = 0.01: 1e-10 relative apart
    "nn.functional.binary_cross_entropy": {"float64": dict(rtol=1e-9, atol=1e-12)},
    # z ln² x for z ~ 1e3 in float32: exp and log each round once more in one library than the other
    "pow": {"float32": dict(rtol=1e-3, atol=1e-4)},
    # the p-norm's second derivative cancels in float32 (torch's own result is off its symmetry by ~1e-5)
    "nn.functional.normalize": {"float32": dict(rtol=1e-4, atol=2e-4)},
    # 1/var² terms at eps = 1e-3 in float32
    "nn.functional.gaussian_nll_loss": {"float32": dict(rtol=1e-4, atol=1e-4)},
}
# float32 decompositions: NumPy's and torch's LAPACK builds differ in the last bits, and these second derivatives
# divide by gaps between eigenvalues or singular values, which magnifies them (to ~3e-4 relative here)
GRADGRAD_TOL_OVERRIDES.update({name: {"float32": dict(rtol=5e-4, atol=1e-4)} for name in (
    "linalg.lstsq", "svd", "linalg.svd", "cdist", "pinverse", "linalg.eigh", "linalg.cond", "linalg.eigvalsh",
    "linalg.pinv", "linalg.pinv.hermitian", "linalg.svdvals", "linalg.matrix_norm")})
SAMPLE_TIMEOUT_S = 10.0

# Ops whose values are random or uninitialised: only shapes and dtypes are compared, and no gradients
VALUES_NOT_COMPARABLE = {
    "empty", "empty_like", "empty_permuted", "empty_strided", "new_empty", "new_empty_strided",
    "randn", "randn_like", "rand_like", "randint", "randint_like", "bernoulli", "normal", "uniform", "cauchy",
    "exponential", "geometric", "log_normal", "multinomial",
    "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d", "nn.functional.alpha_dropout",
    "nn.functional.feature_alpha_dropout", "nn.functional.rrelu",
}

class SampleTimeout(Exception):
    pass

# ------------------------------------------------------------------------------------------------ running

@contextlib.contextmanager
def time_limit(seconds):
    """Raise SampleTimeout in the block after `seconds` (main thread only; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def handler(signum, frame):
        raise SampleTimeout(f"sample took over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def error_text(e):
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}"


def _weights(leaves, seed):
    """A fixed random weight (NumPy array) for each differentiable output leaf, None for the others."""
    rng = np.random.default_rng(seed)
    ws = []
    for t in leaves:
        if isinstance(t, torch.Tensor) and t.requires_grad and t.is_floating_point():
            ws.append(rng.standard_normal(tuple(t.shape)).astype(as_numpy(t).dtype))
        else:
            ws.append(None)
    return ws


def _torch_loss(leaves, ws):
    loss = None
    for t, w in zip(leaves, ws):
        if w is not None:
            term = (t * torch.from_numpy(w)).sum()
            loss = term if loss is None else loss + term
    return loss


def _minigrad_loss(leaves, ws, zero_grad=False):
    loss = None
    for i, (m, w) in enumerate(zip(leaves, ws)):
        if w is None:
            continue
        if not isinstance(m, minigrad.Tensor):
            raise Mismatch(f"output {i}: minigrad gives {type(m).__name__}, torch a differentiable Tensor")
        if not m.requires_grad:
            raise Mismatch(f"output {i}: requires_grad is False in minigrad, True in torch"
                           + (" (whose gradient is zero)" if zero_grad else ""))
        term = (m * minigrad.from_numpy(w.copy())).sum()
        loss = term if loss is None else loss + term
    return loss


class Case:
    """One sample of one OpInfo entry in one dtype, ready to run in both libraries."""

    def __init__(self, op, res, sample, index, dtype_name, torch_fn=None):
        self.op, self.res, self.sample, self.index, self.dtype = op, res, sample, index, dtype_name
        self.torch_fn = torch_fn or op.op  # an alias's torch function (torch.clip for clamp's samples)
        self.tol, self.grad_tol = TOL[dtype_name], GRAD_TOL[dtype_name]
        override = TOL_OVERRIDES.get(op.name, {}).get(dtype_name)
        if override:
            self.tol = self.grad_tol = override
        self.values_comparable = op.name not in VALUES_NOT_COMPARABLE

    def torch_call(self):
        s = self.sample
        return self.torch_fn(s.input, *s.args, **s.kwargs)

    def minigrad_args(self):
        """(memo, input, args, kwargs) converted afresh: each pass gets its own leaves."""
        memo = {}
        s = self.sample
        return memo, to_minigrad(s.input, memo), to_minigrad(tuple(s.args), memo), to_minigrad(dict(s.kwargs), memo)

    def minigrad_call(self, inp, args, kwargs):
        with np.errstate(all="ignore"):
            return self.res.call(inp, *args, **kwargs)

    def grad_wrapped(self, call, inp, args, kwargs):
        """OpInfo's gradcheck_wrapper (e.g. symmetrise a Hermitian input) around a call, as torch's tests do."""
        return self.op.gradcheck_wrapper(call, inp, *args, **kwargs)


def _run_values(case, result):
    """Forward in both; False when minigrad could not run (the checks that apply then get its failure)."""
    try:
        t_out = case.torch_call()
    except Exception as e:  # torch rejects this sample itself: skip it
        for c in CHECKS:
            result[c] = (TORCH_ERROR, error_text(e))
        return False
    differentiable = _grad_applies(case) and any(
        isinstance(t, torch.Tensor) and t.requires_grad for t in flatten(t_out))
    applies = {"values": True, "grad": differentiable, "gradgrad": differentiable and case.op.supports_gradgrad}
    failure = None
    try:
        _, inp, args, kwargs = case.minigrad_args()
        m_out = case.minigrad_call(inp, args, kwargs)
    except SampleTimeout:
        raise
    except Unsupported as e:
        failure = (UNSUPPORTED, str(e))
    except Exception as e:
        failure = (MG_ERROR, error_text(e))
    if failure:
        for c in CHECKS:
            result[c] = failure if applies[c] else (NA, None)
        return False
    try:
        err = compare_outputs(m_out, t_out, case.tol, values=case.values_comparable)
        result["values"] = (AGREE, None)
        result["values_err"] = err
    except Mismatch as e:
        result["values"] = (MISMATCH, str(e))
        result["values_err"] = e.err
    except Exception as e:
        result["values"] = (MG_ERROR, "comparing: " + error_text(e))
    return True


def _grad_applies(case):
    """Gradients are compared for ops with autograd whose values are deterministic (not dropout, randn_like...)."""
    return case.values_comparable and case.op.supports_autograd and bool(torch_grad_inputs(case.sample))


def _torch_first(case, create_graph):
    """torch's output leaves, weights and first gradients; None when no output is differentiable."""
    t_inputs = torch_grad_inputs(case.sample)
    s = case.sample
    t_out = case.grad_wrapped(case.torch_fn, s.input, s.args, s.kwargs)
    t_leaves = flatten(s.output_process_fn_grad(t_out))
    ws = _weights(t_leaves, seed=1000 + case.index)
    loss = _torch_loss(t_leaves, ws)
    if loss is None or not loss.requires_grad:
        return None
    grads = torch.autograd.grad(loss, t_inputs, allow_unused=True, create_graph=create_graph)
    return t_inputs, ws, grads


def _minigrad_first(case, ws, t_inputs, t_grads, create_graph):
    memo, inp, args, kwargs = case.minigrad_args()
    with np.errstate(all="ignore"):
        m_out = case.grad_wrapped(lambda i, *a, **k: case.res.call(i, *a, **k), inp, args, kwargs)
        m_leaves = flatten(case.sample.output_process_fn_grad(m_out))
    if len(m_leaves) != len(ws):
        raise Mismatch(f"{len(m_leaves)} outputs, torch gives {len(ws)}")
    loss = _minigrad_loss(m_leaves, ws, zero_grad=all(g is None or not g.any() for g in t_grads))
    m_inputs = [memo[id(t)][1] for t in t_inputs]
    with np.errstate(all="ignore"):
        grads = minigrad.autograd.grad(loss, m_inputs, allow_unused=True, create_graph=create_graph)
    return m_inputs, grads


def _run_grad(case, result):
    if not _grad_applies(case):
        result["grad"] = (NA, None)
        return
    try:
        first = _torch_first(case, create_graph=False)
    except Exception as e:
        result["grad"] = (TORCH_ERROR, error_text(e))
        return
    if first is None:
        result["grad"] = (NA, "no differentiable output")
        return
    t_inputs, ws, t_grads = first
    try:
        _, m_grads = _minigrad_first(case, ws, t_inputs, t_grads, create_graph=False)
        result["grad_err"] = compare_grads(m_grads, t_grads, "gradient", case.grad_tol)
        result["grad"] = (AGREE, None)
    except SampleTimeout:
        raise
    except Mismatch as e:
        result["grad"] = (MISMATCH, str(e))
        result["grad_err"] = e.err
    except Exception as e:
        result["grad"] = (MG_ERROR, error_text(e))


def _second(grad_fn, grads, inputs, vs, loss_of):
    """d/d inputs of sum(grad_i * v_i) over the first gradients that are themselves differentiable."""
    loss = None
    for g, v in zip(grads, vs):
        if g is not None and g.requires_grad:
            term = (g * loss_of(v)).sum()
            loss = term if loss is None else loss + term
    if loss is None or not loss.requires_grad:
        return [None] * len(inputs)
    return list(grad_fn(loss, inputs, allow_unused=True))


def _run_gradgrad(case, result):
    if not (case.op.supports_gradgrad and result["grad"][0] not in (NA, TORCH_ERROR)):
        result["gradgrad"] = (NA, None)
        return
    try:
        first = _torch_first(case, create_graph=True)
        if first is None:
            result["gradgrad"] = (NA, "no differentiable output")
            return
        t_inputs, ws, t_grads = first
        rng = np.random.default_rng(2000 + case.index)
        vs = [rng.standard_normal(tuple(t.shape)).astype(as_numpy(t).dtype) for t in t_inputs]
        t_second = _second(torch.autograd.grad, t_grads, t_inputs, vs, torch.from_numpy)
    except Exception as e:
        result["gradgrad"] = (TORCH_ERROR, error_text(e))
        return
    try:
        m_inputs, m_grads = _minigrad_first(case, ws, t_inputs, t_grads, create_graph=True)
        with np.errstate(all="ignore"):
            m_second = _second(minigrad.autograd.grad, m_grads, m_inputs, vs, lambda v: minigrad.from_numpy(v.copy()))
        tol = GRADGRAD_TOL_OVERRIDES.get(case.op.name, {}).get(case.dtype, case.grad_tol)
        result["gradgrad_err"] = compare_grads(m_second, t_second, "second derivative", tol)
        result["gradgrad"] = (AGREE, None)
    except SampleTimeout:
        raise
    except Mismatch as e:
        result["gradgrad"] = (MISMATCH, str(e))
        result["gradgrad_err"] = e.err
    except Exception as e:
        result["gradgrad"] = (MG_ERROR, error_text(e))


def run_case(case, gradgrad=True, timeout=SAMPLE_TIMEOUT_S):
    """Every check of one sample, isolated: whatever either library raises ends up in the result, not out of here.
    Returns {"index", "desc", "values"/"grad"/"gradgrad": (outcome, detail), "*_err": largest abs difference}."""
    result = {"index": case.index, "desc": _describe(case.sample)}
    for c in CHECKS:
        result[c] = (NA, None)
    try:
        with warnings.catch_warnings(), time_limit(timeout):
            warnings.simplefilter("ignore")
            if _run_values(case, result):
                _run_grad(case, result)
                if gradgrad:
                    _run_gradgrad(case, result)
    except SampleTimeout as e:
        for c in CHECKS:
            if result[c][0] == NA:
                result[c] = (MG_ERROR, error_text(e))
    except Exception as e:  # a harness failure: make it visible, never lose the other samples
        for c in CHECKS:
            if result[c][0] == NA:
                result[c] = (MG_ERROR, "harness: " + error_text(e))
    if not gradgrad:
        result["gradgrad"] = (NA, "not checked")
    return result


def _describe(sample):
    def d(x):
        if isinstance(x, torch.Tensor):
            return f"T{list(x.shape)}" + ("" if x.is_contiguous() else "nc")
        if isinstance(x, (list, tuple)) and not isinstance(x, torch.Size):
            return "[" + ", ".join(d(y) for y in x) + "]"
        return repr(x)
    parts = [d(sample.input)] + [d(a) for a in sample.args] + [f"{k}={d(v)}" for k, v in sample.kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= 160 else text[:157] + "..."
