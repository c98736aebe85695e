"""Reverse-mode autograd: Function (the op pattern), grad mode, the engine, grad() and gradcheck()."""
import numpy as np

from .anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .engine import capturing, root_gradient, run_backward
from .explain import explain
from .function import Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from . import functional


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned rather than accumulated into `.grad`. With
    `create_graph=True` they are Tensors in a graph of their own, so they can be differentiated again."""
    from ..tensor import Tensor

    single = isinstance(inputs, Tensor)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs and "
                           f"{len(outputs)} outputs")
    roots, root_grads = [], []
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
        root_grads.append(root_gradient(o, g, i, create_graph=create_graph))
        roots.append(o._node())
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    nodes = [t._node() for t in inputs]
    step, captured = capturing(nodes, roots)
    retain = create_graph if retain_graph is None else retain_graph
    run_backward(roots, root_grads, retain_graph=bool(retain), create_graph=create_graph, step=step)
    result = []
    for i, (t, node) in enumerate(zip(inputs, nodes)):
        g = captured[node]
        if g is None:
            if not (allow_unused or materialize_grads):
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            result.append(Tensor._make(np.zeros(t.data.shape, t.data.dtype), None) if materialize_grads else None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            result.append(Tensor._make(np.array(g, t.data.dtype), None))
    return tuple(result)


__all__ = ["Function", "Node", "grad", "gradcheck", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "run_backward", "explain", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "gradgradcheck", "GradcheckError", "functional"]
