"""minigrad and torch in lockstep on the real FashionMNIST: the same initial weights and batches, every step's loss,
parameters and gradients compared (`minigrad compare`, in process, on the first few hundred steps of an epoch)."""
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from minigrad.__main__ import build_parser  # noqa: E402
from minigrad.cli import compare  # noqa: E402
from minigrad.cli.threads import get_blas_threads, set_threads  # noqa: E402


@pytest.fixture
def compare_run(fashion_root, monkeypatch, tmp_path):
    """Runs `minigrad compare ARGS` here and returns its report; the thread counts it sets are put back after."""
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    blas, torch_threads = get_blas_threads(), torch.get_num_threads()

    def run(*argv):
        out = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        args = build_parser().parse_args(["compare", *argv, "--out", str(out)])
        status = compare.run(args)
        with open(out / "report.json") as f:
            return status, json.load(f)

    yield run
    if blas is not None:
        set_threads(blas)
    torch.set_num_threads(torch_threads)


def test_two_hundred_fifty_sgd_steps_agree_with_torch(compare_run):
    # 16,000 images in batches of 64: 250 steps of the tutorial's SGD, lr 1e-3, evaluated on 2,000 test images
    status, report = compare_run("--limit", "16000", "--test-limit", "2000", "--strict", "--float64")
    assert status == 0
    (epoch,) = report["epochs"]
    steps = report["steps"]
    assert len(steps["loss_minigrad"]) == len(steps["loss_torch"]) == report["config"]["steps_per_epoch"] == 250
    assert epoch["max_step_loss_rel_diff"] < 1e-4
    assert max(steps["loss_rel_diff"]) == epoch["max_step_loss_rel_diff"]
    assert steps["loss_minigrad"][0] != steps["loss_minigrad"][-1]  # it trained
    assert abs(epoch["accuracy_diff_points"]) <= 0.1
    assert epoch["predictions_identical"] >= 0.998
    assert epoch["max_param_rel_diff"] < 1e-4 and report["first_exceeded"] is None
    assert all(report["checks"].values())
    # both float32 runs stay within float32 noise of a float64 run (which one a ReLU flip on a near-zero input
    # pushes further varies from run to run; over a full epoch both end 8.0e-5 away)
    f64 = epoch["float64_distance"]
    assert 0 < f64["minigrad"] < 1e-4 and 0 < f64["torch"] < 1e-4
    # the report's per-parameter figures cover the whole model
    assert sorted(epoch["param_diff"]) == sorted(f"linear_relu_stack.{i}.{p}" for i in (0, 2, 4)
                                                 for p in ("weight", "bias"))
    for who in ("minigrad", "torch"):
        assert 0.1 < epoch[who]["test_accuracy"] <= 1 and epoch[who]["train_seconds"] > 0


# Adam divides by sqrt(v) + 1e-8, so a gradient element near 0 whose last bit differs moves its weight by up to
# lr either way: its parameters (hence the next gradients) drift apart faster than plain SGD's
@pytest.mark.parametrize("optimizer, grad_tol", [(["--optimizer", "sgd", "--momentum", "0.9"], 1e-5),
                                                 (["--optimizer", "adam"], 1e-4)])
def test_gradients_agree_at_every_step(compare_run, optimizer, grad_tol):
    status, report = compare_run("--limit", "1920", "--test-limit", "500", "--check-grads", "--init", "minigrad",
                                 *optimizer)
    (epoch,) = report["epochs"]
    assert epoch["max_grad_diff"]["rel"] < grad_tol, epoch["max_grad_diff"]
    assert epoch["max_step_loss_rel_diff"] < 1e-5
    assert epoch["predictions_identical"] >= 0.998


def test_the_first_step_over_the_tolerance_is_named(compare_run):
    # float32 arithmetic in a different order is never exact: with a tolerance of 0 the very first step trips it
    status, report = compare_run("--limit", "640", "--test-limit", "200", "--tolerance", "0", "--check-grads")
    first = report["first_exceeded"]
    assert first["step"] == 0 and first["epoch"] == 1 and first["batch"] == 0
    assert first["quantity"] in ("loss", "gradient", "parameter")
    assert first["abs_error"] > 0 and first["rel_error"] > 0 and first["tolerance"] == 0
    if first["quantity"] != "loss":
        assert first["name"].startswith("linear_relu_stack.")
    # a loose tolerance is never reached
    status, report = compare_run("--limit", "640", "--test-limit", "200", "--tolerance", "1e-2")
    assert report["first_exceeded"] is None
    assert np.isfinite(report["steps"]["param_max_rel_diff"]).all()
