"""What every benchmark shares: interleaved timing, statistics, thread counts, the data and the model's weights.

Timing rule (the machine is 2 shared cores whose speed drifts by tens of percent within minutes): contenders run in
one process, alternating within each round, after a warm-up; every comparison is the median over rounds of the
ratio measured *within* a round, so a slow minute slows both sides of the ratio alike.
"""
import ctypes
import glob
import gzip
import os
import statistics
import time

import numpy as np

DATA_DIR = os.environ.get("MINIGRAD_DATA", "/usr/share/datasets/fashion-mnist")
# the tutorial's MLP: Flatten, Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10)
TUTORIAL_SIZES = (784, 512, 512, 10)
BATCH = 64
LR = 1e-3


# ---- statistics ----------------------------------------------------------------------------------------------------
def summary(xs):
    """Median and spread of repeated measurements: {median, min, max, iqr, n}."""
    xs = sorted(float(x) for x in xs)
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1], "iqr": q[2] - q[0], "n": len(xs)}


def interleave(contenders, rounds, warmup=1):
    """Run each `name -> fn()` once per round, alternating (order rotated each round), after `warmup` rounds.

    `fn()` returns a time in seconds (it times itself, so it can exclude its own setup). Returns
    `{name: [seconds per round]}`, rounds aligned across contenders for per-round ratios.
    """
    names = list(contenders)
    times = {n: [] for n in names}
    for r in range(warmup + rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            t = contenders[n]()
            if r >= warmup:
                times[n].append(t)
    return times


def ratios(times, num, den):
    """Per-round ratios times[num][i] / times[den][i] and their summary."""
    return summary([a / b for a, b in zip(times[num], times[den])])


def timed(fn, *args):
    """Seconds one call of fn(*args) takes."""
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def per_call(fn, min_time=0.05, max_calls=100000):
    """Seconds per call of a fast fn, calling it in a loop long enough to be above timer noise."""
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t
        if dt >= min_time or n >= max_calls:
            return dt / n
        n = min(max_calls, n * max(2, int(min_time / max(dt, 1e-9))))


# ---- the machine ---------------------------------------------------------------------------------------------------
def blas_threads():
    """NumPy's BLAS thread count: threadpoolctl if installed, else ask the bundled OpenBLAS, else the env."""
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if counts:
            return counts[0], "threadpoolctl"
    except ImportError:
        pass
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for sym in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                return int(fn()), f"OpenBLAS {sym}"
    env = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return (int(env), "env") if env else (os.cpu_count(), "default = cpu_count")


def blas_core():
    """The kernels NumPy's OpenBLAS runs ("Haswell" = AVX2, "SkylakeX" = AVX-512), as the bundled library reports them,
    and whether the environment chose them (OPENBLAS_CORETYPE): matrix products run about 1.8x faster on AVX-512."""
    chosen = os.environ.get("OPENBLAS_CORETYPE")
    for path in glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*")):
        lib = ctypes.CDLL(path)
        for sym in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                core = fn().decode()
                return f"{core} (OPENBLAS_CORETYPE={chosen} in the environment)" if chosen else core
    return f"unknown (OPENBLAS_CORETYPE={chosen})" if chosen else "unknown"


def set_blas_threads(n):
    """Set NumPy's OpenBLAS thread count now (the environment variable only counts before NumPy is imported)."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
        return True
    except ImportError:
        pass
    for path in glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*")):
        lib = ctypes.CDLL(path)
        for sym in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return True
    return False


def machine_info(torch=None):
    n, how = blas_threads()
    info = {"cpu_count": os.cpu_count(), "numpy": np.__version__, "numpy_blas_threads": n,
            "numpy_blas_threads_from": how}
    try:
        info["load_average_at_start"] = os.getloadavg()
    except OSError:
        pass
    if torch is not None:
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads(),
                    cuda=bool(torch.cuda.is_available()))
    return info


# ---- data ----------------------------------------------------------------------------------------------------------
def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(train=True, limit=None):
    """(images float32 (N, 1, 28, 28) in [0, 1], labels int64 (N,)), read straight from the IDX files, so every
    contender of the epoch benchmark gets identical arrays without going through anyone's dataset class."""
    prefix = "train" if train else "t10k"
    x = _read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    y = _read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    if limit is not None:
        x, y = x[:limit], y[:limit]
    x = (x.astype(np.float32) / np.float32(255.0))[:, None]
    return x, y.astype(np.int64)


def batches(x, y, batch=BATCH):
    """Pre-batched (x, y) pairs in order, the last one short, as the tutorial's DataLoader without shuffle gives."""
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]


def init_weights(sizes=TUTORIAL_SIZES, seed=0):
    """[(W (out, in), b (out,)), ...] float32 with torch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)), so all
    contenders start from the same numbers."""
    rng = np.random.default_rng(seed)
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        out.append((w, b))
    return out


def mlp_flops(sizes, batch):
    """Multiply-add FLOPs (2 per MAC) of one training step: forward x @ W.T per layer, backward dW per layer and dx
    for every layer but the first (the input needs no gradient)."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    first = sizes[0] * sizes[1]
    return 2 * batch * (3 * macs - first)


def sgemm_rate(n=1024, repeats=5):
    """The machine's measured float32 matmul rate in FLOP/s (best of `repeats` n x n x n products)."""
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = a.T.copy()
    a @ b
    best = min(timed(np.matmul, a, b) for _ in range(repeats))
    return 2 * n ** 3 / best
