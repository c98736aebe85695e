"""Dropout, Dropout1d, Dropout3d: random zeroing while training, the identity in eval mode (Dropout2d is in
normalization.py)."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Zero each element with probability p and scale the survivors by 1/(1-p) in training; identity in eval."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) or (C, L) with probability p in training; identity in eval."""

    def forward(self, input):
        from ..ops.normalization_more import dropout1d
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p in training; identity in eval."""

    def forward(self, input):
        from ..ops.dropout_more import dropout3d
        return dropout3d(input, self.p, self.training, self.inplace)

