"""minigrad.autograd.functional against torch.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp on the same
functions (float64, rtol 1e-10), the shapes and the tuple-or-Tensor structure of what comes back, create_graph and
strict, the tutorial MLP (a Hessian of its loss, a Hessian-vector product through all of it), and the errors."""
import numpy as np
import pytest
import torch

import minigrad

TOL = dict(rtol=1e-10, atol=1e-12)
RNG = np.random.default_rng(0)
LIBS = pytest.mark.parametrize("L", [torch, minigrad], ids=["torch", "minigrad"])


def _arr(*shape, positive=False):
    a = RNG.standard_normal(shape)
    return np.abs(a) + 0.5 if positive else a


def _to(L, arrays, requires_grad=False):
    return tuple(L.from_numpy(a.copy()).requires_grad_(requires_grad) for a in arrays)


def same(ours, theirs, what="result"):
    """Equal structure (a Tensor where torch gives a Tensor, tuples, lists and dicts alike), shapes, dtypes, values
    (test_func.py uses it too)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), f"{what}: keys {ours} != torch's {list(theirs)}"
        for k in theirs:
            same(ours[k], theirs[k], f"{what}[{k!r}]")
        return
    if isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs), f"{what}: {type(ours).__name__} where torch gives a {type(theirs).__name__}"
        assert len(ours) == len(theirs), f"{what}: {len(ours)} entries, torch has {len(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            same(o, t, f"{what}[{i}]")
        return
    assert isinstance(ours, minigrad.Tensor), f"{what}: {type(ours).__name__} where torch gives a Tensor"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], f"{what}: dtype"
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), err_msg=what, **TOL)


def run_both(api, fn, arrays, tuple_inputs, v=None, **kwargs):
    """api(fn(L, ...), inputs[, v], **kwargs) in both libraries; the results are compared and returned."""
    res = []
    for L in (torch, minigrad):
        ins = _to(L, arrays)
        ins = ins if tuple_inputs else ins[0]
        args = () if v is None else ((_to(L, v) if tuple_inputs or len(v) > 1 else _to(L, v)[0]),)
        f = getattr(L.autograd.functional, api)
        res.append(f(lambda *xs, L=L: fn(L, *xs), ins, *args, **kwargs))
    same(res[1], res[0], api)
    return res


# ---- the functions -------------------------------------------------------------------------------------------------
def _elementwise(L, x):
    return L.exp(x) * L.tanh(x) + L.sigmoid(x) ** 2


def _matmul(L, x):
    w = L.from_numpy(np.linspace(-1, 1, 12).reshape(4, 3))
    return L.tanh(x @ w)


def _reductions(L, x):
    return (x ** 3).sum(1) + x.mean(1) * x.amax(1)


def _log_and_softmax(L, x):
    return L.log(x).sum(0) + L.softmax(x, 1)[0]


def _two_in_two_out(L, x, y):
    return L.sigmoid(x @ y), (x * x).sum(1) * y.sum()


def _two_in_one_out(L, x, y):
    return (L.tanh(x) @ y).exp()


def _mlp(L, x, w1, b1, w2, b2):
    h = L.tanh(L.nn.functional.linear(x, w1, b1))
    return L.sigmoid(L.nn.functional.linear(h, w2, b2))


VECTOR_CASES = {  # name: (fn, input shapes, tuple inputs?)
    "elementwise": (_elementwise, [(2, 3)], False),
    "matmul": (_matmul, [(2, 4)], False),
    "reductions": (_reductions, [(3, 4)], False),
    "log_softmax": (_log_and_softmax, [(3, 4)], False),
    "one_input_as_tuple": (_elementwise, [(3,)], True),
    "two_in_two_out": (_two_in_two_out, [(2, 3), (3, 2)], True),
    "two_in_one_out": (_two_in_one_out, [(2, 3), (3,)], True),
    "mlp": (_mlp, [(4, 3), (5, 3), (5,), (2, 5), (2,)], True),
}


def _arrays(name, shapes):
    return [_arr(*s, positive=(name == "log_softmax")) for s in shapes]


def _outputs(fn, arrays):
    out = fn(torch, *[torch.from_numpy(a) for a in arrays])
    return [o.detach().numpy() for o in (out if isinstance(out, tuple) else (out,))]


def _scalar(fn):
    def s(L, *xs):
        out = fn(L, *xs)
        outs = out if isinstance(out, tuple) else (out,)
        return sum((o * o).sum() for o in outs[1:]) + (outs[0] ** 2).sum().sqrt()
    return s


# ---- jacobian ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(VECTOR_CASES))
@pytest.mark.parametrize("options", [{}, {"strict": True}, {"vectorize": True}, {"create_graph": True},
                                     {"create_graph": True, "strict": True}],
                         ids=["plain", "strict", "vectorize", "create_graph", "create_graph-strict"])
def test_jacobian_matches_torch(name, options):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    t_res, m_res = run_both("jacobian", fn, _arrays(name, shapes), tuple_inputs, **options)
    for r in (m_res,) if isinstance(m_res, minigrad.Tensor) else ():
        assert r.requires_grad == bool(options.get("create_graph"))


def test_jacobian_shape_is_output_shape_then_input_shape():
    j = minigrad.autograd.functional.jacobian(lambda x: x.sum(0), minigrad.zeros(2, 3, 4, dtype=minigrad.float64))
    assert tuple(j.shape) == (3, 4, 2, 3, 4)


@pytest.mark.parametrize("name", ["elementwise", "two_in_two_out", "mlp"])
def test_jacobian_forward_mode_strategy_gives_the_same_numbers(name):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    run_both("jacobian", fn, _arrays(name, shapes), tuple_inputs, vectorize=True, strategy="forward-mode")


def test_jacobian_of_outputs_outside_the_graph_is_zero():
    run_both("jacobian", lambda L, x: (x > 0).long(), [_arr(3)], False)
    run_both("jacobian", lambda L, x, y: (x * 2, L.ones(2, dtype=L.float64)), [_arr(3), _arr(2)], True)


# ---- hessian -------------------------------------------------------------------------------------------------------
SCALAR_CASES = ["elementwise", "matmul", "reductions", "log_softmax", "one_input_as_tuple", "two_in_two_out",
                "two_in_one_out", "mlp"]


@pytest.mark.parametrize("name", SCALAR_CASES)
def test_hessian_matches_torch(name):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    run_both("hessian", _scalar(fn), _arrays(name, shapes), tuple_inputs)


@pytest.mark.parametrize("options", [{"strict": True}, {"vectorize": True},
                                     {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}],
                         ids=["strict", "vectorize", "forward-over-reverse"])
def test_hessian_options(options):
    fn, shapes, tuple_inputs = VECTOR_CASES["two_in_one_out"]
    run_both("hessian", _scalar(fn), _arrays("two_in_one_out", shapes), tuple_inputs, **options)


def test_hessian_of_a_one_element_output():
    run_both("hessian", lambda L, x: (x ** 3).sum().reshape(1, 1), [_arr(3)], False)


# ---- vjp, jvp, vhp, hvp --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(VECTOR_CASES))
@pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
def test_vjp_matches_torch(name, strict):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    arrays = _arrays(name, shapes)
    v = [_arr(*o.shape) for o in _outputs(fn, arrays)]
    multi = isinstance(fn(torch, *[torch.from_numpy(a) for a in arrays]), tuple)
    res = []
    for L in (torch, minigrad):
        ins = _to(L, arrays)
        vs = _to(L, v)
        res.append(L.autograd.functional.vjp(lambda *xs, L=L: fn(L, *xs), ins if tuple_inputs else ins[0],
                                             vs if multi else vs[0], strict=strict))
    same(res[1], res[0], "vjp")


@pytest.mark.parametrize("name", list(VECTOR_CASES))
@pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
def test_jvp_matches_torch(name, strict):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    run_both("jvp", fn, _arrays(name, shapes), tuple_inputs, v=[_arr(*s) for s in shapes], strict=strict)


@pytest.mark.parametrize("api", ["vhp", "hvp"])
@pytest.mark.parametrize("name", SCALAR_CASES)
def test_vhp_and_hvp_match_torch(api, name):
    fn, shapes, tuple_inputs = VECTOR_CASES[name]
    run_both(api, _scalar(fn), _arrays(name, shapes), tuple_inputs, v=[_arr(*s) for s in shapes])


@pytest.mark.parametrize("api", ["vhp", "hvp"])
def test_vhp_and_hvp_strict(api):
    fn, shapes, tuple_inputs = VECTOR_CASES["two_in_one_out"]
    run_both(api, _scalar(fn), _arrays("two_in_one_out", shapes), True, v=[_arr(*s) for s in shapes], strict=True)


def test_v_may_be_omitted_for_one_element():
    run_both("vjp", lambda L, x: (x * x).sum().reshape(1), [_arr(3)], False)
    run_both("jvp", lambda L, x: x.exp() * 2, [_arr(1)], False)
    run_both("vhp", lambda L, x: (x ** 4).sum(), [_arr(1)], False)
    run_both("hvp", lambda L, x: (x ** 4).sum(), [_arr(1)], False)


# ---- create_graph: the results are differentiable ------------------------------------------------------------------
@pytest.mark.parametrize("api", ["jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"])
def test_create_graph_results_can_be_differentiated_again(api):
    """With create_graph=True each result stays in the graph of the inputs: backward of (result * w).sum() gives the
    inputs' .grad, as in torch."""
    arrays = [_arr(2, 3), _arr(3)]
    fn = _two_in_one_out if api in ("jacobian", "vjp", "jvp") else _scalar(_two_in_one_out)
    grads = []
    for L in (torch, minigrad):
        x, y = _to(L, arrays, requires_grad=True)
        f = getattr(L.autograd.functional, api)
        g = (lambda *xs: fn(L, *xs))
        if api in ("jacobian", "hessian"):
            res = f(g, (x, y), create_graph=True)
        else:
            out = fn(L, x, y)
            v = L.ones_like(out) if api == "vjp" else (L.ones_like(x), L.ones_like(y))
            res = f(g, (x, y), v, create_graph=True)[1]
        leaves, todo = [], [res]
        while todo:
            r = todo.pop()
            if isinstance(r, tuple):
                todo.extend(r)
            else:
                leaves.append(r)
        assert all(r.requires_grad for r in leaves)
        total = sum(((r * r).sum() for r in leaves), L.zeros((), dtype=L.float64))
        total.backward()
        grads.append((x.grad, y.grad))
    same(grads[1], grads[0], f"{api} create_graph")


def test_create_graph_false_detaches_and_leaves_grad_alone():
    x = minigrad.from_numpy(_arr(3)).requires_grad_()
    j = minigrad.autograd.functional.jacobian(lambda t: t * t, x)
    out, v = minigrad.autograd.functional.vjp(lambda t: t * t, x, minigrad.ones(3, dtype=minigrad.float64))
    assert not j.requires_grad and not out.requires_grad and not v.requires_grad
    assert x.grad is None


def test_create_graph_on_inputs_that_do_not_require_grad():
    """torch makes such inputs new leaves, so the results require grad (through those leaves) all the same."""
    for L in (torch, minigrad):
        x = L.from_numpy(_arr(3))
        assert L.autograd.functional.jacobian(lambda t: t ** 2, x, create_graph=True).requires_grad
        assert not x.requires_grad


# ---- the tutorial MLP ----------------------------------------------------------------------------------------------
def _tutorial_models(hidden, dtype):
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, hidden), torch.nn.ReLU(),
                                  torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
                                  torch.nn.Linear(hidden, 10)).to(getattr(torch, dtype))
    m_model = minigrad.nn.Sequential(minigrad.nn.Flatten(), minigrad.nn.Linear(784, hidden), minigrad.nn.ReLU(),
                                     minigrad.nn.Linear(hidden, hidden), minigrad.nn.ReLU(),
                                     minigrad.nn.Linear(hidden, 10)).to(getattr(minigrad, dtype))
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    return t_model, m_model


def _batch(n, dtype):
    rng = np.random.default_rng(1)
    return rng.random((n, 1, 28, 28)).astype(dtype), rng.integers(0, 10, n)


def _loss_of_parameters(L, model, x, y):
    """The model's cross-entropy loss as a function of its parameters (in state_dict order): the same Sequential's
    structure, its layers called with the given tensors in place of their own."""
    linears = [m for m in model if isinstance(m, L.nn.Linear)]
    F = L.nn.functional

    def loss(*params):
        h = model[0](x)
        for i, lin in enumerate(linears):
            h = F.linear(h, params[2 * i], params[2 * i + 1])
            if i < len(linears) - 1:
                h = F.relu(h)
        return F.cross_entropy(h, y)

    return loss


def test_mlp_parameter_function_is_the_model():
    t_model, m_model = _tutorial_models(16, "float64")
    x, y = _batch(8, np.float64)
    for L, model in ((torch, t_model), (minigrad, m_model)):
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        direct = L.nn.functional.cross_entropy(model(xs), ys)
        via = _loss_of_parameters(L, model, xs, ys)(*[p.detach() for p in model.parameters()])
        assert abs(direct.item() - via.item()) < 1e-12


@pytest.mark.parametrize("hidden", [16])
def test_hessian_of_the_mlp_loss_with_respect_to_the_last_layer(hidden):
    """The Hessian of the tutorial MLP's cross-entropy with respect to its last Linear's weight and bias (hidden
    sizes cut to 16 so that its (10*16 + 10)^2 entries take a second): a 2x2 tuple of blocks, equal to torch's."""
    t_model, m_model = _tutorial_models(hidden, "float64")
    x, y = _batch(32, np.float64)
    res = []
    for L, model in ((torch, t_model), (minigrad, m_model)):
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        params = [p.detach() for p in model.parameters()]
        full = _loss_of_parameters(L, model, xs, ys)
        res.append(L.autograd.functional.hessian(lambda w, b: full(*params[:4], w, b), tuple(params[4:])))
    same(res[1], res[0], "hessian")
    assert tuple(res[1][0][0].shape) == (10, hidden, 10, hidden) and tuple(res[1][1][1].shape) == (10, 10)


def test_hessian_of_the_full_size_mlp_loss_with_respect_to_the_last_bias():
    t_model, m_model = _tutorial_models(512, "float64")
    x, y = _batch(64, np.float64)
    res = []
    for L, model in ((torch, t_model), (minigrad, m_model)):
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        params = [p.detach() for p in model.parameters()]
        full = _loss_of_parameters(L, model, xs, ys)
        res.append(L.autograd.functional.hessian(lambda b: full(*params[:5], b), params[5]))
    same(res[1], res[0], "hessian")


@pytest.mark.parametrize("api", ["hvp", "vhp"])
def test_hessian_vector_product_through_the_whole_mlp(api):
    """H v with respect to all six parameters of the tutorial-sized MLP (784-512-512-10, batch 64), v random."""
    t_model, m_model = _tutorial_models(512, "float64")
    x, y = _batch(64, np.float64)
    v = [np.random.default_rng(2).standard_normal(tuple(p.shape)) for p in t_model.parameters()]
    res = []
    for L, model in ((torch, t_model), (minigrad, m_model)):
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        params = tuple(p.detach() for p in model.parameters())
        f = getattr(L.autograd.functional, api)
        res.append(f(_loss_of_parameters(L, model, xs, ys), params, tuple(L.from_numpy(a) for a in v)))
    same(res[1], res[0], api)


def test_hessian_vector_product_in_float32():
    t_model, m_model = _tutorial_models(64, "float32")
    x, y = _batch(16, np.float32)
    v = [np.random.default_rng(2).standard_normal(tuple(p.shape)).astype(np.float32) for p in t_model.parameters()]
    res = []
    for L, model in ((torch, t_model), (minigrad, m_model)):
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        params = tuple(p.detach() for p in model.parameters())
        res.append(L.autograd.functional.hvp(_loss_of_parameters(L, model, xs, ys), params,
                                             tuple(L.from_numpy(a) for a in v)))
    for m, t in zip(res[1][1], res[0][1]):
        assert m.dtype == minigrad.float32
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-4, atol=1e-5)


# ---- errors: torch's types and texts -------------------------------------------------------------------------------
def same_error(call, exc):
    """call(L) raises `exc` in both libraries with the same text (torch's module names swapped for minigrad's)."""
    msgs = []
    for L in (torch, minigrad):
        with pytest.raises(exc) as info:
            call(L)
        assert type(info.value) is exc or (exc is RuntimeError and isinstance(info.value, RuntimeError))
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0].replace("torch.Size", "minigrad.Size")


def _x(L, n=3):
    return L.from_numpy(np.linspace(-1, 1, n) + 0.1)


AF = "autograd.functional"

ERRORS = {  # name: (call(L), exception type)
    "jacobian non-Tensor output": (lambda L: L.autograd.functional.jacobian(lambda a: 3.0, _x(L)), TypeError),
    "jacobian list output": (lambda L: L.autograd.functional.jacobian(lambda a: [a, a], _x(L)), TypeError),
    "jacobian int input": (lambda L: L.autograd.functional.jacobian(lambda a: a, 3), TypeError),
    "jacobian tuple with an int": (lambda L: L.autograd.functional.jacobian(lambda a, b: a, (_x(L), 3)), TypeError),
    "jacobian strict, output independent of an input": (
        lambda L: L.autograd.functional.jacobian(lambda a, b: a * 2, (_x(L), _x(L)), strict=True), RuntimeError),
    "jacobian strict, constant output": (
        lambda L: L.autograd.functional.jacobian(lambda a: L.ones(3, dtype=L.float64), _x(L), strict=True),
        RuntimeError),
    "jacobian strict, integer output": (
        lambda L: L.autograd.functional.jacobian(lambda a: (a > 0).long(), _x(L), strict=True), RuntimeError),
    "jacobian strict create_graph, linear function": (
        lambda L: L.autograd.functional.jacobian(lambda a: a * 2, _x(L), strict=True, create_graph=True),
        RuntimeError),
    "jacobian unknown strategy": (lambda L: L.autograd.functional.jacobian(lambda a: a, _x(L), strategy="x"),
                                  AssertionError),
    "jacobian forward-mode without vectorize": (
        lambda L: L.autograd.functional.jacobian(lambda a: a, _x(L), strategy="forward-mode"), NotImplementedError),
    "jacobian forward-mode with create_graph": (
        lambda L: L.autograd.functional.jacobian(lambda a: a, _x(L), strategy="forward-mode", vectorize=True,
                                                 create_graph=True), NotImplementedError),
    "jacobian forward-mode strict": (
        lambda L: L.autograd.functional.jacobian(lambda a: a, _x(L), strategy="forward-mode", strict=True),
        RuntimeError),
    "jacobian strict and vectorize": (
        lambda L: L.autograd.functional.jacobian(lambda a: a, _x(L), strict=True, vectorize=True), RuntimeError),
    "jacobian integer input": (lambda L: L.autograd.functional.jacobian(lambda a: a * 2, L.tensor([1, 2])),
                               RuntimeError),
    "hessian non-scalar": (lambda L: L.autograd.functional.hessian(lambda a: a, _x(L)), RuntimeError),
    "hessian tuple output": (lambda L: L.autograd.functional.hessian(lambda a: (a.sum(),), _x(L)), RuntimeError),
    "hessian non-Tensor output": (lambda L: L.autograd.functional.hessian(lambda a: 3.0, _x(L)), TypeError),
    "hessian strict, linear function": (
        lambda L: L.autograd.functional.hessian(lambda a: a.sum(), _x(L), strict=True), RuntimeError),
    "hessian strict, independent input": (
        lambda L: L.autograd.functional.hessian(lambda a, b: (a ** 3).sum(), (_x(L), _x(L)), strict=True),
        RuntimeError),
    "hessian unknown strategy": (
        lambda L: L.autograd.functional.hessian(lambda a: (a ** 2).sum(), _x(L), outer_jacobian_strategy="x"),
        AssertionError),
    "hessian forward-mode without vectorize": (
        lambda L: L.autograd.functional.hessian(lambda a: (a ** 2).sum(), _x(L),
                                                outer_jacobian_strategy="forward-mode"), NotImplementedError),
    "vjp v omitted": (lambda L: L.autograd.functional.vjp(lambda a: a, _x(L)), RuntimeError),
    "vjp v of the wrong shape": (lambda L: L.autograd.functional.vjp(lambda a: a, _x(L), _x(L, 4)), RuntimeError),
    "vjp v too long": (lambda L: L.autograd.functional.vjp(lambda a: a, _x(L), (_x(L), _x(L))), RuntimeError),
    "vjp tuple v too short": (lambda L: L.autograd.functional.vjp(lambda a: (a, a), _x(L), (_x(L),)),
                              RuntimeError),
    "vjp tuple v entry of the wrong shape": (
        lambda L: L.autograd.functional.vjp(lambda a: (a, a), _x(L), (_x(L), _x(L, 2))), RuntimeError),
    "vjp v not a Tensor": (lambda L: L.autograd.functional.vjp(lambda a: a, _x(L), 3), TypeError),
    "vjp strict": (lambda L: L.autograd.functional.vjp(lambda a, b: a, (_x(L), _x(L)), _x(L), strict=True),
                   RuntimeError),
    "vjp non-Tensor output": (lambda L: L.autograd.functional.vjp(lambda a: 3.0, _x(L), _x(L)), TypeError),
    "jvp v omitted": (lambda L: L.autograd.functional.jvp(lambda a: a, _x(L)), RuntimeError),
    "jvp v of the wrong shape": (lambda L: L.autograd.functional.jvp(lambda a: a, _x(L), _x(L, 4)), RuntimeError),
    "jvp tuple v too short": (lambda L: L.autograd.functional.jvp(lambda a, b: a, (_x(L), _x(L, 2)), (_x(L),)),
                              RuntimeError),
    "jvp strict": (lambda L: L.autograd.functional.jvp(lambda a, b: a, (_x(L), _x(L)), (_x(L), _x(L)),
                                                       strict=True), RuntimeError),
    "jvp strict, constant output": (
        lambda L: L.autograd.functional.jvp(lambda a: L.ones(3, dtype=L.float64), _x(L), _x(L), strict=True),
        RuntimeError),
    "hvp non-scalar": (lambda L: L.autograd.functional.hvp(lambda a: a, _x(L), _x(L)), RuntimeError),
    "hvp v omitted": (lambda L: L.autograd.functional.hvp(lambda a: (a ** 2).sum(), _x(L)), RuntimeError),
    "hvp strict, linear function": (
        lambda L: L.autograd.functional.hvp(lambda a: a.sum(), _x(L), _x(L), strict=True), RuntimeError),
    "hvp strict, independent input": (
        lambda L: L.autograd.functional.hvp(lambda a, b: (a ** 3).sum(), (_x(L), _x(L)), (_x(L), _x(L)),
                                            strict=True), RuntimeError),
    "hvp int input": (lambda L: L.autograd.functional.hvp(lambda a: (a * a).sum(), 3, _x(L)), TypeError),
    "vhp strict, linear function": (
        lambda L: L.autograd.functional.vhp(lambda a: a.sum(), _x(L), _x(L), strict=True), RuntimeError),
    "vhp tuple output": (lambda L: L.autograd.functional.vhp(lambda a: (a.sum(),), _x(L), _x(L)), RuntimeError),
    "vhp non-Tensor output": (lambda L: L.autograd.functional.vhp(lambda a: 3.0, _x(L), _x(L)), TypeError),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    call, exc = ERRORS[name]
    same_error(call, exc)


@LIBS
def test_second_order_of_something_that_does_not_require_grad(L):
    """The gradient of a linear function, recorded with create_graph=True, is a constant: differentiating it again
    is torch's 'does not require grad' error; so is differentiating a gradient taken without create_graph."""
    a = _x(L).requires_grad_()
    (g,) = L.autograd.grad((a * 2).sum(), a, create_graph=True)
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        L.autograd.grad(g.sum(), a)
    (g,) = L.autograd.grad((a * a).sum(), a)
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        L.autograd.grad(g.sum(), a)


@LIBS
def test_integer_output_is_not_differentiable(L):
    a = _x(L).requires_grad_()
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        L.autograd.grad((a > 0).sum(), a)


def test_create_graph_through_an_op_that_saves_its_output_on_a_0dim_tensor():
    """The minimal case behind the Hessians of scalar-valued compositions: exp (like tanh and sqrt) saves its output;
    for a 0-dim input NumPy returns a scalar, not a 0-dim array, and the saved value must still be the output's
    tensor in the graph under create_graph=True, as torch's is (d²/dx² e^x = e^x)."""
    for L in (torch, minigrad):
        x = L.tensor(0.7, dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(L.exp(x), x, create_graph=True)
        assert g.requires_grad
        (h,) = L.autograd.grad(g, x)
        assert abs(h.item() - np.exp(0.7)) < 1e-12


def test_the_hvp_benchmark_runs_and_its_contenders_agree():
    """benchmarks/bench_hvp.py on its quick configuration: the four ways give torch's H v (float32)."""
    from benchmarks import bench_hvp, common

    threads = torch.get_num_threads(), common.blas_threads()[0]
    torch.set_num_threads(1)  # two libraries' thread pools spinning on the same cores slow each other tenfold
    common.set_blas_threads(1)
    try:
        r = bench_hvp.run(torch, minigrad, dict(hvp_rounds=1, hvp_min_time=0.0))
    finally:
        torch.set_num_threads(threads[0])
        common.set_blas_threads(threads[1])
    assert set(r["ms"]) == {"minigrad functional.hvp", "minigrad double backward", "torch functional.hvp",
                            "torch double backward"}
    assert max(r["max_rel_diff_vs_torch"].values()) < 1e-5
    assert "minigrad / torch" in bench_hvp.table(r)
