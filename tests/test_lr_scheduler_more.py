"""The lr schedulers of issue 11 against torch's: the same learning rates (exactly: the same float formulas in the
same order), the same momentum for the cycling ones, state dicts with torch's keys that resume a run, and errors."""
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import optim

some = st.sampled_from
lrs = st.lists(some([0.1, 0.05, 1.0, 3e-4]), min_size=1, max_size=3)


def _optimizers(lrs_, name="SGD", **kw):
    """A torch and a minigrad optimizer with one param group per lr."""
    t_opt = getattr(torch.optim, name)([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs_],
                                       **kw)
    m_opt = getattr(optim, name)([{"params": [minigrad.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs_],
                                 **kw)
    return t_opt, m_opt


def _groups(opt, key):
    return [g[key] for g in opt.param_groups]


def _run(make, lrs_, epochs, name="SGD", opt_kw=None, metrics=None):
    """Build the scheduler with `make(lr_scheduler_module, optimizer)` on both sides, step both `epochs` times
    (after the optimizer's step), and compare lrs (and momentum or betas) at every epoch. Returns both."""
    t_opt, m_opt = _optimizers(lrs_, name, **(opt_kw or {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_s, m_s = make(torch.optim.lr_scheduler, t_opt), make(optim.lr_scheduler, m_opt)
    _compare(t_s, m_s, t_opt, m_opt, "construction")
    for epoch in range(epochs):
        t_opt.step()
        m_opt.step()
        if metrics is None:
            t_s.step()
            m_s.step()
        else:
            t_s.step(metrics[epoch])
            m_s.step(metrics[epoch])
        _compare(t_s, m_s, t_opt, m_opt, f"epoch {epoch}")
    return t_s, m_s, t_opt, m_opt


def _compare(t_s, m_s, t_opt, m_opt, what):
    assert m_s.get_last_lr() == t_s.get_last_lr(), what
    assert _groups(m_opt, "lr") == _groups(t_opt, "lr"), what
    for key in ("momentum", "betas"):
        if key in t_opt.defaults:
            assert _groups(m_opt, key) == _groups(t_opt, key), f"{what}: {key}"
    assert getattr(m_s, "last_epoch", None) == getattr(t_s, "last_epoch", None), what


@settings(max_examples=20)
@given(lrs, some([0.5, 0.9, 0.99]), st.integers(1, 60))
def test_exponential(lrs_, gamma, epochs):
    _run(lambda L, o: L.ExponentialLR(o, gamma), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, st.lists(st.integers(0, 30), max_size=5), some([0.1, 0.5]), st.integers(1, 40))
def test_multistep(lrs_, milestones, gamma, epochs):
    _run(lambda L, o: L.MultiStepLR(o, milestones, gamma), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, some([0.1, 1 / 3, 0.5, 1.0]), st.integers(0, 10), st.integers(1, 20))
def test_constant(lrs_, factor, total_iters, epochs):
    _run(lambda L, o: L.ConstantLR(o, factor, total_iters), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, some([0.1, 1 / 3, 1.0]), some([0.0, 0.5, 1.0]), st.integers(1, 10), st.integers(1, 20))
def test_linear(lrs_, start, end, total_iters, epochs):
    _run(lambda L, o: L.LinearLR(o, start, end, total_iters), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, st.integers(1, 10), some([0.5, 1.0, 2.0]), st.integers(1, 20))
def test_polynomial(lrs_, total_iters, power, epochs):
    _run(lambda L, o: L.PolynomialLR(o, total_iters, power), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, st.integers(1, 10), some([0.0, 1e-3]), st.integers(1, 50))
def test_cosine_annealing(lrs_, T_max, eta_min, epochs):
    _run(lambda L, o: L.CosineAnnealingLR(o, T_max, eta_min), lrs_, epochs)


@settings(max_examples=20)
@given(lrs, st.integers(1, 6), some([1, 2, 3]), some([0.0, 1e-3]), st.integers(1, 60))
def test_cosine_warm_restarts(lrs_, T_0, T_mult, eta_min, epochs):
    _run(lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min), lrs_, epochs)


def test_cosine_warm_restarts_fractional_epochs():
    t_opt, m_opt = _optimizers([0.1])
    t_s = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(t_opt, T_0=3, T_mult=2)
    m_s = optim.lr_scheduler.CosineAnnealingWarmRestarts(m_opt, T_0=3, T_mult=2)
    for epoch in [0.25, 0.5, 1.75, 3.0, 4.5, 9.1, 20.0, 2.0]:
        t_opt.step()
        m_opt.step()
        t_s.step(epoch)
        m_s.step(epoch)
        _compare(t_s, m_s, t_opt, m_opt, f"epoch {epoch}")


@settings(max_examples=25)
@given(lrs, some(["triangular", "triangular2", "exp_range"]), st.integers(1, 6), some([None, 2, 5]),
       some([1.0, 0.9]), st.booleans(), some(["SGD", "Adam"]), st.integers(1, 50))
def test_cyclic(lrs_, mode, up, down, gamma, cycle_momentum, name, epochs):
    opt_kw = dict(momentum=0.9) if name == "SGD" else {}
    _run(lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=[0.1 * (i + 1) for i in range(len(lrs_))],
                                 step_size_up=up, step_size_down=down, mode=mode, gamma=gamma,
                                 cycle_momentum=cycle_momentum), lrs_, epochs, name, opt_kw)


def test_cyclic_with_a_scale_fn():
    _run(lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
                                 cycle_momentum=False), [0.1], 30)


@settings(max_examples=25)
@given(lrs, st.integers(20, 60), some([0.25, 0.3, 0.45]), some(["cos", "linear"]), st.booleans(),
       st.booleans(), some(["SGD", "Adam"]))
def test_one_cycle(lrs_, total_steps, pct_start, anneal_strategy, three_phase, cycle_momentum, name):
    opt_kw = dict(momentum=0.9) if name == "SGD" else {}
    _run(lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=total_steps, pct_start=pct_start,
                                   anneal_strategy=anneal_strategy, three_phase=three_phase,
                                   cycle_momentum=cycle_momentum), lrs_, total_steps - 1, name, opt_kw)


def test_one_cycle_from_epochs_and_steps_and_its_end():
    t_s, m_s, _, _ = _run(lambda L, o: L.OneCycleLR(o, max_lr=[0.3, 0.6], epochs=3, steps_per_epoch=4), [0.1, 0.2],
                          12, opt_kw=dict(momentum=0.8))
    with pytest.raises(ValueError) as t_err:
        t_s.step()
    with pytest.raises(ValueError) as m_err:
        m_s.step()
    assert str(m_err.value) == str(t_err.value)


@settings(max_examples=20)
@given(lrs, st.integers(1, 8), st.integers(1, 30))
def test_sequential(lrs_, milestone, epochs):
    def make(L, o):
        return L.SequentialLR(o, [L.ConstantLR(o, factor=0.1, total_iters=3), L.ExponentialLR(o, gamma=0.9),
                                  L.CosineAnnealingLR(o, T_max=5)], milestones=[milestone, milestone + 6])
    _run(make, lrs_, epochs)


@settings(max_examples=20)
@given(lrs, st.integers(1, 30))
def test_chained(lrs_, epochs):
    def make(L, o):
        return L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=4), L.ExponentialLR(o, gamma=0.9),
                                   L.MultiStepLR(o, [3, 7])], optimizer=o)
    _run(make, lrs_, epochs)


@settings(max_examples=30)
@given(lrs, some(["min", "max"]), some([0.1, 0.5]), st.integers(0, 3), some([1e-4, 0.1]), some(["rel", "abs"]),
       st.integers(0, 2), some([0.0, 1e-3, [1e-3, 1e-2, 0.0]]),
       st.lists(some([1.0, 0.9, 0.95, 0.5, 0.5001, 2.0]), min_size=1, max_size=40))
def test_reduce_on_plateau(lrs_, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, metrics):
    if isinstance(min_lr, list):
        min_lr = min_lr[:len(lrs_)] + [0.0] * (len(lrs_) - len(min_lr))
    _run(lambda L, o: L.ReduceLROnPlateau(o, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr),
         lrs_, len(metrics), metrics=metrics)


# ---- state dicts -------------------------------------------------------------------------------------------------
MAKERS = {
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, 0.9),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, [2, 5, 5]),
    "ConstantLR": lambda L, o: L.ConstantLR(o, 0.5, 4),
    "LinearLR": lambda L, o: L.LinearLR(o, 0.2, 1.0, 6),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, 8, 2.0),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, 5, 1e-3),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, 2),
    "CyclicLR": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2"),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, 0.5, total_steps=30),
    "SequentialLR": lambda L, o: L.SequentialLR(o, [L.ConstantLR(o, 0.1, 2), L.ExponentialLR(o, 0.9)], [3]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler([L.ConstantLR(o, 0.1, 2), L.ExponentialLR(o, 0.9)]),
    "ReduceLROnPlateau": lambda L, o: L.ReduceLROnPlateau(o, patience=1),
}


def _step(s, opt, i):
    opt.step()
    if isinstance(s, (torch.optim.lr_scheduler.ReduceLROnPlateau, optim.lr_scheduler.ReduceLROnPlateau)):
        s.step([1.0, 1.0, 0.5, 0.6, 0.7, 0.7][i % 6])
    else:
        s.step()


@pytest.mark.parametrize("name", list(MAKERS))
def test_state_dict_matches_torch_and_resumes(name):
    """After 7 steps: the same state_dict keys and values as torch's; a new scheduler (on a new optimizer that
    loaded the old one's state) loading it continues exactly where torch's run goes."""
    make = MAKERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_opt, m_opt = _optimizers([0.1, 0.2], momentum=0.9)
        t_s, m_s = make(torch.optim.lr_scheduler, t_opt), make(optim.lr_scheduler, m_opt)
        for i in range(7):
            _step(t_s, t_opt, i)
            _step(m_s, m_opt, i)
        t_sd, m_sd = t_s.state_dict(), m_s.state_dict()
        assert sorted(m_sd) == sorted(t_sd)
        plain = lambda sd: {k: v for k, v in sd.items() if k not in ("_schedulers", "_scale_fn_ref")}  # noqa: E731
        assert plain(m_sd) == plain(t_sd)
        if "_schedulers" in t_sd:
            assert m_sd["_schedulers"] == t_sd["_schedulers"]

        m_opt2 = optim.SGD([{"params": [minigrad.zeros(1, requires_grad=True)], "lr": lr} for lr in (0.1, 0.2)],
                           momentum=0.9)
        m_s2 = make(optim.lr_scheduler, m_opt2)
        m_opt2.load_state_dict(m_opt.state_dict())
        m_s2.load_state_dict(m_sd)
        for i in range(7, 14):
            _step(t_s, t_opt, i)
            _step(m_s2, m_opt2, i)
            _compare(t_s, m_s2, t_opt, m_opt2, f"{name} resumed, step {i}")


def test_errors_match_torch():
    t_opt, m_opt = _optimizers([0.1])
    cases = [
        lambda L, o: L.ConstantLR(o, factor=1.5), lambda L, o: L.LinearLR(o, start_factor=0),
        lambda L, o: L.LinearLR(o, end_factor=2), lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), lambda L, o: L.ReduceLROnPlateau(o, factor=2),
        lambda L, o: L.ReduceLROnPlateau(o, mode="up"), lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="x"),
        lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="x"),
        lambda L, o: L.OneCycleLR(o, 0.1), lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=2.0),
        lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="x"),
        lambda L, o: L.OneCycleLR(o, [0.1, 0.2], total_steps=10),
        lambda L, o: L.SequentialLR(o, [L.ExponentialLR(o, 0.9)], milestones=[3]),
        lambda L, o: L.ChainedScheduler([]), lambda L, o: L.SequentialLR(o, [L.ReduceLROnPlateau(o)], []),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(Exception) as t_err:
            case(torch.optim.lr_scheduler, t_opt)
        with pytest.raises(Exception) as m_err:
            case(optim.lr_scheduler, m_opt)
        assert type(m_err.value) is type(t_err.value), f"case {i}"
        assert str(m_err.value) == str(t_err.value), f"case {i}"
    t_adagrad = torch.optim.Adagrad([torch.zeros(1, requires_grad=True)])
    m_adagrad = optim.Adagrad([minigrad.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError) as t_err:
        torch.optim.lr_scheduler.CyclicLR(t_adagrad, 0.1, 1.0)
    with pytest.raises(ValueError) as m_err:
        optim.lr_scheduler.CyclicLR(m_adagrad, 0.1, 1.0)
    assert str(m_err.value) == str(t_err.value)


def test_warns_when_the_optimizer_step_was_replaced():
    t_opt, m_opt = _optimizers([0.1])
    for L, opt in ((torch.optim.lr_scheduler, t_opt), (optim.lr_scheduler, m_opt)):
        s = L.ExponentialLR(opt, 0.9)
        opt.step = lambda: None
        with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler initialization"):
            s.step()


@settings(max_examples=15)
@given(lrs, some([0.5, 0.9, 1.05]), st.integers(1, 30))
def test_multiplicative(lrs_, factor, epochs):
    _run(lambda L, o: L.MultiplicativeLR(o, lambda epoch: factor ** (epoch % 3)), lrs_, epochs)


@pytest.mark.parametrize("name", ["ExponentialLR", "MultiStepLR", "ConstantLR", "LinearLR", "PolynomialLR",
                                  "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name):
    t_opt, m_opt = _optimizers([0.1, 0.3])
    t_s, m_s = MAKERS[name](torch.optim.lr_scheduler, t_opt), MAKERS[name](optim.lr_scheduler, m_opt)
    for epoch in [3, 1, 7, 7, 0, 12, 2]:
        t_opt.step()
        m_opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_s.step(epoch)
            m_s.step(epoch)
        _compare(t_s, m_s, t_opt, m_opt, f"{name} epoch {epoch}")


def test_reduce_on_plateau_takes_a_tensor_metric():
    t_opt, m_opt = _optimizers([0.1])
    t_s = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, patience=0)
    m_s = optim.lr_scheduler.ReduceLROnPlateau(m_opt, patience=0)
    for v in [1.0, 2.0, 2.0, 0.5, 0.7]:
        t_s.step(torch.tensor(v))
        m_s.step(minigrad.tensor(v))
        _compare(t_s, m_s, t_opt, m_opt, f"metric {v}")
