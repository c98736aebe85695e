"""Finite differences: an independent check of backward that trusts nothing but the forward."""
import numpy as np


def numerical_grads(fn, inputs, eps=1e-6):
    """Central differences d(sum of fn's output · a fixed random weight)/d(each input that requires grad)."""
    from ..tensor import Tensor

    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(o.data.shape) for o in outs]

    def scalar():
        res = fn(*inputs)
        res = res if isinstance(res, (tuple, list)) else (res,)
        return sum(float(np.sum(r.data.astype(np.float64) * w)) for r, w in zip(res, weights))

    grads = []
    for t in inputs:
        if not (isinstance(t, Tensor) and t.requires_grad):
            grads.append(None)
            continue
        g = np.zeros(t.data.shape, np.float64)
        flat, gflat = t.data.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            plus = scalar()
            flat[i] = orig - eps
            minus = scalar()
            flat[i] = orig
            gflat[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return outs, weights, grads


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **unused):
    """True when backward's gradients match central differences for every input that requires grad."""
    from ..tensor import Tensor
    from . import grad as autograd_grad

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for t in inputs:
        if isinstance(t, Tensor) and t.requires_grad and t.data.dtype != np.float64:
            import warnings

            warnings.warn("gradcheck: input is not float64; finite differences will be imprecise", stacklevel=2)
    _, weights, numeric = numerical_grads(func, inputs, eps)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    res = func(*inputs)
    res = res if isinstance(res, (tuple, list)) else (res,)
    total = None
    for r, w in zip(res, weights):
        term = (r * Tensor._make(w.astype(r.data.dtype), None)).sum()
        total = term if total is None else total + term
    analytic = autograd_grad(total, wrt, allow_unused=True)
    k = 0
    for t, n in zip(inputs, numeric):
        if n is None:
            continue
        a = np.zeros_like(n) if analytic[k] is None else analytic[k].data.astype(np.float64)
        k += 1
        if not np.allclose(a, n, atol=atol, rtol=rtol):
            if raise_exception:
                err = np.abs(a - n).max()
                raise RuntimeError(f"Jacobian mismatch for output 0 with respect to input {k - 1},\n"
                                   f"numerical:{n}\nanalytical:{a}\nlargest abs difference {err:.3g}")
            return False
    return True
