"""The benchmark scripts run end to end on a tiny configuration, so they never break. Numbers are not asserted
(speed is measured by the benchmarks themselves); what is checked is that they compute the right things."""
import json
import os

import numpy as np
import pytest
import torch

import minigrad
from benchmarks import common, models, report, run
from benchmarks.numpy_mlp import NumpyMLP

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def bench_data(fashion_root, monkeypatch):
    """The benchmarks read the real files from common.DATA_DIR (and their workers from $MINIGRAD_DATA): point both
    at conftest's fashion_root, which skips without the data but fails in CI, instead of a path check of our own
    that skipped silently there."""
    monkeypatch.setattr(common, "DATA_DIR", fashion_root)
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    return fashion_root


def _random_batches(n_batches=3, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)) for _ in range(n_batches)]


def test_numpy_floor_trains_exactly_like_torch():
    """The hand-written floor is the same computation as the tutorial's torch loop, step for step."""
    weights = common.init_weights(seed=1)
    data = _random_batches()
    floor = NumpyMLP(weights)
    ref = models.Trainer(torch, weights)
    for (x, y), (tx, ty) in zip(data, models.to_lib(torch, data)):
        loss = floor.step(x, y)
        tloss = ref.step(tx, ty)
        assert loss == pytest.approx(tloss.item(), rel=1e-5)
    assert models.max_weight_diff(floor.params, ref.weights()) < 1e-6
    assert all(w.dtype == np.float32 and b.dtype == np.float32 for w, b in floor.params)


def test_the_same_trainer_source_runs_on_both_frameworks():
    weights = common.init_weights(seed=2)
    data = _random_batches()
    a, b = models.Trainer(minigrad, weights), models.Trainer(torch, weights)
    a.epoch(models.to_lib(minigrad, data))
    b.epoch(models.to_lib(torch, data))
    assert models.max_weight_diff(a.weights(), b.weights()) < 1e-6


def test_flops_count_and_statistics():
    # forward 784*512 + 512*512 + 512*10 MACs; backward dW for all three, dx for the last two
    macs = 784 * 512 + 512 * 512 + 512 * 10
    assert common.mlp_flops((784, 512, 512, 10), 64) == 2 * 64 * (3 * macs - 784 * 512)
    s = common.summary([3.0, 1.0, 2.0, 10.0])
    assert (s["median"], s["min"], s["max"], s["n"]) == (2.5, 1.0, 10.0, 4)
    times = common.interleave({"a": lambda: 2.0, "b": lambda: 1.0}, rounds=3, warmup=1)
    assert times == {"a": [2.0] * 3, "b": [1.0] * 3}
    assert common.ratios(times, "a", "b")["median"] == 2.0


def test_quick_run_writes_the_report(bench_data, tmp_path):
    results = run.main(["--quick", "--out", str(tmp_path)])
    for name in ("results.md", "results.json", "epoch.png", "scaling.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    saved = json.loads((tmp_path / "results.json").read_text())
    assert len(saved["targets"]) == len(report.TARGETS)  # every target read, the epoch ones at both thread counts
    assert all(isinstance(t["met"], bool) for t in saved["targets"])
    assert results["epoch"]["max_weight_diff_vs_torch"] < 1e-5  # all contenders trained the same model
    assert not results["memory"]["minigrad_imported_torch"]
    layers = results["layers"]
    assert [o["layer"] for o in layers["layers"]][:2] == ["conv2d 1→16, 3x3 pad 1", "batchnorm2d(16), train"]
    assert all(o["max_rel_diff_vs_torch"] < 1e-4 for o in layers["layers"])  # both computed the same layer
    assert layers["vgg"]["max_rel_diff_vs_torch"] < 1e-4 and not layers["vgg"]["minigrad_imported_torch"]
    md = (tmp_path / "results.md").read_text()
    assert "## 1. End-to-end epoch" in md and "## 6. Memory" in md and "| minigrad |" in md
    assert "## 10. The CNN's layers" in md and "| max_pool2d 2 | 64x32x14x14 |" in md


def test_memory_worker_never_imports_torch_for_minigrad(bench_data):
    from benchmarks import bench_memory

    r = bench_memory.measure("minigrad", 64)
    assert r["torch_imported"] is False and r["framework"] == "minigrad"
    held = r["bytes_held_for_backward_per_step"]
    # activations of a batch of 64: the input (64x784) and two (64x512) layer inputs at least, as float32
    assert held["excluding_parameters"] >= 4 * 64 * (784 + 512 + 512)
    assert r["peak_rss"] >= r["rss_after_import"] > 0


def test_vgg_worker_builds_at_about_the_parameters_size():
    """Building a vgg costs its parameters' size and little more: init draws in float32 straight into the weights
    (it once drew float64 and cast, and peaked at 2.6x). The minigrad worker never imports torch."""
    from benchmarks import bench_layers

    r = bench_layers.measure_vgg("minigrad", "vgg11", 32, 1)
    assert r["torch_imported"] is False and r["parameter_bytes"] > 500 * 2 ** 20
    assert r["peak_rss_after_build"] - r["rss_after_import"] < 1.25 * r["parameter_bytes"]
    assert r["peak_rss_after_forward"] >= r["peak_rss_after_build"] and len(r["forward_s"]) == 1
