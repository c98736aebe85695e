"""Tensor: a NumPy array (`.data`) plus what autograd needs (`requires_grad`, `grad`, `grad_fn`).

Here: construction, the autograd attributes, description and conversion, and every op method as one line that
calls the op by name in `minigrad/ops/` (`x * y` is `ops.mul(x, y)`, whose Function `Mul` sits right above it in
ops/pointwise.py). NumPy functions given a Tensor reach the same ops (`__array_ufunc__`), which is how one backward
formula runs on arrays and, for a create_graph backward, on Tensors.
"""
import builtins
import weakref

import numpy as np

from . import _dtype
from .autograd import grad_mode
from .autograd.engine import accumulating_into, root_gradient, run_backward
from .autograd.function import AccumulateGrad, accumulate
from ._size import _CPU, Size, _check_device, _dim, _size_args, device  # noqa: F401 - device is re-exported


class Tensor:
    __slots__ = ("data", "_grad", "_requires_grad", "grad_fn", "_vc", "_accum", "_retain", "__dict__",
                 "__weakref__")
    __array_priority__ = 1000  # ndarray * tensor goes to Tensor (see __array_ufunc__)

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """The legacy constructor `minigrad.Tensor(data)` or `minigrad.Tensor(2, 3)`: the default dtype (float32
        unless set_default_dtype changed it), like torch's."""
        from .creation import _float  # creation imports this module

        if len(args) == 1 and not isinstance(args[0], builtins.int):
            data = np.array(args[0].data if isinstance(args[0], Tensor) else args[0], dtype=_float())
        else:
            data = np.empty(_size_args(args), _float())
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

    @staticmethod
    def _make(data, grad_fn):
        """A Tensor around an array, made by an op (no checks): what Tensor._init does, written out (hot path)."""
        t = object.__new__(Tensor)
        t.data, t._grad, t._requires_grad, t.grad_fn = data, None, grad_fn is not None, grad_fn
        t._vc, t._accum, t._retain = [0], None, False
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
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype.scalar_type(value.data.dtype).lower()}' to a "
                    f"tensor with grad_dtype '{_dtype.scalar_type(self.data.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype "
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

    def retain_grad(self):
        """Keep this non-leaf's gradient in .grad after backward: a hook on its node that accumulates a copy."""
        if self.grad_fn is None or self._retain:
            return
        ref = weakref.ref(self)

        def retain(g):
            t = ref()
            if t is not None:
                accumulate(t, g if isinstance(g, Tensor) else g.copy())
            return g

        retain.retains = True  # stays the last hook: the gradient it keeps is the one the node uses
        hooks = self.grad_fn.pre_hooks = self.grad_fn.pre_hooks or []
        hooks.append(retain)
        self._retain = True

    @property
    def retains_grad(self):
        return self._retain

    def register_hook(self, hook):
        """`hook(grad) -> grad or None`, called with this tensor's gradient before it is used."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._node()
        hooks = node.pre_hooks = node.pre_hooks or []

        def call(g):
            out = hook(g if isinstance(g, Tensor) else Tensor._make(g, None))
            if out is None:
                return g
            return out if isinstance(g, Tensor) else np.array(out.data if isinstance(out, Tensor) else out)  # a copy:
            # the hook's caller may keep what it returned

        hooks.insert(len(hooks) - builtins.bool(hooks and getattr(hooks[-1], "retains", False)), call)
        return _RemovableHandle(hooks, call)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d self / d leaf into every leaf's .grad (only into `inputs` when given). With
        `create_graph=True` the gradients are Tensors in a graph, so they can be differentiated again."""
        retain = create_graph if retain_graph is None else retain_graph
        step = None if inputs is None else accumulating_into([inputs] if isinstance(inputs, Tensor) else inputs)
        run_backward([self._node()], [root_gradient(self, gradient, create_graph=create_graph)],
                     retain_graph=builtins.bool(retain), create_graph=create_graph, step=step)

    def detach(self):
        t = Tensor._make(self.data, None)
        t._vc = self._vc
        return t

    def detach_(self):
        if getattr(self, "_is_view", False):
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
                               "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
                               "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
                               "torch/optim/optimizer.py as the solution.")
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
        return _dtype.tensor_type(self.data.dtype)

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

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False, memory_format=None):
        flags = []  # to(dtype, non_blocking, copy): positional bools after the dtype or device
        for a in args:
            if isinstance(a, _dtype.dtype) or a is builtins.float or a is builtins.int or a is builtins.bool:
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, builtins.bool):
                flags.append(a)
            elif a is not None:
                device = a
        if len(flags) > 1:
            copy = flags[1]
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
            names = {_dtype.tensor_type(d.np): d for d in _dtype.ALL}
            if "torch." + dtype.rsplit(".", 1)[-1] not in names:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = names["torch." + dtype.rsplit(".", 1)[-1]]
        target = _dtype.to_np(dtype)
        if target == self.data.dtype:
            return self
        if self._requires_grad and grad_mode._enabled:
            return ops.pointwise.Cast.apply(self, dtype=target)
        return Tensor._make(self.data.astype(target), None)

    def float(self, memory_format=None):
        return self.type(_dtype.float32)

    def double(self, memory_format=None):
        return self.type(_dtype.float64)

    def half(self, memory_format=None):
        return self.type(_dtype.float16)

    def long(self, memory_format=None):
        return self.type(_dtype.int64)

    def int(self, memory_format=None):
        return self.type(_dtype.int32)

    def bool(self, memory_format=None):
        return self.type(_dtype.bool)

    def byte(self, memory_format=None):
        return self.type(_dtype.uint8)

    def clone(self, memory_format=None):
        return ops.pointwise.Clone.apply(self)

    def contiguous(self, memory_format=None):
        if self.data.flags.c_contiguous:
            return self
        return ops.pointwise.Clone.apply(self)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False): return creation.new_tensor(self, data, dtype, device, requires_grad)  # noqa
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False): return creation.new_zeros(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)  # noqa
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False): return creation.new_ones(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)  # noqa
    def new_empty(self, *size, dtype=None, device=None, requires_grad=False): return creation.new_empty(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)  # noqa
    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False): return creation.new_full(self, size, fill_value, dtype, device, requires_grad)  # noqa

    # ---- ops: each method calls its op in minigrad/ops/ ------------------------------------------------------
    def __add__(self, other): return ops.add(self, other)  # noqa: E704 - one line per op, by design
    def __radd__(self, other): return ops.add(self, other)  # noqa: E704
    def __sub__(self, other): return ops.sub(self, other)  # noqa: E704
    def __rsub__(self, other): return ops.sub(other, self)  # noqa: E704
    def __mul__(self, other): return ops.mul(self, other)  # noqa: E704
    def __rmul__(self, other): return ops.mul(self, other)  # noqa: E704
    def __truediv__(self, other): return ops.div(self, other)  # noqa: E704
    def __rtruediv__(self, other): return ops.div(other, self)  # noqa: E704
    def __floordiv__(self, other): return ops.div(self, other, rounding_mode="floor")  # noqa: E704
    def __mod__(self, other): return Tensor._make(np.asarray(np.mod(self.data, ops._promote._data(other))), None)  # noqa
    def __pow__(self, other): return ops.pow(self, other)  # noqa: E704
    def __rpow__(self, other): return ops.pow(other, self)  # noqa: E704
    def __matmul__(self, other): return ops.matmul(self, other)  # noqa: E704
    def __rmatmul__(self, other): return ops.matmul(other, self)  # noqa: E704
    def __neg__(self): return ops.neg(self)  # noqa: E704
    def __abs__(self): return ops.abs(self)  # noqa: E704
    def __eq__(self, other): return ops.eq(self, other)  # noqa: E704
    def __ne__(self, other): return ops.ne(self, other)  # noqa: E704
    def __lt__(self, other): return ops.lt(self, other)  # noqa: E704
    def __le__(self, other): return ops.le(self, other)  # noqa: E704
    def __gt__(self, other): return ops.gt(self, other)  # noqa: E704
    def __ge__(self, other): return ops.ge(self, other)  # noqa: E704
    def __and__(self, other): return ops.logical_and(self, other)  # noqa: E704
    def __or__(self, other): return ops.logical_or(self, other)  # noqa: E704
    def __xor__(self, other): return ops.logical_xor(self, other)  # noqa: E704
    def __invert__(self): return ops.bitwise_not(self)  # noqa: E704
    def __getitem__(self, index): return ops.getitem(self, index)  # noqa: E704
    def __setitem__(self, index, value): ops.setitem(self, index, value)  # noqa: E704
    def __iadd__(self, other): return ops.add_(self, other)  # noqa: E704
    def __isub__(self, other): return ops.sub_(self, other)  # noqa: E704
    def __imul__(self, other): return ops.mul_(self, other)  # noqa: E704
    def __itruediv__(self, other): return ops.div_(self, other)  # noqa: E704

    def add(self, other, *, alpha=1): return ops.add(self, other, alpha=alpha)  # noqa: E704
    def sub(self, other, *, alpha=1): return ops.sub(self, other, alpha=alpha)  # noqa: E704
    def mul(self, other): return ops.mul(self, other)  # noqa: E704
    def div(self, other, *, rounding_mode=None): return ops.div(self, other, rounding_mode=rounding_mode)  # noqa
    def true_divide(self, other): return ops.div(self, other)  # noqa: E704
    def neg(self): return ops.neg(self)  # noqa: E704
    def pow(self, exponent): return ops.pow(self, exponent)  # noqa: E704
    def exp(self): return ops.exp(self)  # noqa: E704
    def log(self): return ops.log(self)  # noqa: E704
    def log1p(self): return ops.log1p(self)  # noqa: E704
    def sqrt(self): return ops.sqrt(self)  # noqa: E704
    def abs(self): return ops.abs(self)  # noqa: E704
    def relu(self): return ops.relu(self)  # noqa: E704
    def sigmoid(self): return ops.sigmoid(self)  # noqa: E704
    def tanh(self): return ops.tanh(self)  # noqa: E704
    def clamp(self, min=None, max=None): return ops.clamp(self, min, max)  # noqa: E704,A002
    clip = clamp
    def maximum(self, other): return ops.maximum(self, other)  # noqa: E704
    def minimum(self, other): return ops.minimum(self, other)  # noqa: E704
    def where(self, condition, other): return ops.where(condition, self, other)  # noqa: E704
    def eq(self, other): return ops.eq(self, other)  # noqa: E704
    def ne(self, other): return ops.ne(self, other)  # noqa: E704
    def lt(self, other): return ops.lt(self, other)  # noqa: E704
    def le(self, other): return ops.le(self, other)  # noqa: E704
    def gt(self, other): return ops.gt(self, other)  # noqa: E704
    def ge(self, other): return ops.ge(self, other)  # noqa: E704
    def equal(self, other): return ops.equal(self, other)  # noqa: E704
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return ops.allclose(self, other, rtol, atol, equal_nan)  # noqa
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return ops.isclose(self, other, rtol, atol, equal_nan)  # noqa
    def isnan(self): return ops.isnan(self)  # noqa: E704
    def isinf(self): return ops.isinf(self)  # noqa: E704
    def isfinite(self): return ops.isfinite(self)  # noqa: E704
    def sign(self): return ops.sign(self)  # noqa: E704
    def floor(self): return ops.floor(self)  # noqa: E704
    def ceil(self): return ops.ceil(self)  # noqa: E704
    def round(self, decimals=0): return ops.round(self, decimals)  # noqa: E704
    def logical_not(self): return ops.logical_not(self)  # noqa: E704
    def logical_and(self, other): return ops.logical_and(self, other)  # noqa: E704
    def logical_or(self, other): return ops.logical_or(self, other)  # noqa: E704

    def sum(self, dim=None, keepdim=False, *, dtype=None): return ops.sum(self, dim, keepdim, dtype=dtype)  # noqa
    def mean(self, dim=None, keepdim=False, *, dtype=None): return ops.mean(self, dim, keepdim, dtype=dtype)  # noqa
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return ops.var(self, dim, unbiased, keepdim, correction=correction)  # noqa
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return ops.std(self, dim, unbiased, keepdim, correction=correction)  # noqa
    def max(self, dim=None, keepdim=False): return ops.max(self, dim, keepdim)  # noqa: E704
    def min(self, dim=None, keepdim=False): return ops.min(self, dim, keepdim)  # noqa: E704
    def amax(self, dim=(), keepdim=False): return ops.amax(self, dim, keepdim)  # noqa: E704
    def amin(self, dim=(), keepdim=False): return ops.amin(self, dim, keepdim)  # noqa: E704
    def argmax(self, dim=None, keepdim=False): return ops.argmax(self, dim, keepdim)  # noqa: E704
    def argmin(self, dim=None, keepdim=False): return ops.argmin(self, dim, keepdim)  # noqa: E704
    def all(self, dim=None, keepdim=False): return ops.all(self, dim, keepdim)  # noqa: E704
    def any(self, dim=None, keepdim=False): return ops.any(self, dim, keepdim)  # noqa: E704
    def norm(self, p="fro", dim=None, keepdim=False): return ops.norm(self, p, dim, keepdim)  # noqa: E704
    def logsumexp(self, dim, keepdim=False): return ops.logsumexp(self, dim, keepdim)  # noqa: E704
    def softmax(self, dim, dtype=None): return ops.softmax(self, dim, dtype)  # noqa: E704
    def log_softmax(self, dim, dtype=None): return ops.log_softmax(self, dim, dtype)  # noqa: E704

    def reshape(self, *shape): return ops.reshape(self, *shape)  # noqa: E704
    def view(self, *shape): return ops.view(self, *shape)  # noqa: E704
    def view_as(self, other): return ops.view_as(self, other)  # noqa: E704
    def reshape_as(self, other): return ops.reshape_as(self, other)  # noqa: E704
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)  # noqa: E704
    def unflatten(self, dim, sizes): return ops.unflatten(self, dim, sizes)  # noqa: E704
    def squeeze(self, dim=None): return ops.squeeze(self, dim)  # noqa: E704
    def unsqueeze(self, dim): return ops.unsqueeze(self, dim)  # noqa: E704
    def transpose(self, dim0, dim1): return ops.transpose(self, dim0, dim1)  # noqa: E704
    swapaxes = swapdims = transpose
    def t(self): return ops.t(self)  # noqa: E704
    def permute(self, *dims): return ops.permute(self, *dims)  # noqa: E704
    def expand(self, *sizes): return ops.expand(self, *sizes)  # noqa: E704
    def expand_as(self, other): return ops.expand_as(self, other)  # noqa: E704
    def split(self, split_size, dim=0): return ops.split(self, split_size, dim)  # noqa: E704
    def chunk(self, chunks, dim=0): return ops.chunk(self, chunks, dim)  # noqa: E704
    def unbind(self, dim=0): return ops.unbind(self, dim)  # noqa: E704
    def narrow(self, dim, start, length): return ops.narrow(self, dim, start, length)  # noqa: E704
    def select(self, dim, index): return ops.select(self, dim, index)  # noqa: E704
    def gather(self, dim, index): return ops.gather(self, dim, index)  # noqa: E704
    def matmul(self, other): return ops.matmul(self, other)  # noqa: E704
    def mm(self, mat2): return ops.mm(self, mat2)  # noqa: E704
    def bmm(self, mat2): return ops.bmm(self, mat2)  # noqa: E704
    def dot(self, other): return ops.dot(self, other)  # noqa: E704
    def outer(self, vec2): return ops.outer(self, vec2)  # noqa: E704

    @property
    def T(self): return ops.permute(self, *reversed(range(self.data.ndim)))  # noqa: E704,N802

    @property
    def mT(self): return ops.shape.matrix_transpose(self)  # noqa: E704,N802

    def add_(self, other, *, alpha=1): return ops.add_(self, other, alpha=alpha)  # noqa: E704
    def sub_(self, other, *, alpha=1): return ops.sub_(self, other, alpha=alpha)  # noqa: E704
    def mul_(self, other): return ops.mul_(self, other)  # noqa: E704
    def div_(self, other): return ops.div_(self, other)  # noqa: E704
    def zero_(self): return ops.zero_(self)  # noqa: E704
    def fill_(self, value): return ops.fill_(self, value)  # noqa: E704
    def copy_(self, src, non_blocking=False): return ops.copy_(self, src, non_blocking)  # noqa: E704
    def clamp_(self, min=None, max=None): return ops.clamp_(self, min, max)  # noqa: E704,A002
    clip_ = clamp_
    def uniform_(self, a=0.0, b=1.0, generator=None): return ops.uniform_(self, a, b, generator)  # noqa: E704
    def normal_(self, mean=0.0, std=1.0, generator=None): return ops.normal_(self, mean, std, generator)  # noqa
    def scatter_(self, dim, index, src=None, value=None, *, reduce=None): return ops.scatter_(self, dim, index, src, value, reduce=reduce)  # noqa
    def scatter(self, dim, index, src=None, value=None): return ops.scatter(self, dim, index, src, value)  # noqa

    # ---- methods of issue 11a: pointwise ops (ops/unary.py, ops/binary.py) ----
    def sin(self): return ops.sin(self)  # noqa: E704
    def sin_(self): return ops.sin_(self)  # noqa: E704
    def cos(self): return ops.cos(self)  # noqa: E704
    def cos_(self): return ops.cos_(self)  # noqa: E704
    def tan(self): return ops.tan(self)  # noqa: E704
    def tan_(self): return ops.tan_(self)  # noqa: E704
    def asin(self): return ops.asin(self)  # noqa: E704
    def asin_(self): return ops.asin_(self)  # noqa: E704
    def acos(self): return ops.acos(self)  # noqa: E704
    def acos_(self): return ops.acos_(self)  # noqa: E704
    def atan(self): return ops.atan(self)  # noqa: E704
    def atan_(self): return ops.atan_(self)  # noqa: E704
    def sinh(self): return ops.sinh(self)  # noqa: E704
    def sinh_(self): return ops.sinh_(self)  # noqa: E704
    def cosh(self): return ops.cosh(self)  # noqa: E704
    def cosh_(self): return ops.cosh_(self)  # noqa: E704
    def asinh(self): return ops.asinh(self)  # noqa: E704
    def asinh_(self): return ops.asinh_(self)  # noqa: E704
    def acosh(self): return ops.acosh(self)  # noqa: E704
    def acosh_(self): return ops.acosh_(self)  # noqa: E704
    def atanh(self): return ops.atanh(self)  # noqa: E704
    def atanh_(self): return ops.atanh_(self)  # noqa: E704
    def arcsin(self): return ops.arcsin(self)  # noqa: E704
    def arcsin_(self): return ops.arcsin_(self)  # noqa: E704
    def arccos(self): return ops.arccos(self)  # noqa: E704
    def arccos_(self): return ops.arccos_(self)  # noqa: E704
    def arctan(self): return ops.arctan(self)  # noqa: E704
    def arctan_(self): return ops.arctan_(self)  # noqa: E704
    def arcsinh(self): return ops.arcsinh(self)  # noqa: E704
    def arcsinh_(self): return ops.arcsinh_(self)  # noqa: E704
    def arccosh(self): return ops.arccosh(self)  # noqa: E704
    def arccosh_(self): return ops.arccosh_(self)  # noqa: E704
    def arctanh(self): return ops.arctanh(self)  # noqa: E704
    def arctanh_(self): return ops.arctanh_(self)  # noqa: E704
    def exp2(self): return ops.exp2(self)  # noqa: E704
    def exp2_(self): return ops.exp2_(self)  # noqa: E704
    def expm1(self): return ops.expm1(self)  # noqa: E704
    def expm1_(self): return ops.expm1_(self)  # noqa: E704
    def log2(self): return ops.log2(self)  # noqa: E704
    def log2_(self): return ops.log2_(self)  # noqa: E704
    def log10(self): return ops.log10(self)  # noqa: E704
    def log10_(self): return ops.log10_(self)  # noqa: E704
    def rsqrt(self): return ops.rsqrt(self)  # noqa: E704
    def rsqrt_(self): return ops.rsqrt_(self)  # noqa: E704
    def reciprocal(self): return ops.reciprocal(self)  # noqa: E704
    def reciprocal_(self): return ops.reciprocal_(self)  # noqa: E704
    def square(self): return ops.square(self)  # noqa: E704
    def square_(self): return ops.square_(self)  # noqa: E704
    def sign_(self): return ops.sign_(self)  # noqa: E704
    def sgn(self): return ops.sgn(self)  # noqa: E704
    def sgn_(self): return ops.sgn_(self)  # noqa: E704
    def trunc(self): return ops.trunc(self)  # noqa: E704
    def trunc_(self): return ops.trunc_(self)  # noqa: E704
    def fix(self): return ops.fix(self)  # noqa: E704
    def fix_(self): return ops.fix_(self)  # noqa: E704
    def frac(self): return ops.frac(self)  # noqa: E704
    def frac_(self): return ops.frac_(self)  # noqa: E704
    def floor_(self): return ops.floor_(self)  # noqa: E704
    def ceil_(self): return ops.ceil_(self)  # noqa: E704
    def erf(self): return ops.erf(self)  # noqa: E704
    def erf_(self): return ops.erf_(self)  # noqa: E704
    def erfc(self): return ops.erfc(self)  # noqa: E704
    def erfc_(self): return ops.erfc_(self)  # noqa: E704
    def erfinv(self): return ops.erfinv(self)  # noqa: E704
    def erfinv_(self): return ops.erfinv_(self)  # noqa: E704
    def positive(self): return ops.positive(self)  # noqa: E704
    def log1p_(self): return ops.log1p_(self)  # noqa: E704
    def round_(self, decimals=0): return ops.round_(self, decimals)  # noqa: E704
    def logit(self, eps=None): return ops.logit(self, eps)  # noqa: E704
    def logit_(self, eps=None): return ops.logit_(self, eps)  # noqa: E704
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return ops.nan_to_num(self, nan, posinf, neginf)  # noqa
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None): return ops.nan_to_num_(self, nan, posinf, neginf)  # noqa
    def atan2(self, other): return ops.atan2(self, other)  # noqa: E704
    def atan2_(self, other): return ops.atan2_(self, other)  # noqa: E704
    def arctan2(self, other): return ops.arctan2(self, other)  # noqa: E704
    def arctan2_(self, other): return ops.atan2_(self, other)  # noqa: E704
    def fmod(self, other): return ops.fmod(self, other)  # noqa: E704
    def fmod_(self, other): return ops.fmod_(self, other)  # noqa: E704
    def remainder(self, other): return ops.remainder(self, other)  # noqa: E704
    def remainder_(self, other): return ops.remainder_(self, other)  # noqa: E704
    def floor_divide(self, other): return ops.floor_divide(self, other)  # noqa: E704
    def floor_divide_(self, other): return ops.floor_divide_(self, other)  # noqa: E704
    def hypot(self, other): return ops.hypot(self, other)  # noqa: E704
    def hypot_(self, other): return ops.hypot_(self, other)  # noqa: E704
    def xlogy(self, other): return ops.xlogy(self, other)  # noqa: E704
    def xlogy_(self, other): return ops.xlogy_(self, other)  # noqa: E704
    def copysign(self, other): return ops.copysign(self, other)  # noqa: E704
    def copysign_(self, other): return ops.copysign_(self, other)  # noqa: E704
    def heaviside(self, values): return ops.heaviside(self, values)  # noqa: E704
    def heaviside_(self, values): return ops.heaviside_(self, values)  # noqa: E704
    def float_power(self, exponent): return ops.float_power(self, exponent)  # noqa: E704
    def float_power_(self, exponent): return ops.float_power_(self, exponent)  # noqa: E704
    def logaddexp(self, other): return ops.logaddexp(self, other)  # noqa: E704
    def logaddexp2(self, other): return ops.logaddexp2(self, other)  # noqa: E704
    def clamp_min(self, min): return ops.clamp_min(self, min)  # noqa: E704,A002
    def clamp_min_(self, min): return ops.clamp_min_(self, min)  # noqa: E704,A002
    def clamp_max(self, max): return ops.clamp_max(self, max)  # noqa: E704,A002
    def clamp_max_(self, max): return ops.clamp_max_(self, max)  # noqa: E704,A002
    def lerp(self, end, weight): return ops.lerp(self, end, weight)  # noqa: E704
    def lerp_(self, end, weight): return ops.lerp_(self, end, weight)  # noqa: E704
    def addcmul(self, tensor1, tensor2, *, value=1): return ops.addcmul(self, tensor1, tensor2, value=value)  # noqa
    def addcmul_(self, tensor1, tensor2, *, value=1): return ops.addcmul_(self, tensor1, tensor2, value=value)  # noqa
    def addcdiv(self, tensor1, tensor2, *, value=1): return ops.addcdiv(self, tensor1, tensor2, value=value)  # noqa
    def addcdiv_(self, tensor1, tensor2, *, value=1): return ops.addcdiv_(self, tensor1, tensor2, value=value)  # noqa
    def __pos__(self): return ops.positive(self)  # noqa: E704
    def __rmod__(self, other): return ops.remainder(other, self)  # noqa: E704
    def __rfloordiv__(self, other): return ops.floor_divide(other, self)  # noqa: E704
    # (end of issue 11a methods)

    # ---- methods of issue 11b: reductions, scans, sorting (ops/scan.py, ops/sort.py) ----
    def cumsum(self, dim, *, dtype=None): return ops.cumsum(self, dim, dtype=dtype)  # noqa: E704
    def cumprod(self, dim, *, dtype=None): return ops.cumprod(self, dim, dtype=dtype)  # noqa: E704
    def cummax(self, dim): return ops.cummax(self, dim)  # noqa: E704
    def cummin(self, dim): return ops.cummin(self, dim)  # noqa: E704
    def logcumsumexp(self, dim): return ops.logcumsumexp(self, dim)  # noqa: E704
    def prod(self, dim=None, keepdim=False, *, dtype=None): return ops.prod(self, dim, keepdim, dtype=dtype)  # noqa
    def sort(self, dim=-1, descending=False, stable=False): return ops.sort(self, dim, descending, stable)  # noqa
    def argsort(self, dim=-1, descending=False, stable=False): return ops.argsort(self, dim, descending, stable)  # noqa
    def msort(self): return ops.msort(self)  # noqa: E704
    def topk(self, k, dim=-1, largest=True, sorted=True): return ops.topk(self, k, dim, largest, sorted)  # noqa
    def kthvalue(self, k, dim=-1, keepdim=False): return ops.kthvalue(self, k, dim, keepdim)  # noqa: E704
    def median(self, dim=None, keepdim=False): return ops.median(self, dim, keepdim)  # noqa: E704
    def nanmedian(self, dim=None, keepdim=False): return ops.nanmedian(self, dim, keepdim)  # noqa: E704
    def mode(self, dim=-1, keepdim=False): return ops.mode(self, dim, keepdim)  # noqa: E704
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return ops.quantile(self, q, dim, keepdim, interpolation=interpolation)  # noqa
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)  # noqa
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None): return ops.unique(self, sorted, return_inverse, return_counts, dim)  # noqa
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None): return ops.unique_consecutive(self, return_inverse, return_counts, dim)  # noqa
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return ops.nansum(self, dim, keepdim, dtype=dtype)  # noqa
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return ops.nanmean(self, dim, keepdim, dtype=dtype)  # noqa
    def aminmax(self, *, dim=None, keepdim=False): return ops.aminmax(self, dim=dim, keepdim=keepdim)  # noqa: E704
    def count_nonzero(self, dim=None): return ops.count_nonzero(self, dim)  # noqa: E704
    def dist(self, other, p=2): return ops.dist(self, other, p)  # noqa: E704
    # (end of issue 11b methods)

    # ---- methods of issue 11c: activations and losses ----
    def prelu(self, weight): return ops.prelu(self, weight)  # noqa: E704
    def hardshrink(self, lambd=0.5): return ops.hardshrink(self, lambd)  # noqa: E704
    # (end of issue 11c methods)

    # ---- methods of issue 11e: other Tensor methods (optim/misc) ----
    # (end of issue 11e methods)

    # ---- methods of issue 12: conv, pool, norm ----
    # (end of issue 12 methods)

    # ---- methods of issue 11d: indexing and shape ops (ops/index_more.py, ops/shape_more.py) ----
    def flip(self, *dims, **kwargs): return ops.flip(self, *dims, **kwargs)  # noqa: E704
    def fliplr(self): return ops.fliplr(self)  # noqa: E704
    def flipud(self): return ops.flipud(self)  # noqa: E704
    def roll(self, shifts, dims=None): return ops.roll(self, shifts, dims)  # noqa: E704
    def rot90(self, k=1, dims=(0, 1)): return ops.rot90(self, k, dims)  # noqa: E704
    def repeat(self, *sizes): return ops.repeat(self, *sizes)  # noqa: E704
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None): return ops.repeat_interleave(self, repeats, dim, output_size=output_size)  # noqa
    def tile(self, dims): return ops.tile(self, dims)  # noqa: E704
    def broadcast_to(self, size): return ops.broadcast_to(self, size)  # noqa: E704
    def movedim(self, source, destination): return ops.movedim(self, source, destination)  # noqa: E704
    def moveaxis(self, source, destination): return ops.movedim(self, source, destination)  # noqa: E704
    def diagonal(self, offset=0, dim1=0, dim2=1): return ops.diagonal(self, offset, dim1, dim2)  # noqa: E704
    def diag(self, diagonal=0): return ops.diag(self, diagonal)  # noqa: E704
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return ops.diag_embed(self, offset, dim1, dim2)  # noqa: E704
    def diagflat(self, offset=0): return ops.diagflat(self, offset)  # noqa: E704
    def tril(self, diagonal=0): return ops.tril(self, diagonal)  # noqa: E704
    def triu(self, diagonal=0): return ops.triu(self, diagonal)  # noqa: E704
    def tril_(self, diagonal=0): return ops.tril_(self, diagonal)  # noqa: E704
    def triu_(self, diagonal=0): return ops.triu_(self, diagonal)  # noqa: E704
    def trace(self): return ops.trace(self)  # noqa: E704
    def tensor_split(self, indices_or_sections, dim=0): return ops.tensor_split(self, indices_or_sections, dim)  # noqa
    def hsplit(self, indices_or_sections): return ops.hsplit(self, indices_or_sections)  # noqa: E704
    def vsplit(self, indices_or_sections): return ops.vsplit(self, indices_or_sections)  # noqa: E704
    def dsplit(self, indices_or_sections): return ops.dsplit(self, indices_or_sections)  # noqa: E704
    def unfold(self, dimension, size, step): return ops.unfold(self, dimension, size, step)  # noqa: E704
    def ravel(self): return ops.ravel(self)  # noqa: E704
    def index_select(self, dim, index): return ops.index_select(self, dim, index)  # noqa: E704
    def index_add(self, dim, index, source, *, alpha=1): return ops.index_add(self, dim, index, source, alpha=alpha)  # noqa
    def index_add_(self, dim, index, source, *, alpha=1): return ops.index_add_(self, dim, index, source, alpha=alpha)  # noqa
    def index_copy(self, dim, index, source): return ops.index_copy(self, dim, index, source)  # noqa: E704
    def index_copy_(self, dim, index, source): return ops.index_copy_(self, dim, index, source)  # noqa: E704
    def index_fill(self, dim, index, value): return ops.index_fill(self, dim, index, value)  # noqa: E704
    def index_fill_(self, dim, index, value): return ops.index_fill_(self, dim, index, value)  # noqa: E704
    def masked_fill(self, mask, value): return ops.masked_fill(self, mask, value)  # noqa: E704
    def masked_fill_(self, mask, value): return ops.masked_fill_(self, mask, value)  # noqa: E704
    def masked_select(self, mask): return ops.masked_select(self, mask)  # noqa: E704
    def masked_scatter(self, mask, source): return ops.masked_scatter(self, mask, source)  # noqa: E704
    def masked_scatter_(self, mask, source): return ops.masked_scatter_(self, mask, source)  # noqa: E704
    def take(self, index): return ops.take(self, index)  # noqa: E704
    def take_along_dim(self, indices, dim=None): return ops.take_along_dim(self, indices, dim)  # noqa: E704
    def nonzero(self, *, as_tuple=False): return ops.nonzero(self, as_tuple=as_tuple)  # noqa: E704
    def argwhere(self): return ops.argwhere(self)  # noqa: E704
    def scatter_add(self, dim, index, src): return ops.scatter_add(self, dim, index, src)  # noqa: E704
    def scatter_add_(self, dim, index, src): return ops.scatter_add_(self, dim, index, src)  # noqa: E704
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True): return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)  # noqa
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True): return ops.scatter_reduce_(self, dim, index, src, reduce, include_self=include_self)  # noqa
    def select_scatter(self, src, dim, index): return ops.select_scatter(self, src, dim, index)  # noqa: E704
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1): return ops.slice_scatter(self, src, dim, start, end, step)  # noqa
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1): return ops.diagonal_scatter(self, src, offset, dim1, dim2)  # noqa
    def bincount(self, weights=None, minlength=0): return ops.bincount(self, weights, minlength)  # noqa: E704
    def histc(self, bins=100, min=0, max=0): return ops.histc(self, bins, min, max)  # noqa: E704,A002
    # (end of issue 11d methods)

    # ---- methods of issue 11f: linear algebra (ops/linalg_more.py) ----
    mH = property(lambda self: self.mT)  # the conjugate transpose: for real tensors mT
    def mv(self, vec): return ops.mv(self, vec)  # noqa: E704
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)  # noqa
    def addmv(self, mat, vec, *, beta=1, alpha=1): return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)  # noqa
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)  # noqa
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1): return ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)  # noqa
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)  # noqa
    def inner(self, other): return ops.inner(self, other)  # noqa: E704
    def kron(self, other): return ops.kron(self, other)  # noqa: E704
    def vdot(self, other): return ops.vdot(self, other)  # noqa: E704
    def cross(self, other, dim=None): return ops.cross(self, other, dim)  # noqa: E704
    def det(self): return ops.det(self)  # noqa: E704
    def logdet(self): return ops.linalg_decomp.logdet(self)  # noqa: E704
    def slogdet(self): return ops.slogdet(self)  # noqa: E704
    def inverse(self): return ops.inv(self)  # noqa: E704
    def pinverse(self, rcond=1e-15): return ops.linalg_spectral.pinverse(self, rcond)  # noqa: E704
    def cholesky(self, upper=False): return ops.cholesky(self, upper=upper)  # noqa: E704
    def cholesky_solve(self, input2, upper=False): return ops.linalg_extra.cholesky_solve(self, input2, upper)  # noqa
    def cholesky_inverse(self, upper=False): return ops.linalg_extra.cholesky_inverse(self, upper)  # noqa: E704
    def svd(self, some=True, compute_uv=True): return ops.linalg_extra.svd(self, some, compute_uv)  # noqa: E704
    def matrix_power(self, n): return ops.linalg_extra.matrix_power(self, n)  # noqa: E704
    # (end of issue 11f methods)

    # ---- NumPy functions on Tensors reach minigrad's ops ------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """`np.exp(t)` is `minigrad.exp(t)`, and so on for the ufuncs minigrad has: a backward formula written with
        NumPy then records its graph when the engine hands it Tensors. Any other ufunc runs on the arrays."""
        fn = _dispatch.UFUNCS.get(ufunc) if method == "__call__" and not kwargs else None
        if fn is not None:
            return fn(*inputs)
        return _dispatch.on_arrays(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """The same for NumPy functions (np.where, np.sum, np.swapaxes, ...)."""
        fn = _dispatch.FUNCTIONS.get(func)
        if fn is not None:
            return fn(*args, **kwargs)
        return _dispatch.on_arrays(func, args, kwargs)


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


from . import ops  # noqa: E402 - the ops import Tensor; its methods look them up when called
from . import _dispatch, creation  # noqa: E402
from .autograd import function as _function  # noqa: E402

_function._Tensor = Tensor  # apply's wrapper class, known from the start
