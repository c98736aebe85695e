"""gradgradcheck: second derivatives against central differences of the first (float64), on a range of ops, with and
without given grad_outputs; it agrees with torch's verdict, and it catches a backward that is right to first order
but wrong to second (a saved value detached where it should stay in the graph)."""
import numpy as np
import pytest
import torch
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

import minigrad
from minigrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
F = minigrad.nn.functional


def _t(a, requires_grad=True):
    return minigrad.from_numpy(np.array(a, dtype=np.float64)).requires_grad_(requires_grad)


def _away_from_zero(*shape):
    """Values in ±[0.3, 1.3): relu, abs, max and friends have no kink within eps of them."""
    return (RNG.random(shape) + 0.3) * RNG.choice([-1.0, 1.0], shape)


OPS = {  # name: (fn(L, *tensors), input arrays)
    "mul": (lambda L, a, b: a * b, [RNG.standard_normal((2, 3)), RNG.standard_normal((3,))]),
    "div": (lambda L, a, b: a / b, [RNG.standard_normal((2, 3)), RNG.random((2, 3)) + 0.5]),
    "pow": (lambda L, a: a ** 3, [RNG.standard_normal((4,))]),
    "pow_tensor": (lambda L, a, b: a ** b, [RNG.random((3,)) + 0.5, RNG.standard_normal((3,))]),
    "exp": (lambda L, a: L.exp(a), [RNG.standard_normal((2, 2))]),
    "log": (lambda L, a: L.log(a), [RNG.random((5,)) + 0.2]),
    "sqrt": (lambda L, a: L.sqrt(a), [RNG.random((5,)) + 0.2]),
    "tanh": (lambda L, a: L.tanh(a), [RNG.standard_normal((2, 3))]),
    "sigmoid": (lambda L, a: L.sigmoid(a), [RNG.standard_normal((2, 3))]),
    "relu": (lambda L, a: L.relu(a) * a, [_away_from_zero(2, 3)]),
    "abs": (lambda L, a: L.abs(a) * a, [_away_from_zero(4)]),
    "matmul": (lambda L, a, b: a @ b, [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))]),
    "matmul_nonlinear": (lambda L, a, b: L.tanh(a @ b), [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))]),
    "sum_dim": (lambda L, a: (a * a).sum(1), [RNG.standard_normal((2, 3))]),
    "mean": (lambda L, a: (a ** 3).mean(), [RNG.standard_normal((2, 3))]),
    "var": (lambda L, a: a.var(1), [RNG.standard_normal((2, 4))]),
    "amax": (lambda L, a: a.amax(1) ** 2, [RNG.permutation(12).reshape(3, 4) / 4.0]),
    "softmax": (lambda L, a: L.softmax(a, 1), [RNG.standard_normal((2, 3))]),
    "log_softmax": (lambda L, a: L.log_softmax(a, 1), [RNG.standard_normal((2, 3))]),
    "logsumexp": (lambda L, a: L.logsumexp(a, 1), [RNG.standard_normal((2, 3))]),
    "reshape_transpose": (lambda L, a: (a.reshape(3, 2).t() * a) ** 2, [RNG.standard_normal((2, 3))]),
    "linear": (lambda L, x, w, b: L.tanh(L.nn.functional.linear(x, w, b)),
               [RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3)), RNG.standard_normal((4,))]),
    "cross_entropy": (lambda L, x: L.nn.functional.cross_entropy(x, L.tensor([0, 2, 1])),
                      [RNG.standard_normal((3, 4))]),
    "mse_loss": (lambda L, x, y: L.nn.functional.mse_loss(x.exp(), y), [RNG.standard_normal((3,)),
                                                                         RNG.standard_normal((3,))]),
    "two_outputs": (lambda L, a, b: (a * b, (a ** 2).sum() * b), [RNG.standard_normal((3,)),
                                                                  RNG.standard_normal((3,))]),
    # 0-dim: NumPy returns scalars for 0-dim operands, and the ops that save their output must still record it
    "exp_0dim": (lambda L, a: L.exp(a), [np.array(0.3)]),
    "tanh_0dim": (lambda L, a: L.tanh(a), [np.array(-0.4)]),
    "sqrt_0dim": (lambda L, a: L.sqrt(a), [np.array(1.7)]),
    "log_0dim": (lambda L, a: L.log(a), [np.array(1.7)]),
    "norm": (lambda L, a: a.norm(), [RNG.standard_normal((2, 3))]),
    "norm_dim": (lambda L, a: a.norm(dim=1), [RNG.standard_normal((2, 3))]),
    # indexing, joining, shapes
    "getitem_slices": (lambda L, a: a[1:, ::2] ** 2, [RNG.standard_normal((3, 4))]),
    "getitem_ints": (lambda L, a: a[1] * a[0], [RNG.standard_normal((3, 4))]),
    "cat": (lambda L, a, b: L.cat([a * a, b], 0) ** 2, [RNG.standard_normal((2, 3)), RNG.standard_normal((1, 3))]),
    "stack": (lambda L, a, b: L.stack([a, b * a]).sum(0) ** 2, [RNG.standard_normal((3,)), RNG.standard_normal((3,))]),
    "permute": (lambda L, a: a.permute(2, 0, 1) ** 3, [RNG.standard_normal((2, 3, 2))]),
    "flatten": (lambda L, a: L.flatten(a, 1) ** 3, [RNG.standard_normal((2, 2, 2))]),
    "broadcast_mul": (lambda L, a, b: (a * b) ** 2, [RNG.standard_normal((2, 1, 3)), RNG.standard_normal((4, 1))]),
    "sum_keepdim": (lambda L, a: a * a.sum(1, keepdim=True), [RNG.standard_normal((2, 3))]),
    # selection
    "where": (lambda L, a, b: L.where(a > 0, a * b, b ** 2), [_away_from_zero(4), RNG.standard_normal((4,))]),
    "maximum": (lambda L, a, b: L.maximum(a, b) ** 2, [RNG.standard_normal((4,)), RNG.standard_normal((4,)) + 3]),
    "max_dim": (lambda L, a: a.max(1)[0] ** 2, [RNG.permutation(12).reshape(3, 4) / 3.0]),
    "amin": (lambda L, a: a.amin(0) ** 2, [RNG.permutation(6).reshape(2, 3) / 2.0]),
    "clamp": (lambda L, a: L.clamp(a, -0.5, 0.5) * a, [_away_from_zero(5) * 0.9]),
    # more arithmetic and reductions
    "scalar_over_tensor": (lambda L, a: 2.0 / a, [RNG.random((3,)) + 0.5]),
    "scalar_to_the_tensor": (lambda L, a: 2.0 ** a, [RNG.standard_normal((3,))]),
    "rsub": (lambda L, a: (1 - a) ** 3, [RNG.standard_normal((3,))]),
    "log1p": (lambda L, a: L.log1p(a), [RNG.random((3,))]),
    "std": (lambda L, a: a.std(0), [RNG.standard_normal((4, 2))]),
    "var_all": (lambda L, a: a.var(), [RNG.standard_normal((4, 2))]),
    "mean_dims": (lambda L, a: (a ** 2).mean((0, 2)), [RNG.standard_normal((2, 3, 2))]),
    "log_softmax_dim0": (lambda L, a: L.log_softmax(a, 0), [RNG.standard_normal((3, 2))]),
    "logsumexp_all": (lambda L, a: L.logsumexp(a, (0, 1)), [RNG.standard_normal((3, 2))]),
    "matvec": (lambda L, a, b: L.tanh(a @ b), [RNG.standard_normal((3, 4)), RNG.standard_normal((4,))]),
    "vecvec": (lambda L, a, b: (a @ b) ** 2, [RNG.standard_normal((4,)), RNG.standard_normal((4,))]),
    "bmm": (lambda L, a, b: L.tanh(L.bmm(a, b)), [RNG.standard_normal((2, 2, 3)), RNG.standard_normal((2, 3, 2))]),
    # losses
    "cross_entropy_sum_smoothed": (lambda L, a: L.nn.functional.cross_entropy(a, L.tensor([0, 2, 1]), reduction="sum",
                                                                              label_smoothing=0.1),
                                   [RNG.standard_normal((3, 4))]),
    "cross_entropy_probabilities": (lambda L, a, p: L.nn.functional.cross_entropy(a, L.softmax(p, 1)),
                                    [RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))]),
    "nll_loss": (lambda L, a: L.nn.functional.nll_loss(L.log_softmax(a, 1), L.tensor([0, 2, 1])),
                 [RNG.standard_normal((3, 4))]),
    "l1_loss": (lambda L, a, b: L.nn.functional.l1_loss(a * a, b), [RNG.standard_normal((3,)),
                                                                   RNG.standard_normal((3,)) + 5]),
    "binary_cross_entropy": (lambda L, a, b: L.nn.functional.binary_cross_entropy(L.sigmoid(a), L.sigmoid(b)),
                             [RNG.standard_normal((3,)), RNG.standard_normal((3,))]),
    "binary_cross_entropy_with_logits": (
        lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(a, L.sigmoid(b)),
        [RNG.standard_normal((3,)), RNG.standard_normal((3,))]),
}


@pytest.mark.parametrize("name", list(OPS))
def test_gradgradcheck_passes_and_agrees_with_torch(name):
    fn, arrays = OPS[name]
    assert torch.autograd.gradgradcheck(lambda *xs: fn(torch, *xs),
                                        [torch.from_numpy(a.copy()).requires_grad_() for a in arrays])
    assert gradgradcheck(lambda *xs: fn(minigrad, *xs), [_t(a) for a in arrays])


def test_given_grad_outputs_and_non_contiguous_ones():
    fn, arrays = OPS["matmul_nonlinear"]
    xs = [_t(a) for a in arrays]
    go = _t(RNG.standard_normal((2, 2)))
    assert gradgradcheck(lambda *t: fn(minigrad, *t), xs, go)
    assert gradgradcheck(lambda *t: fn(minigrad, *t), xs, gen_non_contig_grad_outputs=True)


def test_inputs_that_do_not_require_grad_are_held_fixed():
    a, b = _t(RNG.standard_normal((3,))), _t(RNG.standard_normal((3,)), requires_grad=False)
    assert gradgradcheck(lambda x, y: (x ** 3) * y, (a, b))


class _CubeDetachedInBackward(Function):
    """z = x³; dz/dx = 3x², right to first order. Its backward detaches x, so under create_graph the recorded
    gradient is g * 3 * const: the second derivative 6x·g is lost (read as 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        x = x.detach() if isinstance(x, minigrad.Tensor) else x
        return g * 3 * x ** 2


class _CubeDetachedTorch(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x.detach() ** 2


def test_a_wrong_second_derivative_is_caught_like_torch_catches_it():
    a = np.array([0.5, -1.0, 1.5])
    t = torch.from_numpy(a.copy()).requires_grad_()
    m = _t(a)
    assert torch.autograd.gradcheck(_CubeDetachedTorch.apply, (t,))  # first order is right
    assert gradcheck(_CubeDetachedInBackward.apply, (m,))
    with pytest.raises(TorchGradcheckError, match="Jacobian mismatch"):
        torch.autograd.gradgradcheck(_CubeDetachedTorch.apply, (t,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(_CubeDetachedInBackward.apply, (m,))
    assert gradgradcheck(_CubeDetachedInBackward.apply, (m,), raise_exception=False) is False
    assert gradgradcheck(lambda x: x ** 3, (m,))  # the same function through the real pow passes


def test_gradcheck_error_is_a_runtime_error_like_torchs():
    assert issubclass(GradcheckError, RuntimeError)
    assert issubclass(TorchGradcheckError, RuntimeError)


@pytest.mark.parametrize("check", ["gradcheck", "gradgradcheck"])
def test_no_input_requires_grad(check):
    msgs = []
    for L, x in ((torch, torch.ones(3, dtype=torch.float64)), (minigrad, minigrad.ones(3, dtype=minigrad.float64))):
        with pytest.raises(ValueError) as info:
            getattr(L.autograd, check)(lambda t: t * 2, (x,))
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0]


@pytest.mark.parametrize("name", ["gradcheck", "gradgradcheck"])
def test_signatures_are_torchs(name):
    import inspect

    def params(f):
        return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]

    assert params(getattr(minigrad.autograd, name)) == params(getattr(torch.autograd, name))
