"""How many threads the BLAS libraries use: NumPy's OpenBLAS (for minigrad) and torch's intra-op pool.

Why it matters: `minigrad compare` alternates NumPy and torch every step. Each library keeps its own thread pool
whose idle threads spin for a while before sleeping, so on a small machine the two pools fight for the same cores
and a step can take ten times longer than with one thread each. Environment variables (OMP_NUM_THREADS) only work
before NumPy is imported, so this sets the counts at run time: OpenBLAS through its C entry point (found by
name in the loaded library, as threadpoolctl does), torch through torch.set_num_threads.
"""
import ctypes
import os

_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_")
_GETTERS = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_")


def _openblas_libraries():
    """The OpenBLAS shared libraries loaded in this process (Linux: from /proc/self/maps)."""
    import numpy  # noqa: F401 - loads NumPy's BLAS if it is not loaded yet

    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    except OSError:
        return []
    paths = [p for p in paths if "openblas" in os.path.basename(p).lower() and ".so" in os.path.basename(p)]
    libs = []
    for path in sorted(paths):
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libs


def _call(lib, names, *args):
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn(*args)
    return None


def get_blas_threads():
    """NumPy's OpenBLAS thread count, or None when it cannot be read (another BLAS, another OS)."""
    for lib in _openblas_libraries():
        n = _call(lib, _GETTERS)
        if n is not None:
            return int(n)
    return None


def set_threads(n, torch=None):
    """Use n threads in NumPy's OpenBLAS and (when given) torch. Returns what could be set, for the report."""
    done = {}
    for lib in _openblas_libraries():
        if _call(lib, _SETTERS, ctypes.c_int(n)) is not None:  # found a setter (it returns void)
            done["numpy_blas_threads"] = get_blas_threads()
    if torch is not None:
        torch.set_num_threads(n)
        done["torch_threads"] = torch.get_num_threads()
    return done
