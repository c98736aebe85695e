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


TINY = ["--limit", "640", "--test-limit", "64", "--batch-size", "8", "--checkpoint-every", "1"]


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_two_writers_on_one_checkpoint_never_crash(fashion_root, tmp_path):
    """Both runs write the same path after every step: they take turns, the file is always whole, and the last
    complete write is what is left."""
    env = _env(fashion_root)
    ckpt = str(tmp_path / "shared.mg")
    procs = [_train([*TINY, "--seed", "0", "--checkpoint", ckpt], env) for _ in range(2)]
    seen = 0
    while any(p.poll() is None for p in procs):  # meanwhile, whatever is at the path loads
        if os.path.exists(ckpt):
            assert minigrad.load(ckpt)["config"]["limit"] == 640
            seen += 1
        time.sleep(0.01)
    outs = [p.communicate(timeout=60)[0] for p in procs]
    for p, out in zip(procs, outs):
        assert p.returncode == 0 and "Done!" in out, out
    final = minigrad.load(ckpt)
    assert final["epoch"] == 1 and final["batch"] == 0 and seen > 0
    assert _leftovers(tmp_path) == []


def test_kill_during_a_write_then_resume_leaves_no_temporary_file(fashion_root, tmp_path):
    env = _env(fashion_root)
    ckpt = str(tmp_path / "c.mg")
    # what killed writers leave: minigrad.save's temporary and the two names earlier versions of the CLI used
    for name in (".c.mg.k3j_x9q2.tmp", "c.mg.tmp", ".c.mg.tmp.abcdefgh.tmp"):
        (tmp_path / name).write_bytes(b"half a checkpoint")
    (tmp_path / ".other.mg.abcdefgh.tmp").write_bytes(b"another target's: not ours to remove")
    proc = _train([*TINY, "--checkpoint", ckpt], env)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:  # kill it while a checkpoint is being written
        if any(n.startswith(".c.mg.") and n != ".c.mg.k3j_x9q2.tmp" for n in _leftovers(tmp_path)):
            break
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    out, _ = _train([*TINY, "--checkpoint", ckpt, "--resume"], env).communicate(timeout=300)
    assert "Done!" in out, out
    assert _leftovers(tmp_path) == [".other.mg.abcdefgh.tmp"]
    assert minigrad.load(ckpt)["epoch"] == 1


@pytest.mark.parametrize("where, msg", [
    ("missing/c.mg", r"the folder \S*missing does not exist"),
    ("afile/c.mg", r"\S*afile is a file, not a folder"),
    ("", r"is a folder; give a file path"),
    ("/proc/c.mg", r"cannot write in /proc"),  # read-only even for root
])
def test_an_unwritable_checkpoint_fails_before_training(tmp_path, capsys, where, msg):
    from minigrad.__main__ import main

    (tmp_path / "afile").write_text("x")
    path = where if where.startswith("/") else str(tmp_path / where)
    with pytest.raises(SystemExit, match=msg) as info:
        main(["train", "--limit", "64", "--checkpoint", path])
    assert path in str(info.value)
    assert "Epoch 1" not in capsys.readouterr().out  # refused before any data was read or step taken


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes in a read-only folder anyway")
def test_a_read_only_folder_fails_before_training(tmp_path):
    from minigrad.__main__ import main

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(SystemExit, match=r"cannot write in .*ro \(Permission denied\)"):
            main(["train", "--limit", "64", "--checkpoint", str(folder / "c.mg")])
    finally:
        folder.chmod(0o755)


def test_resume_from_a_file_that_is_not_a_checkpoint(fashion_root, tmp_path, monkeypatch):
    from minigrad.__main__ import main

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    path = str(tmp_path / "weights.mg")
    minigrad.save({"weight": minigrad.zeros(3)}, path)
    with pytest.raises(SystemExit, match=r"weights\.mg is a minigrad file but not a `minigrad train` checkpoint: "
                                         r"it holds a dict with keys \['weight'\]"):
        main(["train", "--limit", "64", "--checkpoint", path, "--resume"])
    (tmp_path / "junk.mg").write_bytes(b"not a minigrad file at all")
    with pytest.raises(SystemExit, match=r"--resume: cannot read \S*junk\.mg as a minigrad checkpoint"):
        main(["train", "--limit", "64", "--checkpoint", str(tmp_path / "junk.mg"), "--resume"])


def test_disk_full_keeps_the_previous_checkpoint(fashion_root, tmp_path, monkeypatch):
    import errno

    from minigrad.__main__ import main

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    ckpt = str(tmp_path / "c.mg")
    small = ["train", "--limit", "64", "--test-limit", "64", "--checkpoint", ckpt]
    assert main(small) == 0
    before = open(ckpt, "rb").read()

    def full(obj, f):  # what minigrad.save raises when the disk fills (its own tests check the old file stays)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(minigrad, "save", full)
    with pytest.raises(SystemExit, match=r"writing the checkpoint failed .*No space left on device.*previous one"):
        main([*small, "--epochs", "2", "--resume"])
    assert open(ckpt, "rb").read() == before and _leftovers(tmp_path) == []


def test_torch_checkpoints_take_the_same_atomic_path(fashion_root, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    pytest.importorskip("torchvision")
    from minigrad.__main__ import main

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    ckpt = tmp_path / "t.pt"
    (tmp_path / ".t.pt.zz_12345.tmp").write_bytes(b"a killed writer's")
    threads = torch.get_num_threads()
    try:
        assert main(["train", "--framework", "torch", "--device", "cpu", "--limit", "64", "--test-limit", "64",
                     "--threads", "1", "--checkpoint", str(ckpt)]) == 0
    finally:
        torch.set_num_threads(threads)
    umask = os.umask(0o022)
    os.umask(umask)
    assert _leftovers(tmp_path) == [] and ckpt.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would make it
    assert torch.load(ckpt, weights_only=True)["epoch"] == 1
