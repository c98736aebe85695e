"""What a stub may use besides NumPy: `sum_to`, the broadcast sum that the `add` exercise teaches."""
import numpy as np


def sum_to(g, shape):
    """Sum the gradient `g` of a broadcast result back to an input of `shape`: over the leading axes the input did
    not have, and (keeping them) over the axes where it had size 1.  (4, 5) -> (5,) sums axis 0."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    ones = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=ones, keepdims=True) if ones else g
