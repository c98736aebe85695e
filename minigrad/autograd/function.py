"""Function: the op pattern (forward and backward on NumPy arrays), and the graph nodes it records.

Each Function subclass gets a node class named like torch's (`Mul` -> `MulBackward0`). A node is the op's `ctx`:
it holds what forward saved, the edges to the nodes of its inputs (`next_functions`) and the input shapes that the
engine unbroadcasts gradients to.
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


class Node:
    """A recorded op: its backward, its saved arrays, its edges. Also serves as `ctx` during forward."""

    __slots__ = ("_saved", "_versions", "next_functions", "input_meta", "pre_hooks", "retain", "out_meta",
                 "trace", "__dict__", "__weakref__")
    backward_impl = None  # the Function's backward, set on each generated subclass
    function = None

    def __init__(self):
        self._saved = ()
        self._versions = None
        self.pre_hooks = None
        self.retain = None  # set by retain_grad; initialised so the engine's per-node check never raises inside

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def needs_input_grad(self):
        """torch's ctx.needs_input_grad, read in backward: one bool per input, True where a gradient is wanted. A
        backward may skip the work for the others (the first Linear's input gradient is the largest matmul)."""
        return tuple(f is not None for f, _ in self.next_functions)

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError(_FREED)
        if self._versions:
            for box, version, what in self._versions:
                if box[0] != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified by an inplace "
                        f"operation: {_describe(what, self)} is at version {box[0]}; expected version {version} "
                        "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
                        "gradient, with minigrad.autograd.set_detect_anomaly(True, check_nan=False)."
                    )
        return self._saved

    def mark_freed(self):
        self._saved = None


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds incoming gradients into `variable.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        super().__init__()
        self.variable = variable
        self.next_functions = ()
        self.input_meta = ()


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
        cls._node_cls = type(name, (Node,), {"__slots__": (), "backward_impl": cls.backward,
                                              "function": cls})

    @classmethod
    def apply(cls, *args, **options):
        Tensor = _Tensor or _tensor_class()
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        record = False
        if grad_mode._enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        ctx = cls._node_cls() if record else _NoGraph()
        if record:
            # one pass over the inputs: the edge each gradient flows into, and the (shape, dtype) it is summed to;
            # set before forward, so that forward can save only what the needed gradients use (needs_input_grad)
            edges, meta = [], []
            for a, arr in zip(args[:cls.inputs] if cls.inputs else args, arrays):
                edges.append((a._node() if isinstance(a, Tensor) else None, 0))
                meta.append((arr.shape, arr.dtype) if isinstance(arr, np.ndarray) else None)
            ctx.next_functions = tuple(edges)
            ctx.input_meta = tuple(meta)
        result = cls.forward(ctx, *arrays, **options)
        extra = ()
        if type(result) is tuple:  # (differentiable output, non-differentiable extras such as indices)
            result, *extra = result
        if type(result) is not np.ndarray:  # NumPy gives scalars, not 0-dim arrays, for 0-dim operands
            result = np.asarray(result)
        out = Tensor._make(result, ctx if record else None)
        if cls.is_view and isinstance(args[0], Tensor) and np.may_share_memory(result, arrays[0]):
            out._vc = args[0]._vc
            if record:  # in-place ops on this view must know what it aliases (see ops._check_inplace)
                out._view_base = args[0]
        if record:
            ctx.out_meta = (result.shape, result.dtype)
            if anomaly._enabled:  # where the user created this op, for the error if its backward yields NaN
                ctx.trace = anomaly.forward_stack()
            if ctx._saved:
                ctx._versions = _version_watch(ctx, args, out)
        if extra:
            return (out, *(Tensor._make(e, None) for e in extra))
        return out

    @staticmethod
    def forward(ctx, *args, **options):
        raise NotImplementedError("Function subclasses implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("Function subclasses implement backward(ctx, grad_output)")


def _version_watch(ctx, args, out):
    """For each saved array that is an input's or the output's own data: (version box, version now, description).

    The description is a tuple, turned into words only if the check fails: formatting it on every op would cost
    more than the op itself at small sizes."""
    watched = []
    for arr in ctx._saved:
        for i, t in enumerate(args):
            if isinstance(t, _Tensor) and t.data is arr:
                watched.append((t._vc, t._vc[0], (t.data.dtype, t.data.shape, t)))
                break
        else:
            if arr is out.data:
                watched.append((out._vc, out._vc[0], (out.data.dtype, out.data.shape, None)))
    return watched


def _describe(what, node):
    """'[torch.FloatTensor [2, 3]], which is output 0 of Exp,' from a _version_watch description, in torch's words:
    the tensor is named by the op that made it (for a saved input, its grad_fn now, after the in-place op); a leaf
    by its type and size alone."""
    from ..tensor import Tensor

    dtype, shape, source = what  # source: the saved input tensor, or None for this node's own output
    name = Tensor._make(np.empty(0, dtype), None)._type_name()
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
