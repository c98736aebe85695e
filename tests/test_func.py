"""minigrad.func against torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian on the same functions
(float64, rtol 1e-10), argnums and has_aux, pytree arguments, composition (jacrev(jacrev(f)), grad(grad(f)),
jacfwd(jacrev(f)), a transform of a closure over an outer transform's input), the transforms being functional (no
.grad, inputs that do not require grad) and composing with plain autograd, and torch.func's errors."""
import numpy as np
import pytest
import torch
import torch.func
from hypothesis import given

import minigrad
import minigrad.func
from strategies import arrays, shapes
from test_functional import VECTOR_CASES, _arr, _arrays, _scalar, same

LIBS = pytest.mark.parametrize("L", [torch, minigrad], ids=["torch", "minigrad"])


def both(make, *arrays, requires_grad=False):
    """make(L, func_module)(*tensors) in torch and minigrad, compared; returns (torch's, minigrad's)."""
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        xs = [L.from_numpy(a.copy()).requires_grad_(requires_grad) for a in arrays]
        res.append(make(L, fm)(*xs))
    same(res[1], res[0])
    return res


def _argnums_all(shapes):
    return tuple(range(len(shapes))) if len(shapes) > 1 else 0


# ---- first order -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(VECTOR_CASES))
@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("which", ["first", "all"])
def test_jacobians_match_torch(name, transform, which):
    fn, shapes, _ = VECTOR_CASES[name]
    argnums = 0 if which == "first" else _argnums_all(shapes)
    both(lambda L, fm: getattr(fm, transform)(lambda *xs: fn(L, *xs), argnums=argnums), *_arrays(name, shapes))


def test_jacobian_argnums_as_a_one_tuple_gives_a_tuple():
    t, m = both(lambda L, fm: fm.jacrev(lambda x, y: x * y, argnums=(1,)), _arr(3), _arr(3))
    assert isinstance(m, tuple) and len(m) == 1


@pytest.mark.parametrize("name", list(VECTOR_CASES))
@pytest.mark.parametrize("which", ["first", "all", "last_negative"])
def test_grad_and_grad_and_value_match_torch(name, which):
    fn, shapes, _ = VECTOR_CASES[name]
    argnums = {"first": 0, "all": _argnums_all(shapes), "last_negative": -1}[which]
    f = _scalar(fn)
    arrays = _arrays(name, shapes)
    both(lambda L, fm: fm.grad(lambda *xs: f(L, *xs), argnums=argnums), *arrays)
    both(lambda L, fm: fm.grad_and_value(lambda *xs: f(L, *xs), argnums=argnums), *arrays)


@pytest.mark.parametrize("name", list(VECTOR_CASES))
def test_vjp_matches_torch(name):
    fn, shapes, _ = VECTOR_CASES[name]
    arrays = _arrays(name, shapes)
    outs = fn(torch, *[torch.from_numpy(a) for a in arrays])
    cts = [_arr(*o.shape) for o in (outs if isinstance(outs, tuple) else (outs,))]
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        xs = [L.from_numpy(a.copy()) for a in arrays]
        out, vjp_fn = fm.vjp(lambda *a: fn(L, *a), *xs)
        ct = tuple(L.from_numpy(c) for c in cts)
        ct = ct if isinstance(out, tuple) else ct[0]
        res.append((out, vjp_fn(ct), vjp_fn(ct)))  # vjp_fn may be called again
    same(res[1], res[0])


@pytest.mark.parametrize("name", list(VECTOR_CASES))
def test_jvp_matches_torch(name):
    fn, shapes, _ = VECTOR_CASES[name]
    arrays = _arrays(name, shapes)
    tangents = [_arr(*s) for s in shapes]
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        xs = tuple(L.from_numpy(a.copy()) for a in arrays)
        res.append(fm.jvp(lambda *a: fn(L, *a), xs, tuple(L.from_numpy(t) for t in tangents)))
    same(res[1], res[0])


@pytest.mark.parametrize("name", list(VECTOR_CASES))
def test_hessian_matches_torch(name):
    fn, shapes, _ = VECTOR_CASES[name]
    f = _scalar(fn)
    both(lambda L, fm: fm.hessian(lambda *xs: f(L, *xs), argnums=_argnums_all(shapes)), *_arrays(name, shapes))


@given(arrays(np.float64, shapes(max_dims=3, max_side=3)))
def test_jacobians_and_hessians_of_any_shape(x):
    """Shapes from 0-dim up: jacrev, jacfwd and hessian, and autograd.functional's jacobian and hessian."""
    def vector(L, a):
        return L.tanh(a) * (a * a).sum() + a.exp()

    def scalar(L, a):
        return (L.sigmoid(a) * a ** 3).sum()

    both(lambda L, fm: fm.jacrev(lambda a: vector(L, a)), x)
    both(lambda L, fm: fm.jacfwd(lambda a: vector(L, a)), x)
    both(lambda L, fm: fm.hessian(lambda a: scalar(L, a)), x)
    both(lambda L, fm: (lambda a: L.autograd.functional.jacobian(lambda t: vector(L, t), a)), x)
    both(lambda L, fm: (lambda a: L.autograd.functional.hessian(lambda t: scalar(L, t), a)), x)


# ---- has_aux, kwargs, pytrees ----------------------------------------------------------------------------------------
def test_has_aux():
    x, y = _arr(3), _arr(3)
    both(lambda L, fm: fm.grad(lambda a, b: ((a * b).sum() ** 2, {"p": a * 2}), has_aux=True), x, y)
    both(lambda L, fm: fm.grad_and_value(lambda a, b: ((a * b).exp().sum(), (a, b)), argnums=(0, 1),
                                         has_aux=True), x, y)
    both(lambda L, fm: fm.jacrev(lambda a: (L.tanh(a), a.sum()), has_aux=True), x)
    both(lambda L, fm: fm.jacfwd(lambda a: (L.tanh(a), [a * 3]), has_aux=True), x)
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        a = L.from_numpy(x.copy())
        out, vjp_fn, aux = fm.vjp(lambda t: (t.exp(), t.sum()), a, has_aux=True)
        res.append((out, vjp_fn(L.ones_like(out)), aux))
        res.append(fm.jvp(lambda t: (t.exp(), t.sum()), (a,), (L.ones_like(a),), has_aux=True))
    same(res[2:], res[:2])


def test_keyword_arguments_pass_through_and_are_not_differentiated():
    both(lambda L, fm: (lambda a: fm.grad(lambda t, k=1.0: (t * t * k).sum())(a, k=3.0)), _arr(3))


def test_dict_arguments():
    """An argument may be a dict of tensors (a model's parameters, say): the result has the same keys."""
    w, b, x = _arr(2, 3), _arr(2), _arr(4, 3)

    def make(transform):
        def m(L, fm):
            def loss(p, inp):
                return L.tanh(L.nn.functional.linear(inp, p["weight"], p["bias"])).sum()

            def call(w, b, x):
                return getattr(fm, transform)(loss)({"weight": w, "bias": b}, x)
            return call
        return m

    for transform in ("grad", "jacrev", "jacfwd", "hessian"):
        both(make(transform), w, b, x)


# ---- composition -----------------------------------------------------------------------------------------------------
def test_grad_of_grad_of_a_scalar_function():
    def cube_sin(L, x):
        return L.tanh(x) * x ** 3

    x = np.array(0.7)
    both(lambda L, fm: fm.grad(fm.grad(lambda t: cube_sin(L, t))), x)
    both(lambda L, fm: fm.grad(fm.grad(fm.grad(lambda t: cube_sin(L, t)))), x)


@pytest.mark.parametrize("outer", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("inner", ["jacrev", "jacfwd"])
def test_jacobian_of_a_jacobian(outer, inner):
    fn, shapes, _ = VECTOR_CASES["elementwise"]
    both(lambda L, fm: getattr(fm, outer)(getattr(fm, inner)(lambda x: fn(L, x))), *_arrays("elementwise", shapes))


def test_hessian_is_jacfwd_of_jacrev_and_matches_jacrev_of_jacrev():
    f = _scalar(VECTOR_CASES["matmul"][0])
    x = _arr(2, 4)
    t, m = both(lambda L, fm: fm.hessian(lambda a: f(L, a)), x)
    m2 = minigrad.func.jacrev(minigrad.func.jacrev(lambda a: f(minigrad, a)))(minigrad.from_numpy(x))
    np.testing.assert_allclose(m2.numpy(), m.numpy(), rtol=1e-10, atol=1e-12)


def test_third_derivatives():
    """jacrev(hessian(f)), jacfwd(jacfwd(jacrev(f))) and functional.jacobian of a create_graph hessian."""
    def make(L, fm):
        def f(a):
            return (L.tanh(a) * a.exp() * L.log_softmax(a, 0)).sum()

        def call(t):
            return (fm.jacrev(fm.hessian(f))(t), fm.jacfwd(fm.jacfwd(fm.jacrev(f)))(t),
                    L.autograd.functional.jacobian(lambda a: L.autograd.functional.hessian(f, a, create_graph=True), t))
        return call

    both(make, _arr(3))


def test_a_transform_of_a_closure_over_the_outer_transforms_input():
    """The inner grad differentiates with respect to y only, but its result depends on x through the closure: the
    outer grad must see that dependence (d/dx sum(d/dy x*y^2) = sum(2y))."""
    x, y = _arr(3), _arr(3)

    def make(L, fm):
        def call(x, y):
            return fm.grad(lambda a: fm.grad(lambda b: (a * b ** 2).sum())(y).sum())(x)
        return call

    t, m = both(make, x, y)
    np.testing.assert_allclose(m.numpy(), 2 * y, rtol=1e-12)


def test_vjp_of_a_grad_and_jvp_of_a_grad():
    f = _scalar(VECTOR_CASES["mlp"][0])
    arrays = _arrays("mlp", VECTOR_CASES["mlp"][1])
    v = _arr(4, 3)
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        xs = [L.from_numpy(a.copy()) for a in arrays]
        g = lambda x: fm.grad(lambda a: f(L, a, *xs[1:]))(x)
        out, vjp_fn = fm.vjp(g, xs[0])
        res.append((out, vjp_fn(L.from_numpy(v)), fm.jvp(g, (xs[0],), (L.from_numpy(v),))))
    same(res[1], res[0])


# ---- functional: .grad untouched, any input, and composing with autograd ---------------------------------------------
def test_transforms_leave_grad_alone_and_results_need_no_grad():
    x = minigrad.from_numpy(_arr(3))
    for transform in (minigrad.func.grad, minigrad.func.jacrev, minigrad.func.jacfwd, minigrad.func.hessian):
        r = transform(lambda a: (a.exp() * a).sum())(x)
        assert not r.requires_grad and r.grad_fn is None
    w = minigrad.from_numpy(_arr(3)).requires_grad_()
    minigrad.func.grad(lambda a: (a * a).sum())(w)
    assert w.grad is None


def test_results_stay_in_the_graph_of_inputs_that_require_grad():
    """grad(f)(x) for an x that requires grad is differentiable by plain backward, as in torch."""
    x = _arr(3)
    grads = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        t = L.from_numpy(x.copy()).requires_grad_()
        g = fm.grad(lambda a: (L.tanh(a) * a ** 2).sum())(t)
        j = fm.jacfwd(lambda a: L.sigmoid(a) * a)(t)
        assert g.requires_grad and j.requires_grad
        ((g * g).sum() + j.sum()).backward()
        grads.append(t.grad)
    same(grads[1], grads[0])


def test_under_no_grad_nothing_the_caller_sees_is_recorded():
    """Inside, the transforms differentiate as usual (nested ones too); out here no_grad holds, as in torch."""
    x = _arr(3)
    res = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        t = L.from_numpy(x.copy()).requires_grad_()
        with L.no_grad():
            g = fm.grad(lambda a: (a ** 3).sum())(t)
            h = fm.grad(lambda a: fm.grad(lambda b: (b ** 3).sum())(a).sum())(t)
            j = fm.jacfwd(lambda a: a ** 3)(t)
            out, vjp_fn = fm.vjp(lambda a: a ** 3, t)
            v = vjp_fn(L.ones_like(t))
        assert not any(r.requires_grad for r in (g, h, j, out, v[0]))
        res.append((g, h, j, out, v))
    same(res[1], res[0])


# ---- errors ----------------------------------------------------------------------------------------------------------
def _x(L, n=3):
    return L.from_numpy(np.linspace(-1, 1, n) + 0.1)


def _f2(a, b):
    return (a * b).sum()


ERRORS = {  # name: (call(L, fm), exception type)
    "argnums out of range": (lambda L, fm: fm.grad(_f2, argnums=2)(_x(L), _x(L)), RuntimeError),
    "negative argnums out of range": (lambda L, fm: fm.grad(_f2, argnums=-3)(_x(L), _x(L)), RuntimeError),
    "argnums tuple out of range": (lambda L, fm: fm.grad(_f2, argnums=(0, 5))(_x(L), _x(L)), RuntimeError),
    "argnums out of range before duplicates": (lambda L, fm: fm.grad(_f2, argnums=(0, 0, 5))(_x(L), _x(L)),
                                               RuntimeError),
    "argnums empty": (lambda L, fm: fm.grad(_f2, argnums=())(_x(L), _x(L)), RuntimeError),
    "argnums float": (lambda L, fm: fm.grad(_f2, argnums=1.0)(_x(L), _x(L)), RuntimeError),
    "argnums list": (lambda L, fm: fm.grad(_f2, argnums=[0, 1])(_x(L), _x(L)), RuntimeError),
    "argnums tuple with a float": (lambda L, fm: fm.grad(_f2, argnums=(0, 1.0))(_x(L), _x(L)), RuntimeError),
    "argnums duplicated": (lambda L, fm: fm.jacrev(_f2, argnums=(1, 1))(_x(L), _x(L)), RuntimeError),
    "no positional inputs": (lambda L, fm: fm.grad(lambda: _x(L).sum())(), RuntimeError),
    "jacrev argnums out of range": (lambda L, fm: fm.jacrev(lambda a: a * a, argnums=1)(_x(L)), RuntimeError),
    "jacfwd argnums out of range": (lambda L, fm: fm.jacfwd(lambda a: a * a, argnums=1)(_x(L)), RuntimeError),
    "hessian argnums out of range": (lambda L, fm: fm.hessian(lambda a: (a * a).sum(), argnums=1)(_x(L)),
                                     RuntimeError),
    "grad has_aux, not a tuple": (lambda L, fm: fm.grad(lambda a: (a * a).sum(), has_aux=True)(_x(L)),
                                  RuntimeError),
    "grad has_aux, a 3-tuple": (lambda L, fm: fm.grad(lambda a: ((a * a).sum(), 1, 2), has_aux=True)(_x(L)),
                                RuntimeError),
    "grad has_aux, a list": (lambda L, fm: fm.grad(lambda a: [a.sum(), 1], has_aux=True)(_x(L)), RuntimeError),
    "vjp has_aux, not a tuple": (lambda L, fm: fm.vjp(lambda a: a * a, _x(L), has_aux=True), RuntimeError),
    "jvp has_aux, not a tuple": (lambda L, fm: fm.jvp(lambda a: a * a, (_x(L),), (_x(L),), has_aux=True),
                                 RuntimeError),
    "jacrev has_aux, not a tuple": (lambda L, fm: fm.jacrev(lambda a: a * a, has_aux=True)(_x(L)), RuntimeError),
    "jacfwd has_aux, not a tuple": (lambda L, fm: fm.jacfwd(lambda a: a * a, has_aux=True)(_x(L)), RuntimeError),
    "grad of a non-scalar": (lambda L, fm: fm.grad(lambda a: a * a)(_x(L)), RuntimeError),
    "grad of a one-element 1-d tensor": (lambda L, fm: fm.grad(lambda a: a * a)(_x(L, 1)), RuntimeError),
    "grad of a non-Tensor": (lambda L, fm: fm.grad(lambda a: 3.0)(_x(L)), RuntimeError),
    "grad_and_value of a non-scalar": (lambda L, fm: fm.grad_and_value(lambda a: a * a)(_x(L)), RuntimeError),
    "grad of an integer input": (lambda L, fm: fm.grad(lambda a: a.sum())(L.tensor([1, 2])), RuntimeError),
    "grad of a non-Tensor input": (lambda L, fm: fm.grad(lambda a: a)(3.0), ValueError),
    "vjp of a non-Tensor primal": (lambda L, fm: fm.vjp(lambda a: a * a, 3.0), ValueError),
    "vjp of a non-Tensor output": (lambda L, fm: fm.vjp(lambda a: 3.0, _x(L)), RuntimeError),
    "vjp aux not a tensor": (lambda L, fm: fm.vjp(lambda a: (a, 3.0), _x(L), has_aux=True), RuntimeError),
    "vjp_fn cotangent of the wrong shape": (lambda L, fm: fm.vjp(lambda a: a * a, _x(L))[1](_x(L, 2)),
                                            RuntimeError),
    "vjp_fn cotangent of the wrong structure": (lambda L, fm: fm.vjp(lambda a: a * a, _x(L))[1]((_x(L),)),
                                                RuntimeError),
    "vjp_fn nested structure": (lambda L, fm: fm.vjp(lambda a: (a, [a, {"k": a}]), _x(L))[1]((_x(L), _x(L))),
                                RuntimeError),
    "jvp primals not a tuple": (lambda L, fm: fm.jvp(lambda a: a * a, _x(L), (_x(L),)), RuntimeError),
    "jvp tangents not a tuple": (lambda L, fm: fm.jvp(lambda a: a * a, (_x(L),), _x(L)), RuntimeError),
    "jvp tangents too long": (lambda L, fm: fm.jvp(lambda a: a * a, (_x(L),), (_x(L), _x(L))), RuntimeError),
    "jvp nested structure": (lambda L, fm: fm.jvp(lambda a, b: a, (_x(L), (_x(L), _x(L))), (_x(L), _x(L))),
                             RuntimeError),
    "jvp dict tangent": (lambda L, fm: fm.jvp(lambda a: a, (_x(L),), ({"a": _x(L)},)), RuntimeError),
    "jvp tangent of the wrong shape": (lambda L, fm: fm.jvp(lambda a: a * a, (_x(L),), (_x(L, 4),)),
                                       RuntimeError),
    "jvp non-Tensor output": (lambda L, fm: fm.jvp(lambda a: 3.0, (_x(L),), (_x(L),)), RuntimeError),
    "jvp no primals": (lambda L, fm: fm.jvp(lambda: 3.0, (), ()), RuntimeError),
    "jvp non-Tensor primal": (lambda L, fm: fm.jvp(lambda a: a, (3.0,), (1.0,)), RuntimeError),
    "jvp integer tangent": (lambda L, fm: fm.jvp(lambda a: a, (_x(L),), (L.tensor([1, 2, 3]),)), ValueError),
    "jvp integer primal": (lambda L, fm: fm.jvp(lambda a: a, (L.tensor([1, 2, 3]),), (_x(L),)), ValueError),
    "jacrev of a non-Tensor output": (lambda L, fm: fm.jacrev(lambda a: 3.0)(_x(L)), RuntimeError),
    "jacfwd of a non-Tensor output": (lambda L, fm: fm.jacfwd(lambda a: 3.0)(_x(L)), RuntimeError),
    "jacrev of an integer output": (lambda L, fm: fm.jacrev(lambda a: (a > 0).long())(_x(L)), RuntimeError),
    "jacrev chunk_size 0": (lambda L, fm: fm.jacrev(lambda a: a, chunk_size=0), ValueError),
    "jacfwd unknown randomness": (lambda L, fm: fm.jacfwd(lambda a: a * a, randomness="foo")(_x(L)), RuntimeError),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    call, exc = ERRORS[name]
    msgs = []
    for L, fm in ((torch, torch.func), (minigrad, minigrad.func)):
        with pytest.raises(exc) as info:
            call(L, fm)
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0].replace("torch.Size", "minigrad.Size").replace("torch.int64", "minigrad.int64")


@pytest.mark.parametrize("transform", ["grad", "jacfwd"])
def test_outputs_outside_the_graph_give_zero_derivatives(transform):
    """An integer or constant output has zero derivatives (torch.func.grad and jacfwd return zeros)."""
    f = (lambda L: (lambda a: (a > 0).sum())) if transform == "grad" else (lambda L: (lambda a: (a > 0).long()))
    both(lambda L, fm: getattr(fm, transform)(f(L)), _arr(3))


def _params(f):
    """(name, kind, default) of each parameter: torch's signature, annotations aside."""
    import inspect

    return [(p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()]


@pytest.mark.parametrize("name", ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"])
def test_func_signatures_are_torchs(name):
    assert _params(getattr(minigrad.func, name)) == _params(getattr(torch.func, name))


@pytest.mark.parametrize("name", ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"])
def test_functional_signatures_are_torchs(name):
    assert _params(getattr(minigrad.autograd.functional, name)) == _params(getattr(torch.autograd.functional, name))
