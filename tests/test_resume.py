"""Kill-and-resume is exact: a `minigrad train` subprocess killed with SIGKILL mid-epoch, then resumed, ends with the
same bits (weights, optimizer state, RNG, shuffle generator) as a run that was never interrupted."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import minigrad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 4800 samples in batches of 32: 150 steps per epoch, a checkpoint every 4 of them
RUN = ["--limit", "4800", "--test-limit", "256", "--batch-size", "32", "--epochs", "2", "--checkpoint-every", "4"]


def _env(fashion_root):
    return dict(os.environ, MINIGRAD_DATA=fashion_root, OMP_NUM_THREADS="1", PYTHONPATH=ROOT)


def _train(args, env, **kw):
    return subprocess.Popen([sys.executable, "-m", "minigrad", "train", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def _flat(obj, prefix=""):
    """{path: np.ndarray or value} of a nested checkpoint, for an exact comparison."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_flat(v, f"{prefix}/{k}"))
        return out
    if isinstance(obj, (list, tuple)):
        out = {}
        for i, v in enumerate(obj):
            out.update(_flat(v, f"{prefix}/{i}"))
        return out
    return {prefix: obj.numpy() if isinstance(obj, minigrad.Tensor) else obj}


def _assert_same_bits(a, b):
    fa, fb = _flat(a), _flat(b)
    assert fa.keys() == fb.keys()
    for key in fa:
        if isinstance(fa[key], np.ndarray):
            assert fa[key].dtype == fb[key].dtype and fa[key].shape == fb[key].shape, key
            assert fa[key].tobytes() == fb[key].tobytes(), f"{key} differs"
        else:
            assert fa[key] == fb[key], key


def test_sigkill_mid_epoch_then_resume_is_bit_identical(fashion_root, tmp_path):
    env = _env(fashion_root)
    whole, broken = str(tmp_path / "whole.mg"), str(tmp_path / "broken.mg")

    out, _ = _train([*RUN, "--checkpoint", whole], env).communicate(timeout=300)
    assert "Done!" in out, out

    proc = _train([*RUN, "--checkpoint", broken], env)
    deadline = time.monotonic() + 120
    while not os.path.exists(broken) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)  # the first mid-epoch checkpoint is on disk: die without any clean-up
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the run ended before it could be killed:\n{out}"
    assert "Done!" not in out
    killed_at = minigrad.load(broken)
    assert killed_at["epoch"] == 0 and 0 < killed_at["batch"] < 150, "the kill did not land mid-epoch"

    out, _ = _train([*RUN, "--checkpoint", broken, "--resume"], env).communicate(timeout=300)
    assert f"Resuming from {broken}: epoch 1, batch {killed_at['batch']}" in out, out
    assert "Done!" in out, out
    final, reference = minigrad.load(broken), minigrad.load(whole)
    assert final["epoch"] == 2 and final["batch"] == 0
    _assert_same_bits(final, reference)


def test_resume_refuses_a_checkpoint_from_other_settings(fashion_root, tmp_path, monkeypatch, capsys):
    from minigrad.__main__ import main

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    ckpt = str(tmp_path / "c.mg")
    small = ["train", "--limit", "128", "--test-limit", "64", "--checkpoint", ckpt]
    assert main(small) == 0
    with pytest.raises(SystemExit, match=r"different run \(lr: checkpoint 0\.001, now 0\.1\)"):
        main([*small, "--resume", "--lr", "0.1"])
    capsys.readouterr()
    assert main([*small, "--resume", "--epochs", "2"]) == 0  # more epochs is the same run, continued
    out = capsys.readouterr().out
    assert "Resuming from" in out and "epoch 2, batch 0" in out and out.count("Test Error:") == 1
