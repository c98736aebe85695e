"""`minigrad explain --html`: a self-contained page to step through a backward pass, checked in a real browser.

The browser tests need Debian's chromium (scripts/setup.sh installs it). Without it they skip, saying so, except
in CI (the CI environment variable set), where a missing browser is a failure."""
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import minigrad
from minigrad.autograd import explain
from minigrad.cli.html import layout, page, write_page


def _fan_in_trace():
    x = minigrad.randn(4, 3, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    return explain((x * b + x).sum(), params={"x": x, "b": b})


def test_page_is_self_contained_and_marks_fan_in_and_broadcasts():
    text = page(_fan_in_trace())
    assert "<svg" in text and "<style>" in text and "<script>" in text
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text) and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # nothing is fetched
    assert text.count('class="node ') == 5
    assert 'class="node leaf fanin" id="n5"' in text and "Σ of 2" in text  # x is used twice
    assert 'class="edge broadcast"' in text and "Σ axes (0,): broadcast undone" in text  # b (3,) over 4 rows


def test_layout_is_layered_by_depth():
    trace = _fan_in_trace()
    pos, width, height = layout(trace.steps)
    ys = {s["node"] + str(s["step"]): pos[s["step"]][1] for s in trace.steps}
    # Sum -> Add -> (Mul, x) ; Mul -> (x, b): x sits below Mul, the deepest node that sends it a gradient
    assert ys["SumBackward01"] < ys["AddBackward02"] < ys["MulBackward03"] < ys["AccumulateGrad5"]
    assert width > 0 and height > max(y for _, y in pos.values())


def test_explain_html_command(tmp_path, capsys):
    from minigrad.__main__ import main

    path = tmp_path / "step.html"
    assert main(["explain", "--batch-size", "2", "--random-data", "--html", str(path)]) == 0
    text = path.read_text()
    assert "CrossEntropyLossBackward0" in text and "linear_relu_stack.0.weight" in text
    assert text.count('<g class="node') == 15


# ---- in a real browser -----------------------------------------------------------------------------------------
def _chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser test: scripts/setup.sh installs it "
                        "(apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium, as scripts/setup.sh does)")
    return exe


def _browser(args, url, tmp_path):
    exe = _chromium()
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _current(dom):
    body = re.search(r'<body[^>]*data-current="([^"]*)"', dom)
    node = re.findall(r'class="node [^"]*\bcurrent\b[^"]*" id="(n\d+)"', dom)
    errors = re.search(r'<pre id="console-errors">(.*?)</pre>', dom, re.S)
    return (body.group(1) if body else None), node, (errors.group(1) if errors else None)


@pytest.fixture(scope="module")
def mlp_page(tmp_path_factory):
    from minigrad.__main__ import main

    path = tmp_path_factory.mktemp("page") / "step.html"
    main(["explain", "--batch-size", "4", "--random-data", "--html", str(path)])
    return path


def test_a_missing_browser_skips_but_fails_in_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        _chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser test"):
        _chromium()


def test_page_loads_without_errors_and_steps_by_address(mlp_page, tmp_path):
    first = _browser(["--dump-dom"], mlp_page.as_uri(), tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    body, node, errors = _current(first.stdout)
    assert errors == "" and body == "n1" and node == ["n1"]
    third = _browser(["--dump-dom"], mlp_page.as_uri() + "#step=3", tmp_path)
    body, node, errors = _current(third.stdout)
    assert errors == "" and body == "n3" and node == ["n3"]
    assert "[3/15] TBackward0" in third.stdout


def test_arrow_keys_step_through_the_engines_order(mlp_page, tmp_path):
    """A copy of the page presses → three times and ← once after it loads: the highlight moves to node 3."""
    keys = "".join(f"document.dispatchEvent(new KeyboardEvent('keydown', {{key: '{k}'}}));"
                   for k in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"))
    copy = tmp_path / "keys.html"
    copy.write_text(mlp_page.read_text().replace("</body>", f"<script>{keys}</script></body>"))
    out = _browser(["--dump-dom"], copy.as_uri(), tmp_path)
    body, node, errors = _current(out.stdout)
    assert errors == "" and body == "n3" and node == ["n3"]


def test_a_script_error_would_be_seen(mlp_page, tmp_path):
    copy = tmp_path / "broken.html"
    copy.write_text(mlp_page.read_text().replace("</body>", "<script>undefinedFunction();</script></body>"))
    _, _, errors = _current(_browser(["--dump-dom"], copy.as_uri(), tmp_path).stdout)
    assert "undefinedFunction" in errors  # so the empty record above means no error happened


def test_screenshot_is_not_blank(mlp_page, tmp_path):
    import matplotlib.image

    shot = tmp_path / "shot.png"
    out = _browser([f"--screenshot={shot}", "--window-size=1400,1000"], mlp_page.as_uri() + "#step=5", tmp_path)
    assert shot.exists(), out.stderr[-2000:]
    image = matplotlib.image.imread(shot)
    assert image.shape[:2] == (1000, 1400)
    assert image[..., :3].std() > 0.05  # not one colour
    highlight = (image[..., 0] > 0.95) & (image[..., 1] > 0.75) & (image[..., 1] < 0.9) & (image[..., 2] < 0.45)
    assert highlight.sum() > 1000  # the current node's yellow box is drawn
