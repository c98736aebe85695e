"""minigrad.linalg: torch.linalg's names. The ops live in ops/linalg_decomp.py (det slogdet inv solve cholesky),
ops/linalg_spectral.py (qr eigh svd pinv) and ops/linalg_more.py (the norms and products); this module only
gathers them."""
from .ops.linalg import matmul  # noqa: F401
from .ops.linalg_decomp import LinAlgError, cholesky, det, inv, slogdet, solve  # noqa: F401
from .ops.linalg_spectral import eigh, eigvalsh, pinv, qr, svd, svdvals  # noqa: F401
from .ops.linalg_more import linalg_cross as cross  # noqa: F401
from .ops.linalg_more import matrix_norm, multi_dot, norm, vecdot, vector_norm  # noqa: F401
