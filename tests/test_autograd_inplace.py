"""In-place operations against torch: the version counter that catches a saved tensor modified before backward,
the rules for leaves and views, x[index] = value inside a graph, the in-place methods themselves, and out=."""
import pytest
import torch

import minigrad
from test_autograd import LIBS, both, _same_error


# ---- the version counter and in-place rules --------------------------------------------------------------------------
def test_modifying_a_saved_input_in_place_raises_at_backward():
    def f(L):
        x = L.ones(3, requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.add_(1)
        z.sum().backward()
    _same_error(f)


def test_modifying_a_saved_output_in_place_raises_at_backward():
    def f(L):
        x = L.ones(2, 3, requires_grad=True)
        y = x.exp()  # saves its output
        y[0] = 1.0
        y.sum().backward()
    _same_error(f)


def test_modifying_an_unsaved_tensor_in_place_is_fine():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x + 1  # add saves nothing
        y.mul_(3)
        y.sum().backward()
        return x.grad, type(y.grad_fn).__name__
    both(f)


def test_only_what_backward_needs_is_saved():
    """torch saves x for x * w only when w needs a gradient, and x / c's output only when c needs one: modifying
    the unsaved tensor in place is then fine, in both libraries."""
    def f(L):
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = L.tensor([4.0, 5.0, 6.0])
        y = x * w  # x saved (w needs it); w not saved (x needs no gradient)
        w2 = w * 1
        z = w2 * x
        x2 = w * 3 + 1
        h = x2 / 2.0  # its output is not saved
        h.add_(1)
        y2 = y * 2
        w2.mul_(0)  # w2 is not needed by z's backward
        (y2.sum() + z.sum() + h.sum()).backward()
        return w.grad
    both(f)


def test_setitem_from_a_view_of_itself():
    def f(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[:, 0] = y[:, 1] * 2  # y[:, 1] is a view of y; Mul by a number saves nothing of it
        y.sum().backward()
        return y, x.grad
    both(f)


def test_inplace_on_leaf_that_requires_grad():
    _same_error(lambda L: L.ones(3, requires_grad=True).add_(1))
    _same_error(lambda L: L.ones(3, requires_grad=True).zero_())
    _same_error(lambda L: L.ones(2, 2, requires_grad=True)[0].mul_(2))  # a view of a leaf


def test_inplace_on_leaf_allowed_under_no_grad():
    def f(L):
        x = L.ones(3, requires_grad=True)
        with L.no_grad():
            x.mul_(2).sub_(L.tensor([1.0, 0.0, 1.0]))
            x[0] = 7.0
        (x * x).sum().backward()
        return x, x.grad, x.is_leaf
    both(f)


def test_setitem_on_a_non_leaf_is_differentiated():
    def f(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = L.tensor(4.0, requires_grad=True)
        y = x * 2
        y[1:] = v * v
        y[0] = 5.0
        (y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return y, x.grad, v.grad, type(y.grad_fn).__name__
    both(f)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_"])
def test_arithmetic_inplace_ops(op):
    def f(L):
        a = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = L.tensor([2.0, 4.0, 8.0])
        r = getattr(a, op)(b)
        getattr(a, op)(2)
        if op in ("add_", "sub_"):
            getattr(a, op)(b, alpha=0.5)
        return r is a, a
    both(f)
    both(lambda L: L.tensor([1.0, 2.0], requires_grad=True).__mul__(2).add_(1))  # on a non-leaf, recorded


def test_fill_zero_copy_clamp_inplace():
    def f(L):
        a = L.arange(6.0).reshape(2, 3)
        b = a.clone()
        b.zero_()
        c = a.clone().fill_(2.5)
        d = a.clone().copy_(L.tensor([7.0, 8.0, 9.0]))  # broadcast
        e = a.clone().clamp_(1.0, 4.0)
        g = a.clone().clamp_(min=2.0)
        return b, c, d, e, g, a
    both(f)


@pytest.mark.parametrize("kind", ["value", "src", "2d"])
def test_scatter_inplace(kind):
    def f(L):
        if kind == "value":
            return L.zeros(4, 10).scatter_(1, L.tensor([[3], [0], [9], [3]]), value=1.0)
        if kind == "src":
            return L.zeros(3, 4).scatter_(0, L.tensor([[0, 1, 2, 0]]), L.tensor([[1.0, 2.0, 3.0, 4.0]]))
        return L.zeros(10).scatter_(0, L.tensor(4), value=1)  # the tutorial's one-hot of a 0-dim label
    both(f)


@LIBS
def test_scatter_index_errors(L):
    with pytest.raises(RuntimeError, match="out of bounds|index 10 is out of bounds"):
        L.zeros(2, 10).scatter_(1, L.tensor([[10], [0]]), value=1.0)


def test_out_argument():
    def f(L):
        o = L.empty(2, 2)
        r = L.matmul(L.ones(2, 3), L.ones(3, 2), out=o)
        m = L.empty(3)
        L.mul(L.tensor([1.0, 2.0, 3.0]), 2, out=m)
        a = L.zeros(3)
        L.add(L.tensor([1.0, 2.0, 3.0]), L.ones(3), alpha=2, out=a)
        return r is o, o, m, a
    both(f)


def test_out_argument_refuses_grad():
    _same_error(lambda L: L.mul(L.ones(2, requires_grad=True), 2, out=L.empty(2)))
    _same_error(lambda L: L.add(L.ones(2, requires_grad=True), 2, out=L.empty(2)))


def test_requires_grad_only_on_floats():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        minigrad.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        torch.tensor([1, 2]).requires_grad_()


OVERWRITES = {  # in-place writes on a tensor inside a graph: torch records them, so the gradient sees them
    "clamp_": lambda L, y, s: y.clamp_(0, 1),
    "clamp_ min": lambda L, y, s: y.clamp_(min=0),
    "clamp_ tensor bounds": lambda L, y, s: y.clamp_(min=s * 0, max=s),
    "zero_": lambda L, y, s: y.zero_(),
    "fill_": lambda L, y, s: y.fill_(3.0),
    "fill_ tensor": lambda L, y, s: y.fill_(s.sum()),
    "copy_": lambda L, y, s: y.copy_(s * 3),
    "copy_ broadcast": lambda L, y, s: y.copy_(s[:1].float()),
    "scatter_ src": lambda L, y, s: y.scatter_(0, L.tensor([2, 0]), s[:2]),  # torch's backward needs len(src) = 2
    "scatter_ value": lambda L, y, s: y.scatter_(0, L.tensor([1]), value=5.0),
    "add_ tensor": lambda L, y, s: y.add_(s, alpha=2),
    "div_ tensor": lambda L, y, s: y.div_(s + 2),
}


@pytest.mark.parametrize("name", OVERWRITES)
def test_inplace_writes_inside_a_graph(name):
    def f(L):
        x = L.tensor([-1.0, 0.5, 2.0], dtype=L.float64, requires_grad=True)  # float64: division rounds alike
        s = L.tensor([1.5, -0.5, 0.25], dtype=L.float64, requires_grad=True)
        y = x * 2
        r = OVERWRITES[name](L, y, s)
        (y * y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return r is y, y, x.grad, s.grad, type(y.grad_fn).__name__
    both(f)


def test_random_fill_inside_a_graph_cuts_the_gradient():
    for L in (torch, minigrad):
        x = L.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 2
        y.uniform_()
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_inplace_result_must_fit_in_self():
    _same_error(lambda L: L.ones(3).add_(L.ones(2, 3)))
    for L in (torch, minigrad):
        with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\)"):
            L.ones(3).mul_(L.ones(4))


VIEW_WRITES = {  # in-place ops on y[index] where y = x * 2 is inside a graph: torch rewrites y's graph (CopySlices)
    "row mul_": lambda L, y, w: y[0].mul_(w),
    "row add_ number": lambda L, y, w: y[1].add_(3),
    "column zero_": lambda L, y, w: y[:, 1].zero_(),
    "x[0] += 1": lambda L, y, w: y.__setitem__(0, y[0].__iadd__(1)),
    "slice clamp_": lambda L, y, w: y[:, 1:].clamp_(0, 1),
    "row copy_": lambda L, y, w: y[1].copy_(w * 3),
    "element mul_": lambda L, y, w: y[0, 2].mul_(w[1]),
    "the same row twice": lambda L, y, w: (y[0].mul_(w), y[0].add_(y[1])),
}


@pytest.mark.parametrize("name", VIEW_WRITES)
def test_inplace_on_an_indexed_view_inside_a_graph(name):
    def f(L):
        x = L.tensor([[-1.0, 0.5, 2.0], [1.5, -2.0, 0.25]], dtype=L.float64, requires_grad=True)
        w = L.tensor([0.5, 2.0, -1.0], dtype=L.float64, requires_grad=True)
        y = x * 2
        VIEW_WRITES[name](L, y, w)
        (y * y * L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=L.float64)).sum().backward()
        return y, x.grad, w.grad
    both(f)


def test_inplace_on_other_views_of_a_non_leaf_refuses_rather_than_corrupt():
    """A reshape or transpose view written in place: minigrad cannot rewrite the base's graph, so it says so."""
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="views made by indexing"):
        y.t().mul_(2)
