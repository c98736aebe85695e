"""dropout3d: whole channels of (N, C, D, H, W) or (C, D, H, W) zeroed with probability p, the rest scaled by
1/(1-p): x times a constant mask, so the gradient is g times the same mask (as dropout1d and dropout2d)."""
import warnings

from .normalization import channel_dropout


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
    return channel_dropout(input, p, training, inplace, 5)  # anything but 5-D is unbatched, as torch
