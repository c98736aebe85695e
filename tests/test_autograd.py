"""The autograd machinery against torch: backward's arguments, freed graphs, accumulation, retain_grad, grad mode,
hooks, autograd.grad, the version counter, in-place rules, a 10,000-op chain, and grad_fn names and edges."""
import re
import warnings

import numpy as np
import pytest
import torch

import minigrad
from minigrad.autograd import Function

LIBS = pytest.mark.parametrize("L", [torch, minigrad], ids=["torch", "minigrad"])


def both(fn):
    """fn(L) in torch and in minigrad; results (arrays, numbers, None, nested tuples) must be equal."""
    def conv(r):
        if isinstance(r, (tuple, list)):
            return [conv(x) for x in r]
        if isinstance(r, (torch.Tensor, minigrad.Tensor)):
            return r.detach().numpy()
        return r
    t, m = conv(fn(torch)), conv(fn(minigrad))
    np.testing.assert_equal(m, t)
    return m


def _same_error(fn, exc=RuntimeError):
    """Both libraries raise `exc`; the messages match once torch's module names are swapped."""
    msgs = []
    for L in (torch, minigrad):
        with pytest.raises(exc) as info:
            fn(L)
        msgs.append(str(info.value).replace("torch.autograd", "minigrad.autograd"))
    assert msgs[1] == msgs[0]


# ---- backward ------------------------------------------------------------------------------------------------------
def test_backward_with_gradient_argument():
    def f(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).backward(gradient=L.tensor([1.0, 0.5, -1.0]))
        return x.grad
    both(f)


@LIBS
def test_implicit_gradient_only_for_scalars(L):
    x = L.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


@LIBS
def test_gradient_of_wrong_shape(L):
    x = L.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of \w+\.Size\(\[2\]\) "
                                           r"and output\[0\] has a shape of \w+\.Size\(\[3\]\)"):
        (x * 2).backward(L.ones(2))


@pytest.mark.parametrize("value,exc,msg", [
    (lambda L: L.zeros(3), RuntimeError, r"attempting to assign a gradient of size '\[3\]' to a tensor of size "
                                         r"'\[2\]'"),
    (lambda L: L.zeros(2, dtype=L.float64), RuntimeError, "attempting to assign a gradient with dtype 'double' to a "
                                                          "tensor with grad_dtype 'Float'"),
    (lambda L: [1.0, 2.0], TypeError, "assigned grad expected to be a Tensor or None but got grad of type list"),
], ids=["size", "dtype", "list"])
def test_assigning_a_wrong_grad(value, exc, msg):
    for L in (torch, minigrad):
        x = L.ones(2, requires_grad=True)
        with pytest.raises(exc, match=msg):
            x.grad = value(L)


@LIBS
def test_backward_gradient_must_be_a_tensor(L):
    with pytest.raises(TypeError, match="gradients can be either Tensors or None"):
        (L.ones(2, requires_grad=True) * 2).backward([1.0, 2.0])


@LIBS
def test_backward_on_tensor_without_grad(L):
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        L.ones(2).sum().backward()


@LIBS
def test_second_backward_through_freed_graph_raises_when_saved_values_are_needed(L):
    x = L.ones(3, requires_grad=True)
    y = (x * x).sum()  # Mul saves its inputs
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_second_backward_without_saved_values_works_like_torch():
    def f(L):  # add and sum save nothing, so torch lets the graph be walked again
        x = L.ones(3, requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    np.testing.assert_array_equal(both(f), [2.0, 2.0, 2.0])


def test_retain_graph_and_leaf_accumulation():
    def f(L):
        x = L.tensor([1.0, -2.0], requires_grad=True)
        y = (x * x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        (x * 3).sum().backward()
        return first, x.grad
    first, total = both(f)
    np.testing.assert_array_equal(total, 2 * first + 3)


def test_non_leaf_grad_is_none_unless_retained():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y, z = x * 2, x * 3
        z.retain_grad()
        (y * z).sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns when a non-leaf's .grad is read
            return y.grad, z.grad, y.is_leaf, x.is_leaf, z.retains_grad, y.retains_grad
    both(f)


def test_retain_grad_on_a_leaf_is_a_no_op():
    def f(L):
        x = L.tensor([1.0], requires_grad=True)
        x.retain_grad()
        (x * 2).sum().backward()
        return x.grad, x.is_leaf
    both(f)


# ---- grad mode -----------------------------------------------------------------------------------------------------
@LIBS
def test_grad_mode_context_managers(L):
    x = L.ones(2, requires_grad=True)
    assert L.is_grad_enabled()
    with L.no_grad():
        assert not L.is_grad_enabled()
        y = x * 2
        with L.enable_grad():
            assert L.is_grad_enabled()
            z = x * 2
    assert L.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    with L.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert L.is_grad_enabled()


@LIBS
def test_set_grad_enabled_as_a_function(L):
    try:
        L.set_grad_enabled(False)
        assert not L.is_grad_enabled()
        assert not (L.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        L.set_grad_enabled(True)
    assert L.is_grad_enabled()


@LIBS
def test_grad_mode_decorators(L):
    x = L.ones(2, requires_grad=True)

    @L.no_grad()
    def called(t):
        return t * 2

    @L.no_grad
    def bare(t):
        return t * 2

    @L.enable_grad()
    def inner(t):
        return t * 2

    @L.set_grad_enabled(False)
    def off(t):
        return t * 2

    assert L.is_grad_enabled()  # building the decorator leaves the mode alone once applied
    assert not called(x).requires_grad and not bare(x).requires_grad and not off(x).requires_grad
    with L.no_grad():
        assert inner(x).requires_grad
    assert called.__name__ == "called"


@LIBS
def test_grad_mode_restored_after_exception(L):
    with pytest.raises(ValueError):
        with L.no_grad():
            raise ValueError
    assert L.is_grad_enabled()


# ---- hooks ---------------------------------------------------------------------------------------------------------
def test_hooks_on_leaf_and_non_leaf_modify_the_gradient():
    def f(L):
        seen = []
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x.register_hook(lambda g: g * 10)
        y = x * x
        y.register_hook(lambda g: seen.append(g.clone()))  # returns None: gradient unchanged
        h = y.register_hook(lambda g: g + 1)
        y.retain_grad()
        y.sum().backward(retain_graph=True)
        first = x.grad.clone()
        h.remove()
        x.grad = None
        y.sum().backward()
        return first, x.grad, seen, y.grad
    first, second, seen, ygrad = both(f)
    np.testing.assert_array_equal(first, 10 * 2 * np.array([1.0, 2.0, 3.0]) * 2)


@LIBS
def test_hook_on_tensor_without_grad_raises(L):
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        L.ones(2).register_hook(lambda g: g)


# ---- autograd.grad -------------------------------------------------------------------------------------------------
def test_autograd_grad():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, -1.0], requires_grad=True)
        y = x * w * x
        gx, gw = L.autograd.grad(y, (x, w), grad_outputs=L.tensor([1.0, 2.0]), retain_graph=True)
        (gs,) = L.autograd.grad(y.sum(), [x])
        return gx, gw, gs, x.grad, w.grad  # .grad untouched
    both(f)


@LIBS
def test_autograd_grad_unused_input(L):
    x, u = L.ones(2, requires_grad=True), L.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in "
                                           "the graph. Set allow_unused=True if this is the desired behavior."):
        L.autograd.grad(y, [x, u], retain_graph=True)
    gx, gu = L.autograd.grad(y, [x, u], allow_unused=True)
    assert gu is None and gx.tolist() == [2.0, 2.0]


@LIBS
def test_autograd_grad_freed_graph(L):
    x = L.ones(2, requires_grad=True)
    y = (x * x).sum()
    L.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        L.autograd.grad(y, x)


# ---- gradcheck -----------------------------------------------------------------------------------------------------
class _WrongSquare(Function):
    """z = x²  with a deliberately wrong backward (x instead of 2x): gradcheck must catch it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x


def test_gradcheck_true_and_raising():
    x = minigrad.tensor([0.5, -1.5, 2.0], dtype=minigrad.float64, requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda t: t * t, (x,))
    assert torch.autograd.gradcheck(lambda t: t * t, (torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64,
                                                                    requires_grad=True),))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        minigrad.autograd.gradcheck(_WrongSquare.apply, (x,))
    assert minigrad.autograd.gradcheck(_WrongSquare.apply, (x,), raise_exception=False) is False


# ---- scale -------------------------------------------------------------------------------------------------------
def test_ten_thousand_op_chain():
    """The engine is iterative: a chain far deeper than Python's recursion limit backpropagates."""
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x
    for i in range(10_000):
        y = y * 1.0001 if i % 2 else y + 0.5
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 5000] * 2, rtol=1e-10)


def test_wide_fan_out_accumulates():
    """One tensor used 1,000 times: every use's gradient arrives."""
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    total = x * 0
    for k in range(1000):
        total = total + x * k
    total.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [sum(range(1000))] * 2)


# ---- grad_fn names and edges -----------------------------------------------------------------------------------------
GRAD_FN_OPS = {
    "add": lambda L, x, y: x + y, "radd": lambda L, x, y: 2 + x, "sub": lambda L, x, y: x - y,
    "rsub": lambda L, x, y: 1 - x, "mul": lambda L, x, y: x * 2, "div": lambda L, x, y: x / y,
    "neg": lambda L, x, y: -x, "pow": lambda L, x, y: x ** 2, "pow_tensor": lambda L, x, y: y ** x,
    "rpow": lambda L, x, y: 2 ** x, "unsqueeze_by_index": lambda L, x, y: x[None], "none_last": lambda L, x, y:
    x[..., None],
    "exp": lambda L, x, y: x.exp(), "log": lambda L, x, y: y.log(), "sqrt": lambda L, x, y: y.sqrt(),
    "abs": lambda L, x, y: x.abs(), "relu": lambda L, x, y: x.relu(), "sigmoid": lambda L, x, y: x.sigmoid(),
    "tanh": lambda L, x, y: x.tanh(), "clamp": lambda L, x, y: x.clamp(0, 1), "clamp_tensor": lambda L, x, y:
    x.clamp(min=y), "maximum": lambda L, x, y: L.maximum(x, y), "minimum": lambda L, x, y: L.minimum(x, y),
    "where": lambda L, x, y: L.where(x > 0, x, y), "mm": lambda L, x, y: x @ y.T, "dot": lambda L, x, y: x[0] @ y[0],
    "mv": lambda L, x, y: x @ y[0], "sum": lambda L, x, y: x.sum(), "sum_dim": lambda L, x, y: x.sum(0),
    "mean": lambda L, x, y: x.mean(), "mean_dim": lambda L, x, y: x.mean(1, keepdim=True),
    "var": lambda L, x, y: x.var(0), "std": lambda L, x, y: x.std(), "max": lambda L, x, y: x.max(),
    "max_dim": lambda L, x, y: x.max(0).values, "min_dim": lambda L, x, y: x.min(1)[0], "amax": lambda L, x, y:
    x.amax(0), "amin": lambda L, x, y: x.amin(), "logsumexp": lambda L, x, y: x.logsumexp(1),
    "softmax": lambda L, x, y: x.softmax(0), "log_softmax": lambda L, x, y: x.log_softmax(1),
    "reshape": lambda L, x, y: x.reshape(6), "view": lambda L, x, y: x.view(3, 2), "flatten": lambda L, x, y:
    x.flatten(), "squeeze": lambda L, x, y: x.unsqueeze(0).squeeze(), "squeeze_dim": lambda L, x, y:
    x.unsqueeze(0).squeeze(0), "squeeze_dims": lambda L, x, y: x.unsqueeze(0).squeeze((0, 1)),
    "unsqueeze": lambda L, x, y: x.unsqueeze(-1), "transpose": lambda L, x, y: x.transpose(0, 1),
    "permute": lambda L, x, y: x.permute(1, 0), "t": lambda L, x, y: x.t(), "T": lambda L, x, y: x.T,
    "mT": lambda L, x, y: x.mT, "expand": lambda L, x, y: x[:1].expand(4, 3), "select": lambda L, x, y: x[0],
    "slice": lambda L, x, y: x[:, 1:], "index": lambda L, x, y: x[L.tensor([0, 0, 1])],
    "mask": lambda L, x, y: x[x > 0], "cat": lambda L, x, y: L.cat([x, y]), "stack": lambda L, x, y:
    L.stack([x, y], 1), "clone": lambda L, x, y: x.clone(), "to_double": lambda L, x, y: x.double(),
    "contiguous": lambda L, x, y: x.t().contiguous(), "narrow": lambda L, x, y: x.narrow(1, 0, 2),
    "setitem": lambda L, x, y: (lambda z: (z.__setitem__(0, y[1]), z)[1])(x * 1),
    "linear": lambda L, x, y: L.nn.functional.linear(x, y, y.sum(1)),  # AddmmBackward0: bias, input, TBackward0
    "linear_no_bias": lambda L, x, y: L.nn.functional.linear(x, y),  # MmBackward0: input, TBackward0
    "linear_3d": lambda L, x, y: L.nn.functional.linear(x.unsqueeze(0), y, y.sum(1)),  # views around the addmm
}
# Where minigrad's node differs from torch's, and why (the gradients are right in every case):
#   split/chunk/unbind: torch records one multi-output node (SplitBackward0); minigrad a Slice per piece.
#   scalar / x: torch records reciprocal * scalar (MulBackward0); minigrad records DivBackward0.
#   batched matmul: torch folds batch dims through views (UnsafeViewBackward0); minigrad records MatMulBackward0.


def _structure(node, depth=3):
    """(name, [children's structures]) down to `depth` levels: the shape of the graph, names included."""
    if node is None:
        return None
    kids = [] if depth == 0 else [_structure(n, depth - 1) for n, _ in node.next_functions]
    return (re.sub(r"^minigrad\.|^torch\.", "", type(node).__name__), kids)


@pytest.mark.parametrize("name", GRAD_FN_OPS)
def test_grad_fn_name_and_edges_match_torch(name):
    structs = []
    for L in (torch, minigrad):
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
        y = L.tensor([[1.0, 2.0, 0.5], [0.5, 1.0, 3.0]], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation of .T on non-2-D
            structs.append(_structure(GRAD_FN_OPS[name](L, x, y).grad_fn))
    assert structs[1] == structs[0]


def test_next_functions_of_a_small_graph():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0])  # no grad: its edge is (None, 0)
        loss = ((x * w).sigmoid() + x.exp()).sum()
        return _structure(loss.grad_fn, depth=5)
    assert f(minigrad) == f(torch)
    x = minigrad.tensor([1.0], requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x


# ---- errors that name what is wrong ------------------------------------------------------------------------------------
@LIBS
def test_broadcast_error_names_both_sizes(L):
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 1"):
        L.ones(2, 3) + L.ones(4)


def test_broadcast_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 3\] and \[4\]"):
        minigrad.ones(2, 3) * minigrad.ones(4)


@pytest.mark.parametrize("fn", [
    lambda L: L.ones(2, dtype=L.int64).add_(1.5),
    lambda L: L.ones(2, dtype=L.int64).mul_(L.ones(2)),
    lambda L: L.where(L.ones(2), L.ones(2), L.zeros(2)),
    lambda L: L.ones(2, 3) @ L.ones(3, 2, dtype=L.float64),
    lambda L: L.tensor([1, 2]).mean(),
], ids=["add_ float into long", "mul_ float into long", "where non-bool", "matmul float @ double", "mean of long"])
def test_dtype_errors_name_the_dtypes(fn):
    _same_error(fn)
