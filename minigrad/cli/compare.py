"""`minigrad compare`: train minigrad and the torch reference side by side, in lockstep, and report every difference.

Both models start from the same weights (drawn once, by torch unless --init minigrad, and converted bit for bit),
see the same float32 batches in the same order (one shuffle, by minigrad's DataLoader, fed to both), and take the
same optimizer steps. After every step the two losses and all parameters are compared (and, with --check-grads,
every gradient before the step). After every epoch both models are evaluated on the test set.

The report (stdout, OUT/report.json, OUT/loss_drift.png) gives per epoch: each framework's test accuracy and loss
and training time; the largest per-step relative loss difference; the largest parameter difference at the end of
the epoch; the share of test predictions that are identical; and the first step at which any difference exceeded
--tolerance (which quantity, its absolute and relative error), if one did.

Defaults (1 epoch on all 60,000 training images, batch 64, SGD lr 1e-3, seed 0) take about a minute on 2 cores.
"""
import os
import time

import numpy as np

import minigrad

from .common import (Progress, add_common_args, evaluate, framework, load_datasets, make_model, make_optimizer,
                     resolve_device)
from .drift import DriftTracker, tensor_error, torch_array
from .report import CNN_CRITERIA, CRITERIA, check_criteria, print_epoch, write_json, write_png
from .threads import set_threads


def add_args(p):
    add_common_args(p)
    p.add_argument("--device", default="cpu",
                   help="torch's device: cpu (default; the tightest comparison), cuda, mps, or auto "
                        "(cuda, then mps, then cpu). minigrad always runs on the CPU")
    p.add_argument("--init", choices=["torch", "minigrad"], default="torch",
                   help="which framework draws the shared initial weights (default: torch)")
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="report the first step where a loss, parameter (or gradient) relative difference exceeds "
                        "this (default: 1e-4)")
    p.add_argument("--check-grads", action="store_true", help="also compare every gradient at every step")
    p.add_argument("--out", default=os.path.join("runs", "compare"), metavar="DIR",
                   help="where report.json and loss_drift.png go (default: runs/compare)")
    p.add_argument("--float64", action="store_true",
                   help="also train torch in float64 from the same start, and report how far each float32 run is "
                        "from it: the yardstick for how much two float32 runs may differ")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS threads for each framework (default: 1; the two alternate every step, and two "
                        "spinning thread pools on the same cores can slow both tenfold; 0 = the libraries' defaults)")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a check on the first epoch fails ("
                        + "; ".join(CRITERIA).replace("%", "%%") + "; with --model cnn: "
                        + "; ".join(CNN_CRITERIA).replace("%", "%%") + ")")


class _TorchBatches:
    """A view of a minigrad DataLoader that yields the very same batches as torch tensors on `device`."""

    def __init__(self, loader, device):
        self.loader, self.device, self.dataset = loader, device, loader.dataset

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        return (_to_torch(X, y, self.device) for X, y in self.loader)


def _to_torch(X, y, device):
    import torch
    return torch.from_numpy(X.numpy()).to(device), torch.from_numpy(y.numpy()).to(device)


class Float64Twin:
    """torch in float64 from the same start and batches: float32 rounding alone is what separates either float32
    run from it, so each one's distance from it says whether minigrad drifts more than torch itself does."""

    def __init__(self, t_model, args):
        import copy

        import torch
        self.model = copy.deepcopy(t_model).double()
        self.opt = make_optimizer(torch, self.model.parameters(), args)
        self.loss_fn = torch.nn.CrossEntropyLoss()

    def step(self, Xt, yt):
        loss = self.loss_fn(self.model(Xt.double()), yt)
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()

    def distance(self, named_params):
        """Largest relative difference (max |p - p64| / max |p64|, worst tensor) from this run's parameters."""
        ref = dict(self.model.named_parameters())
        return max(tensor_error(np.asarray(p.detach().cpu().numpy(), np.float64), torch_array(ref[name]))[1]
                   for name, p in named_params)

    def buffer_distance(self, named_buffers):
        """The same for the running statistics (the float buffers; the batch counters are equal): 0 without any."""
        ref = dict(self.model.named_buffers())
        return max((tensor_error(np.asarray(b.detach().cpu().numpy(), np.float64), torch_array(ref[name]))[1]
                    for name, b in named_buffers if ref[name].is_floating_point()), default=0.0)


def shared_models(args, device):
    """The torch and minigrad models (--model), with the same weights and buffers to the bit."""
    from reference.convert import copy_weights

    import torch
    torch.manual_seed(args.seed)
    minigrad.manual_seed(args.seed)
    t_model, m_model = make_model("torch", device, args.model), make_model("minigrad", model=args.model)
    if args.init == "torch":
        copy_weights(t_model, m_model)
    else:
        copy_weights(m_model, t_model)
    t_state, m_state = t_model.state_dict(), m_model.state_dict()
    for key, value in t_state.items():
        mine = np.asarray(m_state[key].numpy())
        if mine.dtype != value.cpu().numpy().dtype or value.cpu().numpy().tobytes() != mine.tobytes():
            raise RuntimeError(f"initial weights differ after conversion at {key!r}")
    return t_model, m_model


def _sync(device):
    import torch
    if getattr(device, "type", device) == "cuda":
        torch.cuda.synchronize()


def run(args):
    torch = framework("torch")  # a clear message, not a traceback, when torch is not installed
    threads = set_threads(args.threads, torch) if args.threads > 0 else {}
    device = resolve_device("torch", args.device)
    t_model, m_model = shared_models(args, device)
    t_opt = make_optimizer(torch, t_model.parameters(), args)
    m_opt = make_optimizer(minigrad, m_model.parameters(), args)
    t_loss_fn, m_loss_fn = torch.nn.CrossEntropyLoss(), minigrad.nn.CrossEntropyLoss()
    pairs = [(name, pm, pt) for (name, pm), (_, pt) in zip(m_model.named_parameters(), t_model.named_parameters())]
    buffer_pairs = [(name, bm, bt) for (name, bm), (_, bt) in zip(m_model.named_buffers(), t_model.named_buffers())]

    train_data, test_data = load_datasets("minigrad", args.data_dir, args.limit, args.test_limit)
    generator = minigrad.Generator().manual_seed(args.seed)  # the one shuffle both frameworks follow
    loader = minigrad.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=generator)
    m_test = minigrad.utils.data.DataLoader(test_data, batch_size=args.batch_size)
    t_test = _TorchBatches(m_test, device)

    keys = ("model", "epochs", "batch_size", "lr", "optimizer", "momentum", "seed", "limit", "test_limit", "init",
            "tolerance", "check_grads", "float64")
    config = {key: getattr(args, key) for key in keys}
    config.update(device=str(device), train_samples=len(train_data), test_samples=len(test_data),
                  steps_per_epoch=len(loader), torch_version=torch.__version__, numpy_version=np.__version__,
                  threads=threads or "library defaults")
    print(f"Comparing minigrad with torch {torch.__version__} on {device} ({args.model}): {len(train_data)} training "
          f"images, {len(test_data)} test images, {args.epochs} epoch(s) of {len(loader)} steps, batch "
          f"{args.batch_size}, {args.optimizer} lr {args.lr}")
    tracker = DriftTracker(args.tolerance)
    twin = Float64Twin(t_model, args) if args.float64 else None
    epochs = []
    for epoch in range(args.epochs):
        print(f"\nEpoch {epoch + 1}\n-------------------------------")
        tracker.new_epoch(epoch)
        m_time = t_time = 0.0
        progress = Progress(len(train_data), label=f"epoch {epoch + 1}/{args.epochs} ")
        m_model.train()  # the tutorial's loops: train() here, eval() in the test loop (batchnorm's two modes)
        t_model.train()
        for batch, (X, y) in enumerate(loader):
            Xt, yt = _to_torch(X, y, device)
            t0 = time.perf_counter()
            m_loss = m_loss_fn(m_model(X), y)
            m_loss.backward()
            t1 = time.perf_counter()
            t_loss = t_loss_fn(t_model(Xt), yt)
            t_loss.backward()
            _sync(device)
            t2 = time.perf_counter()
            if args.check_grads:
                tracker.grads(batch, pairs)
            t3 = time.perf_counter()
            m_opt.step()
            m_opt.zero_grad()
            t4 = time.perf_counter()
            t_opt.step()
            t_opt.zero_grad()
            _sync(device)
            t5 = time.perf_counter()
            m_time += (t1 - t0) + (t4 - t3)
            t_time += (t2 - t1) + (t5 - t4)
            if twin is not None:
                twin.step(Xt, yt)
            m_value = m_loss.item()
            tracker.losses(batch, m_value, t_loss.item())
            tracker.buffers(batch, buffer_pairs)
            tracker.params(batch, pairs)
            progress.update(batch, len(X), m_value)
        progress.close()

        start = time.perf_counter()
        m_acc, m_test_loss, m_pred = evaluate(minigrad, m_model, m_test, m_loss_fn)
        m_eval = time.perf_counter() - start
        start = time.perf_counter()
        t_acc, t_test_loss, t_pred = evaluate(torch, t_model, t_test, t_loss_fn, device)
        t_eval = time.perf_counter() - start
        steps = len(tracker.steps["loss_minigrad"]) - tracker.epoch_start
        record = {"epoch": epoch + 1,
                  "minigrad": {"test_accuracy": m_acc, "test_loss": m_test_loss, "train_seconds": m_time,
                               "eval_seconds": m_eval,
                               "mean_train_loss": float(np.mean(tracker.steps["loss_minigrad"][-steps:]))},
                  "torch": {"test_accuracy": t_acc, "test_loss": t_test_loss, "train_seconds": t_time,
                            "eval_seconds": t_eval,
                            "mean_train_loss": float(np.mean(tracker.steps["loss_torch"][-steps:]))},
                  "accuracy_diff_points": 100 * (m_acc - t_acc),
                  "predictions_identical": float(np.mean(m_pred == t_pred)) if len(m_pred) else 1.0}
        record.update(tracker.epoch_summary(pairs, buffer_pairs))
        if twin is not None:
            record["float64_distance"] = {"minigrad": twin.distance(m_model.named_parameters()),
                                          "torch": twin.distance(t_model.named_parameters())}
            if buffer_pairs:
                record["float64_buffer_distance"] = {"minigrad": twin.buffer_distance(m_model.named_buffers()),
                                                     "torch": twin.buffer_distance(t_model.named_buffers())}
        epochs.append(record)
        print_epoch(record, tracker.first_exceeded)

    report = {"config": config, "epochs": epochs, "first_exceeded": tracker.first_exceeded,
              "checks": check_criteria(epochs[0], args.model) if epochs else {}, "steps": tracker.steps}
    os.makedirs(args.out, exist_ok=True)
    json_path = write_json(report, os.path.join(args.out, "report.json"))
    png_path, note = write_png(report, os.path.join(args.out, "loss_drift.png"))
    print(f"\nReport: {json_path}")
    print(f"Plot:   {png_path}" if png_path else f"Plot:   skipped ({note})")
    failed = [name for name, ok in report["checks"].items() if not ok]
    print("Checks on epoch 1 (the one-epoch lockstep criteria): "
          + ("all passed" if not failed else "FAILED: " + "; ".join(failed)))
    return 1 if (args.strict and failed) else 0
