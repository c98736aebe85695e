"""Machinery for checking minigrad against torch's own OpInfo corpus (`op_db`), shared by tests/test_opinfo.py and
tests/opinfo_report.py.

For every OpInfo entry whose name minigrad has, each of OpInfo's sample inputs (float64 and float32) is run in torch
and in minigrad; the harness compares the values, the gradients of sum(out * w) for a fixed random w, and, where
OpInfo sets `supports_gradgrad`, the second derivatives d/dx sum(grad_x * v). Only minigrad's public API is used
(minigrad.<name>, Tensor methods and properties, minigrad.nn.functional, minigrad.linalg, minigrad.autograd.grad), so
ops added later are picked up by name.

Each check of each sample ends in one outcome:
  agree            minigrad and torch agree within the dtype's tolerance
  mismatch         both ran, the results differ (shape, dtype, value, gradient present or not)
  minigrad-error   minigrad raised (the exception's type is kept: NotImplementedError, TypeError, ...)
  unsupported      the sample needs something minigrad cannot be given (a complex tensor, a torch.Generator, ...)
  torch-error      torch itself raised on the sample: the sample is skipped
  n/a              the check does not apply (integer outputs, no input requires grad, no gradgrad support)
"""
import contextlib
import math
import signal
import threading
import warnings

import numpy as np
import torch

import minigrad

CHECKS = ("values", "grad", "gradgrad")
AGREE, MISMATCH, MG_ERROR, UNSUPPORTED, TORCH_ERROR, NA = (
    "agree", "mismatch", "minigrad-error", "unsupported", "torch-error", "n/a")
COUNTED = (AGREE, MISMATCH, MG_ERROR, UNSUPPORTED)  # the outcomes that enter a percentage
DTYPES = {"float64": torch.float64, "float32": torch.float32}
# Values: torch.testing's float32 defaults; float64 1e-7/1e-7. Gradients in float32 get rtol 1e-5: a gradient is
# several more float32 roundings than the value (pow's exponent gradient, out * log(base), differs by 2e-6 relative)
TOL = {"float64": dict(rtol=1e-7, atol=1e-7), "float32": dict(rtol=1.3e-6, atol=1e-5)}
GRAD_TOL = {"float64": dict(rtol=1e-7, atol=1e-7), "float32": dict(rtol=1e-5, atol=1e-5)}
SAMPLE_TIMEOUT_S = 10.0

# Ops whose values are random or uninitialised: only shapes and dtypes are compared, and no gradients
VALUES_NOT_COMPARABLE = {
    "empty", "empty_like", "empty_permuted", "empty_strided", "new_empty", "new_empty_strided",
    "randn", "randn_like", "rand_like", "randint", "randint_like", "bernoulli", "normal", "uniform", "cauchy",
    "exponential", "geometric", "log_normal", "multinomial",
    "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d", "nn.functional.alpha_dropout",
    "nn.functional.feature_alpha_dropout", "nn.functional.rrelu",
}


class Unsupported(Exception):
    """A sample argument that minigrad has no counterpart for (complex dtype, torch.Generator, ...)."""


class SampleTimeout(Exception):
    pass


def load_op_db():
    """torch's OpInfo list. Importing it needs `expecttest` (ImportError otherwise)."""
    import expecttest  # noqa: F401  - the import below needs it; fail with a clear name first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.testing._internal.common_methods_invocations import op_db
    return op_db


def full_name(op):
    """'max.binary', 'sum', 'nn.functional.relu' -- OpInfo's name and variant, as test ids and report rows."""
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


# ------------------------------------------------------------------------------------------------ resolution

def _getattr_path(root, path):
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _is_function(obj):
    """A public op: callable, and not a module, a class or a dtype (minigrad.float is a dtype, not Tensor.float)."""
    import types

    return (callable(obj) and not isinstance(obj, (types.ModuleType, type, minigrad.dtype)))


class Resolution:
    """How minigrad runs an OpInfo entry: `call(input, *args, **kwargs)` with OpInfo's sample convention."""

    def __init__(self, kind, where, call):
        self.kind, self.where, self.call = kind, where, call

    def __repr__(self):
        return f"Resolution({self.kind}, {self.where})"


def _method_call(name):
    def call(inp, *args, **kwargs):
        return getattr(inp, name)(*args, **kwargs)
    return call


def _attribute_call(name):
    def call(inp):
        return getattr(inp, name)
    return call


def _inplace_on_clone_call(name):
    def call(inp, *args, **kwargs):
        return getattr(inp.clone(), name)(*args, **kwargs)
    return call


# OpInfo entries whose `op` is a lambda that is neither torch.<name> nor the method variant
_ATTRIBUTES = {"T", "H", "mT", "mH"}       # op=lambda x: x.T
_INPLACE_ON_CLONE = {"zero_"}              # op=lambda x: torch.zero_(x.clone())
_METHOD_ONLY = {"item"}                    # op=lambda x: wrapper_set_seed(torch.Tensor.item, x)


def _seeded_call_of(op):
    """True when OpInfo's op is `lambda x, *args, **kwargs: wrapper_set_seed(torch.<name>, x, *args, **kwargs)`,
    as for the random ops (randn_like, dropout): the same call as torch.<name>, with the seed fixed. Read from the
    names the lambda's code uses: wrapper_set_seed, torch and the parts of the name. (OpInfo's rand_like calls
    torch.randn_like; for a random op only shapes and dtypes are compared, so that stands.)"""
    code = getattr(op.op, "__code__", None)
    if code is None or code.co_names[:2] != ("wrapper_set_seed", "torch"):
        return False
    return code.co_names[2:] == tuple(op.name.split(".")) or op.name in VALUES_NOT_COMPARABLE


def resolve(op):
    """The minigrad counterpart of an OpInfo entry, or None when minigrad has no attribute by that name.

    torch.<name> (OpInfo's function variant) maps to minigrad.<name> (dotted names walk submodules:
    nn.functional.relu, linalg.det); when minigrad has no such function but OpInfo has a method variant, or the
    entry is method-only (dunders such as __radd__, conversions such as double, views such as view_as), it maps to
    the minigrad.Tensor method of that name; T/mT/H/mH are properties."""
    name = op.name
    if name in _ATTRIBUTES:
        return Resolution("attribute", f"Tensor.{name}", _attribute_call(name)) if hasattr(minigrad.Tensor, name) \
            else None
    if name in _INPLACE_ON_CLONE:
        return Resolution("method", f"Tensor.clone().{name}", _inplace_on_clone_call(name)) \
            if hasattr(minigrad.Tensor, name) else None
    torch_fn = _getattr_path(torch, name) if not name.startswith("_") else None
    if torch_fn is not None and op.op is torch_fn:
        fn = _getattr_path(minigrad, name)
        if _is_function(fn):
            return Resolution("function", f"minigrad.{name}", fn)
    if torch_fn is not None and _seeded_call_of(op):
        fn = _getattr_path(minigrad, name)
        if _is_function(fn):
            return Resolution("function", f"minigrad.{name}", fn)
    has_method = (op.method_variant is not None or name in _METHOD_ONLY) and "." not in name
    if has_method and callable(getattr(minigrad.Tensor, name, None)):
        return Resolution("method", f"Tensor.{name}", _method_call(name))
    return None


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


def _np(t):
    return np.asarray(t.detach().numpy()) if isinstance(t, minigrad.Tensor) else t.detach().cpu().numpy()


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
        return compare_arrays(_np(m), _np(t), what, tol, values)
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
            present = _np(m if t is None else t)
            if np.any(present != 0):
                who = "minigrad" if t is None else "torch"
                raise Mismatch(f"{name}: only {who} has a (nonzero) gradient")
            continue
        err = max(err, compare_arrays(_np(m), _np(t), name, tol))
    return err


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


def _error(e):
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}"


def _weights(leaves, seed):
    """A fixed random weight (NumPy array) for each differentiable output leaf, None for the others."""
    rng = np.random.default_rng(seed)
    ws = []
    for t in leaves:
        if isinstance(t, torch.Tensor) and t.requires_grad and t.is_floating_point():
            ws.append(rng.standard_normal(tuple(t.shape)).astype(_np(t).dtype))
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

    def __init__(self, op, res, sample, index, dtype_name):
        self.op, self.res, self.sample, self.index, self.dtype = op, res, sample, index, dtype_name
        self.tol, self.grad_tol = TOL[dtype_name], GRAD_TOL[dtype_name]
        self.values_comparable = op.name not in VALUES_NOT_COMPARABLE

    def torch_call(self):
        s = self.sample
        return self.op.op(s.input, *s.args, **s.kwargs)

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
            result[c] = (TORCH_ERROR, _error(e))
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
        failure = (MG_ERROR, _error(e))
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
        result["values"] = (MG_ERROR, "comparing: " + _error(e))
    return True


def _grad_applies(case):
    """Gradients are compared for ops with autograd whose values are deterministic (not dropout, randn_like...)."""
    return case.values_comparable and case.op.supports_autograd and bool(torch_grad_inputs(case.sample))


def _torch_first(case, create_graph):
    """torch's output leaves, weights and first gradients; None when no output is differentiable."""
    t_inputs = torch_grad_inputs(case.sample)
    s = case.sample
    t_out = case.grad_wrapped(case.op.op, s.input, s.args, s.kwargs)
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
        result["grad"] = (TORCH_ERROR, _error(e))
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
        result["grad"] = (MG_ERROR, _error(e))


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
        vs = [rng.standard_normal(tuple(t.shape)).astype(_np(t).dtype) for t in t_inputs]
        t_second = _second(torch.autograd.grad, t_grads, t_inputs, vs, torch.from_numpy)
    except Exception as e:
        result["gradgrad"] = (TORCH_ERROR, _error(e))
        return
    try:
        m_inputs, m_grads = _minigrad_first(case, ws, t_inputs, t_grads, create_graph=True)
        with np.errstate(all="ignore"):
            m_second = _second(minigrad.autograd.grad, m_grads, m_inputs, vs, lambda v: minigrad.from_numpy(v.copy()))
        result["gradgrad_err"] = compare_grads(m_second, t_second, "second derivative", case.grad_tol)
        result["gradgrad"] = (AGREE, None)
    except SampleTimeout:
        raise
    except Mismatch as e:
        result["gradgrad"] = (MISMATCH, str(e))
        result["gradgrad_err"] = e.err
    except Exception as e:
        result["gradgrad"] = (MG_ERROR, _error(e))


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
                result[c] = (MG_ERROR, _error(e))
    except Exception as e:  # a harness failure: make it visible, never lose the other samples
        for c in CHECKS:
            if result[c][0] == NA:
                result[c] = (MG_ERROR, "harness: " + _error(e))
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


def dtype_supported(op, dtype_name):
    try:
        return DTYPES[dtype_name] in op.supported_dtypes("cpu")
    except Exception:
        return DTYPES[dtype_name] in op.dtypes


def samples(op, dtype_name, seed=0):
    """OpInfo's sample inputs for the CPU, in a fixed order: the RNG is seeded so that indices are stable."""
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(op.sample_inputs("cpu", DTYPES[dtype_name], requires_grad=True))


def run_op(op, dtype_name, gradgrad=True, timeout=SAMPLE_TIMEOUT_S, max_samples=None):
    """All samples of one OpInfo entry in one dtype. Returns {"op", "dtype", "where", "samples": [...]} with
    "error" set instead when the samples could not be made or minigrad lacks the op."""
    res = resolve(op)
    out = {"op": full_name(op), "dtype": dtype_name, "where": res.where if res else None, "samples": []}
    if res is None:
        out["error"] = "minigrad has no such op"
        return out
    if not dtype_supported(op, dtype_name):
        out["skipped"] = f"torch's {op.name} does not support {dtype_name} on the CPU"
        return out
    try:
        ss = samples(op, dtype_name)
    except Exception as e:
        out["skipped"] = "making the samples: " + _error(e)
        return out
    for i, s in enumerate(ss[:max_samples]):
        out["samples"].append(run_case(Case(op, res, s, i, dtype_name), gradgrad=gradgrad, timeout=timeout))
    return out


def gradgrad_probe():
    """(True, None) when minigrad.autograd.grad(..., create_graph=True) gives a correct second derivative on a
    tiny example; else (False, why)."""
    try:
        x = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
        (g,) = minigrad.autograd.grad((x * x * x).sum(), [x], create_graph=True)  # g = 3x^2
        (gg,) = minigrad.autograd.grad(g.sum(), [x])                            # gg = 6x
        ok = np.allclose(_np(gg), [6.0, 12.0, 18.0])
        return (True, None) if ok else (False, f"second derivative of x^3 is {_np(gg)}, expected 6x")
    except Exception as e:
        return False, "minigrad.autograd.grad(..., create_graph=True) raises " + _error(e)


def summarize(results):
    """Counts per check over sample results: {check: {outcome: n}}."""
    counts = {c: {} for c in CHECKS}
    for r in results:
        for c in CHECKS:
            o = r[c][0]
            counts[c][o] = counts[c].get(o, 0) + 1
    return counts


def failures(results, checks=CHECKS):
    """[(index, check, outcome, detail)] of the samples that did not agree (skips and n/a are not failures)."""
    return [(r["index"], c, r[c][0], r[c][1]) for r in results for c in checks
            if r[c][0] in (MISMATCH, MG_ERROR, UNSUPPORTED)]
