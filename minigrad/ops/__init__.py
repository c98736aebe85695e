"""The torch-level ops: argument handling (dims, shapes, scalars, errors) in front of `minigrad.functions`.

Each function is both `minigrad.<name>(tensor, ...)` and the method `Tensor.<name>(...)` (bound below):
pointwise.py, reduction.py, shape.py, linalg.py, indexing.py (with the in-place ops).
"""
import numpy as np

from ..tensor import Tensor
from .indexing import (  # noqa: F401 - re-exported
    _check_inplace,
    add_,
    clamp_,
    copy_,
    div_,
    fill_,
    getitem,
    mul_,
    normal_,
    scatter,
    scatter_,
    setitem,
    sub_,
    uniform_,
    zero_,
)
from .linalg import (  # noqa: F401 - re-exported
    bmm,
    dot,
    matmul,
    mm,
    outer,
)
from .pointwise import (  # noqa: F401 - re-exported
    _data,
    _out,
    abs,
    add,
    allclose,
    ceil,
    clamp,
    clip,
    div,
    eq,
    equal,
    exp,
    floor,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    relu,
    round,
    sigmoid,
    sign,
    sqrt,
    sub,
    tanh,
    true_divide,
    where,
)
from .reduction import (  # noqa: F401 - re-exported
    _scalar_type,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    softmax,
    std,
    sum,
    var,
)
from .shape import (  # noqa: F401 - re-exported
    cat,
    chunk,
    concat,
    concatenate,
    expand,
    expand_as,
    flatten,
    narrow,
    permute,
    reshape,
    reshape_as,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view,
    view_as,
)


def _rev(fn):
    return lambda self, other: fn(other, self)


_METHODS = dict(
    add=add, sub=sub, mul=mul, div=div, true_divide=true_divide, neg=neg, pow=pow, exp=exp, log=log, sqrt=sqrt,
    abs=abs, relu=relu, sigmoid=sigmoid, tanh=tanh, clamp=clamp, clip=clamp, maximum=maximum, minimum=minimum,
    eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, equal=equal, allclose=allclose, isclose=isclose, isnan=isnan,
    isinf=isinf, isfinite=isfinite, sign=sign, floor=floor, ceil=ceil, round=round, logical_not=logical_not,
    logical_and=logical_and, logical_or=logical_or, sum=sum, mean=mean, var=var, std=std, max=max, min=min,
    amax=amax, amin=amin, logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax, argmax=argmax,
    argmin=argmin, all=all, any=any, norm=norm, reshape=reshape, view=view, flatten=flatten, unflatten=unflatten,
    squeeze=squeeze, unsqueeze=unsqueeze, transpose=transpose, swapaxes=transpose, t=t, permute=permute,
    expand=expand, expand_as=expand_as, view_as=view_as, reshape_as=reshape_as, split=split, chunk=chunk,
    unbind=unbind, narrow=narrow, select=select, matmul=matmul, mm=mm, bmm=bmm, dot=dot, outer=outer,
    add_=add_, sub_=sub_, mul_=mul_, div_=div_, zero_=zero_, fill_=fill_, copy_=copy_, clamp_=clamp_,
    clip_=clamp_, uniform_=uniform_, normal_=normal_, scatter_=scatter_, scatter=scatter, where=lambda self, c, o:
    where(c, self, o),
    __add__=add, __radd__=add, __sub__=sub, __rsub__=_rev(sub), __mul__=mul, __rmul__=mul,
    __truediv__=div, __rtruediv__=_rev(div), __pow__=pow, __rpow__=_rev(pow), __matmul__=matmul,
    __rmatmul__=_rev(matmul), __neg__=neg, __abs__=abs, __eq__=eq, __ne__=ne, __lt__=lt, __le__=le, __gt__=gt,
    __ge__=ge, __getitem__=getitem, __setitem__=setitem, __iadd__=add_, __isub__=sub_, __imul__=mul_,
    __itruediv__=div_, __and__=logical_and, __or__=logical_or, __xor__=logical_xor, __invert__=logical_not,
    __floordiv__=lambda self, o: div(self, o, rounding_mode="floor"),
    __mod__=lambda self, o: Tensor._make(np.asarray(np.mod(self.data, _data(o))), None),
)
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(lambda self: permute(self, *reversed(range(self.data.ndim))))
def _mT(self):
    if self.data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.data.ndim}-D "
                           "tensor.")
    return transpose(self, -2, -1)


Tensor.mT = property(_mT)
