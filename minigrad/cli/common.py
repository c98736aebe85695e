"""What `minigrad train` and `minigrad compare` share: the frameworks, data, optimizer, progress bar, evaluation.

Both frameworks are driven by the same code: minigrad has torch's API, so `fw` below is either the `minigrad` or
the `torch` module and `fw.nn`, `fw.optim`, `fw.utils.data`, `fw.save` mean the same thing in each.
"""
import os
import sys
import time

import minigrad
import minigrad.nn  # noqa: F401 - makes minigrad.nn, .optim, .utils.data reachable as attributes, as in torch
import minigrad.optim  # noqa: F401
import minigrad.utils.data  # noqa: F401


def framework(name):
    """'minigrad' -> the minigrad module; 'torch' -> torch (needs the `reference` extra installed)."""
    if name == "minigrad":
        return minigrad
    if name == "torch":
        try:
            import torch
        except ImportError as exc:
            raise SystemExit(f"--framework torch needs torch installed (pip install 'minigrad[reference]'): {exc}")
        return torch
    raise ValueError(f"framework must be 'minigrad' or 'torch', got {name!r}")


def make_model(name, device="cpu", model="mlp"):
    """The tutorial's NeuralNetwork (model "mlp") or the small CNN ("cnn") in framework `name`, drawn from that
    framework's current global RNG."""
    if name == "torch":
        from reference.model import MODELS
    else:
        from .model import MODELS
    if model not in MODELS:
        raise ValueError(f"--model must be one of {sorted(MODELS)}, got {model!r}")
    return MODELS[model]().to(device)


def resolve_device(name, device):
    """minigrad computes on the CPU only; torch takes the tutorial's choice (cuda, mps, cpu) unless told."""
    if name == "minigrad":
        if device not in (None, "", "auto", "cpu"):
            raise SystemExit(f"--device {device}: minigrad runs on the CPU only (use --framework torch for {device})")
        return "cpu"
    from reference.model import choose_device
    try:
        return choose_device(device)
    except RuntimeError as exc:
        raise SystemExit(str(exc))


def make_optimizer(fw, params, args):
    if args.optimizer == "sgd":
        return fw.optim.SGD(params, lr=args.lr, momentum=args.momentum)
    if args.optimizer == "adam":
        return fw.optim.Adam(params, lr=args.lr)
    raise ValueError(f"--optimizer must be sgd or adam, got {args.optimizer!r}")


def load_datasets(name, data_dir=None, limit=None, test_limit=None):
    """FashionMNIST (train, test) as float32 (1, 28, 28) images in [0, 1] and int64 labels, from the same files.

    minigrad reads the IDX files itself; torch reads them through torchvision (reference/data.py). `limit` and
    `test_limit` keep the first N samples, for quick runs.
    """
    if name == "torch":
        from torch.utils.data import Subset

        from reference.data import fashion_mnist
        train, test = fashion_mnist(True, data_dir), fashion_mnist(False, data_dir)
    else:
        from ..utils.data import Subset
        from ..vision import datasets, transforms
        root = data_dir if data_dir is not None else default_data_dir()
        train = datasets.FashionMNIST(root, train=True, transform=transforms.ToTensor())
        test = datasets.FashionMNIST(root, train=False, transform=transforms.ToTensor())
    if limit is not None and limit < len(train):
        train = Subset(train, range(limit))
    if test_limit is not None and test_limit < len(test):
        test = Subset(test, range(test_limit))
    return train, test


def default_data_dir():
    """The tutorial's root, ./data; minigrad also searches $MINIGRAD_DATA and Debian's dataset-fashion-mnist."""
    return "data"


class Progress:
    """A one-line progress bar on a terminal (plain \\r text); on a pipe, the tutorial's line every 100 batches."""

    def __init__(self, total, label="", stream=None, enabled=None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.start = self.last = time.perf_counter()

    def update(self, batch, n, loss):
        self.done += n
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        if self.tty:
            if now - self.last < 0.1 and self.done < self.total:
                return
            self.last = now
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            bar = "=" * filled + ">" * (filled < width) + " " * (width - filled - 1)
            self.stream.write(f"\r{self.label}[{bar[:width]}] {self.done:>5d}/{self.total:>5d} "
                              f"loss {loss:>8.6f}  {rate:>7.0f} samples/s")
            self.stream.flush()
        elif batch % 100 == 0:
            print(f"loss: {loss:>7f}  [{self.done:>5d}/{self.total:>5d}]  {rate:.0f} samples/s", flush=True)

    def close(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def evaluate(fw, model, loader, loss_fn, device="cpu"):
    """The tutorial's test loop, in either framework: (accuracy in [0, 1], mean batch loss, predictions (N,) int64)."""
    import numpy as np

    model.eval()
    test_loss, correct, preds = 0.0, 0, []
    with fw.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            guess = pred.argmax(1)
            correct += (guess == y).type(fw.float).sum().item()
            preds.append(np.asarray(guess.cpu().numpy()))
    model.train()
    test_loss /= len(loader)
    correct /= len(loader.dataset)
    return correct, test_loss, np.concatenate(preds) if preds else np.zeros(0, np.int64)


def test_error_line(correct, test_loss):
    """The tutorial's report, character for character."""
    return f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n"


def add_common_args(p):
    p.add_argument("--model", choices=["mlp", "cnn"], default="mlp",
                   help="mlp: the tutorial's NeuralNetwork (default); cnn: (conv-batchnorm-relu-maxpool) x 2, linear")
    p.add_argument("--epochs", type=int, default=1, help="passes over the training set (default: 1)")
    p.add_argument("--batch-size", type=int, default=64, help="samples per step (default: 64, the tutorial's)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate (default: 1e-3, the tutorial's)")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd", help="default: sgd, the tutorial's")
    p.add_argument("--momentum", type=float, default=0.0, help="SGD momentum (default: 0)")
    p.add_argument("--seed", type=int, default=0, help="seeds the initial weights and the shuffle (default: 0)")
    p.add_argument("--data-dir", default=None,
                   help="FashionMNIST root, torchvision's layout (ROOT/FashionMNIST/raw/, gzipped or not); default "
                        "./data. Then $MINIGRAD_DATA and Debian's dataset-fashion-mnist files are searched")
    p.add_argument("--limit", type=int, default=None, help="train on the first N training samples only")
    p.add_argument("--test-limit", type=int, default=None, help="evaluate on the first N test samples only")
