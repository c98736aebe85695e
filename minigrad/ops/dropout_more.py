"""dropout3d: whole channels of (N, C, D, H, W) or (C, D, H, W) zeroed with probability p, the rest scaled by
1/(1-p): x times a constant mask, so the gradient is g times the same mask (as dropout1d and dropout2d)."""
import warnings

import numpy as np

from ..tensor import Tensor


def dropout3d(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input.data
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", stacklevel=2)
    if not training or p == 0:
        return input
    from ..random import _gen

    # torch treats anything but 5-D as unbatched: one draw per entry of the first dim
    lead = x.shape[:2] if x.ndim == 5 else x.shape[:1]
    mask = (_gen().random(lead, dtype=np.float32) >= np.float32(p)).astype(x.dtype)
    if p < 1:
        mask *= x.dtype.type(1 / (1 - p))
    out = input * Tensor._make(mask.reshape(lead + (1,) * (x.ndim - len(lead))), None)
    if inplace:  # as F.dropout's: the input takes the product's values and node
        from .inplace import _check_inplace
        _check_inplace(input)
        np.copyto(input.data, out.data)
        input.grad_fn, input._requires_grad = out.grad_fn, out.requires_grad or input.requires_grad
        input._vc[0] += 1
        return input
    return out
