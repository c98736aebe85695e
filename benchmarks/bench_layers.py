"""Benchmark 10: the CNN's layers one at a time, and one vgg16 forward with its peak memory.

Layers: each layer of benchmark 9's CNN (minigrad/cli/model.py) at its own size in that model, batch 64, float32,
in train mode (batchnorm uses batch statistics and updates its running ones), minigrad and torch CPU at the same
thread count, from the same weights and input, alternating within each round. Two timings per layer: the forward as
training runs it (grad mode on, a graph recorded), and forward + backward (a fixed random output gradient, then every
.grad reset to None). As in the CNN, the first convolution's input is data (no gradient); every later layer's input
needs one.

vgg16: torchvision's and minigrad's (minigrad.vision.models), minigrad's weights copied from torchvision's; one
1x3x224x224 float32 image, eval mode, no_grad; time in this process (alternating), and peak resident memory in a
fresh interpreter per library (benchmarks/vgg_worker.py): after building the model, and after its forwards.
"""
import json
import os
import subprocess
import sys

import numpy as np

from . import common

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, the layer from lib.nn, input shape, whether the input needs a gradient); the CNN's order
LAYERS = [
    ("conv2d 1→16, 3x3 pad 1", lambda nn: nn.Conv2d(1, 16, 3, padding=1), (64, 1, 28, 28), False),
    ("batchnorm2d(16), train", lambda nn: nn.BatchNorm2d(16), (64, 16, 28, 28), True),
    ("relu", lambda nn: nn.ReLU(), (64, 16, 28, 28), True),
    ("max_pool2d 2", lambda nn: nn.MaxPool2d(2), (64, 16, 28, 28), True),
    ("conv2d 16→32, 3x3 pad 1", lambda nn: nn.Conv2d(16, 32, 3, padding=1), (64, 16, 14, 14), True),
    ("batchnorm2d(32), train", lambda nn: nn.BatchNorm2d(32), (64, 32, 14, 14), True),
    ("relu", lambda nn: nn.ReLU(), (64, 32, 14, 14), True),
    ("max_pool2d 2", lambda nn: nn.MaxPool2d(2), (64, 32, 14, 14), True),
]

# Where minigrad's time goes where a layer is slower than torch's (written by hand from profiles; shown beside the
# figures, which the run measures)
WHERE = {
    "conv2d": "im2col copy, then one OpenBLAS GEMM per direction (forward, input and weight gradients) on the kernels "
              "NumPy's OpenBLAS runs here (AVX2 when the environment pins Haswell), about 1 ms each for the 16→32 "
              "layer, where torch's oneDNN convolution runs AVX-512 kernels; the copies in and out of the channels-"
              "last layout and the col2im adds are the rest",
    "batchnorm2d": "the forward is as fast as torch's; the fused backward is six array passes (two reductions, four "
                   "elementwise) where torch's kernel makes two",
    "relu": "forward and backward are separate NumPy passes (a max, then a compare and a multiply), torch's are fused "
            "and write into memory its allocator keeps hot",
}


def _where(name):
    return next((why for key, why in WHERE.items() if name.startswith(key)), "")


def layer_pair(torch, minigrad, make, seed=0):
    """The layer in torch and in minigrad with the same state (weights, running statistics), in train mode."""
    torch.manual_seed(seed)
    t_layer, m_layer = make(torch.nn), make(minigrad.nn)
    m_layer.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_layer.state_dict().items()})
    return t_layer.train(), m_layer.train()


def _calls(lib, layer, x, g, needs_grad):
    """(forward, forward + backward, results) closures for one library; results() gives the output and gradients."""
    x = lib.from_numpy(x.copy()).requires_grad_(needs_grad)
    leaves = ([x] if needs_grad else []) + list(layer.parameters())
    grad = lib.from_numpy(g.copy())

    def forward():
        layer(x)

    def forward_backward():
        layer(x).backward(grad)
        for t in leaves:
            t.grad = None

    def results():
        out = layer(x)
        out.backward(grad)
        got = [out.detach().numpy().copy()] + [t.grad.numpy().copy() for t in leaves]
        for t in leaves:
            t.grad = None
        return got

    return forward, forward_backward, results


def run_layers(torch, minigrad, cfg):
    rng = np.random.default_rng(0)
    out = []
    for name, make, shape, needs_grad in LAYERS:
        x = rng.standard_normal(shape, dtype=np.float32)
        with torch.no_grad():  # a random output gradient: with ones, batchnorm's input gradient is 0 up to rounding
            g = rng.standard_normal(tuple(make(torch.nn)(torch.from_numpy(x)).shape), dtype=np.float32)
        t_layer, m_layer = layer_pair(torch, minigrad, make)
        (mf, mfb, mres), (tf, tfb, tres) = (_calls(lib, layer, x, g, needs_grad)
                                            for lib, layer in ((minigrad, m_layer), (torch, t_layer)))
        # the same numbers, before timing: output and every gradient, relative to the largest torch value
        diff = max(float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30)) for a, b in zip(mres(), tres()))
        row = {"layer": name, "input": list(shape), "input_needs_grad": needs_grad, "max_rel_diff_vs_torch": diff}
        for key, fns in (("forward", (mf, tf)), ("forward_backward", (mfb, tfb))):
            contenders = {lib: (lambda f=f: common.per_call(f, min_time=cfg["layers_min_time"]))
                          for lib, f in zip(("minigrad", "torch"), fns)}
            times = common.interleave(contenders, rounds=cfg["layers_rounds"], warmup=1)
            row[key] = {"minigrad_ms": common.summary([t * 1e3 for t in times["minigrad"]]),
                        "torch_ms": common.summary([t * 1e3 for t in times["torch"]]),
                        "ratio": common.ratios(times, "minigrad", "torch")}
        out.append(row)
    return out


# ---- vgg ----------------------------------------------------------------------------------------------------------
def measure_vgg(library, model="vgg16", size=224, forwards=1):
    """Peak RSS of building `model` and running `forwards` forwards in a fresh interpreter (vgg_worker.py)."""
    cmd = [sys.executable, "-m", "benchmarks.vgg_worker", library, model, str(size), str(forwards)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"vgg worker for {library} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def vgg_pair(torch, minigrad, model="vgg16"):
    """torchvision's model and minigrad's, minigrad's weights copied from torchvision's, both in eval mode."""
    import torchvision

    from minigrad.vision import models

    torch.manual_seed(0)
    t_model = getattr(torchvision.models, model)().eval()
    m_model = getattr(models, model)(init_weights=False).eval()  # its init would be overwritten anyway
    m_model.load_state_dict({k: minigrad.from_numpy(v.numpy()) for k, v in t_model.state_dict().items()})
    return t_model, m_model


def run_vgg(torch, minigrad, cfg):
    model, size = cfg["layers_vgg"], cfg["layers_vgg_size"]
    x = np.random.default_rng(0).standard_normal((1, 3, size, size), dtype=np.float32)
    t_model, m_model = vgg_pair(torch, minigrad, model)
    mx, tx = minigrad.from_numpy(x), torch.from_numpy(x)

    def forward(lib, net, inp):
        with lib.no_grad():
            return common.timed(net, inp)

    contenders = {"minigrad": lambda: forward(minigrad, m_model, mx), "torch": lambda: forward(torch, t_model, tx)}
    times = common.interleave(contenders, rounds=cfg["layers_vgg_rounds"], warmup=1)
    with minigrad.no_grad(), torch.no_grad():
        a, b = m_model(mx).numpy(), t_model(tx).numpy()
    diff = float(np.abs(a - b).max() / np.abs(b).max())
    memory = {lib: measure_vgg(lib, model, size, cfg["layers_vgg_worker_forwards"]) for lib in ("minigrad", "torch")}
    return {"model": model, "image": [1, 3, size, size], "max_rel_diff_vs_torch": diff,
            "times": {k: common.summary(v) for k, v in times.items()}, "raw": times,
            "ratio_minigrad_over_torch": common.ratios(times, "minigrad", "torch"), "memory": memory,
            "minigrad_imported_torch": memory["minigrad"]["torch_imported"]}


def run(torch, minigrad, cfg):
    return {"threads": torch.get_num_threads(), "blas_threads": common.blas_threads()[0],
            "blas_core": common.blas_core(), "layers": run_layers(torch, minigrad, cfg),
            "vgg": run_vgg(torch, minigrad, cfg)}


def _ms(s):
    return f"{s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f})"


def table(r):
    rows = ["| layer (batch 64, float32) | input | forward: minigrad ms | torch ms | minigrad / torch | "
            "forward + backward: minigrad ms | torch ms | minigrad / torch | where the time goes (if slower) |",
            "|---|---|---|---|---|---|---|---|---|"]
    for o in r["layers"]:
        f, fb = o["forward"], o["forward_backward"]
        shape = "x".join(map(str, o["input"])) + ("" if o["input_needs_grad"] else " (no grad)")
        rows.append(f"| {o['layer']} | {shape} | {_ms(f['minigrad_ms'])} | {_ms(f['torch_ms'])} | "
                    f"{f['ratio']['median']:.2f}x | {_ms(fb['minigrad_ms'])} | {_ms(fb['torch_ms'])} | "
                    f"{fb['ratio']['median']:.2f}x | {_where(o['layer']) if fb['ratio']['median'] > 1.2 else ''} |")
    worst = max(o["max_rel_diff_vs_torch"] for o in r["layers"])
    text = [("\n".join(rows) + f"\n\nMedian (min–max) over rounds; ratios are medians of per-round ratios. "
             f"{r['threads']} torch intra-op thread(s), {r['blas_threads']} BLAS thread(s) for NumPy, whose "
             f"OpenBLAS runs {r.get('blas_core', 'kernels not recorded')} kernels. Largest "
             f"difference from torch in any layer's output or gradient, relative to torch's largest value: "
             f"{worst:.1e}.")]
    v = r["vgg"]
    mem = v["memory"]
    rows = [f"| {v['model']} forward, {'x'.join(map(str, v['image']))}, eval, no_grad | time (median) | min – max | "
            "vs torch | RSS after imports | peak RSS building the model | peak RSS after the forwards | "
            "parameters |", "|---|---|---|---|---|---|---|---|"]
    for lib, name in (("minigrad", "minigrad"), ("torch", "torch CPU (torchvision)")):
        s, m = v["times"][lib], mem[lib]
        ratio = v["ratio_minigrad_over_torch"]["median"] if lib == "minigrad" else 1.0
        rows.append(f"| {name} | {s['median']:.3f} s | {s['min']:.3f} – {s['max']:.3f} s | {ratio:.2f}x | "
                    f"{_mib(m['rss_after_import'])} | {_mib(m['peak_rss_after_build'])} | "
                    f"{_mib(m['peak_rss_after_forward'])} | {_mib(m['parameter_bytes'])} |")
    mg = mem["minigrad"]
    scratch = mg.get("conv_scratch_bytes")
    text.append("\n".join(rows) + (
        f"\n\nPeak RSS is the kernel's high-water mark (VmHWM) in a fresh interpreter per library, which builds the "
        f"model (its own init) and runs {mg['forwards']} forward(s); the forward adds "
        f"{_mib(mg['peak_rss_after_forward'] - mg['rss_after_build'])} to minigrad's resident model and "
        f"{_mib(mem['torch']['peak_rss_after_forward'] - mem['torch']['rss_after_build'])} to torch's"
        + (f" (minigrad keeps {_mib(scratch)} of convolution scratch arrays for reuse)" if scratch else "")
        + f". minigrad's process imported torch: {v['minigrad_imported_torch']}. Times in one process, alternating, "
        f"minigrad's weights copied from torchvision's: outputs differ by {v['max_rel_diff_vs_torch']:.1e} of the "
        "largest logit."))
    return "\n\n".join(text)


def _mib(n):
    return f"{n / 2 ** 20:.0f} MiB"
