"""The text of `repr(tensor)`, character for character torch's (with "minigrad." in dtype names).

How torch lays a tensor out, and so how this module does:
- One formatter per tensor decides how every element looks: integers and bools as Python prints them; floats that
  are all integral as "3." ; other floats with `precision` decimals; scientific notation ("1.0000e+05") when the
  nonzero finite magnitudes span more than 1000x, exceed 1e8 or go below 1e-4. Every element is right-aligned to
  the widest, so columns line up. nan, inf and zeros take no part in the choice.
- Above `threshold` elements, each dim keeps its first and last `edgeitems` entries with "..." between, and the
  formatter only looks at what is shown.
- Rows wrap to `linewidth`; nested brackets indent one space per level; dims beyond 2 separate blocks by blank lines.
- Suffixes follow: `dtype=` unless float32, int64 or bool; `size=` for empty tensors not of shape (0,);
  `grad_fn=<MulBackward0>` or `requires_grad=True`. A suffix that would pass `linewidth` goes on a new line.
"""
import contextlib
import math

import numpy as np


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth, self.sci_mode = 4, 1000, 3, 80, None


PRINT_OPTS = _PrintOptions()
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: a profile ("default", "short", "full") first, then any option given on top.
    `sci_mode` is always set: leaving it out returns to automatic choice, as in torch."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r}; expected one of {sorted(_PROFILES)}")
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = _PROFILES[profile]
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options as a dict that `set_printoptions(**d)` accepts."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """`with minigrad._tensor_str.printoptions(precision=2): ...` restores the old options afterwards."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses one look and one width for all the elements of `shown` (the elements that will be printed)."""

    def __init__(self, shown):
        self.floating = shown.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = PRINT_OPTS.precision
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in shown.ravel().tolist()])
            return
        flat = shown.ravel().astype(np.float64)
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:  # only zeros, nan and inf: "0." and "nan", and the sci_mode option is not consulted
            return
        mags = np.abs(vals)
        lo, hi = mags.min(), mags.max()
        self.int_mode = _all_integral(vals)
        auto_sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        self.sci_mode = auto_sci if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode
        values = vals.tolist()
        if self.sci_mode:
            lengths = [len(f"{v:.{p}e}") for v in values]
        elif self.int_mode:
            lengths = [len(f"{v:.0f}") + 1 for v in values]  # + 1 for the "." that marks a float
        else:
            lengths = [len(f"{v:.{p}f}") for v in values]
        self.width = max(1, max(lengths))

    def format(self, v):
        """One element (a Python number) as text, right-aligned to the common width."""
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = f"{v:{self.width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            s = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            s = f"{v:.{PRINT_OPTS.precision}f}"
        return s.rjust(self.width)


def _all_integral(vals):
    return bool(np.all(np.ceil(vals) == vals))


def _summarized(a):
    """The elements shown when summarizing: the first and last `edgeitems` along every dim."""
    k = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        # a[-0:] is all of `a`: with edgeitems=0 torch's formatter sees the whole vector, and so does this one
        return np.concatenate((a[:k], a[-k:])) if a.shape[0] > 2 * k else a
    if not k:
        return np.empty((0,) * a.ndim, a.dtype)
    rows = list(range(k)) + list(range(a.shape[0] - k, a.shape[0])) if a.shape[0] > 2 * k else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _vector_str(a, indent, summarize, fmt):
    """A 1-D array as "[x, y, ...]", wrapped so that lines fit `linewidth` after `indent` columns."""
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2)))  # + 2 for ", "
    k = PRINT_OPTS.edgeitems
    if summarize and not k:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * k:
        items = [fmt.format(v) for v in a[:k].tolist()] + [" ..."] + [fmt.format(v) for v in a[-k:].tolist()]
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(a, indent, summarize, fmt):
    """Nested brackets: rows of a matrix one per line, blocks of higher dims separated by ndim - 2 blank lines."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    k, n = PRINT_OPTS.edgeitems, a.shape[0]
    if summarize and n > 2 * k:
        slices = ([_array_str(a[i], indent + 1, summarize, fmt) for i in range(k)] + ["..."]
                  + [_array_str(a[i], indent + 1, summarize, fmt) for i in range(n - k, n)])
    else:
        slices = [_array_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def array_str(a, indent):
    """The bracketed body of a non-empty array, as torch prints it after a prefix `indent` characters long."""
    if a.dtype == np.float16:  # torch prints half through float
        a = a.astype(np.float32)
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _array_str(a, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    """Append ", suffix" to the last line, or ",\\n" + indent + suffix when it would run past `linewidth`."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1  # torch's count, which runs 2 over on a one-line text
    for suffix in suffixes:
        if last + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"


_DEFAULT_DTYPES = ("float32", "int64", "bool")  # the ones torch's repr leaves unsaid


def tensor_repr(t, prefix="tensor("):
    """`repr(t)` as torch writes it. nn.Parameter's repr is "Parameter containing:\\n" + tensor_repr(p)."""
    a = t.data
    indent = len(prefix)
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype.name != "float32":  # nothing to infer the dtype from, so only the default goes unsaid
            suffixes.append(f"dtype={t.dtype}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype.name not in _DEFAULT_DTYPES:
            suffixes.append(f"dtype={t.dtype}")
        body = array_str(a, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
