"""The backward engine: order the nodes, walk them in reverse, unbroadcast, accumulate."""
import numpy as np

from . import anomaly, function
from .function import AccumulateGrad


def unbroadcast_axes(grad_shape, shape):
    """The axes of a `grad_shape` gradient that broadcasting added to an input of `shape`: leading dims, then dims
    that were 1. `(64, 10)` onto `(10,)` gives `(0,)`; `(4, 3)` onto `(4, 1)` gives `(1,)`."""
    lead = len(grad_shape) - len(shape)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad_shape[i + lead] != 1)


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, undoing NumPy broadcasting."""
    if grad.shape == shape:
        return grad
    axes = unbroadcast_axes(grad.shape, shape)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape)


def topological_order(roots):
    """Every node reachable from `roots`, each after all the nodes that feed gradient into it. Iterative DFS."""
    order, seen = [], set()
    for root in roots:
        if root is None or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in seen:
                    seen.add(child)
                    stack.append((child, iter(child.next_functions)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()  # roots first
    return order


def root_gradient(output, gradient=None, index=0):
    """The gradient a backward pass starts from at `output`: `gradient`'s array, or ones for a scalar output,
    checked as torch checks (Tensor.backward, autograd.grad and explain all start here)."""
    if not output.requires_grad:
        raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
    data = output.data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if data.dtype.kind != "f":
            raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {output.dtype}")
        return np.ones(data.shape, data.dtype)
    if not isinstance(gradient, function._Tensor or function._tensor_class()):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
    if gradient.data.shape != data.shape:
        from .._size import Size

        raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of {Size(gradient.data.shape)!r} "
                           f"and output[{index}] has a shape of {Size(data.shape)!r}.")
    return gradient.data


def run_backward(roots, root_grads, retain_graph=False, capture=None, observer=None):
    """Propagate `root_grads` from the `roots` nodes down the graph.

    Without `capture`, leaves accumulate into `.grad`. With `capture` (a dict keyed by node), the gradient reaching
    each captured node is stored there instead and no `.grad` is touched: that is `autograd.grad`.
    `observer(node, grad, input_grads)` sees every node as it runs (input_grads before unbroadcast; () for a leaf):
    `autograd.explain` traces with it, and anomaly mode checks for NaN/Inf with it.
    """
    if observer is None and anomaly._enabled:
        observer = anomaly.check_node
    grads = {}
    given = {id(g) for g in root_grads}  # arrays another .grad or the caller holds: never accumulated in place
    for node, g in zip(roots, root_grads):
        grads[node] = grads[node] + g if node in grads else g
    for node in topological_order(roots):
        g = grads.pop(node, None)
        if g is None:
            continue
        if node.pre_hooks:
            for hook in node.pre_hooks:
                g = hook(g)
        if observer is not None and type(node) is AccumulateGrad:
            observer(node, g, ())
        if capture is not None:
            if node in capture:
                capture[node] = g
            if type(node) is AccumulateGrad:
                continue
        elif type(node) is AccumulateGrad:
            node.variable._accumulate(g, given)
            continue
        elif getattr(node, "retain", None) is not None:
            t = node.retain()
            if t is not None:
                t._accumulate(g, given)
        in_grads = node.backward_impl(g)
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        if observer is not None:
            observer(node, g, in_grads)
        if not retain_graph:
            node.mark_freed()
        for (child, _), ig, meta in zip(node.next_functions, in_grads, node.input_meta):
            if child is None or ig is None:
                continue
            ig = unbroadcast(ig, meta[0])
            if ig.dtype != meta[1]:  # e.g. a float32 input of a float64 result
                ig = ig.astype(meta[1])
            prev = grads.get(child)
            grads[child] = ig if prev is None else prev + ig
    return capture
