"""`minigrad train --backward NAME=FILE`: a learner's Function in a real training run of the tutorial MLP, step by
step beside minigrad's own from the same weights and batches, with the agreement of the loss and every gradient.

The exercises that are ops of that model: linear (its three Linear layers), relu (its two ReLUs), cross_entropy
(its loss).
"""
import numpy as np

PLUGGABLE = ("linear", "relu", "cross_entropy")
AGREE = 1e-4  # relative difference of float32 gradients computed in a different order


def parse(specs):
    """["linear=my_linear.py", ...] -> {name: the learner's Function class}."""
    from . import catalog, load
    plugged = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        name = name.replace("-", "_")
        if not sep or not path:
            raise SystemExit(f"--backward {spec}: expected NAME=FILE, e.g. --backward linear=linear.py")
        if name not in PLUGGABLE:
            raise SystemExit(f"--backward {spec}: {name!r} is not an op of the tutorial MLP; pluggable: "
                             f"{', '.join(PLUGGABLE)}")
        try:
            found, cls = load(path)
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"--backward {spec}: cannot load {path}: {e}")
        if found != name:
            raise SystemExit(f"--backward {spec}: {path} is the {catalog.get(found).name} exercise, not {name}")
        plugged[name] = cls
    return plugged


def plug(model, loss_fn, plugged):
    """Put the learner's Functions into `model` (its Linear and ReLU modules) and the loss; returns the loss."""
    from .. import nn
    for module in model.modules():
        if "linear" in plugged and isinstance(module, nn.Linear):
            module.forward = lambda x, m=module, f=plugged["linear"]: f.apply(x, m.weight, m.bias)
        if "relu" in plugged and isinstance(module, nn.ReLU):
            module.forward = lambda x, f=plugged["relu"]: f.apply(x)
    if "cross_entropy" in plugged:
        return lambda logits, y, f=plugged["cross_entropy"]: f.apply(logits, y)
    return loss_fn


def _rel(a, b):
    return float(np.abs(a - b).max() / max(float(np.abs(b).max()), 1e-12))


def run(args, stream=None):
    """Train the learner's model and minigrad's own side by side; print each step's agreement. 0 when every step
    agrees, 1 otherwise."""
    import sys

    import minigrad as fw

    from ..cli.common import load_datasets, make_model, make_optimizer
    out = stream or sys.stdout
    plugged = parse(args.backward)
    limit = args.limit if args.limit is not None else 10 * args.batch_size  # a short run unless told
    fw.manual_seed(args.seed)
    yours = make_model("minigrad")
    fw.manual_seed(args.seed)
    own = make_model("minigrad")  # the same draws: the same initial weights
    own_loss = fw.nn.CrossEntropyLoss()
    your_loss = plug(yours, fw.nn.CrossEntropyLoss(), plugged)
    opt_yours, opt_own = make_optimizer(fw, yours.parameters(), args), make_optimizer(fw, own.parameters(), args)
    train_data, _ = load_datasets("minigrad", args.data_dir, limit, 0)
    loader = fw.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True,
                                      generator=fw.Generator().manual_seed(args.seed))
    names = ", ".join(f"{n} from {p.partition('=')[2]}" for n, p in zip(plugged, args.backward))
    print(f"training with your backward ({names}) beside minigrad's own, {len(train_data)} samples, "
          f"batch size {args.batch_size}", file=out)
    worst, first_bad, step = 0.0, None, 0
    for epoch in range(args.epochs):
        for X, y in loader:
            step += 1
            losses = []
            for model, loss_fn, opt in ((yours, your_loss, opt_yours), (own, own_loss, opt_own)):
                loss = loss_fn(model(X), y)
                loss.backward()
                losses.append(loss.item())
            diffs = [(_rel(a.grad.numpy(), b.grad.numpy()) if a.grad is not None else float("inf"), name)
                     for (name, a), b in zip(yours.named_parameters(), own.parameters())]
            diff, where = max(diffs)
            loss_diff = abs(losses[0] - losses[1]) / max(abs(losses[1]), 1e-12)
            ok = diff <= AGREE and loss_diff <= AGREE
            worst = max(worst, diff, loss_diff)
            if not ok and first_bad is None:
                first_bad = (step, where, diff)
            print(f"step {step:>3}: loss {losses[0]:.6f} (yours) {losses[1]:.6f} (minigrad), gradients' largest "
                  f"relative difference {diff:.1e} ({where}) {'agree' if ok else 'DISAGREE'}", file=out)
            for opt in (opt_yours, opt_own):
                opt.step()
                opt.zero_grad()
    if first_bad is None:
        print(f"your backward agrees with minigrad's own on all {step} steps (largest relative difference "
              f"{worst:.1e})", file=out)
        return 0
    s, where, diff = first_bad
    print(f"your backward disagrees with minigrad's own from step {s} ({where}: relative difference {diff:.1e}); "
          "`minigrad exercise check FILE` says why", file=out)
    return 1
