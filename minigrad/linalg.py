"""minigrad.linalg: torch.linalg's names. The ops live in ops/linalg_decomp.py (det slogdet inv solve cholesky),
ops/linalg_spectral.py (qr eigh svd pinv), ops/linalg_more.py (the products), ops/linalg_norms.py (the norms) and
ops/linalg_extra.py (the *_ex variants, solve_triangular, matrix_power, cond, matrix_rank, tensorinv, tensorsolve,
vander, lstsq); this module only gathers them."""
from .ops.linalg import matmul  # noqa: F401
from .ops.linalg_decomp import LinAlgError, cholesky, det, inv, slogdet, solve  # noqa: F401
from .ops.linalg_spectral import eigh, eigvalsh, pinv, qr, svd, svdvals  # noqa: F401
from .ops.linalg_more import linalg_cross as cross  # noqa: F401
from .ops.linalg_more import multi_dot, vecdot  # noqa: F401
from .ops.linalg_norms import matrix_norm, norm, vector_norm  # noqa: F401
from .ops.linalg_extra import (  # noqa: F401
    cholesky_ex, cond, inv_ex, lstsq, matrix_power, matrix_rank, solve_ex, solve_triangular, tensorinv, tensorsolve,
    vander,
)
