"""Anomaly mode: find the op whose backward produced NaN (or Inf), and where the forward created it.

While it is on, `Function.apply` stores the user's call stack on every node it records, and the engine hands each
node's freshly computed input gradients to `check_node`. The first non-finite one raises a RuntimeError in torch's
words ("Function 'SqrtBackward0' returned nan values in its 0th output.") followed by the forward traceback.
When it is off, the cost is one module-global test per recorded op and per backward call.

Unlike torch, which checks for NaN only, Inf is reported too ("returned inf values"): a gradient of ±inf is the
step before NaN, and a learner wants to see it where it starts.
"""
import functools
import os
import traceback
import warnings

import numpy as np

_enabled = False
_check_nan = True
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../minigrad


def is_anomaly_enabled():
    return _enabled


def is_anomaly_check_nan_enabled():
    return _check_nan


class detect_anomaly:
    """Context manager (or decorator) that turns anomaly detection on, like `torch.autograd.detect_anomaly`.

    Inside it, every op records where it was called from; a backward that produces NaN/Inf raises a RuntimeError
    naming the op and showing that forward traceback. It slows the forward pass: use it to debug, not to train.
    """

    def __init__(self, check_nan=True):
        self.check_nan = bool(check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self):
        global _enabled, _check_nan
        self.prev = (_enabled, _check_nan)
        _enabled, _check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc):
        global _enabled, _check_nan
        _enabled, _check_nan = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Switch anomaly detection on or off; as a context manager, restore the previous setting on exit."""

    def __init__(self, mode, check_nan=True):
        global _enabled, _check_nan
        self.prev = (_enabled, _check_nan)
        _enabled, _check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _enabled, _check_nan
        _enabled, _check_nan = self.prev
        return False


def forward_stack():
    """The caller's stack without minigrad's own frames: where in the user's code an op was created."""
    stack = traceback.extract_stack()
    return traceback.StackSummary.from_list([f for f in stack if not f.filename.startswith(_PACKAGE + os.sep)])


def check_node(node, grad, input_grads):
    """Raise if a node's backward returned NaN or Inf in any of its outputs (the gradients for its inputs)."""
    if not _check_nan:
        return
    for i, ((child, _), g) in enumerate(zip(node.next_functions, input_grads)):
        g = g if g is None or isinstance(g, np.ndarray) else g.data  # a Tensor during a create_graph backward
        if child is None or g is None or g.dtype.kind not in "fc" or np.isfinite(g).all():  # a constant's is unused
            continue
        what = "nan" if np.isnan(g).any() else "inf"
        message = f"Function '{node.name()}' returned {what} values in its {i}th output."
        trace = getattr(node, "trace", None)
        if trace:
            message += ("\n\nTraceback of forward call that caused the error (most recent call last):\n"
                        + "".join(trace.format()).rstrip())
        else:
            message += ("\n\n(No forward traceback: the graph was built outside detect_anomaly(). Run the forward "
                        "pass inside it too to see where this op was created.)")
        raise RuntimeError(message)
