"""Benchmark: loading a vgg16-sized state_dict (528 MB, written by torch.save) with minigrad.load and torch.load.

    python -m benchmarks.bench_load [--rounds 3]    writes benchmarks/results_load.md and results_load.json

Each load runs in its own fresh interpreter (this file, with --worker), so one's memory never counts against
another's and minigrad's process never imports torch (checked and reported). Peak resident memory is the kernel's
VmHWM, as in bench_memory; the file is read once beforehand, so every load finds it in the page cache. Configurations
run one at a time, alternating, `rounds` times. Target: minigrad's peak RSS without mmap at most 1.2x the file's
size, and far less with mmap (pages are mapped copy-on-write, read when touched).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from . import common

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = [("minigrad", False), ("torch", False), ("minigrad", True), ("torch", True)]
SAVES = ("minigrad", "torch")  # and each library's save of what it loaded: time, and peak RSS of load + save


def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def worker(framework, path, use_mmap, save_to=None):
    """One load (and, with save_to, one save of what was loaded) in this fresh process; prints one JSON line."""
    if framework == "minigrad":
        sys.modules["torch"] = None  # minigrad.load must not need torch
        import minigrad as lib
    else:
        import torch as lib
    after_import = _status("VmRSS")
    t = time.perf_counter()
    sd = lib.load(path, mmap=use_mmap, weights_only=True)
    seconds = time.perf_counter() - t
    first = [float(v[(0,) * v.dim()]) if framework == "torch" else float(v.data.flat[0]) for v in sd.values()]
    save_seconds = None
    if save_to:
        t = time.perf_counter()
        lib.save(sd, save_to)
        save_seconds = time.perf_counter() - t
    print(json.dumps({"framework": framework, "mmap": use_mmap, "seconds": seconds, "save_seconds": save_seconds,
                      "rss_after_import": after_import,
                      "peak_rss": _status("VmHWM"), "tensors": len(sd), "checksum": sum(first),
                      "torch_imported": any(m.split(".")[0] == "torch" for m, v in sys.modules.items() if v)}))


def measure(framework, path, use_mmap, save_to=""):
    cmd = [sys.executable, "-m", "benchmarks.bench_load", "--worker", framework, path, str(int(use_mmap)), save_to]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=REPO))
    if proc.returncode != 0:
        raise RuntimeError(f"load worker {framework} mmap={use_mmap} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(rounds, directory):
    import torch
    import torchvision

    path = os.path.join(directory, "vgg16.pth")
    torch.manual_seed(0)
    torch.save(torchvision.models.vgg16(weights=None).state_dict(), path)
    size = os.path.getsize(path)
    with open(path, "rb") as f:  # into the page cache: every configuration reads it from memory
        while f.read(1 << 24):
            pass
    runs = {c: [] for c in CONFIGS}
    saves = {f: [] for f in SAVES}
    for _ in range(rounds):
        for c in CONFIGS:
            runs[c].append(measure(c[0], path, c[1]))
        for f in SAVES:
            saves[f].append(measure(f, path, False, os.path.join(directory, f"saved_by_{f}.pth")))
    checksums = {r["checksum"] for rs in runs.values() for r in rs}
    out = {"file_bytes": size, "rounds": rounds, "same_values": len(checksums) == 1, "configs": []}
    for (framework, use_mmap), rs in runs.items():
        peak = common.summary([r["peak_rss"] for r in rs])["median"]
        base = common.summary([r["rss_after_import"] for r in rs])["median"]
        out["configs"].append({
            "framework": framework, "mmap": use_mmap, "seconds": common.summary([r["seconds"] for r in rs]),
            "peak_rss": peak, "rss_after_import": base, "peak_over_file": peak / size,
            "added_over_file": (peak - base) / size, "torch_imported": any(r["torch_imported"] for r in rs)})
    out["saves"] = [{"framework": f, "seconds": common.summary([r["save_seconds"] for r in rs]),
                     "peak_rss": common.summary([r["peak_rss"] for r in rs])["median"],
                     "bytes": os.path.getsize(os.path.join(directory, f"saved_by_{f}.pth"))} for f, rs in saves.items()]
    return out


def table(r):
    mib = 2 ** 20
    rows = [f"Loading a vgg16 state_dict written by torch.save: {r['file_bytes'] / mib:.0f} MiB "
            f"({r['file_bytes'] / 1e6:.0f} MB), median of {r['rounds']} fresh processes each.", "",
            "| loader | mmap | load time (median) | peak RSS | RSS after imports | peak / file size | "
            "(peak - imports) / file size |", "|---|---|---|---|---|---|---|"]
    for c in r["configs"]:
        rows.append(f"| {c['framework']}.load | {c['mmap']} | {c['seconds']['median']:.3f} s | "
                    f"{c['peak_rss'] / mib:.0f} MiB | {c['rss_after_import'] / mib:.0f} MiB | "
                    f"{c['peak_over_file']:.2f}x | {c['added_over_file']:.2f}x |")
    rows += ["", "Saving what was loaded (a fresh process: load, then save to a new file; minigrad.save writes "
             "atomically, so its time includes an fsync of the whole file, which torch.save does not do):", "",
             "| saver | save time (median) | peak RSS of load + save | file written |", "|---|---|---|---|"]
    for s in r["saves"]:
        rows.append(f"| {s['framework']}.save | {s['seconds']['median']:.3f} s | {s['peak_rss'] / mib:.0f} MiB | "
                    f"{s['bytes'] / mib:.0f} MiB |")
    mg = [c for c in r["configs"] if c["framework"] == "minigrad"]
    rows += ["", f"Every loader saw the same values: {r['same_values']}; minigrad's processes imported torch: "
             f"{any(c['torch_imported'] for c in mg)}. minigrad checks every member's CRC-32 (torch does not), "
             "with mmap by plain reads, so the mapped pages stay unread until used."]
    return "\n".join(rows) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--dir", default=None, help="where to write the 528 MB file (default: a temporary folder)")
    p.add_argument("--worker", nargs=4, metavar=("FRAMEWORK", "PATH", "MMAP", "SAVE_TO"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], args.worker[2] == "1", args.worker[3] or None)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        r = run(args.rounds, d)
    text = table(r)
    print(text)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "results_load.json"), "w") as f:
        json.dump(r, f, indent=1)
    with open(os.path.join(here, "results_load.md"), "w") as f:
        f.write("# Load benchmark (generated by `python -m benchmarks.bench_load`; do not edit)\n\n" + text)


if __name__ == "__main__":
    main()
