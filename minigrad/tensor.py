"""Tensor: a NumPy array (`.data`) plus what autograd needs (`requires_grad`, `grad`, `grad_fn`).

Here: construction, the autograd attributes, description and conversion. The ops (`x + y`, `x.sum()`, `x[i]`)
are bound onto Tensor by `minigrad/ops/`, whose functions call the Functions in `minigrad/functions/`.
"""
import builtins
import weakref

import numpy as np

from . import _dtype
from .autograd import grad_mode
from .autograd.engine import root_gradient, run_backward
from .autograd.function import AccumulateGrad
from ._size import _CPU, Size, _check_device, _dim, _size_args, device  # noqa: F401 - device is re-exported
from .functions import elementwise as E

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
               "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
               "bool": "BoolTensor"}






class Tensor:
    __slots__ = ("data", "_grad", "_requires_grad", "grad_fn", "_vc", "_accum", "_retain", "__dict__",
                 "__weakref__")
    __array_priority__ = 1000  # numpy_scalar * tensor goes to Tensor.__rmul__

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """The legacy constructor `minigrad.Tensor(data)` or `minigrad.Tensor(2, 3)`: float32, like torch's."""
        if len(args) == 1 and not isinstance(args[0], builtins.int):
            data = np.array(args[0].data if isinstance(args[0], Tensor) else args[0], dtype=np.float32)
        else:
            data = np.empty(_size_args(args), np.float32)
        if device is not None:
            _check_device(device)
        Tensor._init(self, data if dtype is None else data.astype(_dtype.to_np(dtype)), None)
        if requires_grad:
            self.requires_grad = True

    def _init(self, data, grad_fn):
        self.data = data
        self._grad = None
        self._requires_grad = grad_fn is not None
        self.grad_fn = grad_fn
        self._vc = [0]  # the version counter, shared with views; bumped by every in-place op
        self._accum = None
        self._retain = False

    @classmethod
    def _make(cls, data, grad_fn):
        t = object.__new__(Tensor)
        Tensor._init(t, data, grad_fn)
        return t

    # ---- autograd attributes -------------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = builtins.bool(flag)
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
                "in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if flag and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients (got {self.dtype})"
            )
        self._requires_grad = flag

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                    f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size"
                )
            if value.dtype != self.dtype:
                from .ops import _scalar_type

                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_scalar_type(value.data.dtype).lower()}' to a tensor "
                    f"with grad_dtype '{_scalar_type(self.data.dtype)}'. The gradient must match the tensor's grad_dtype "
                    "(defaults to the tensor's dtype)."
                )
        self._grad = value

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def _node(self):
        """The graph node a gradient for this tensor flows into: its grad_fn, or its AccumulateGrad as a leaf."""
        if self.grad_fn is not None:
            return self.grad_fn
        if not self._requires_grad:
            return None
        if self._accum is None:
            self._accum = AccumulateGrad(self)
        return self._accum

    def _accumulate(self, g, given):
        """Add a gradient into .grad: the first one is kept (copied if someone else may hold it), later ones added
        in place."""
        if self._grad is None:
            if g.dtype != self.data.dtype:
                g = g.astype(self.data.dtype)
            elif id(g) in given or not g.flags.owndata or not g.flags.writeable:
                g = g.copy()
            if g.shape != self.data.shape:
                g = np.broadcast_to(g, self.data.shape).copy()
            given.add(id(g))
            self._grad = Tensor._make(g, None)
        else:
            self._grad.data += g

    def retain_grad(self):
        if self.grad_fn is None:
            return
        ref = weakref.ref(self)
        self.grad_fn.retain = ref
        self._retain = True

    @property
    def retains_grad(self):
        return self._retain

    def register_hook(self, hook):
        """`hook(grad) -> grad or None`, called with this tensor's gradient before it is used."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._node()
        if node.pre_hooks is None:
            node.pre_hooks = []

        def call(g):
            out = hook(Tensor._make(g, None))
            return g if out is None else (out.data if isinstance(out, Tensor) else np.asarray(out))

        node.pre_hooks.append(call)
        return _RemovableHandle(node.pre_hooks, call)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if create_graph:
            raise NotImplementedError("create_graph=True (higher-order gradients) is not supported by minigrad")
        run_backward([self._node()], [root_gradient(self, gradient)], retain_graph=builtins.bool(retain_graph))

    def detach(self):
        t = Tensor._make(self.data, None)
        t._vc = self._vc
        return t

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ---- description --------------------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self.data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[_dim(dim, self.data.ndim)]

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.data.dtype)

    @property
    def device(self):
        return _CPU

    is_cuda = False

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    ndimension = dim

    def numel(self):
        return builtins.int(self.data.size)

    nelement = numel

    def element_size(self):
        return self.data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self.data.itemsize for s in self.data.strides)
        return strides if dim is None else strides[_dim(dim, self.data.ndim)]

    def is_contiguous(self):
        return builtins.bool(self.data.flags.c_contiguous)

    def is_floating_point(self):
        return self.data.dtype.kind == "f"

    def _type_name(self):
        return "torch." + _TYPE_NAMES.get(self.data.dtype.name, "Tensor")

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self):
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec):
        if self.data.ndim == 0:  # f"{t}" of a 0-dim tensor prints the number, as torch does
            return format(self.item(), spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self.data)

    def __int__(self):
        return builtins.int(self._python_scalar())

    def __float__(self):
        return builtins.float(self._python_scalar())

    def _python_scalar(self):
        if self.data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (got a tensor of shape "
                             f"{list(self.data.shape)})")
        return self.item()

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return builtins.int(self.item())

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    # ---- conversion -----------------------------------------------------------------------------------------
    def item(self):
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.reshape(()).item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.data

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        for a in args:
            if isinstance(a, _dtype.dtype) or a is builtins.float or a is builtins.int or a is builtins.bool:
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif a is not None:
                device = a
        if device is not None:
            _check_device(device)
        if dtype is not None and _dtype.to_np(dtype) != self.data.dtype:
            return self.type(dtype)
        return self.clone() if copy else self

    def cpu(self):
        return self

    def cuda(self, device=None):
        _check_device("cuda")

    def type(self, dtype=None):
        if dtype is None:
            return self._type_name()
        if isinstance(dtype, str) and dtype.endswith("Tensor"):  # x.type("torch.DoubleTensor")
            names = {v: k for k, v in _TYPE_NAMES.items()}
            short = dtype.rsplit(".", 1)[-1]
            if short not in names:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = names[short]
        target = _dtype.to_np(dtype)
        if target == self.data.dtype:
            return self
        if self._requires_grad and grad_mode._enabled:
            return E.Cast.apply(self, dtype=target)
        return Tensor._make(self.data.astype(target), None)

    def float(self):
        return self.type(_dtype.float32)

    def double(self):
        return self.type(_dtype.float64)

    def half(self):
        return self.type(_dtype.float16)

    def long(self):
        return self.type(_dtype.int64)

    def int(self):
        return self.type(_dtype.int32)

    def bool(self):
        return self.type(_dtype.bool)

    def byte(self):
        return self.type(_dtype.uint8)

    def clone(self, memory_format=None):
        return E.Clone.apply(self)

    def contiguous(self, memory_format=None):
        if self.data.flags.c_contiguous:
            return self
        return E.Clone.apply(self)


class _RemovableHandle:
    def __init__(self, container, item):
        self.container, self.item = container, item

    def remove(self):
        if self.item in self.container:
            self.container.remove(self.item)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
