"""`minigrad explain`: one backward pass of the tutorial MLP on one small batch, narrated node by node.

It runs the model forward on the first `--batch-size` FashionMNIST training images (random images of the same shape
when the data cannot be found, said so on stderr), takes the cross-entropy loss, and prints what
`minigrad.autograd.explain` saw the engine do: for each node, the rule from its docstring, the gradient in, the
gradients out, and the axes summed to undo broadcasting. `--json` prints the same content as JSON; `--graph` prints
the graph as Graphviz DOT (with gradient norms) instead.
"""
import sys

import numpy as np

import minigrad


def add_args(p):
    p.add_argument("--batch-size", type=int, default=4, help="images in the batch (default: 4)")
    p.add_argument("--seed", type=int, default=0, help="seeds the initial weights (default: 0)")
    p.add_argument("--data-dir", default=None, help="FashionMNIST root (default: $MINIGRAD_DATA, ./data, Debian's)")
    p.add_argument("--random-data", action="store_true", help="use random images instead of FashionMNIST")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the trace as JSON")
    out.add_argument("--graph", action="store_true", help="print the backward graph as Graphviz DOT")
    out.add_argument("--html", metavar="PATH", help="write a self-contained page to step through the backward pass")


def first_batch(batch_size, data_dir=None, random_data=False):
    """(X (N, 1, 28, 28) float32, y (N,) int64, where from): FashionMNIST's first training images, else random."""
    if not random_data:
        try:
            from .common import load_datasets

            train, _ = load_datasets("minigrad", data_dir, limit=batch_size)
            xs, ys = zip(*(train[i] for i in range(len(train))))
            return minigrad.stack(list(xs)), minigrad.tensor(list(ys)), "FashionMNIST (the first training images)"
        except (OSError, RuntimeError) as exc:  # not found or unreadable: say so, go on with random images
            print(f"minigrad explain: FashionMNIST not available ({exc}); using random images", file=sys.stderr)
    rng = np.random.default_rng(0)
    x = rng.random((batch_size, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch_size)
    return minigrad.from_numpy(x), minigrad.from_numpy(y), "random images"


def run(args):
    from ..viz import draw_graph
    from .model import NeuralNetwork

    if args.batch_size < 1:
        raise SystemExit(f"--batch-size must be at least 1, got {args.batch_size}")
    minigrad.manual_seed(args.seed)
    model = NeuralNetwork()
    X, y, source = first_batch(args.batch_size, args.data_dir, args.random_data)
    loss = minigrad.nn.functional.cross_entropy(model(X), y)
    if args.graph:
        print(draw_graph(loss, params=model, show_grad_norms=True).source, end="")
        return
    trace = minigrad.autograd.explain(loss, params=model)
    if args.html:
        from .html import write_page

        print(write_page(trace, args.html, f"the tutorial MLP on a batch of {args.batch_size} {source}"))
        return
    if args.json:
        print(trace.to_json())
        return
    print(f"the tutorial MLP on a batch of {args.batch_size} {source}: loss {loss.item():.6f}\n")
    print(trace.text)
