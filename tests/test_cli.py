"""The `minigrad` command end to end on small subsets: train (both frameworks), compare, the console script."""
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from minigrad.__main__ import main
from minigrad.cli.common import Progress
from minigrad.cli.report import check_criteria
from minigrad.cli.threads import get_blas_threads, set_threads

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_LINE = re.compile(r"Test Error: \n Accuracy: \d+\.\d%, Avg loss: \d+\.\d{6} \n")


@pytest.fixture
def data(fashion_root, monkeypatch):
    """Real FashionMNIST for in-process runs, and the BLAS thread counts put back after them."""
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    blas = get_blas_threads()
    torch = sys.modules.get("torch")
    torch_threads = torch.get_num_threads() if torch else None
    yield fashion_root
    if blas is not None:
        set_threads(blas)
    if torch_threads is not None:
        sys.modules["torch"].set_num_threads(torch_threads)


def test_console_script_and_module_both_answer():
    out = subprocess.run([sys.executable, "-m", "minigrad", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "train" in out.stdout and "compare" in out.stdout, out.stderr
    script = shutil.which("minigrad", path=os.path.dirname(sys.executable))  # pip's entry point, where installed
    cmd = [script] if script else [sys.executable, "-m", "minigrad"]
    out = subprocess.run([*cmd, "train", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for flag in ("--epochs", "--batch-size", "--lr", "--optimizer", "--momentum", "--seed", "--data-dir",
                 "--framework", "--device", "--checkpoint", "--resume", "--limit", "--model"):
        assert flag in out.stdout
    out = subprocess.run([*cmd, "compare", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--tolerance" in out.stdout and "--check-grads" in out.stdout, out.stderr
    bad = subprocess.run([*cmd, "fly"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "invalid choice: 'fly'" in bad.stderr


def test_train_with_minigrad_prints_the_tutorials_lines(data, capsys):
    assert main(["train", "--limit", "640", "--test-limit", "320", "--epochs", "2", "--batch-size", "32",
                 "--lr", "0.05", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("-------------------------------") == 2 and out.rstrip().endswith("Done!")
    lines = TEST_LINE.findall(out)
    assert len(lines) == 2
    assert re.search(r"loss: \d\.\d{6}  \[   32/  640\]", out)  # not a tty: the tutorial's progress lines
    first, second = (float(re.search(r"Avg loss: (\S+)", line).group(1)) for line in lines)
    assert second < first  # lr 0.05 on 640 images: the second epoch tests better


def test_train_with_the_torch_reference(data, capsys):
    pytest.importorskip("torchvision")
    assert main(["train", "--framework", "torch", "--device", "cpu", "--limit", "256", "--test-limit", "128",
                 "--optimizer", "adam", "--threads", "1"]) == 0
    assert len(TEST_LINE.findall(capsys.readouterr().out)) == 1


def test_minigrad_refuses_a_gpu_device(data):
    with pytest.raises(SystemExit, match="minigrad runs on the CPU only"):
        main(["train", "--device", "cuda", "--limit", "64"])


def test_compare_writes_the_report_and_the_plot(data, tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    out = tmp_path / "cmp"
    assert main(["compare", "--limit", "320", "--test-limit", "200", "--epochs", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert [e["epoch"] for e in report["epochs"]] == [1, 2]
    assert len(report["steps"]["loss_minigrad"]) == 10 and report["config"]["threads"]["torch_threads"] == 1
    assert (out / "loss_drift.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert printed.count("minigrad Test Error: Accuracy:") == 2 and "largest per-step loss rel diff" in printed
    assert f"Report: {out / 'report.json'}" in printed


def test_the_cnn_in_compare_and_train(data, tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "cnn"
    assert main(["compare", "--model", "cnn", "--limit", "256", "--test-limit", "128", "--strict",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert report["config"]["model"] == "cnn" and len(report["steps"]["buffer_max_rel_diff"]) == 4
    assert "(cnn)" in printed and "running statistics: largest diff" in printed and "all passed" in printed
    assert "classifier.weight" in report["epochs"][0]["param_diff"] and all(report["checks"].values())
    from minigrad.__main__ import build_parser
    from minigrad.cli import train
    model = train.run(build_parser().parse_args(["train", "--model", "cnn", "--limit", "128", "--test-limit", "64",
                                                 "--threads", "1"]))
    assert type(model).__name__ == "CNN" and not model.features[1].running_mean.eq(0).all().item()
    assert len(TEST_LINE.findall(capsys.readouterr().out)) == 1


def test_compare_without_matplotlib_skips_the_plot_with_a_note(data, tmp_path, capsys, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert main(["compare", "--limit", "128", "--test-limit", "64", "--out", str(tmp_path)]) == 0
    assert "Plot:   skipped (matplotlib is not installed" in capsys.readouterr().out
    assert (tmp_path / "report.json").exists() and not (tmp_path / "loss_drift.png").exists()


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = Progress(100, label="epoch 1/1 ", stream=stream)
    for batch in range(4):
        bar.update(batch, 25, 2.5 - 0.5 * batch)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\repoch 1/1 [") and text.endswith("\n")
    assert "100/  100 loss 1.000000" in text and "samples/s" in text  # the last update is always drawn


def test_the_checks_follow_the_issue_thresholds():
    good = {"max_step_loss_rel_diff": 9e-5, "accuracy_diff_points": -0.1, "predictions_identical": 0.998}
    assert all(check_criteria(good).values())
    for key, bad in (("max_step_loss_rel_diff", 1e-4), ("accuracy_diff_points", 0.2),
                     ("predictions_identical", 0.9979)):
        assert sum(not ok for ok in check_criteria(dict(good, **{key: bad})).values()) == 1
