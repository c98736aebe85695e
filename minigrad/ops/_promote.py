"""torch's type promotion and broadcasting checks for the arguments of elementwise ops."""
import builtins

import numpy as np

from .. import _dtype
from ..functions import elementwise as E
from ..tensor import Tensor


def _result_np_dtype(operands):
    """torch's result_type: dimensioned tensors outrank zero-dim tensors, which outrank Python numbers; a lower rank
    changes the result only when its category (bool < int < float) is higher."""
    dim = zero = num = None
    for o in operands:
        if isinstance(o, Tensor):
            dt = o.data.dtype
            if o.data.ndim:
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
    Cast so its gradient flows; anything else is cast as a plain array."""
    for x in xs:
        if not isinstance(x, (Tensor, builtins.int, builtins.float, builtins.bool, np.generic)):
            raise TypeError(f"unsupported operand type: expected a Tensor or a number, but got {type(x).__name__}")
    target = _result_np_dtype(xs)
    out = []
    for x in xs:
        if isinstance(x, Tensor):
            if x.data.dtype != target:
                x = E.Cast.apply(x, dtype=target) if x.requires_grad else x.data.astype(target)
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


def _binary(fn, a, b):
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.data.dtype == b.data.dtype:  # the common path
        if a.data.shape != b.data.shape:
            _broadcast_check(a, b)
        return fn.apply(a, b)
    _broadcast_check(a, b)
    return fn.apply(*_operands(a, b))


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x), None)
