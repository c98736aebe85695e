"""The one entry point: run the benchmarks, write benchmarks/results.{md,json} and the charts.

    python -m benchmarks.run                 # everything, a few minutes
    python -m benchmarks.run --quick --out /tmp/b   # tiny configuration, seconds (the test suite runs this)
    python -m benchmarks.run --only epoch ops --threads 1
    python -m benchmarks.run --only layers   # the CNN's layers one by one, and a vgg16 forward with its memory

--threads N sets NumPy's BLAS threads and torch's intra-op threads alike (before either is imported); 0 keeps both
libraries' defaults. The default is 1 on machines with 4 cores or fewer: both libraries live in one process here, and
OpenBLAS's and OpenMP's pools spin while waiting for work, so two pools of 2 threads on 2 cores slow each other (and
torch's eager ops) by up to 10x. On bigger machines the default is the libraries' own. The report states the counts.
"""
import argparse
import os
import sys
import time

BENCHMARKS = ("epoch", "pipeline", "ops", "scaling", "memory", "hvp", "breadth", "cnn", "layers")
FULL = dict(train_limit=None, epoch_rounds=5, epoch_other_threads=os.cpu_count(), epoch_other_rounds=2,
            pipeline_steps=300, pipeline_rounds=3, pipeline_warmup_steps=20, op_min_time=0.01, op_rounds=9,
            scaling_flops=6e9, scaling_rounds=3, memory_rounds=1, cnn_rounds=2,
            layers_min_time=0.05, layers_rounds=5, layers_vgg="vgg16", layers_vgg_size=224, layers_vgg_rounds=2,
            layers_vgg_worker_forwards=1)
QUICK = dict(train_limit=640, epoch_rounds=1, epoch_other_threads=os.cpu_count(), epoch_other_rounds=1,
             pipeline_steps=3, pipeline_rounds=1, pipeline_warmup_steps=1, op_min_time=0.0005, op_rounds=1,
             scaling_flops=1e6, scaling_rounds=1, scaling_batches=(16, 64), scaling_hiddens=(128,), memory_rounds=1,
             hvp_rounds=1, hvp_min_time=0.0, breadth_rounds=1, breadth_min_time=0.0, cnn_rounds=1,
             layers_min_time=0.0005, layers_rounds=1, layers_vgg="vgg11", layers_vgg_size=32, layers_vgg_rounds=1,
             layers_vgg_worker_forwards=1)


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny configuration: checks the scripts run, in seconds")
    p.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS / intra-op threads for both frameworks; 0: the libraries' defaults (default: 1 on "
                        "machines with <= 4 cores, else 0)")
    p.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                   help="where results.md, results.json and the charts go (default: benchmarks/)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    if args.threads is None:
        args.threads = 1 if (os.cpu_count() or 1) <= 4 else 0
    if args.threads == 0:
        args.threads = None
    if args.threads is not None:  # must happen before NumPy's OpenBLAS or torch's OpenMP start their pools
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    import torch

    import minigrad

    from . import (bench_breadth, bench_cnn, bench_epoch, bench_hvp, bench_layers, bench_memory, bench_ops,
                   bench_pipeline, bench_scaling, common, report)

    if args.threads is not None:
        torch.set_num_threads(args.threads)
        common.set_blas_threads(args.threads)
    cfg = QUICK if args.quick else FULL
    modules = dict(epoch=bench_epoch, pipeline=bench_pipeline, ops=bench_ops, scaling=bench_scaling,
                   memory=bench_memory, hvp=bench_hvp, breadth=bench_breadth, cnn=bench_cnn,
                   layers=bench_layers)
    results = {"config_name": "quick" if args.quick else "full", "config": cfg,
               "machine": common.machine_info(torch)}
    start = time.perf_counter()
    for name in args.only:
        t = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        results[name] = modules[name].run(torch, minigrad, cfg)
        print(f"[bench] {name} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    results["total_seconds"] = time.perf_counter() - start
    try:
        results["machine"]["load_average_at_end"] = os.getloadavg()
    except OSError:
        pass
    report.write(results, args.out)
    for t in results["targets"]:
        print(f"{t['target']}: {t['value']:.3g} (target {t['bound']}) {'met' if t['met'] else 'MISSED'}")
    print(f"wrote {os.path.join(args.out, 'results.md')} in {results['total_seconds']:.0f} s")
    return results


if __name__ == "__main__":
    main()
