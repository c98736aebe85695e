"""The optimizers of issue 11 (RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, LBFGS) against torch.optim.

Each runs many steps beside torch's single-tensor (foreach=False) path from the same weights, fed the same
gradients, with hyper-parameters hypothesis draws; then its state_dict must have torch's layout and load into a
torch optimizer that carries on in step. Last, each trains the tutorial MLP (smaller hidden layers) 200 steps from
torch's weights on the same batches, in float32.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn, optim
from tests.strategies import shapes

torch.set_num_threads(1)
STEPS = 40
F64 = dict(rtol=1e-10, atol=1e-12)

some = st.sampled_from
lr = some([1e-3, 1e-2, 0.1])
decay = some([0.0, 0.0, 1e-2, 0.1])  # weight_decay and the like: often off
betas = st.tuples(some([0.0, 0.5, 0.9]), some([0.9, 0.99, 0.999]))

OPTIONS = {
    "RMSprop": st.fixed_dictionaries({"lr": lr, "alpha": some([0.5, 0.9, 0.99]), "eps": some([1e-8, 1e-3]),
                                      "weight_decay": decay, "momentum": some([0.0, 0.1, 0.5, 0.9]),
                                      "centered": st.booleans(), "maximize": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({"lr": lr, "lr_decay": some([0.0, 0.01, 0.5]), "weight_decay": decay,
                                      "initial_accumulator_value": some([0.0, 0.1, 1.0]),
                                      "eps": some([1e-10, 1e-3]), "maximize": st.booleans()}),
    "Adadelta": st.fixed_dictionaries({"lr": some([0.1, 0.5, 1.0]), "rho": some([0.0, 0.5, 0.9, 0.99]),
                                       "eps": some([1e-6, 1e-3]), "weight_decay": decay,
                                       "maximize": st.booleans()}),
    "Adamax": st.fixed_dictionaries({"lr": lr, "betas": betas, "eps": some([1e-8, 1e-3]), "weight_decay": decay,
                                     "maximize": st.booleans()}),
    "NAdam": st.fixed_dictionaries({"lr": lr, "betas": betas, "eps": some([1e-8, 1e-3]), "weight_decay": decay,
                                    "momentum_decay": some([0.0, 4e-3, 0.1]),
                                    "decoupled_weight_decay": st.booleans(), "maximize": st.booleans()}),
    "RAdam": st.fixed_dictionaries({"lr": lr, "betas": betas, "eps": some([1e-8, 1e-3]), "weight_decay": decay,
                                    "decoupled_weight_decay": st.booleans(), "maximize": st.booleans()}),
    "ASGD": st.fixed_dictionaries({"lr": lr, "lambd": some([0.0, 1e-4, 0.1]), "alpha": some([0.5, 0.75, 1.0]),
                                   "t0": some([0.0, 5.0, 1e6]), "weight_decay": decay, "maximize": st.booleans()}),
}
NAMES = list(OPTIONS)


def _pair(arrays):
    return ([torch.tensor(a.copy(), requires_grad=True) for a in arrays],
            [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays])


def _feed(tp, mp, grads):
    for t, m, g in zip(tp, mp, grads):
        t.grad = None if g is None else torch.tensor(g.copy())
        m.grad = None if g is None else minigrad.tensor(g.copy())


def _close(mp, tp, what, **tol):
    for i, (m, t) in enumerate(zip(mp, tp)):
        a, b = m.detach().numpy(), t.detach().numpy()
        assert a.dtype == b.dtype, f"{what} param {i}: dtype {a.dtype} != torch's {b.dtype}"
        np.testing.assert_allclose(a, b, err_msg=f"{what} param {i}", **(tol or F64))


def _to_torch(value):
    """A minigrad state_dict as torch's: Tensors become torch tensors, containers are rebuilt."""
    if isinstance(value, minigrad.Tensor):
        return torch.from_numpy(value.numpy().copy())
    if isinstance(value, dict):
        return {k: _to_torch(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_torch(v) for v in value)
    return value


def _same_layout(m_sd, t_sd):
    """The same state keys per parameter, tensors where torch has tensors (same dtype and shape), and the same
    param-group options."""
    assert m_sd["state"].keys() == t_sd["state"].keys()
    for k, t_state in t_sd["state"].items():
        m_state = m_sd["state"][k]
        assert list(m_state) == list(t_state), f"state keys of param {k}"
        for key, tv in t_state.items():
            mv = m_state[key]
            if isinstance(tv, torch.Tensor):
                assert isinstance(mv, minigrad.Tensor), key
                assert (mv.dtype.name if hasattr(mv.dtype, "name") else str(mv.dtype)).replace("torch.", "") == \
                    str(tv.dtype).replace("torch.", ""), key
                assert tuple(mv.shape) == tuple(tv.shape), key
    assert [list(g) for g in m_sd["param_groups"]] == [list(g) for g in t_sd["param_groups"]]
    drop = lambda groups: [{k: v for k, v in g.items() if k != "foreach"} for g in groups]  # noqa: E731
    assert drop(m_sd["param_groups"]) == drop(t_sd["param_groups"])  # torch was given foreach=False


F32 = dict(rtol=1e-4, atol=1e-5)  # torch fuses a * b + c into one rounding where NumPy rounds twice


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15)
@given(data=st.data(), shape_list=st.lists(shapes(max_dims=2), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1))
def test_matches_torch_over_many_steps_float32(name, data, shape_list, seed):
    kw = data.draw(OPTIONS[name], label="options")
    rng = np.random.default_rng(seed)
    tp, mp = _pair([rng.standard_normal(s).astype(np.float32) for s in shape_list])
    t_opt = getattr(torch.optim, name)(tp, foreach=False, **kw)
    m_opt = getattr(optim, name)(mp, **kw)
    for step in range(STEPS):
        _feed(tp, mp, [rng.standard_normal(s).astype(np.float32) for s in shape_list])
        t_opt.step()
        m_opt.step()
        _close(mp, tp, f"{name}{kw} float32 step {step}", **F32)
    _same_layout(m_opt.state_dict(), t_opt.state_dict())


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15)
@given(data=st.data(), shape_list=st.lists(shapes(max_dims=2), min_size=1, max_size=3),
       seed=st.integers(0, 2**32 - 1))
def test_matches_torch_over_many_steps(name, data, shape_list, seed):
    kw = data.draw(OPTIONS[name], label="options")
    rng = np.random.default_rng(seed)
    tp, mp = _pair([rng.standard_normal(s) for s in shape_list])
    t_opt = getattr(torch.optim, name)(tp, foreach=False, **kw)
    m_opt = getattr(optim, name)(mp, **kw)
    for step in range(STEPS):
        grads = [rng.standard_normal(s) for s in shape_list]
        if step == 3:
            grads[0] = None  # a parameter without a gradient is skipped and keeps its state
        _feed(tp, mp, grads)
        t_opt.step()
        m_opt.step()
        _close(mp, tp, f"{name}{kw} step {step}")
    m_sd, t_sd = m_opt.state_dict(), t_opt.state_dict()
    _same_layout(m_sd, t_sd)
    for k, t_state in t_sd["state"].items():
        for key, tv in t_state.items():
            np.testing.assert_allclose(m_sd["state"][k][key].numpy(), tv.numpy(), err_msg=key, **F64)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_loads_into_torch_and_carries_on(name):
    """minigrad's state_dict, converted tensor by tensor, loads into a fresh torch optimizer on copies of minigrad's
    weights; both then take 10 more steps on the same gradients and stay together."""
    rng = np.random.default_rng(5)
    shape_list = [(4, 3), (3,)]
    kw = dict(weight_decay=0.01, maximize=True)
    if name == "RMSprop":
        kw.update(momentum=0.5, centered=True)
    if name == "ASGD":
        kw.update(t0=3.0)
    _, mp = _pair([rng.standard_normal(s) for s in shape_list])
    m_opt = getattr(optim, name)(mp, **kw)
    for _ in range(8):
        for m, s in zip(mp, shape_list):
            m.grad = minigrad.tensor(rng.standard_normal(s))
        m_opt.step()
    tp = [torch.tensor(m.detach().numpy().copy(), requires_grad=True) for m in mp]
    t_opt = getattr(torch.optim, name)(tp, foreach=False, **kw)
    t_opt.load_state_dict(_to_torch(m_opt.state_dict()))
    for _ in range(10):
        _feed(tp, mp, [rng.standard_normal(s) for s in shape_list])
        t_opt.step()
        m_opt.step()
    _close(mp, tp, name)
    # and the other way: torch's state dict into a fresh minigrad optimizer
    mp2 = [minigrad.tensor(t.detach().numpy().copy(), requires_grad=True) for t in tp]
    m_opt2 = getattr(optim, name)(mp2, **kw)
    m_opt2.load_state_dict({"state": {k: {kk: minigrad.from_numpy(vv.numpy().copy()) for kk, vv in v.items()}
                                      for k, v in t_opt.state_dict()["state"].items()},
                            "param_groups": t_opt.state_dict()["param_groups"]})
    for _ in range(5):
        _feed(tp, mp2, [rng.standard_normal(s) for s in shape_list])
        t_opt.step()
        m_opt2.step()
    _close(mp2, tp, name + " (torch's state into minigrad)")


def test_defaults_match_torch():
    p = [torch.zeros(2, requires_grad=True)]
    q = [minigrad.zeros(2, requires_grad=True)]
    for name in NAMES + ["LBFGS"]:
        assert getattr(optim, name)(q).defaults == getattr(torch.optim, name)(p).defaults, name


@pytest.mark.parametrize("name, kw", [("RMSprop", dict(lr=-1.0)), ("RMSprop", dict(alpha=-0.1)),
                                      ("Adagrad", dict(lr_decay=-1.0)), ("Adadelta", dict(rho=1.5)),
                                      ("Adamax", dict(betas=(1.0, 0.9))), ("NAdam", dict(momentum_decay=-1.0)),
                                      ("RAdam", dict(eps=-1.0)), ("ASGD", dict(weight_decay=-1.0)),
                                      ("LBFGS", dict(lr=-1.0))])
def test_invalid_options_raise_like_torch(name, kw):
    with pytest.raises(ValueError) as t_err:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as m_err:
        getattr(optim, name)([minigrad.zeros(2, requires_grad=True)], **kw)
    assert str(m_err.value) == str(t_err.value)


def test_step_is_marked_no_grad():
    """Each step carries torch's decorator: a graph is never recorded by an update."""
    import inspect

    for name in NAMES + ["LBFGS", "SGD", "Adam", "AdamW"]:
        src = inspect.getsource(getattr(optim, name))
        assert "@no_grad()\n    def step" in src or name == "AdamW", name


# ---- LBFGS ---------------------------------------------------------------------------------------------------
def _least_squares(lib, w, x, y, opt):
    def closure():
        opt.zero_grad()
        loss = ((x @ w - y) ** 2).mean() + 0.01 * (w ** 2).sum()
        loss.backward()
        return loss
    return closure


@settings(max_examples=20)
# lr is never 0.1 with the line search: once d is near the Newton step of this quadratic, the slope at t = 0.1
# is 0.9 of the slope at 0, exactly the curvature condition's c2, and rounding decides whether t is accepted
# (torch against itself from weights one ulp apart then parts by 1e-5 too)
@given(lr_=some([0.05, 0.5, 1.0]), max_iter=some([1, 3, 8]), history_size=some([1, 3, 10]),
       line_search_fn=some([None, "strong_wolfe"]), tolerance_change=some([1e-9, 1e-4]),
       maximize=st.just(False), seed=st.integers(0, 2**32 - 1))
def test_lbfgs_matches_torch(lr_, max_iter, history_size, line_search_fn, tolerance_change, maximize, seed):
    rng = np.random.default_rng(seed)
    w0, x, y = rng.standard_normal((5, 3)) / 2, rng.standard_normal((12, 5)), rng.standard_normal((12, 3)) / 2
    kw = dict(lr=lr_, max_iter=max_iter, history_size=history_size, line_search_fn=line_search_fn,
              tolerance_change=tolerance_change)
    (tw,), (mw,) = _pair([w0])
    t_opt, m_opt = torch.optim.LBFGS([tw], **kw), optim.LBFGS([mw], **kw)
    t_closure = _least_squares(torch, tw, torch.tensor(x), torch.tensor(y), t_opt)
    m_closure = _least_squares(minigrad, mw, minigrad.tensor(x), minigrad.tensor(y), m_opt)
    for step in range(4):
        t_loss, m_loss = t_opt.step(t_closure), m_opt.step(m_closure)
        np.testing.assert_allclose(m_loss.item(), t_loss.item(), rtol=1e-10)
        # Close to the optimum y = g_new - g_old is a difference of nearly equal gradients, so its rounding
        # (relative to itself) grows and steers the next directions: the losses agree to 1e-10 while the weights,
        # along directions the loss hardly sees, drift apart by up to ~1e-7.
        _close([mw], [tw], f"LBFGS{kw} step {step}", rtol=1e-6, atol=1e-6)
    t_state, m_state = t_opt.state_dict()["state"][0], m_opt.state_dict()["state"][0]
    assert list(m_state) == list(t_state)
    assert m_state["func_evals"] == t_state["func_evals"] and m_state["n_iter"] == t_state["n_iter"]
    assert len(m_state["old_dirs"]) == len(t_state["old_dirs"])


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_state_dict_loads_into_torch_and_back(line_search_fn):
    """3 steps in minigrad, its state (history lists, H_diag, d, t...) into torch, 3 more steps on each side."""
    rng = np.random.default_rng(7)
    w0, x, y = rng.standard_normal((5, 3)) / 2, rng.standard_normal((12, 5)), rng.standard_normal((12, 3)) / 2
    kw = dict(lr=0.5, max_iter=3, history_size=4, line_search_fn=line_search_fn)
    _, (mw,) = _pair([w0])
    m_opt = optim.LBFGS([mw], **kw)
    m_closure = _least_squares(minigrad, mw, minigrad.tensor(x), minigrad.tensor(y), m_opt)
    for _ in range(3):
        m_opt.step(m_closure)
    tw = torch.tensor(mw.detach().numpy().copy(), requires_grad=True)
    t_opt = torch.optim.LBFGS([tw], **kw)
    t_opt.load_state_dict(_to_torch(m_opt.state_dict()))
    t_closure = _least_squares(torch, tw, torch.tensor(x), torch.tensor(y), t_opt)
    mw2 = minigrad.tensor(mw.detach().numpy().copy(), requires_grad=True)
    m_opt2 = optim.LBFGS([mw2], **kw)
    m_opt2.load_state_dict(m_opt.state_dict())
    m_closure2 = _least_squares(minigrad, mw2, minigrad.tensor(x), minigrad.tensor(y), m_opt2)
    for step in range(3):
        t_opt.step(t_closure)
        m_opt2.step(m_closure2)
        _close([mw2], [tw], f"LBFGS resumed, step {step}", rtol=1e-8, atol=1e-10)
    assert m_opt2.state[mw2]["func_evals"] == t_opt.state[tw]["func_evals"]


def test_lbfgs_maximize_and_one_group_only():
    rng = np.random.default_rng(0)
    w0, x, y = rng.standard_normal((5, 3)), rng.standard_normal((12, 5)), rng.standard_normal((12, 3))
    (tw,), (mw,) = _pair([w0])
    t_opt, m_opt = torch.optim.LBFGS([tw], maximize=True), optim.LBFGS([mw], maximize=True)

    def closure(lib, w, opt):
        def f():
            opt.zero_grad()
            loss = -(((lib.tensor(x) @ w - lib.tensor(y)) ** 2).mean() + 0.1 * (w ** 2).sum())
            loss.backward()
            return loss
        return f
    for _ in range(3):
        t_opt.step(closure(torch, tw, t_opt))
        m_opt.step(closure(minigrad, mw, m_opt))
    _close([mw], [tw], "LBFGS maximize", rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="per-parameter options"):
        optim.LBFGS([{"params": [mw]}, {"params": [minigrad.zeros(2, requires_grad=True)]}])


# ---- the tutorial MLP, 200 steps in float32 -----------------------------------------------------------------
@pytest.fixture
def one_blas_thread():
    """NumPy's OpenBLAS on one thread, as torch is here: with two pools alternating on a busy machine each tiny
    matmul waits on spinning threads, and a step takes ten times longer (see minigrad/cli/threads.py)."""
    from minigrad.cli.threads import get_blas_threads, set_threads

    before = get_blas_threads()
    set_threads(1)
    yield
    if before is not None:
        set_threads(before)


HIDDEN = 32  # the tutorial has 512; the comparison is the same, and 200 steps stay quick


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(784, HIDDEN), lib.nn.ReLU(),
                             lib.nn.Linear(HIDDEN, HIDDEN), lib.nn.ReLU(), lib.nn.Linear(HIDDEN, 10))


def _batches(steps, batch_size=32, seed=0):
    """Images labelled by their brightest band of rows (a rule the MLP can learn), as in test_nn_training."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.random((batch_size, 1, 28, 28), dtype=np.float32)
        x[np.arange(batch_size), 0, rng.integers(0, 28, batch_size)] += 1.0
        x /= 2
        bands = x.reshape(batch_size, -1)[:, :780].reshape(batch_size, 10, 78).mean(axis=2)
        yield x, bands.argmax(axis=1)


MLP_CASES = [("RMSprop", dict(lr=1e-3, momentum=0.5)), ("Adagrad", dict(lr=1e-2)), ("Adadelta", dict(lr=1.0)),
             ("Adamax", dict(lr=2e-3)), ("NAdam", dict(lr=2e-3)), ("RAdam", dict(lr=1e-3)), ("ASGD", dict(lr=0.05))]


@pytest.mark.parametrize("name, kw", MLP_CASES)
def test_tutorial_mlp_trains_like_torch(name, kw, one_blas_thread):
    torch.manual_seed(0)
    t_model, m_model = _mlp(torch), _mlp(minigrad)
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    t_opt = getattr(torch.optim, name)(t_model.parameters(), foreach=False, **kw)
    m_opt = getattr(optim, name)(m_model.parameters(), **kw)
    t_losses, m_losses = _train_side_by_side(t_model, m_model, t_opt, m_opt, _batches(200))
    np.testing.assert_allclose(m_losses, t_losses, rtol=2e-4, atol=1e-5)
    assert np.mean(m_losses[-10:]) < np.mean(m_losses[:10]) - 0.05, "it learns"
    _weights_close(m_model, t_model, rtol=1e-3, atol=2e-4)


@pytest.mark.parametrize("kw, tol", [(dict(lr=0.1, max_iter=4, history_size=10), 1e-5),
                                     (dict(lr=1, max_iter=4, history_size=10, line_search_fn="strong_wolfe"), 2e-4)])
def test_tutorial_mlp_trains_like_torch_lbfgs(kw, tol, one_blas_thread):
    """LBFGS is a full-batch method: 8 steps (of 4 iterations each) on one batch of 128. Later, as the loss
    reaches 0 on that batch, float32 rounding differences grow quickly and the runs part."""
    torch.manual_seed(0)
    t_model, m_model = _mlp(torch), _mlp(minigrad)
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_model.state_dict().items()})
    t_opt, m_opt = torch.optim.LBFGS(t_model.parameters(), **kw), optim.LBFGS(m_model.parameters(), **kw)
    t_losses, m_losses = _train_side_by_side(t_model, m_model, t_opt, m_opt, [next(_batches(1, 128))] * 8)
    np.testing.assert_allclose(m_losses, t_losses, rtol=tol)
    assert m_losses[-1] < m_losses[0] - 0.5, "it learns"
    _weights_close(m_model, t_model, rtol=1e-3, atol=20 * tol)


def _weights_close(m_model, t_model, **tol):
    for (key, p), (_, q) in zip(m_model.state_dict().items(), t_model.state_dict().items()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), err_msg=key, **tol)


def _train_side_by_side(t_model, m_model, t_opt, m_opt, batches):
    """One step of each library per batch, through a closure (which every optimizer accepts); the losses."""
    t_loss_fn, m_loss_fn = torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    t_losses, m_losses = [], []
    for x, y in batches:
        def t_closure():
            t_opt.zero_grad()
            loss = t_loss_fn(t_model(torch.from_numpy(x)), torch.from_numpy(y))
            loss.backward()
            return loss

        def m_closure():
            m_opt.zero_grad()
            loss = m_loss_fn(m_model(minigrad.from_numpy(x)), minigrad.from_numpy(y))
            loss.backward()
            return loss
        t_losses.append(t_opt.step(t_closure).item())
        m_losses.append(m_opt.step(m_closure).item())
    return t_losses, m_losses
