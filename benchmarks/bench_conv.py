"""conv2d forward+backward at the CNN's sizes, minigrad vs torch CPU at one thread; vgg16 forward time and peak RSS.
Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_conv.py [cnn | vgg]
(it prints; it is not part of run.py)"""
import resource
import sys
import time

import numpy as np
import torch

import minigrad

torch.set_num_threads(1)
CASES = [(64, 1, 16, 28), (64, 16, 32, 14)]  # batch, in, out, size; 3x3 kernel, padding 1


def best(fn, reps=20):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def case(n, cin, cout, hw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, cin, hw, hw), dtype=np.float32)
    w = rng.standard_normal((cout, cin, 3, 3), dtype=np.float32)
    b = rng.standard_normal(cout, dtype=np.float32)
    out = []
    for lib, F in ((torch, torch.nn.functional), (minigrad, minigrad.nn.functional)):
        tx, tw, tb = (lib.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b))

        def step():
            tx.grad = tw.grad = tb.grad = None
            F.conv2d(tx, tw, tb, padding=1).sum().backward()

        def fwd():
            with lib.no_grad():
                F.conv2d(tx, tw, tb, padding=1)
        out.append((best(fwd), best(step)))
    (tf, tb_), (mf, mb) = out
    print(f"conv2d {n}x{cin}x{hw}x{hw} -> {cout}: forward torch {tf*1e3:.2f} ms, minigrad {mf*1e3:.2f} ms "
          f"({mf/tf:.2f}x); forward+backward torch {tb_*1e3:.2f} ms, minigrad {mb*1e3:.2f} ms ({mb/tb_:.2f}x)")


def vgg():
    """Peak RSS after building the model (its init draws float64 then casts) and after the forwards; torch's time."""
    from minigrad.vision.models import vgg16
    model = vgg16().eval()
    built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    x = minigrad.randn(1, 3, 224, 224)
    with minigrad.no_grad():
        t = best(lambda: model(x), reps=3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import tracemalloc  # NumPy reports its allocations to tracemalloc: the forward's own peak, weights excluded
    tracemalloc.start()
    with minigrad.no_grad():
        model(x)
    fwd_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    from minigrad.ops import conv as conv_ops
    scratch = sum(b.nbytes for b in conv_ops._scratch_buffers.__dict__.values()) / 2**20
    import torchvision
    tmodel = torchvision.models.vgg16().eval()
    tx = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        tt = best(lambda: tmodel(tx), reps=3)
    print(f"vgg16 forward 1x3x224x224: minigrad {t:.3f} s, torch {tt:.3f} s ({t/tt:.2f}x); minigrad peak RSS "
          f"{built:.0f} MiB after building, {peak:.0f} MiB after the forwards; the forward's own allocations peak at "
          f"{fwd_peak:.0f} MiB, besides {scratch:.0f} MiB of convolution scratch arrays kept for reuse")


def cnn():
    """One training step (forward, cross-entropy, backward, SGD) of the small CNN, batch 64 of 1x28x28."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    out = []
    for lib in (torch, minigrad):
        nn = lib.nn
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(32 * 7 * 7, 10))
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        xb, yb = lib.from_numpy(x), lib.from_numpy(y)

        def step():
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        out.append(best(step))
    print(f"CNN training step, batch 64: torch {out[0]*1e3:.2f} ms, minigrad {out[1]*1e3:.2f} ms "
          f"({out[1]/out[0]:.2f}x)")


if __name__ == "__main__":
    if "vgg" in sys.argv:
        vgg()
    elif "cnn" in sys.argv:
        cnn()
    else:
        for c in CASES:
            case(*c)
