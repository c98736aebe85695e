"""Function: the op pattern (forward and backward on NumPy arrays), and the graph nodes it records.

Each Function subclass gets a node class named like torch's (`Mul` -> `MulBackward0`). A node is the op's `ctx`:
it holds what forward saved, the edges to the nodes of its inputs (`next_functions`) and the input shapes that the
engine unbroadcasts gradients to.
"""
import weakref

import numpy as np

from . import grad_mode

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

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError(_FREED)
        if self._versions:
            for box, version, what in self._versions:
                if box[0] != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified by an inplace "
                        f"operation: {what}, is at version {box[0]}; expected version {version} instead. Hint: "
                        "the backtrace further above can show the operation that failed to compute its gradient."
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

    def save_for_backward(self, *arrays):
        pass


class Function:
    """Subclass with static `forward(ctx, *arrays, **options)` and `backward(ctx, grad_output)`.

    `backward` returns one gradient per positional input of forward (None where there is none); the engine sums
    broadcast dimensions away, so a gradient may have the broadcast output's shape.
    """

    node_name = None  # torch's grad_fn name; defaults to f"{cls.__name__}Backward0"
    is_view = False   # the output aliases the first input: it shares that input's version counter

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.node_name or f"{cls.__name__}Backward0"
        cls._node_cls = type(name, (Node,), {"__slots__": (), "backward_impl": cls.backward,
                                              "function": cls})

    @classmethod
    def apply(cls, *args, **options):
        from ..tensor import Tensor  # circular at import time only

        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        record = grad_mode._enabled and any(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = cls._node_cls() if record else _NoGraph()
        result = cls.forward(ctx, *arrays, **options)
        extra = ()
        if type(result) is tuple:  # (differentiable output, non-differentiable extras such as indices)
            result, *extra = result
        if type(result) is not np.ndarray:  # NumPy gives scalars, not 0-dim arrays, for 0-dim operands
            result = np.asarray(result)
        out = Tensor._make(result, ctx if record else None)
        if cls.is_view and isinstance(args[0], Tensor) and np.may_share_memory(result, arrays[0]):
            out._vc = args[0]._vc
        if record:
            ctx.next_functions = tuple((a._node() if isinstance(a, Tensor) else None, 0) for a in args)
            ctx.input_meta = tuple((a.shape, a.dtype) if isinstance(a, np.ndarray) else None for a in arrays)
            ctx.out_meta = (result.shape, result.dtype)
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
    """For each saved array that is an input's or the output's own data: (version box, version now, description)."""
    from ..tensor import Tensor

    watched = []
    candidates = [(a, f"input {i}") for i, a in enumerate(args) if isinstance(a, Tensor)] + [(out, "output 0")]
    for arr in ctx._saved:
        for t, role in candidates:
            if arr is t.data:
                what = f"[{t._type_name()} {list(t.shape)}], which is {role} of {type(ctx).__name__}"
                watched.append((t._vc, t._vc[0], what))
                break
    return watched
