"""Turn the benchmarks' results into results.json, results.md (tables generated here, never typed) and charts."""
import json
import os

from . import (bench_breadth, bench_cnn, bench_epoch, bench_hvp, bench_layers, bench_memory, bench_ops, bench_pipeline,
               bench_scaling)

TARGETS = [
    # (name, how it is read from the results, comparison, bound); the epoch targets are read at both thread settings
    ("epoch, {t} thread(s) each: minigrad / torch CPU", lambda r: r["epoch"]["ratio_minigrad_over_torch"]["median"],
     "<=", 0.7),
    ("epoch, {t} thread(s) each: minigrad / NumPy floor",
     lambda r: r["epoch"]["ratio_minigrad_over_numpy"]["median"], "<=", 1.15),
    ("epoch, {o} threads each: minigrad / torch CPU",
     lambda r: r["epoch"]["other_threads"]["ratio_minigrad_over_torch"]["median"], "<=", 0.7),
    ("epoch, {o} threads each: minigrad / NumPy floor",
     lambda r: r["epoch"]["other_threads"]["ratio_minigrad_over_numpy"]["median"], "<=", 1.15),
    ("pipeline, {t} thread(s) each: torchvision+torch / minigrad", lambda r: r["pipeline"]["speedup_minigrad_over_torch"]["median"],
     ">=", 5.0),
    ("pipeline, {o} threads each: torchvision+torch / minigrad",
     lambda r: r["pipeline"]["other_threads"]["speedup_minigrad_over_torch"]["median"], ">=", 5.0),
    ("one small op fwd+bwd, µs", lambda r: r["ops"]["headline_minigrad_us"], "<=", 20.0),
    ("peak RSS: minigrad / torch", lambda r: r["memory"]["ratio_minigrad_over_torch"], "<=", 0.5),
]


def check_targets(results):
    out = []
    m = results["machine"]
    threads = {"t": m.get("torch_threads"), "o": results.get("epoch", {}).get("other_threads", {}).get("threads")}
    for name, get, op, bound in TARGETS:
        try:
            value = get(results)
        except (KeyError, TypeError):  # that benchmark (or thread setting) was not run
            continue
        name = name.format(**threads)
        ok = value <= bound if op == "<=" else value >= bound
        out.append({"target": name, "value": value, "bound": f"{op} {bound}", "met": bool(ok)})
    return out


def bounds(results):
    """What the measured floors allow, in words built from this run's numbers: where a target sits beyond what any
    NumPy library could reach on this machine, the report says so next to the miss."""
    notes = []
    e, p = results.get("epoch"), results.get("pipeline")
    if e:
        floor = e["ratio_numpy_over_torch"]["median"]
        notes.append(f"Epoch: the hand-written NumPy floor itself runs at {floor:.2f}x torch CPU with the same threads, "
                     f"so minigrad <= 0.7x torch would need it {floor / 0.7:.2f}x faster than hand-written NumPy; "
                     f"minigrad's overhead over that floor is {e['ratio_minigrad_over_numpy']['median']:.2f}x.")
        o = e.get("other_threads")
        if o:
            notes.append(f"With {o['threads']} threads per library: minigrad {o['ratio_minigrad_over_torch']['median']:.2f}x"
                         f" torch, floor {o['ratio_numpy_over_torch']['median']:.2f}x torch (spread in the table).")
            worst = max(t["max"] / t["min"] for t in o["times"].values())
            if worst > 1.5:
                notes.append(f"At {o['threads']} threads one contender's rounds varied {worst:.1f}x: a BLAS or OpenMP "
                             "pool that spins while waiting loses its cores to any other process, so on a shared "
                             "machine these rows measure the neighbours as much as the libraries; the one-thread "
                             "rows are the comparison to trust.")
    if e and p and e["samples"] == 60000:
        floor_epoch = e["times"]["numpy floor"]["median"]
        torch_pipe = p["epoch_s"]["torch"]["median"]
        notes.append(f"Pipeline: torchvision + torch took {torch_pipe:.2f} s per epoch; a pipeline with free data "
                     f"loading and the NumPy floor's compute ({floor_epoch:.2f} s) would be {torch_pipe / floor_epoch:.1f}x"
                     " faster, which bounds what minigrad can show against the 5x target.")
    return notes


def epoch_chart(r, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(r["times"]) + ["compute floor"]
    med = [r["times"][n]["median"] for n in names[:-1]] + [r["compute_floor_s"]]
    lo = [m - r["times"][n]["min"] for n, m in zip(names[:-1], med)] + [0]
    hi = [r["times"][n]["max"] - m for n, m in zip(names[:-1], med)] + [0]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    colors = {"minigrad": "tab:blue", "torch CPU": "tab:orange", "torch CUDA": "tab:red", "numpy floor": "tab:green"}
    ax.barh(names, med, xerr=[lo, hi], color=[colors.get(n, "tab:gray") for n in names], capsize=4)
    for i, (m, h) in enumerate(zip(med, hi)):
        ax.text(m + h, i, f"  {m:.2f} s", va="center")  # right of the error bar, not over it
    ax.set_xlabel("seconds per epoch (median; bars show min–max)")
    ax.set_title(f"Tutorial MLP, one epoch of FashionMNIST ({r['steps_per_epoch']} steps of 64)")
    ax.invert_yaxis()
    ax.set_xlim(0, max(m + h for m, h in zip(med, hi)) * 1.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    results["targets"] = check_targets(results)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=False)
    m = results["machine"]
    lines = ["# minigrad benchmarks", "",
             "Generated by `benchmarks/run.py` (`bash scripts/bench.sh`); do not edit by hand.", "",
             f"Machine: {m['cpu_count']} CPUs, load average at start {_load(m)}; torch {m.get('torch')} with "
             f"{m.get('torch_threads')} intra-op threads; NumPy {m['numpy']} with {m['numpy_blas_threads']} BLAS "
             f"threads ({m['numpy_blas_threads_from']}); CUDA available: {m.get('cuda')}. Configuration: "
             f"{results['config_name']}. Every comparison alternates the contenders within each round after a "
             "warm-up and reports the median of per-round ratios.", ""]
    if results["targets"]:
        lines += ["## Targets", "", "| target | measured | bound | met |", "|---|---|---|---|"]
        lines += [f"| {t['target']} | {t['value']:.3g} | {t['bound']} | {'yes' if t['met'] else '**no**'} |"
                  for t in results["targets"]]
        lines.append("")
    sections = [("epoch", "1. End-to-end epoch (pre-batched tensors)", bench_epoch.table),
                ("pipeline", "2. Tutorial pipeline (dataset + ToTensor + DataLoader(64, shuffle) + training)",
                 bench_pipeline.table),
                ("pipeline", "3. Step breakdown (ms per step, median over rounds)", bench_pipeline.breakdown_table),
                ("ops", "4. Per-op forward + backward", bench_ops.table),
                ("scaling", "5. Scaling: time per training sample", bench_scaling.table),
                ("memory", "6. Memory", bench_memory.table),
                ("hvp", "7. Hessian-vector product (a create_graph backward, then a backward through it)",
                 bench_hvp.table),
                ("breadth", "8. The breadth of ops, forward + backward at the tutorial's size", bench_breadth.table),
                ("cnn", "9. End-to-end epoch of the small CNN (conv-batchnorm-relu-pool x 2, linear)",
                 bench_cnn.table),
                ("layers", "10. The CNN's layers one at a time (forward, forward + backward); a vgg16 forward and its "
                 "memory", bench_layers.table)]
    for key, title, table in sections:
        if key in results:
            lines += [f"## {title}", "", table(results[key]), ""]
            if key == "epoch":
                epoch_chart(results[key], os.path.join(out_dir, "epoch.png"))
                lines += ["![epoch times](epoch.png)", ""]
            if key == "scaling":
                bench_scaling.plot(results[key], os.path.join(out_dir, "scaling.png"))
                lines += ["![scaling](scaling.png)", ""]
    notes = bounds(results) + results.get("notes", [])
    if notes:
        lines += ["## What the floors allow", ""] + [f"- {n}" for n in notes] + [""]
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(lines))


def _load(m):
    la = m.get("load_average_at_start")
    return "unknown" if la is None else f"{la[0]:.1f}"
