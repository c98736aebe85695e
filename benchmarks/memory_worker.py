"""One framework's training epoch in a fresh process, reporting its memory as one JSON line.

    python -m benchmarks.memory_worker minigrad|torch|numpy [train_limit]

Run by bench_memory in a subprocess per framework, so one's allocations never count against another's; the minigrad
and numpy runs never import torch (checked and reported). Peak resident set size is the kernel's VmHWM.
"""
import json
import resource
import sys


def _rss_now():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize()


def _peak_rss():
    """VmHWM, the peak RSS of this process image. Not ru_maxrss: Linux carries that across fork and exec, so it
    would report the parent's peak (the benchmark runner has torch loaded)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _held_minigrad(loss):
    """{buffer address: bytes} of the arrays the graph behind `loss` saved for backward, each buffer once."""
    seen, stack, nodes = {}, [loss.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in nodes:
            continue
        nodes.add(id(node))
        for a in getattr(node, "_saved", None) or ():
            if hasattr(a, "nbytes"):
                seen[a.__array_interface__["data"][0]] = a.nbytes
        stack.extend(child for child, _ in node.next_functions)
    return seen


def main(framework, limit=None):
    before = _rss_now()
    from . import common

    if framework == "torch":
        import torch as lib
    elif framework == "minigrad":
        import minigrad as lib
    else:
        lib = None
    after_import = _rss_now()
    x, y = common.fashion_mnist(limit=limit)
    data = common.batches(x, y)
    weights = common.init_weights()
    held = None
    if lib is None:
        from .numpy_mlp import NumpyMLP

        NumpyMLP(weights).epoch(data)
    else:
        from . import models

        trainer = models.Trainer(lib, weights)
        batches = models.to_lib(lib, data)
        after_data = _rss_now()
        xb, yb = batches[0]
        if framework == "torch":
            seen = {}

            def pack(t):
                seen[t.data_ptr()] = t.numel() * t.element_size()
                return t

            with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                loss = trainer.loss_fn(trainer.model(xb), yb)
            params = {p.data_ptr() for p in trainer.model.parameters()}
        else:
            loss = trainer.loss_fn(trainer.model(xb), yb)
            seen = _held_minigrad(loss)
            params = {p.data.__array_interface__["data"][0] for p in trainer.model.parameters()}
        # parameters live anyway; what backward costs in memory is the rest (activations, masks)
        held = {"all_saved": sum(seen.values()), "excluding_parameters":
                sum(n for ptr, n in seen.items() if ptr not in params)}
        loss.backward()
        trainer.optimizer.step()
        trainer.optimizer.zero_grad()
        trainer.epoch(batches)
    out = {"framework": framework, "rss_at_start": before, "rss_after_import": after_import,
           "rss_after_data": locals().get("after_data", _rss_now()), "peak_rss": _peak_rss(),
           "bytes_held_for_backward_per_step": held, "torch_imported": "torch" in sys.modules,
           "samples": len(x)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "None" else None)
