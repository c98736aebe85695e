"""The backward engine: order the nodes, walk them in reverse, unbroadcast, accumulate."""
import numpy as np

from . import anomaly, function, grad_mode


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, step=None):
    """Propagate `root_grads` from the `roots` nodes down the graph; leaves accumulate into `.grad`.

    With `create_graph` grad mode stays on and the gradients are Tensors, so every backward formula records its
    own graph. `step(node, grad) -> input grads` replaces `node.run(grad)`: autograd.grad captures with one, the
    observers of explain and anomaly mode watch with one (see `observed`).
    """
    step = step or _run
    if anomaly._enabled:
        step = observed(anomaly.check_node, step)
    grads = {}
    for node, g in zip(roots, root_grads):
        grads[node] = grads[node] + g if node in grads else g
    enabled, grad_mode._enabled = grad_mode._enabled, create_graph  # a create_graph backward records its graph
    try:
        for node in topological_order(roots):
            g = grads.pop(node, None)
            if g is None:
                continue
            in_grads = step(node, g)
            if not retain_graph:
                node._saved = None  # what forward saved is freed: a second backward raises
            last = None
            for (child, _), ig, meta in zip(node.next_functions, in_grads, node.input_meta):
                if child is None or ig is None:
                    continue
                if ig is last:  # one gradient for two inputs, as Add's (g, g): each gets its own
                    ig = ig.copy() if type(ig) is np.ndarray else ig[...]
                last = ig = unbroadcast(ig, *meta)
                grads[child] = ig if child not in grads else grads[child] + ig
    finally:
        grad_mode._enabled = enabled


def _run(node, grad):
    return node.run(grad)


def observed(observer, inner=_run):
    """A step that runs each node (through `inner`) and then shows `observer(node, grad, input_grads)` what it did
    (input_grads before unbroadcast; () for a leaf)."""

    def step(node, grad):
        in_grads = inner(node, grad)
        observer(node, grad, in_grads)
        return in_grads

    return step


def capturing(nodes, roots=None):
    """A step for autograd.grad: the gradient reaching each of `nodes` is stored in the returned dict instead of
    flowing on; no leaf's .grad is touched. Given the `roots`, nodes from which none of `nodes` can be reached are
    skipped, as torch skips them."""
    captured = dict.fromkeys(nodes)
    needed = None if roots is None else _leading_to(roots, captured)

    def step(node, grad):
        if node in captured:
            for hook in node.pre_hooks or ():
                grad = hook(grad)
            captured[node] = grad
        if type(node) is function.AccumulateGrad or (needed is not None and node not in needed):
            return ()
        return node.run(grad)

    return step, captured


def _leading_to(roots, targets):
    """The nodes below `roots` from which some node of `targets` is reachable."""
    needed = set()
    for node in reversed(topological_order(roots)):  # children before parents
        if node in targets or any(child in needed for child, _ in node.next_functions):
            needed.add(node)
    return needed


def accumulating_into(tensors):
    """A step for backward(inputs=...): only these tensors' .grad accumulate (a non-leaf's as if retained)."""
    wanted = {t._node(): t for t in tensors}

    def step(node, grad):
        if node in wanted and type(node) is not function.AccumulateGrad:
            function.accumulate(wanted[node], grad if not isinstance(grad, np.ndarray) else grad.copy())
        if type(node) is function.AccumulateGrad and node not in wanted:
            return ()
        return node.run(grad)

    return step


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


def unbroadcast_axes(grad_shape, shape):
    """The axes of a `grad_shape` gradient that broadcasting added to an input of `shape`: leading dims, then dims
    that were 1. `(64, 10)` onto `(10,)` gives `(0,)`; `(4, 3)` onto `(4, 1)` gives `(1,)`."""
    lead = len(grad_shape) - len(shape)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad_shape[i + lead] != 1)


def unbroadcast(grad, shape, dtype=None):
    """Sum `grad` down to an input's `shape`, undoing NumPy broadcasting, in the input's `dtype`. An array stays an
    array and a Tensor a Tensor (np.sum reaches minigrad.sum)."""
    if isinstance(grad, np.generic):  # NumPy's arithmetic on 0-dim arrays gives scalars
        grad = np.asarray(grad)
    if grad.shape != shape:
        axes = unbroadcast_axes(grad.shape, shape)
        grad = (np.sum(grad, axis=axes, keepdims=True) if axes else grad).reshape(shape)
    if type(grad) is np.ndarray:
        return grad if dtype is None or grad.dtype == dtype else grad.astype(dtype)  # e.g. a float32 input of a float64 result
    return grad if dtype is None or grad.data.dtype == dtype else grad.type(dtype)


def root_gradient(output, gradient=None, index=0, create_graph=False):
    """The gradient a backward pass starts from at `output`: `gradient`, or ones for a scalar output, checked as
    torch checks (Tensor.backward, autograd.grad and explain all start here). An array, or with `create_graph` a
    Tensor (the caller's own, which may itself be in a graph)."""
    Tensor = function._Tensor or function._tensor_class()
    if not output._requires_grad:
        raise RuntimeError(f"element {index} of tensors does not require grad and does not have a grad_fn")
    data = output.data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if data.dtype.kind != "f":
            raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {output.dtype}")
        ones = np.ones(data.shape, data.dtype)
        return Tensor._make(ones, None) if create_graph else ones
    if not isinstance(gradient, Tensor):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(gradient).__name__}")
    if gradient.data.shape != data.shape:
        from .._size import Size

        raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of {Size(gradient.data.shape)!r} "
                           f"and output[{index}] has a shape of {Size(data.shape)!r}.")
    return gradient if create_graph else gradient.data.copy()  # a leaf's .grad never shares the caller's array
