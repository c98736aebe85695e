"""Pointwise ops of three tensors: lerp, addcmul, addcdiv. Each op's Function (forward, backward, the derivative in
its docstring), then its torch-level function. All three operands broadcast together."""
import numpy as np

from .._dtype import scalar_type as _scalar_type
from ..autograd.function import Function
from ..tensor import Tensor
from .binary import _checked, _floats_only, _tensors


class Lerp(Function):
    """z = a + w (b - a) for a number w;   dz/da = 1 - w,   dz/db = w"""

    node_name = "LerpBackward0"
    inputs = 2

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.w = w
        # torch's two forms: the one nearer its endpoint is the exact one
        return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        return g * (1 - w), g * w


class LerpTensor(Function):
    """z = a + w (b - a);   dz/da = 1 - w,   dz/db = w,   dz/dw = b - a"""

    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        return g * (1 - w), g * w, g * (b - a)


def lerp(input, end, weight):
    _tensors("lerp", input=input, end=end)
    names = (("end", end), ("weight", weight)) if isinstance(weight, Tensor) else (("end", end),)
    for name, t in names:
        if t.data.dtype != input.data.dtype:
            raise RuntimeError(f"expected dtype {_scalar_type(input.data.dtype).lower()} for `{name}` but got dtype "
                               f"{_scalar_type(t.data.dtype).lower()}")
    kernel = "lerp_kernel_tensor_weight" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
    _floats_only(kernel, input)
    if isinstance(weight, Tensor):
        return LerpTensor.apply(*_checked(input, end, weight))
    return Lerp.apply(*_checked(input, end), float(weight))


class Addcmul(Function):
    """z = x + v t₁ t₂ for a number v;   dz/dx = 1,   dz/dt₁ = v t₂,   dz/dt₂ = v t₁"""

    inputs = 3

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return x + value * t1 * t2 if value != 1 else x + t1 * t2

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        gv = g * ctx.value
        return g, gv * t2, gv * t1


def addcmul(input, tensor1, tensor2, *, value=1):
    _tensors("addcmul", input=input, tensor1=tensor1, tensor2=tensor2)
    return Addcmul.apply(*_checked(input, tensor1, tensor2), value)


class Addcdiv(Function):
    """z = x + v t₁ / t₂ for a number v;   dz/dx = 1,   dz/dt₁ = v / t₂,   dz/dt₂ = -v t₁ / t₂²"""

    inputs = 3

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return x + value * (t1 / t2) if value != 1 else x + t1 / t2

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        gv = g * ctx.value / t2
        return g, gv, -gv * t1 / t2


def addcdiv(input, tensor1, tensor2, *, value=1):
    _tensors("addcdiv", input=input, tensor1=tensor1, tensor2=tensor2)
    if tensor1.data.dtype.kind in "biu" and tensor2.data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
            "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
            "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
            "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return Addcdiv.apply(*_checked(input, tensor1, tensor2), value)
