"""conv2d forward+backward at the CNN's sizes, minigrad vs torch CPU at one thread; vgg16 forward time and peak RSS.
Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/conv_speed.py [vgg]"""
import os
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
    from minigrad.vision.models import vgg16
    model = vgg16().eval()
    x = minigrad.randn(1, 3, 224, 224)
    with minigrad.no_grad():
        t = best(lambda: model(x), reps=2)
    print(f"vgg16 forward 1x3x224x224: {t:.2f} s, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MiB")


if __name__ == "__main__":
    if "vgg" in sys.argv:
        vgg()
    else:
        for c in CASES:
            case(*c)
