"""The arguments of elementwise ops: torch's type promotion, broadcasting checks, `out=`."""
import builtins
import re

import numpy as np

from .. import _dtype
from ..autograd import grad_mode
from ..tensor import Tensor


def _result_np_dtype(operands):
    """torch's result_type: dimensioned tensors outrank zero-dim tensors, which outrank Python numbers; a lower rank
    changes the result only when its category (bool < int < float) is higher."""
    dim = zero = num = None
    for o in operands:
        if isinstance(o, (Tensor, np.ndarray)):
            dt = o.data.dtype if isinstance(o, Tensor) else o.dtype
            if o.ndim:
                dim = dt if dim is None else _dtype.promote(dim, dt)
            else:
                zero = dt if zero is None else _dtype.promote(zero, dt)
        else:
            dt = _dtype.scalar_dtype(o)
            num = dt if num is None else _dtype.promote(num, dt)
    result = dim
    for cand in (zero, num):
        if cand is not None and (result is None or _dtype.category(cand) > _dtype.category(result)):
            result = cand
    return result


def _operands(*xs):
    """Arguments of an elementwise op, converted to torch's promoted dtype. A tensor that needs grad is cast through
    Cast so its gradient flows; anything else is cast as a plain array. A NumPy array (a constant inside a backward
    formula) counts as a tensor that needs no grad."""
    for x in xs:
        if not isinstance(x, (Tensor, np.ndarray, builtins.int, builtins.float, builtins.bool, np.generic)):
            raise TypeError(f"unsupported operand type: expected a Tensor or a number, but got {type(x).__name__}")
    target = _result_np_dtype(xs)
    out = []
    for x in xs:
        if isinstance(x, np.ndarray):
            x = x if x.dtype == target else x.astype(target)
        elif isinstance(x, Tensor):
            if x.data.dtype != target:
                x = x.type(target) if x.requires_grad else x.data.astype(target)
        elif isinstance(x, np.generic):
            x = x.item()
        out.append(x)
    return out


def _broadcast_check(a, b):
    sa = a.shape if isinstance(a, (Tensor, np.ndarray)) else ()
    sb = b.shape if isinstance(b, (Tensor, np.ndarray)) else ()
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        for i in range(1, builtins.min(len(sa), len(sb)) + 1):
            if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
                dim = builtins.max(len(sa), len(sb)) - i
                raise RuntimeError(
                    f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at non-singleton "
                    f"dimension {dim} (shapes {list(sa)} and {list(sb)} cannot be broadcast together)"
                ) from None
        raise


def _promoted(fn, a, b):
    """fn applied to a and b after the broadcasting check and type promotion (the path of mixed operands)."""
    _broadcast_check(a, b)
    return fn.apply(*_operands(a, b))


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x), None)


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def _out(result, out):
    """`out=`: write the result into an existing tensor of the right shape."""
    if out is None:
        return result
    if grad_mode._enabled and (result._requires_grad or out._requires_grad):
        name = re.sub("Backward[0-9]*$", "", type(result.grad_fn).__name__).lower() if result.grad_fn else "op"
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    if out.shape != result.shape:
        out.data = np.empty(result.data.shape, out.data.dtype)
    np.copyto(out.data, result.data, casting="same_kind")
    out._vc[0] += 1
    return out
