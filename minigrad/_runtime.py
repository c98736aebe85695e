"""A process setting that decides how fast NumPy runs minigrad's work, applied once when minigrad is imported:
freed memory is kept for reuse. `MINIGRAD_TUNE=0` in the environment leaves the process as it was; `tuned()` says
whether the setting was applied.

minigrad's graph makes and frees arrays of megabytes every step. glibc's malloc serves such arrays with fresh pages
(from mmap, or from a heap it trims back to the OS after each free), and the kernel's page faults while they are
first written then cost more than the arithmetic: a BatchNorm2d forward+backward at (64, 16, 28, 28) took 12.8 ms,
and 3.4 ms once freed memory stays with the process. `mallopt` keeps arrays under 64 MiB on the heap and lets up to
256 MiB of free heap stay before it is handed back, so the steady state of a training loop reuses its own pages.
glibc only; elsewhere (macOS, musl) nothing is changed. Peak memory is unchanged: only freed pages are kept longer.
"""
import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD, TRIM_THRESHOLD = 64 << 20, 256 << 20
_applied = {}


def _keep_freed_memory():
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # no C library found, or one without mallopt (musl)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def apply():
    """Apply the setting once (minigrad/__init__ calls this first of all)."""
    if not _applied and os.environ.get("MINIGRAD_TUNE", "1") != "0":
        _applied["freed memory kept"] = _keep_freed_memory()


def tuned():
    """{setting: whether it was applied}; empty when MINIGRAD_TUNE=0."""
    return dict(_applied)
