"""Function: the op pattern (forward and backward), and the graph nodes it records.

Each Function subclass gets a node class named like torch's (`Mul` -> `MulBackward0`). A node is the op's `ctx`:
it holds what forward saved, the edges to the nodes of its inputs (`next_functions`) and the input shapes that the
engine unbroadcasts gradients to.

One backward serves first and higher order. forward always runs on NumPy arrays. backward runs on arrays too,
unless the engine was asked for `create_graph=True`: then grad mode is on, the incoming gradient is a Tensor and
`ctx.saved_tensors` gives Tensors that keep their place in the graph (torch's SavedVariable), so the same formula,
`g * y`, records its own graph. NumPy functions in a formula (`np.exp`, `np.where`) reach minigrad's ops through
Tensor's `__array_ufunc__` / `__array_function__`.
"""
import re

import numpy as np

from . import anomaly, grad_mode

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already "
    "been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). "
    "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access "
    "saved tensors after calling backward."
)
_OUTPUT = -1  # the source of a saved array that is the op's own output


class Node:
    """A recorded op: its backward, its saved arrays, its edges. Also serves as `ctx` during forward."""

    __slots__ = ("_saved", "_sources", "_versions", "next_functions", "input_meta", "needs_input_grad", "pre_hooks",
                 "out_meta", "trace", "__dict__", "__weakref__")
    function = None  # the Function class, set on each generated subclass

    def __init__(self):
        self._saved = ()
        self._versions = None
        self.pre_hooks = None

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        """What forward saved: arrays, or during a create_graph backward (grad mode on) Tensors in the graph."""
        if self._saved is None:
            raise RuntimeError(_FREED)
        if self._versions:
            _check_versions(self)
        return _saved_variables(self) if grad_mode._enabled else self._saved

    def run(self, grad):
        """The node's part of a backward pass: its tensor hooks, then its Function's backward on `grad`."""
        for hook in self.pre_hooks or ():
            grad = hook(grad)
        out = self.function.backward(self, grad)
        return out if type(out) is tuple else (out,)


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the gradient that reaches it into `variable.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self._saved, self._versions, self.pre_hooks = (), None, None
        self.variable = variable
        self.next_functions = ()
        self.input_meta = ()

    def run(self, grad):
        for hook in self.pre_hooks or ():
            grad = hook(grad)
        accumulate(self.variable, grad)
        return ()


def accumulate(t, g):
    """t.grad += g. The first gradient is kept as it is (the engine hands every array to one consumer only: a fresh
    result, or a view of one), unless it is read-only (a broadcast view); later ones are added in place. During a
    create_graph backward g is a Tensor and the sum is recorded, as in torch."""
    Tensor = _Tensor or _tensor_class()
    if isinstance(g, Tensor):
        t._grad = g if t._grad is None else t._grad + g
        return
    if t._grad is None:
        if g.dtype != t.data.dtype or g.shape != t.data.shape:
            g = np.array(np.broadcast_to(g, t.data.shape), t.data.dtype)
        elif not g.flags.writeable:
            g = g.copy()
        t._grad = Tensor._make(g, None)
    else:
        t._grad.data += g


class _NoGraph:
    """The ctx that forward gets when nothing is recorded: accepts saves and attributes, keeps nothing costly."""

    needs_input_grad = (False,) * 16  # no input needs a gradient when nothing is recorded

    def save_for_backward(self, *arrays):
        pass


class Function:
    """Subclass with static `forward(ctx, *arrays, **options)` and `backward(ctx, grad_output)`.

    `backward` returns one gradient per positional input of forward (None where there is none); the engine sums
    broadcast dimensions away, so a gradient may have the broadcast output's shape.
    """

    node_name = None  # torch's grad_fn name; defaults to f"{cls.__name__}Backward0"
    is_view = False   # the output aliases the first input: it shares that input's version counter
    inputs = None     # how many leading positional args are graph inputs (None: all); the rest (a shape, a dim,
                      # an exponent) get no edge in next_functions, as in torch

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.node_name or f"{cls.__name__}Backward0"
        cls._node_cls = type(name, (Node,), {"__slots__": (), "function": cls})

    @classmethod
    def apply(cls, *args, **options):
        """Unwrap the Tensors, decide whether to record, run forward on arrays, wrap the result, record the node."""
        Tensor = _Tensor or _tensor_class()
        arrays, record = [], False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                record = record or a._requires_grad
            else:
                arrays.append(a)
        record = record and grad_mode._enabled
        ctx = cls._node_cls() if record else _NoGraph()
        if record:  # the edges are set before forward, so that forward can read needs_input_grad
            _connect(ctx, args[:cls.inputs] if cls.inputs else args, arrays)
        result = cls.forward(ctx, *arrays, **options)
        extra = ()
        if type(result) is tuple:  # (differentiable output, non-differentiable extras such as indices)
            result, *extra = result
        if type(result) is not np.ndarray:  # NumPy gives scalars, not 0-dim arrays, for 0-dim operands
            scalar, result = result, np.asarray(result)
            if record and any(a is scalar for a in ctx._saved):  # a saved output stays the output
                ctx._saved = tuple(result if a is scalar else a for a in ctx._saved)
        # the output's version counter, bumped by in-place ops: a view shares its base's
        base = args[0] if cls.is_view and isinstance(args[0], Tensor) and np.may_share_memory(result, arrays[0]) \
            else None
        vc = [0] if base is None else base._vc
        if record:
            _finish(ctx, args, arrays, result, vc)
        out = Tensor._make(result, ctx if record else None)
        out._vc = vc
        if base is not None:
            out._is_view = True
            if record:
                out._view_base = base  # in-place ops on this view must know what it aliases (see ops.inplace)
        if extra:
            return (out, *(Tensor._make(e, None) for e in extra))
        return out

    @staticmethod
    def forward(ctx, *args, **options):
        raise NotImplementedError("Function subclasses implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("Function subclasses implement backward(ctx, grad_output)")


def call(fn, *args, **options):
    """Another Function inside a backward formula: its forward on arrays (plain NumPy, nothing recorded), or its
    apply on Tensors (recorded) during a create_graph backward. So `Index`'s backward, a scatter into zeros, is
    itself differentiable."""
    Tensor = _Tensor or _tensor_class()
    if any(isinstance(a, Tensor) for a in args):
        return fn.apply(*args, **options)
    return fn.forward(_NoGraph(), *args, **options)


# ---- the bookkeeping of apply -----------------------------------------------------------------------------------
def _connect(ctx, inputs, arrays):
    """The edge each input's gradient flows into, the (shape, dtype) the engine sums it back to, and torch's
    ctx.needs_input_grad (True where a gradient is wanted: a backward may skip the others' work; the first Linear's
    input gradient is the largest matmul)."""
    edges, meta, needs = [], [], []
    for a, arr in zip(inputs, arrays):
        node = None
        if isinstance(a, _Tensor):  # a's grad_fn, or its leaf's AccumulateGrad (made once), or none
            node = a.grad_fn
            if node is None and a._requires_grad:
                if a._accum is None:
                    a._accum = AccumulateGrad(a)
                node = a._accum
        edges.append((node, 0))
        meta.append((arr.shape, arr.dtype) if isinstance(arr, np.ndarray) else None)
        needs.append(node is not None)
    ctx.next_functions, ctx.input_meta, ctx.needs_input_grad = tuple(edges), tuple(meta), tuple(needs)


def _finish(ctx, args, arrays, result, vc):
    """What a recorded node keeps besides its edges: the output's meta, where the user made it (anomaly mode), and
    for each saved array where it came from (an input, the output, or neither) with that tensor's version (`vc`
    is the output's version counter)."""
    ctx.out_meta = (result.shape, result.dtype)
    if anomaly._enabled:
        ctx.trace = anomaly.forward_stack()
    if not ctx._saved:
        return
    n_inputs = len(ctx.next_functions)
    sources, versions = [], []
    for arr in ctx._saved:
        source = None
        if arr is result:
            source = _OUTPUT
            versions.append((vc, vc[0], (arr.dtype, arr.shape, None)))
        elif isinstance(arr, np.ndarray):
            for k in range(n_inputs):
                if arrays[k] is arr and isinstance(args[k], _Tensor):
                    source, t = k, args[k]
                    versions.append((t._vc, t._vc[0], (arr.dtype, arr.shape, t)))
                    break
        sources.append(source)
    ctx._sources = sources
    ctx._versions = versions


def _saved_variables(node):
    """The saved arrays as Tensors in the graph: an input's as a tensor that flows into that input's node (its
    grad_fn, or its leaf's AccumulateGrad), the output's as a tensor made by `node` itself, the rest constants."""
    Tensor = _Tensor
    out = []
    for arr, source in zip(node._saved, node._sources):
        if not isinstance(arr, np.ndarray):  # None, or a number saved as it is
            out.append(arr)
            continue
        maker = node if source == _OUTPUT else (node.next_functions[source][0] if source is not None else None)
        t = Tensor._make(arr, None if type(maker) is AccumulateGrad else maker)
        if type(maker) is AccumulateGrad:
            t._requires_grad, t._accum = True, maker
        out.append(t)
    return tuple(out)


def _check_versions(node):
    for box, version, what in node._versions:
        if box[0] != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {_describe(what, node)} is at version {box[0]}; expected version {version} "
                "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
                "gradient, with minigrad.autograd.set_detect_anomaly(True, check_nan=False)."
            )


def _describe(what, node):
    """'[torch.FloatTensor [2, 3]], which is output 0 of Exp,' from a version-watch description, in torch's words:
    the tensor is named by the op that made it (for a saved input, its grad_fn now, after the in-place op); a leaf
    by its type and size alone."""
    dtype, shape, source = what  # source: the saved input tensor, or None for this node's own output
    name = _Tensor._make(np.empty(0, dtype), None)._type_name()
    maker = node if source is None else source.grad_fn
    if maker is None:
        return f"[{name} {list(shape)}]"
    return f"[{name} {list(shape)}], which is output 0 of {re.sub(r'Backward[0-9]*$', '', type(maker).__name__)},"


_Tensor = None


def _tensor_class():
    """minigrad.Tensor, imported on first use (tensor.py imports this module)."""
    global _Tensor
    from ..tensor import Tensor

    _Tensor = Tensor
    return Tensor
