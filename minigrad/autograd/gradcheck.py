"""Finite differences: an independent check of backward that trusts nothing but the forward.

gradcheck compares backward with central differences of the forward; gradgradcheck runs gradcheck on the function
that returns the gradients (recorded with create_graph=True), so backward's own backward is checked the same way.
"""
import numpy as np


class GradcheckError(RuntimeError):
    """gradcheck's mismatch error (a RuntimeError, as torch's is)."""


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


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True when backward's gradients match central differences for every input that requires grad. torch's
    signature; the options after raise_exception are accepted and change nothing (there is one way to check here)."""
    from ..tensor import Tensor
    from . import grad as autograd_grad

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")
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
    if total is None or not total.requires_grad:  # nothing reaches the inputs: every derivative is zero
        analytic = [None] * len(wrt)
    else:
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
                raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {k - 1},\n"
                                     f"numerical:{n}\nanalytical:{a}\nlargest abs difference {err:.3g}")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0, check_undefined_grad=True,
                  check_grad_dtypes=False, check_batched_grad=False, check_fwd_over_rev=False,
                  check_rev_over_rev=True, fast_mode=False, masked=False):
    """True when the second derivatives match central differences of the first: gradcheck of
    (inputs, grad_outputs) -> autograd.grad(func(inputs), inputs, grad_outputs, create_graph=True), with respect to
    both the inputs and the grad_outputs (random in [-1, 1) when not given), as torch's gradgradcheck. The options
    after raise_exception are accepted and change nothing."""
    from ..tensor import Tensor
    from . import grad as autograd_grad

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")

    def differentiable(outs):
        outs = outs if isinstance(outs, (tuple, list)) else (outs,)
        return [o for o in outs if isinstance(o, Tensor) and o.requires_grad]

    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = []
        for o in differentiable(func(*inputs)):
            shape = tuple(o.shape)
            if gen_non_contig_grad_outputs and shape:  # every other element of a wider array: a strided view
                a = rng.uniform(-1, 1, shape[:-1] + (2 * shape[-1],))[..., ::2]
            else:
                a = rng.uniform(-1, 1, shape)
            grad_outputs.append(Tensor._make(a.astype(o.data.dtype), None).requires_grad_(True))
    grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    n = len(inputs)

    def first_derivatives(*args):
        ins, gos = args[:n], args[n:]
        wrt = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
        grads = autograd_grad(differentiable(func(*ins)), wrt, list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
