"""detect_anomaly: a NaN/Inf made by a backward names its op and the line of user code that created it."""
import os
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd import anomaly


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield
    assert not minigrad.autograd.is_anomaly_enabled()


def test_sqrt_of_negative_names_the_op_and_the_forward_line():
    x = minigrad.tensor([-1.0, 4.0], requires_grad=True)
    with minigrad.autograd.detect_anomaly():
        y = x.sqrt()  # the culprit: d√x/dx = 1/(2√x) is NaN at x = -1
        loss = y.sum()
        with pytest.raises(RuntimeError) as info:
            loss.backward()
    msg = str(info.value)
    assert msg.startswith("Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert "Traceback of forward call" in msg
    assert "test_anomaly.py" in msg and "y = x.sqrt()  # the culprit" in msg
    assert os.path.dirname(minigrad.__file__) + os.sep not in msg  # only the user's frames, none of minigrad's


def test_zero_times_inf_through_log_matches_torch():
    torch = pytest.importorskip("torch")
    x = minigrad.tensor([0.0], requires_grad=True)
    with minigrad.autograd.detect_anomaly():
        loss = (x.log() * 0).sum()  # forward: -inf * 0 = nan; backward: LogBackward0 gives 0/0
        with pytest.raises(RuntimeError) as mine:
            loss.backward()
    tx = torch.tensor([0.0], requires_grad=True)
    with torch.autograd.detect_anomaly():
        with pytest.raises(RuntimeError) as theirs:
            (tx.log() * 0).sum().backward()
    assert str(mine.value).split("\n")[0] == str(theirs.value)


def test_inf_is_reported_and_index_names_the_input():
    w = minigrad.tensor([1.0], requires_grad=True)
    x = minigrad.tensor([0.0], requires_grad=True)
    with minigrad.autograd.detect_anomaly():
        loss = (w / x).sum()  # d/dx (w/x) = -w/x² = -inf at 0, but d/dw = 1/x = inf too: input 0 first
        with pytest.raises(RuntimeError, match=r"Function 'DivBackward0' returned inf values in its 0th output"):
            loss.backward()


def test_off_by_default_and_graph_built_outside_still_named():
    x = minigrad.tensor([-1.0], requires_grad=True)
    y = x.sqrt().sum()
    y.backward()  # anomaly off: NaN gradient, no error, like torch
    assert np.isnan(x.grad.data).all()
    assert getattr(y.grad_fn, "trace", None) is None  # nothing recorded when off
    x.grad = None
    y = x.sqrt().sum()
    with minigrad.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="(?s)SqrtBackward0.*No forward traceback"):
            y.backward()


def test_set_detect_anomaly_and_check_nan_false():
    minigrad.autograd.set_detect_anomaly(True)
    try:
        assert minigrad.autograd.is_anomaly_enabled()
        x = minigrad.tensor([-1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            x.sqrt().sum().backward()
    finally:
        minigrad.autograd.set_detect_anomaly(False)
    with minigrad.autograd.set_detect_anomaly(True, check_nan=False):
        assert minigrad.autograd.is_anomaly_enabled() and not minigrad.autograd.is_anomaly_check_nan_enabled()
        x = minigrad.tensor([-1.0], requires_grad=True)
        x.sqrt().sum().backward()  # recorded, not checked
    assert minigrad.autograd.is_anomaly_check_nan_enabled()


def test_finite_backward_passes_and_warns_on_enter():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = minigrad.autograd.detect_anomaly()
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with ctx:
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_decorator_and_autograd_grad():
    @minigrad.autograd.detect_anomaly()
    def run():
        x = minigrad.tensor([-4.0], requires_grad=True)
        return minigrad.autograd.grad(x.sqrt().sum(), x)

    with pytest.raises(RuntimeError, match="SqrtBackward0"):
        run()


def test_recording_is_off_the_hot_path():
    assert anomaly._enabled is False  # Function.apply tests this one global before recording anything
