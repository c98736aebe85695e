"""Benchmark 6: peak resident memory of a training epoch, and bytes held for backward per step.

Each framework trains in its own fresh interpreter (benchmarks/memory_worker.py), so nothing one allocates counts
against another; minigrad's process never imports torch. Processes run one at a time, alternating, `rounds` times.
"""
import json
import os
import subprocess
import sys

from . import common

FRAMEWORKS = ("minigrad", "torch", "numpy")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(framework, limit):
    cmd = [sys.executable, "-m", "benchmarks.memory_worker", framework, str(limit)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"memory worker for {framework} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(torch, minigrad, cfg):
    runs = {f: [] for f in FRAMEWORKS}
    for _ in range(cfg["memory_rounds"]):
        for f in FRAMEWORKS:
            runs[f].append(measure(f, cfg["train_limit"]))
    peak = {f: common.summary([r["peak_rss"] / 2 ** 20 for r in rs]) for f, rs in runs.items()}
    last = {f: rs[-1] for f, rs in runs.items()}
    return {"peak_rss_mib": peak, "workers": last,
            "ratio_minigrad_over_torch": peak["minigrad"]["median"] / peak["torch"]["median"],
            "minigrad_imported_torch": any(r["torch_imported"] for r in runs["minigrad"])}


def table(r):
    rows = ["| process | peak RSS (median) | RSS after imports | saved for backward (all / activations only) |",
            "|---|---|---|---|"]
    for f, s in r["peak_rss_mib"].items():
        w = r["workers"][f]
        held = w["bytes_held_for_backward_per_step"]
        held_s = "-" if held is None else f"{held['all_saved'] / 1024:.0f} KiB / {held['excluding_parameters'] / 1024:.0f} KiB"
        rows.append(f"| {f} | {s['median']:.0f} MiB | {w['rss_after_import'] / 2 ** 20:.0f} MiB | {held_s} |")
    note = (f"\n\nminigrad's peak is {r['ratio_minigrad_over_torch']:.2f}x torch's; minigrad's process imported torch: "
            f"{r['minigrad_imported_torch']}. 'all' counts every buffer a step's graph saved (each once); torch "
            "keeps no copy of the first layer's weight because its input needs no gradient. Parameters live anyway, "
            "so 'activations only' is what backward costs.")
    return "\n".join(rows) + note
