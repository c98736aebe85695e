"""The torch reference on a GPU: lockstep with minigrad (on the CPU) and checkpoint/resume with --device cuda.
Runs where torch.cuda.is_available(); skipped, with the reason, everywhere else."""
import json

import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="no CUDA GPU here (torch.cuda.is_available() is False); the CPU tests cover "
                                       "the same code paths")

from minigrad.__main__ import main  # noqa: E402
from minigrad.cli.threads import get_blas_threads, set_threads  # noqa: E402


@pytest.fixture
def data(fashion_root, monkeypatch):
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    blas, torch_threads = get_blas_threads(), torch.get_num_threads()
    yield
    if blas is not None:
        set_threads(blas)
    torch.set_num_threads(torch_threads)


def test_lockstep_against_torch_on_cuda(data, tmp_path):
    # cuBLAS sums in another order than NumPy's BLAS; TF32 stays off for float32 matmuls (torch's default)
    assert not torch.backends.cuda.matmul.allow_tf32
    assert main(["compare", "--device", "cuda", "--limit", "6400", "--test-limit", "2000", "--check-grads",
                 "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["config"]["device"].startswith("cuda")
    (epoch,) = report["epochs"]
    assert epoch["max_step_loss_rel_diff"] < 1e-4
    assert epoch["max_grad_diff"]["rel"] < 1e-4
    assert abs(epoch["accuracy_diff_points"]) <= 0.1 and epoch["predictions_identical"] >= 0.998


def test_checkpoint_and_resume_on_cuda(data, tmp_path, capsys):
    ckpt = str(tmp_path / "c.pt")
    base = ["train", "--framework", "torch", "--device", "cuda", "--limit", "640", "--test-limit", "256",
            "--checkpoint", ckpt, "--checkpoint-every", "3"]
    assert main([*base, "--epochs", "1"]) == 0
    assert main([*base, "--epochs", "2", "--resume"]) == 0
    resumed = torch.load(ckpt, weights_only=True)
    whole = str(tmp_path / "w.pt")
    assert main([*base[:-4], "--checkpoint", whole, "--epochs", "2"]) == 0
    uninterrupted = torch.load(whole, weights_only=True)
    assert "Resuming from" in capsys.readouterr().out
    for key, value in uninterrupted["model"].items():
        assert torch.equal(resumed["model"][key], value), key
