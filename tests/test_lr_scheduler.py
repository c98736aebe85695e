"""optim.lr_scheduler against torch's: the same lr sequences, state dicts, warnings and errors."""
import re
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import optim


def _optimizers(lrs):
    """A torch and a minigrad SGD with one param group per lr."""
    t_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])
    m_opt = optim.SGD([{"params": [minigrad.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])
    return t_opt, m_opt


def _same_sequence(t_sched, m_sched, t_opt, m_opt, epochs):
    assert m_sched.get_last_lr() == t_sched.get_last_lr()
    for epoch in range(epochs):
        t_opt.step()
        m_opt.step()
        t_sched.step()
        m_sched.step()
        assert m_sched.get_last_lr() == t_sched.get_last_lr(), f"epoch {epoch}"
        assert [g["lr"] for g in m_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
    assert m_sched.last_epoch == t_sched.last_epoch == epochs


lrs = st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=3)


@given(lrs, st.integers(1, 7), st.floats(0.01, 1.5), st.integers(0, 30))
def test_steplr_matches_torch(lrs_, step_size, gamma, epochs):
    t_opt, m_opt = _optimizers(lrs_)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size, gamma=gamma)
    m_sched = optim.lr_scheduler.StepLR(m_opt, step_size, gamma=gamma)
    _same_sequence(t_sched, m_sched, t_opt, m_opt, epochs)
    assert m_sched.state_dict() == t_sched.state_dict()
    assert [g["initial_lr"] for g in m_opt.param_groups] == lrs_


@given(lrs, st.floats(0.5, 0.99), st.integers(0, 30))
def test_lambdalr_matches_torch(lrs_, base, epochs):
    fns = [lambda e, k=k: base ** e / (k + 1) for k in range(len(lrs_))]
    for lr_lambda in (fns[0], fns):  # one function for every group, and one per group
        t_opt, m_opt = _optimizers(lrs_)
        t_sched = torch.optim.lr_scheduler.LambdaLR(t_opt, lr_lambda)
        m_sched = optim.lr_scheduler.LambdaLR(m_opt, lr_lambda)
        _same_sequence(t_sched, m_sched, t_opt, m_opt, epochs)
        assert m_sched.state_dict() == t_sched.state_dict()


def test_state_dict_resume_continues_the_sequence():
    """Checkpoint optimizer and scheduler mid-run (through minigrad.save/load), resume in fresh objects."""
    import io

    m_opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = optim.lr_scheduler.StepLR(m_opt, step_size=3, gamma=0.5)
    for _ in range(4):
        m_opt.step()
        sched.step()
    buf = io.BytesIO()
    minigrad.save({"opt": m_opt.state_dict(), "sched": sched.state_dict()}, buf)
    buf.seek(0)
    ckpt = minigrad.load(buf)
    opt2 = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=100)  # options come back from the state dict
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    for _ in range(7):
        for o, s in ((m_opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
    assert sched.get_last_lr() == [1.0 * 0.5 ** (11 // 3)]


class _Factor:
    """A callable object: its attributes are saved in LambdaLR's state dict (a function's are not)."""

    def __init__(self, f):
        self.f = f

    def __call__(self, epoch):
        return self.f ** epoch


def test_lambdalr_state_dict_keeps_callable_objects_attributes_like_torch():
    t_opt, m_opt = _optimizers([0.1, 0.2])
    t_sd = torch.optim.lr_scheduler.LambdaLR(t_opt, [_Factor(0.5), lambda e: 1.0]).state_dict()
    m_sched = optim.lr_scheduler.LambdaLR(m_opt, [_Factor(0.5), lambda e: 1.0])
    assert m_sched.state_dict() == t_sd
    fresh = optim.lr_scheduler.LambdaLR(_optimizers([0.1, 0.2])[1], [_Factor(0.9), lambda e: 1.0])
    sd = dict(m_sched.state_dict(), lr_lambdas=[{"f": 0.25}, None])
    fresh.load_state_dict(sd)
    assert fresh.lr_lambdas[0].f == 0.25 and "lr_lambdas" in sd


def _same_error(torch_fn, minigrad_fn):
    with pytest.raises(Exception) as t_err:
        torch_fn()
    with pytest.raises(Exception) as m_err:
        minigrad_fn()
    assert type(m_err.value) is type(t_err.value) and str(m_err.value) == str(t_err.value)


def test_errors_match_torch():
    t_opt, m_opt = _optimizers([0.1, 0.2])
    _same_error(lambda: torch.optim.lr_scheduler.LambdaLR(t_opt, [lambda e: 1.0]),
                lambda: optim.lr_scheduler.LambdaLR(m_opt, [lambda e: 1.0]))
    _same_error(lambda: torch.optim.lr_scheduler.StepLR(t_opt, 2, last_epoch=3),
                lambda: optim.lr_scheduler.StepLR(m_opt, 2, last_epoch=3))
    _same_error(lambda: torch.optim.lr_scheduler.StepLR("sgd", 2),
                lambda: optim.lr_scheduler.StepLR("sgd", 2))


def test_warns_when_stepped_before_the_optimizer_like_torch():
    for lib in (torch, minigrad):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match=re.escape("Detected call of `lr_scheduler.step()` before")):
            sched.step()
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, 2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
        sched.get_last_lr()
    with pytest.warns(UserWarning, match=re.escape("please use `get_last_lr()`")):
        sched.get_lr()


def test_step_with_epoch_uses_the_closed_form_like_torch():
    t_opt, m_opt = _optimizers([0.3])
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, 2, gamma=0.5)
    m_sched = optim.lr_scheduler.StepLR(m_opt, 2, gamma=0.5)
    t_opt.step()
    m_opt.step()
    for epoch in (5, 2, 9):
        with pytest.warns(UserWarning, match="The epoch parameter"):
            t_sched.step(epoch)
        with pytest.warns(UserWarning, match="The epoch parameter"):
            m_sched.step(epoch)
        assert m_sched.get_last_lr() == t_sched.get_last_lr()
