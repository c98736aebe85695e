"""The checker: run a learner's backward on each of an exercise's cases, compare it with the right gradient (from
minigrad's autograd through an equivalent composition of ops, from torch when it is installed, and from central
finite differences), and say in plain words what went wrong.
"""
import functools
import inspect
from typing import NamedTuple

import numpy as np

RTOL, ATOL = 1e-5, 1e-8  # the learner's float64 gradient against the right one


class Ctx:
    """The ctx a learner's forward and backward get from the checker: torch's save_for_backward / saved_tensors /
    needs_input_grad, and any attribute forward sets."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        return self._saved


class Diagnosis(NamedTuple):
    kind: str     # ok-less vocabulary: shape, broadcast, transposed, sign, factor, chain, values, missing, nondiff,
                  # square_only, count, not_implemented, error, forward
    message: str
    case: int     # the case's index, -1 for the whole run
    input: int    # the input's index, -1 for none


class Report:
    def __init__(self, exercise, sources, shapes):
        self.exercise, self.sources, self.shapes = exercise, sources, shapes
        self.diagnoses, self.case_ok = [], []

    @property
    def passed(self):
        return not self.diagnoses

    @property
    def kinds(self):
        return {d.kind for d in self.diagnoses}

    def first(self):
        return self.diagnoses[0] if self.diagnoses else None

    def _repr_html_(self):  # Jupyter shows the report inline
        return _repr_html(self)

    def __str__(self):
        head = (f"exercise {self.exercise.name} ({self.exercise.title}): checked on {len(self.shapes)} cases "
                f"against {', '.join(self.sources)}")
        lines = [head]
        for k, (shapes, ok) in enumerate(zip(self.shapes, self.case_ok)):
            lines.append(f"  {'ok  ' if ok else 'FAIL' if ok is not None else 'not run'} {shapes}")
            lines += [f"       {d.message}" for d in self.diagnoses if d.case == k]
        lines += [d.message for d in self.diagnoses if d.case == -1]
        lines.append("PASSED: your backward agrees on every case" if self.passed else
                     f"FAILED: {self.diagnoses[0].message}")
        if self.passed:
            lines.append(_next(self.exercise.name))
        return "\n".join(lines)


def _repr_html(report):
    """The report as a small HTML table, for Jupyter (Report._repr_html_)."""
    import html

    rows = []
    for k, (shapes, ok) in enumerate(zip(report.shapes, report.case_ok)):
        verdict = "ok" if ok else "FAIL" if ok is not None else "not run"
        notes = "<br>".join(html.escape(d.message) for d in report.diagnoses if d.case == k)
        colour = "#d4edda" if ok else "#f8d7da" if ok is not None else "#eeeeee"
        rows.append(f'<tr style="background:{colour}"><td>{verdict}</td><td>{html.escape(str(shapes))}</td>'
                    f"<td>{notes}</td></tr>")
    rows += [f'<tr><td colspan="3">{html.escape(d.message)}</td></tr>' for d in report.diagnoses if d.case == -1]
    verdict = "PASSED: your backward agrees on every case" if report.passed else \
        f"FAILED: {html.escape(report.diagnoses[0].message)}"
    return (f"<div><b>exercise {html.escape(report.exercise.name)}</b> ({html.escape(report.exercise.title)}), "
            f"checked against {html.escape(', '.join(report.sources))}<table><tr><th></th><th>case</th>"
            f"<th>diagnosis</th></tr>{''.join(rows)}</table><p>{verdict}</p></div>")


def _next(name):
    from . import catalog
    names = [e.name for e in catalog.all_exercises()]
    k = names.index(name) + 1
    return f"next: minigrad exercise start {names[k]}" if k < len(names) else "that was the last exercise"


def _shapes(case):
    return ", ".join(str(tuple(a.shape)) for a in case.inputs) + \
        "".join(f", {k}={v}" for k, v in case.options.items())


def input_names(cls, n):
    params = list(inspect.signature(cls.forward).parameters)[1:]  # without ctx
    return params[:n] + [f"input {k + 1}" for k in range(len(params), n)]


def run_function(cls, case, g):
    """(output, gradients or an exception) of `cls`'s forward and backward on copies of the case's inputs."""
    arrays = [np.array(a) for a in case.inputs]
    ctx = Ctx(tuple(np.issubdtype(a.dtype, np.floating) for a in arrays))
    out = cls.forward(ctx, *arrays, **case.options)
    grads = cls.backward(ctx, np.array(g))
    return np.asarray(out), grads if isinstance(grads, tuple) else (grads,)


def _autograd(lib, fn, case, g):
    ts = [lib.tensor(a, requires_grad=bool(np.issubdtype(a.dtype, np.floating))) for a in case.inputs]
    out = fn(lib, *ts, **case.options)
    out.backward(lib.tensor(g))
    return [None if t.grad is None else np.asarray(t.grad.detach().numpy(), np.float64) for t in ts]


def _finite_differences(cls, case, g, h=1e-6):
    """Central differences of L = Σ forward(x) * g, element by element, float64."""
    def loss(arrays):
        return float((np.asarray(cls.forward(Ctx((True,) * len(arrays)), *arrays, **case.options)) * g).sum())
    grads = []
    for k, a in enumerate(case.inputs):
        if not np.issubdtype(a.dtype, np.floating):
            grads.append(None)
            continue
        grad = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            arrays = [np.array(b) for b in case.inputs]
            arrays[k][idx] += h
            up = loss(arrays)
            arrays[k][idx] -= 2 * h
            grad[idx] = (up - loss(arrays)) / (2 * h)
        grads.append(grad)
    return grads


@functools.lru_cache(maxsize=None)
def prepared(name, seed=0):
    """The cases of an exercise with their grad_output and the right gradients, computed once: minigrad's autograd
    (the answer), checked against torch (when installed) and finite differences before it is trusted."""
    import minigrad

    from . import catalog
    ex = catalog.get(name)
    rng = np.random.default_rng(seed)
    cases = ex.cases(rng)
    sources = ["minigrad autograd"]
    try:
        import torch
    except ImportError:
        torch = None
    else:
        sources.append("torch")
    sources.append("finite differences")
    out = []
    for case in cases:
        ref_out = np.asarray(ex.function.forward(Ctx((True,) * len(case.inputs)), *[np.array(a) for a in case.inputs],
                                                 **case.options))
        g = rng.uniform(1.3, 2.0) * np.ones(()) if ref_out.ndim == 0 else rng.standard_normal(ref_out.shape)
        want = _autograd(minigrad, ex.composed, case, g)
        others = [("finite differences", _finite_differences(ex.function, case, g))]
        if torch is not None:
            others.append(("torch", _autograd(torch, ex.torch or ex.composed, case, g)))
        for source, grads in others:
            for k, (a, b) in enumerate(zip(want, grads)):
                if (a is None) != (b is None) or (a is not None and not np.allclose(a, b, rtol=1e-5, atol=1e-6)):
                    raise AssertionError(f"exercise {name}: minigrad autograd and {source} disagree on input {k + 1} "
                                         f"for {_shapes(case)}")
        out.append((case, g, ref_out, want))
    return ex, sources, out


def check(cls, name, seed=0):
    """Check the Function class `cls` (a learner's) against exercise `name`: a Report with its diagnoses."""
    ex, sources, cases = prepared(name, seed)
    report = Report(ex, sources, [_shapes(c) for c, *_ in cases])
    n_in = len(cases[0][0].inputs)
    names = input_names(ex.function, n_in)
    for k, (case, g, ref_out, want) in enumerate(cases):
        before = len(report.diagnoses)
        _check_case(report, ex, cls, k, case, g, ref_out, want, names)
        report.case_ok.append(len(report.diagnoses) == before)
        if any(d.kind in ("not_implemented", "count") for d in report.diagnoses):
            report.case_ok += [None] * (len(cases) - k - 1)  # not run: the first failure says why
            break
    _square_only(report, cases)
    return report


def _check_case(report, ex, cls, k, case, g, ref_out, want, names):
    def say(kind, message, i=-1):
        report.diagnoses.append(Diagnosis(kind, message, k, i))
    try:
        out, got = run_function(cls, case, g)
    except NotImplementedError:
        say("not_implemented", "backward is not written yet (it raises NotImplementedError): write it, then check "
                               f"again; `minigrad exercise hint {ex.name}` gives a first hint")
        return
    except Exception as e:  # the learner's code: report any failure as theirs, with the shapes it met
        say("error", f"your Function raised {type(e).__name__}: {e} (on inputs {_shapes(case)}; g has shape "
                     f"{tuple(np.shape(g))})")
        return
    if out.shape != ref_out.shape or not np.allclose(out, ref_out, rtol=1e-7, atol=1e-10):
        say("forward", "your forward's output differs from the exercise's: the checker compares backwards of the "
                       "given forward, so keep forward as it was written")
        return
    if isinstance(got[0], list) and len(got) == 1 and len(want) > 1:
        say("count", f"backward returned a list; return a tuple, one gradient per input ({', '.join(names)}), as "
                     "minigrad's engine (and torch's) expects")
        return
    if len(got) != len(want):
        say("count", f"backward returned {len(got)} gradient{'s' * (len(got) != 1)}, but forward takes {len(want)} "
                     f"input{'s' * (len(want) != 1)} ({', '.join(names)}): return one per input, None where there "
                     "is none")
        return
    for i, (G, E) in enumerate(zip(got, want)):
        found = diagnose(ex, case, g, i, names[i], G, E)
        if found:
            say(found[0], found[1], i)


def diagnose(ex, case, g, i, name, G, E):
    """None when G is the right gradient E of input i, else (kind, message in plain words)."""
    label = f"input {i + 1} ({name})"
    if i in ex.nondiff:
        if G is None:
            return None
        return "nondiff", f"a gradient for {label}, which is not differentiable ({ex.nondiff[i]}): return None"
    if G is None:
        return "missing", f"no gradient for {label}: you returned None, but it needs one"
    G = np.asarray(G, dtype=np.float64)
    if G.shape != E.shape:
        return _wrong_shape(ex, case, i, label, G, E)
    if np.allclose(G, E, rtol=RTOL, atol=ATOL):
        return None
    if E.ndim >= 2 and E.shape[-1] == E.shape[-2] and np.allclose(G, np.swapaxes(E, -1, -2), rtol=RTOL, atol=ATOL):
        return "transposed", _transposed(ex, i, label)
    if np.allclose(G, -E, rtol=RTOL, atol=ATOL):
        return "sign", f"sign error for {label}: your gradient is the negative of the right one"
    unchained = _unchained(ex, case, i)
    if unchained is not None and unchained.shape == G.shape and np.allclose(G, unchained, rtol=RTOL, atol=ATOL):
        return "chain", (f"{label}: you did not multiply by grad_output (the chain rule): your gradient is the one "
                         "for g = 1; multiply it by g")
    ee = float((E * E).sum())
    c = float((G * E).sum()) / ee if ee > 0 else 0.0
    if ee > 0 and not np.isclose(c, 1) and np.allclose(G, c * E, rtol=1e-6, atol=1e-9):
        for n, why in ex.sizes(case) if ex.sizes else ():
            if n > 1 and np.isclose(c, 1 / n):
                return "factor", (f"off by 1/N (N = {n}) for {label}: {why} — you divided by N once too often, your "
                                  "gradient is N times too small")
            if n > 1 and np.isclose(c, n):
                return "factor", (f"off by a factor N (N = {n}) for {label}: {why} — you left the division out, your "
                                  "gradient is N times too large")
        return "factor", f"off by a constant factor {float(f'{c:.4g}')} for {label}: the direction is right"
    err = np.abs(G - E)
    idx = np.unravel_index(np.argmax(err), err.shape)
    where = tuple(int(j) for j in idx)
    return "values", (f"wrong values for {label}: the largest error is {err[idx]:.3g} at index {where} (expected "
                      f"{E[idx]:.6g}, got {G[idx]:.6g}); the right formula: {_formula(ex, i)}")


def _formula(ex, i):
    return ex.formulas[i] if i < len(ex.formulas) else "see the hints"


def _transposed(ex, i, label):
    return (f"transposed: for {ex.math}, {_formula(ex, i)} (you returned the transpose of the gradient of {label}; "
            "swap the operands' order and their transposes)")


def _wrong_shape(ex, case, i, label, G, E):
    expected, got = tuple(E.shape), tuple(G.shape)
    head = f"wrong shape for {label}: expected {expected}, got {got}"
    if got == expected[::-1] and np.allclose(G, E.T, rtol=RTOL, atol=ATOL):
        return "transposed", _transposed(ex, i, label)
    if E.ndim >= 2 and G.ndim == E.ndim and np.swapaxes(G, -1, -2).shape == expected and \
            np.allclose(np.swapaxes(G, -1, -2), E, rtol=RTOL, atol=ATOL):
        return "transposed", _transposed(ex, i, label)
    try:
        broadcastable = np.broadcast_shapes(expected, got) == got
    except ValueError:
        broadcastable = False
    if broadcastable and G.size > E.size:
        lead = tuple(range(G.ndim - E.ndim))
        ones = tuple(a for a, n in enumerate(expected) if n == 1 and got[len(lead) + a] != 1)
        axes = lead + tuple(len(lead) + a for a in ones)
        along = f"axis {axes[0]}" if len(axes) == 1 else f"axes {', '.join(map(str, axes))}"
        todo = f"sum the gradient over axes {lead}" if lead else ""
        if ones:
            todo += (", then, keeping them (keepdims=True), over axes " if todo else
                     "sum the gradient, keeping them (keepdims=True), over axes ") + f"{ones}" + \
                (" of the result" if todo else "")
        summed = G.sum(axis=lead) if lead else G
        summed = summed.sum(axis=ones, keepdims=True) if ones else summed
        after = "; after that sum your values are right" if np.allclose(summed, E, rtol=RTOL, atol=ATOL) else \
            "; your values are off as well"
        return "broadcast", f"{head} — the input was broadcast along {along}; {todo}{after}"
    if E.ndim == 1 and G.ndim > 1 and G.size > E.size:  # one value per channel, broadcast along the others
        for axis in (a for a, n in enumerate(got) if n == expected[0]):
            rest = tuple(a for a in range(G.ndim) if a != axis)
            if np.allclose(G.sum(axis=rest), E, rtol=RTOL, atol=ATOL):
                return "broadcast", (f"{head} — the input was broadcast along axes {', '.join(map(str, rest))} (one "
                                     f"value per entry of axis {axis}); sum the gradient over axes {rest}")
    if G.size == E.size and np.allclose(G.reshape(expected), E, rtol=RTOL, atol=ATOL):
        return "shape", f"{head} — the values are right but arranged wrongly: reshape it to the input's shape"
    return "shape", f"{head} — a gradient has the shape of its input"


def _unchained(ex, case, i):
    """The reference gradient of input i for grad_output = 1: what forgetting the chain rule gives."""
    try:
        ref_out = np.asarray(ex.function.forward(Ctx((True,) * len(case.inputs)), *[np.array(a) for a in case.inputs],
                                                 **case.options))
        _, grads = run_function(ex.function, case, np.ones(ref_out.shape))
        return None if grads[i] is None else np.asarray(grads[i], np.float64)
    except Exception:  # noqa: BLE001 - the reference ran on these inputs already; this is only a guess at a mistake
        return None


def _square_only(report, cases):
    """Right on every square case and wrong elsewhere: a transpose or a size taken from the wrong axis."""
    squares = [ok for (case, *_), ok in zip(cases, report.case_ok) if case.square and ok is not None]
    others = [ok for (case, *_), ok in zip(cases, report.case_ok) if not case.square and ok is not None]
    if squares and all(squares) and others and not all(others) and report.diagnoses and \
            report.diagnoses[0].kind not in ("not_implemented", "count"):
        first = report.diagnoses[0]
        report.diagnoses.insert(0, Diagnosis(
            "square_only", f"correct on square inputs only (wrong on {report.shapes[first.case]}): check the "
                           f"transposes, and which axis each size comes from; there: {first.message}", -1, first.input))
