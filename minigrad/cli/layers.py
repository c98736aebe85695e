"""`minigrad compare --layers`: the first batch of `minigrad compare`, compared layer by layer.

The two models are the ones `compare` trains (the same weights to the bit, `compare.shared_models`) and the batch
is its first (the same seeded shuffle). `reference.layers.compare_layers` hooks every module on both sides and
prints, per layer, the largest difference in the output and in the gradient at the output, then per parameter the
largest gradient difference. With --strict, exit status 1 when any relative difference exceeds --tolerance.
"""
import minigrad


def add_args(p):
    p.add_argument("--layers", action="store_true",
                   help="only compare the first batch, layer by layer: every module's output and output gradient, "
                        "every parameter's gradient (reference.layers.compare_layers)")


def run_compare(args):
    """`minigrad compare`: the layer-by-layer table with --layers, else the lockstep training run."""
    if args.layers:
        return run(args)
    if getattr(args, "ops", False):
        from .ops_compare import run as run_ops

        return run_ops(args)
    from .compare import run as run_lockstep

    return run_lockstep(args)


def run(args):
    from reference.layers import compare_layers

    from .common import load_datasets, resolve_device
    from .compare import shared_models

    device = resolve_device("torch", args.device)
    t_model, m_model = shared_models(args, device)
    train_data, _ = load_datasets("minigrad", args.data_dir, args.limit, 0)
    generator = minigrad.Generator().manual_seed(args.seed)  # the shuffle `minigrad compare` uses
    loader = minigrad.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=generator)
    X, y = next(iter(loader))
    result = compare_layers(m_model, t_model, X, y, copy_weights=False)
    print(result.text)
    worst = max([r[k] for r in result.layers for k in ("act_rel", "grad_rel") if r[k] is not None]
                + [r["grad_rel"] for r in result.params if r["grad_rel"] is not None])
    verdict = "within" if worst <= args.tolerance else "OVER"
    print(f"\nlargest relative difference {worst:.1e}: {verdict} --tolerance {args.tolerance:g}")
    first = result.first_divergence(args.tolerance)
    if first is not None:
        print(f"first module whose output differs by more than {args.tolerance:g}: {first}")
    return 1 if (args.strict and worst > args.tolerance) else 0
