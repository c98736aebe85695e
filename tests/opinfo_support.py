"""Machinery for checking minigrad against torch's own OpInfo corpus (`op_db`), shared by tests/test_opinfo.py and
tests/opinfo_report.py: which OpInfo entries minigrad has (`resolve`, `entries`) and running one (`run_entry`).
One sample's checks are in opinfo_check.py, converting and comparing the two libraries' values in opinfo_compare.py.
These modules import each other by their plain names: tests/ must be on sys.path (pytest puts it there).

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
import warnings

import numpy as np
import torch

import minigrad
from opinfo_check import (AGREE, CHECKS, COUNTED, DTYPES, GRAD_TOL, MG_ERROR, MISMATCH, NA,  # noqa: F401
                          SAMPLE_TIMEOUT_S, TOL, TORCH_ERROR, UNSUPPORTED, VALUES_NOT_COMPARABLE, Case, error_text,
                          run_case)
from opinfo_compare import Mismatch, Unsupported, as_numpy, flatten, to_minigrad  # noqa: F401


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

# ------------------------------------------------------------------------------------------------ entries

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


class Entry:
    """What is checked: an OpInfo entry minigrad has (name 'max.binary'), or an alias OpInfo lists for one that
    minigrad has too (name 'clip@clamp': torch.clip and minigrad.clip on clamp's samples)."""

    def __init__(self, name, op, res, torch_fn=None):
        self.name, self.op, self.res, self.torch_fn = name, op, res, torch_fn or op.op

    def __repr__(self):
        return f"Entry({self.name}, {self.res.where})"


def resolve_alias(alias):
    fn = _getattr_path(minigrad, alias.name)
    if alias.op is None or not _is_function(fn):
        return None
    return Resolution("function", f"minigrad.{alias.name}", fn)


def entries(db):
    """Every Entry minigrad has, in op_db's order, each entry followed by its aliases."""
    for op in db:
        res = resolve(op)
        if res is None:
            continue
        yield Entry(full_name(op), op, res)
        for alias in op.aliases:
            ares = resolve_alias(alias)
            if ares is not None:
                yield Entry(f"{alias.name}@{full_name(op)}", op, ares, alias.op)


def run_entry(entry, dtype_name, gradgrad=True, timeout=SAMPLE_TIMEOUT_S, max_samples=None):
    """All samples of one entry in one dtype: {"op", "dtype", "where", "samples": [run_case results]}, with
    "skipped" instead when torch has no such dtype for it or its samples could not be made."""
    op, res = entry.op, entry.res
    out = {"op": entry.name, "dtype": dtype_name, "where": res.where, "samples": []}
    if not dtype_supported(op, dtype_name):
        out["skipped"] = f"torch's {op.name} does not support {dtype_name} on the CPU"
        return out
    with rng_kept():
        try:
            ss = samples(op, dtype_name)
        except Exception as e:
            out["skipped"] = "making the samples: " + error_text(e)
            return out
        for i, s in enumerate(ss[:max_samples]):
            case = Case(op, res, s, i, dtype_name, entry.torch_fn)
            out["samples"].append(run_case(case, gradgrad=gradgrad, timeout=timeout))
    return out


def run_op(op, dtype_name, **kw):
    """run_entry for an OpInfo entry itself; "error" set when minigrad lacks it."""
    res = resolve(op)
    if res is None:
        return {"op": full_name(op), "dtype": dtype_name, "where": None, "samples": [],
                "error": "minigrad has no such op"}
    return run_entry(Entry(full_name(op), op, res), dtype_name, **kw)


@contextlib.contextmanager
def rng_kept():
    """torch's and minigrad's global RNG states as they were before the block (samples seed torch; random ops
    draw from both), so that the tests around these see no difference."""
    m_state = minigrad.get_rng_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            minigrad.set_rng_state(m_state)


def gradgrad_probe():
    """(True, None) when minigrad.autograd.grad(..., create_graph=True) gives a correct second derivative on a
    tiny example; else (False, why)."""
    try:
        x = minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
        (g,) = minigrad.autograd.grad((x * x * x).sum(), [x], create_graph=True)  # g = 3x^2
        (gg,) = minigrad.autograd.grad(g.sum(), [x])                            # gg = 6x
        ok = np.allclose(as_numpy(gg), [6.0, 12.0, 18.0])
        return (True, None) if ok else (False, f"second derivative of x^3 is {as_numpy(gg)}, expected 6x")
    except Exception as e:
        return False, "minigrad.autograd.grad(..., create_graph=True) raises " + error_text(e)


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
