"""Issue 11a's pointwise ops on torch's own sample inputs (OpInfo's `op_db`, which needs `expecttest`): values,
dtypes and shapes in float64, float32 and int64; the gradients of sum(out * w); and where OpInfo sets
`supports_gradgrad`, second derivatives (float64). torch's samples bring cases the hypothesis tests do not draw:
scalars in every argument position, keyword arguments, eps > 1/2 for logit, broadcasting of three operands.
"""
import numpy as np
import pytest
import torch

import minigrad

NAMES = ("sin cos tan asin acos atan atan2 sinh cosh asinh acosh atanh exp2 expm1 log2 log10 log1p rsqrt reciprocal "
         "square sign sgn trunc frac floor ceil round fmod remainder floor_divide hypot logaddexp logaddexp2 lerp "
         "addcmul addcdiv xlogy erf erfc erfinv logit nan_to_num clamp_min clamp_max copysign heaviside float_power "
         "positive div").split()
# float32: 1e-5 relative, and 1e-6 absolute for gradients formed by cancellation (expm1's z + 1 near z = -1, the
# 1 / (1 + e^d) of logaddexp), where NumPy's and torch's float32 exp differ in the last bit
TOL = {np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12), np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6)}
EXACT = dict(rtol=0, atol=0)  # integer and bool results


def _ops():
    pytest.importorskip("expecttest")
    from torch.testing._internal.common_methods_invocations import op_db

    return [op for op in op_db if op.name in NAMES]


def _to_minigrad(v, pairs):
    """torch's arguments as minigrad's; the (minigrad, torch) tensors that require grad are collected in pairs."""
    if isinstance(v, torch.Tensor):
        t = minigrad.from_numpy(v.detach().numpy().copy())
        if v.requires_grad:
            t.requires_grad_()
            pairs.append((t, v))
        return t
    if isinstance(v, (list, tuple)):
        return type(v)(_to_minigrad(x, pairs) for x in v)
    return v


def _numpy(t, like):
    """A gradient as an array: None and torch's ZeroTensor as zeros shaped like the input `like`."""
    if t is None:
        return np.zeros(like.shape, like.detach().numpy().dtype)
    t = t.detach()
    return np.zeros(t.shape, like.detach().numpy().dtype) if isinstance(t, torch.Tensor) and t._is_zerotensor() \
        else t.numpy()


def _grads(lib, out, wrt, w, create_graph):
    return lib.autograd.grad((out * lib.from_numpy(w)).sum(), wrt, allow_unused=True, create_graph=create_graph)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.int64], ids=str)
def test_opinfo_samples(dtype):
    checked = 0
    for op in _ops():
        grad = dtype.is_floating_point and op.supports_autograd
        gradgrad = grad and op.supports_gradgrad and dtype == torch.float64
        for s in op.sample_inputs("cpu", dtype, requires_grad=grad):
            try:
                t_out = op.op(s.input, *s.args, **s.kwargs)
            except (RuntimeError, TypeError, NotImplementedError):  # a sample torch itself refuses for this dtype
                continue
            pairs = []
            m_in, m_args = _to_minigrad(s.input, pairs), _to_minigrad(list(s.args), pairs)
            m_out = getattr(minigrad, op.name)(m_in, *m_args, **s.kwargs)
            what = f"{op.name}.{op.variant_test_name} {dtype} {s!r:.200}"
            t_np, m_np = t_out.detach().numpy(), m_out.detach().numpy()
            assert (m_np.dtype, m_np.shape) == (t_np.dtype, t_np.shape), what
            tol = TOL.get(t_np.dtype, EXACT)  # by the result's dtype: integers give float32 in the float ops
            np.testing.assert_allclose(m_np, t_np, equal_nan=True, err_msg=what, **tol)
            checked += 1
            if not (grad and t_out.requires_grad and pairs):
                continue
            w = np.random.default_rng(0).standard_normal(t_np.shape).astype(t_np.dtype)
            tg = _grads(torch, t_out, [t for _, t in pairs], w, gradgrad)
            mg = _grads(minigrad, m_out, [m for m, _ in pairs], w, gradgrad)
            for m, t, (_, x) in zip(mg, tg, pairs):
                np.testing.assert_allclose(_numpy(m, x), _numpy(t, x), equal_nan=True, err_msg="grad " + what, **tol)
            live = [(m, t) for m, t in zip(mg, tg) if t is not None and t.requires_grad]
            if not gradgrad or not live:
                continue
            vs = [np.random.default_rng(1).standard_normal(t.shape) for _, t in live]
            th = torch.autograd.grad(sum((t * torch.from_numpy(v)).sum() for (_, t), v in zip(live, vs)),
                                     [t for _, t in pairs], allow_unused=True)
            mh = minigrad.autograd.grad(sum((m * minigrad.from_numpy(v)).sum() for (m, _), v in zip(live, vs)),
                                        [m for m, _ in pairs], allow_unused=True)
            for m, t, (_, x) in zip(mh, th, pairs):
                np.testing.assert_allclose(_numpy(m, x), _numpy(t, x), rtol=1e-9, atol=1e-11, equal_nan=True,
                                           err_msg="gradgrad " + what)
    assert checked > 100
