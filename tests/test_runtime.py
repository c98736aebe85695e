"""minigrad._runtime: the allocator setting applied at import (freed memory kept for reuse), and its opt-out."""
import os
import subprocess
import sys

import pytest

import minigrad
from minigrad import _runtime


def _tuned_in_fresh_process(**env):
    code = "import minigrad, json; print(json.dumps(minigrad._runtime.tuned()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **env})
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.environ.get("MINIGRAD_TUNE") == "0",
                    reason="mallopt is glibc's (Linux), and MINIGRAD_TUNE=0 turns it off")
def test_import_keeps_freed_memory_on_glibc():
    assert minigrad._runtime.tuned() == {"freed memory kept": True}
    assert _tuned_in_fresh_process(MINIGRAD_TUNE="1") == '{"freed memory kept": true}'


def test_opt_out_leaves_the_process_alone():
    assert _tuned_in_fresh_process(MINIGRAD_TUNE="0") == "{}"


def test_apply_runs_once():
    before = _runtime.tuned()
    _runtime.apply()
    assert _runtime.tuned() == before
