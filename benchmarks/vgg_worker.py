"""One library's vgg model built and run in a fresh process, reporting its memory as one JSON line.

    python -m benchmarks.vgg_worker minigrad|torch [model=vgg16] [size=224] [forwards=1]

Run by bench_layers in a subprocess per library, so one's allocations never count against another's; the minigrad
run never imports torch (checked and reported). Peak RSS is the kernel's VmHWM (see memory_worker), read after
building the model (its default init, as a user gets it) and again after `forwards` forwards of a 1x3xSxS float32
image in eval mode under no_grad.
"""
import json
import sys
import time

from .memory_worker import _peak_rss, _rss_now


def main(library, model="vgg16", size=224, forwards=1):
    before = _rss_now()
    import numpy as np

    if library == "torch":
        import torch as lib
        import torchvision

        build = getattr(torchvision.models, model)
    else:
        import minigrad as lib
        from minigrad.vision import models

        build = getattr(models, model)
    after_import = _rss_now()
    t = time.perf_counter()
    net = build().eval()
    build_s = time.perf_counter() - t
    peak_build, after_build = _peak_rss(), _rss_now()
    x = lib.from_numpy(np.random.default_rng(0).standard_normal((1, 3, size, size), dtype=np.float32))
    times = []
    with lib.no_grad():
        for _ in range(forwards):
            t = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - t)
    out = {"library": library, "model": model, "image": [1, 3, size, size], "forwards": forwards,
           "rss_at_start": before, "rss_after_import": after_import, "peak_rss_after_build": peak_build,
           "rss_after_build": after_build, "peak_rss_after_forward": _peak_rss(), "build_s": build_s,
           "forward_s": times, "parameter_bytes": sum(p.numel() * p.element_size() for p in net.parameters()),
           "torch_imported": "torch" in sys.modules}
    if library == "minigrad":  # arrays the convolutions keep between calls (minigrad/ops/conv.py), if any
        from minigrad.ops import conv

        bufs = getattr(getattr(conv, "_scratch_buffers", None), "__dict__", {})
        out["conv_scratch_bytes"] = sum(getattr(b, "nbytes", 0) for b in bufs.values())
    print(json.dumps(out))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], *(args[1:2]), *(int(a) for a in args[2:4]))
