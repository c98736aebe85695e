"""The small FashionMNIST CNN (conv-batchnorm-relu-pool twice, then a linear layer) in minigrad and torch, in
lockstep on the real data: the same initial weights and buffers to the bit, the same batches, every step's loss,
parameters and batchnorm running statistics compared (`minigrad compare --model cnn`, in process)."""
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.__main__ import build_parser  # noqa: E402
from minigrad.cli import compare  # noqa: E402
from minigrad.cli.threads import get_blas_threads, set_threads  # noqa: E402

BUFFERS = [f"features.{i}.{b}" for i in (1, 5) for b in ("running_mean", "running_var", "num_batches_tracked")]


@pytest.fixture
def compare_run(fashion_root, monkeypatch, tmp_path):
    """Runs `minigrad compare --model cnn ARGS` here and returns (status, report); thread counts are put back."""
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    blas, torch_threads = get_blas_threads(), torch.get_num_threads()

    def run(*argv):
        out = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        args = build_parser().parse_args(["compare", "--model", "cnn", *argv, "--out", str(out)])
        status = compare.run(args)
        with open(out / "report.json") as f:
            return status, json.load(f)

    yield run
    if blas is not None:
        set_threads(blas)
    torch.set_num_threads(torch_threads)


def test_initial_weights_and_buffers_are_the_same_bits():
    args = build_parser().parse_args(["compare", "--model", "cnn", "--seed", "3"])
    t_model, m_model = compare.shared_models(args, "cpu")
    t_state, m_state = t_model.state_dict(), m_model.state_dict()
    assert list(t_state) == list(m_state) and all(name in m_state for name in BUFFERS)
    for key, value in t_state.items():
        mine = m_state[key].numpy()
        assert mine.dtype == value.numpy().dtype and mine.tobytes() == value.numpy().tobytes(), key
    assert m_state["features.1.num_batches_tracked"].dtype == minigrad.int64
    assert repr(m_model) == repr(t_model)


def test_one_hundred_fifty_steps_agree_with_torch(compare_run):
    # 9,600 images in batches of 64: 150 SGD steps, lr 1e-3, then a test-set evaluation on 3,000 images
    status, report = compare_run("--limit", "9600", "--test-limit", "3000", "--strict", "--float64")
    assert status == 0 and all(report["checks"].values()) and len(report["checks"]) == 4
    (epoch,) = report["epochs"]
    steps = report["steps"]
    assert len(steps["loss_minigrad"]) == len(steps["buffer_max_rel_diff"]) == 150
    assert epoch["max_step_loss_rel_diff"] < 1e-4
    assert steps["loss_minigrad"][-1] < steps["loss_minigrad"][0] - 0.5  # it trained
    assert abs(epoch["accuracy_diff_points"]) <= 0.2 and epoch["predictions_identical"] >= 0.995
    # running statistics: after the first step (same weights, same batch) equal to float32 rounding; then they
    # follow the weights' float32 drift, which stays small; the batch counters are equal
    assert epoch["first_step_buffer_rel_diff"] < 1e-6
    assert epoch["max_step_buffer_rel_diff"] < 1e-3
    assert sorted(epoch["buffer_diff"]) == sorted(BUFFERS)
    for name in BUFFERS[2::3]:
        assert epoch["buffer_diff"][name] == {"abs": 0.0, "rel": 0.0}
    # both float32 runs, weights and running statistics, stay within float32 noise of a float64 run (which one is
    # nearer varies; after one full epoch: weights 1.4e-3 and 1.1e-3, statistics 2.5e-4 and 4.1e-4)
    for key in ("float64_distance", "float64_buffer_distance"):
        f64 = epoch[key]
        assert 0 < f64["minigrad"] < 1e-2 and 0 < f64["torch"] < 1e-2
        assert f64["minigrad"] < 5 * f64["torch"], (key, f64)
    assert sorted(epoch["param_diff"]) == sorted(
        [f"features.{i}.{p}" for i in (0, 1, 4, 5) for p in ("weight", "bias")] + ["classifier.weight",
                                                                                 "classifier.bias"])
    for who in ("minigrad", "torch"):
        assert 0.5 < epoch[who]["test_accuracy"] <= 1 and epoch[who]["train_seconds"] > 0


def test_eval_uses_the_running_statistics(compare_run):
    # a few steps, then the test loop in eval mode: batchnorm normalizes with the running statistics, so a test
    # batch's logits do not depend on the other images in it; both frameworks agree on every prediction
    status, report = compare_run("--limit", "640", "--test-limit", "500", "--check-grads")
    (epoch,) = report["epochs"]
    assert epoch["predictions_identical"] == 1.0 and epoch["max_step_loss_rel_diff"] < 1e-5
    # the conv biases ahead of a batchnorm get gradients that are 0 in exact arithmetic: rounding noise only,
    # so their relative gradient difference is large; the other gradients agree closely
    assert epoch["max_grad_diff"]["name"] in ("features.0.bias", "features.4.bias")
