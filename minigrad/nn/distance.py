"""PairwiseDistance and CosineSimilarity: the modules over F.pairwise_distance and F.cosine_similarity
(ops/embedding.py). As in torch, the repr shows no arguments, and PairwiseDistance keeps p as `norm`."""
from . import functional as F
from .module import Module


class PairwiseDistance(Module):
    """‖x1 - x2 + eps‖_p along the last dim."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) along `dim`."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
