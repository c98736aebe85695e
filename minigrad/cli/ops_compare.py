"""`minigrad compare --ops`: one training step in minigrad and in torch, compared op by op (makemore's `cmp`).

Both models (the MLP, or --model cnn) get the same weights and the same first batch as `minigrad compare`. While each
runs forward, every op's output is kept (minigrad: a wrapper around `Function.apply`; torch: a TorchDispatchMode,
whose outputs carry the grad_fn autograd gives them). While each runs backward, every node's incoming gradient and the
gradients it sends on are kept (minigrad: the engine's `observed` step; torch: `grad_fn.register_prehook` and
`register_hook`).

The two graphs are paired from the loss down, edge by edge, node names checked (ops_pairing.py; an op that one
library records as one node and the other as several is compared at its boundary).

The rows come in torch's own backward order, each with exact / allclose / max-difference columns for the forward
value, the gradient that flowed in, and the gradients sent on. The last are checked against torch's same node run
again on minigrad's incoming gradient (`replay`), so each op is judged on its own even where what reaches it already
differs. The first op where the two part is named: in forward order the first whose output differs, else in backward
order the first that sends on other gradients than torch's node does from the same one.

Why what reaches an op may differ although every op agrees: in a max-pool window over flat image background, torch's
conv gives equal patches exactly equal outputs and minigrad's (one BLAS matmul) may round them an ulp apart, so the two
pick different elements of a tie. The max-pool row is then compared with minigrad's picks (each must be a largest value
of torch's input too) and counts the ties; below it the gradients differ end to end, and the summary says why.
"""
import contextlib
from collections import Counter

import numpy as np

import minigrad
from minigrad.autograd import function
from minigrad.autograd.engine import observed, root_gradient, run_backward, unbroadcast

from .ops_pairing import Op, children, node_name, pair_graphs


def add_args(p):
    p.add_argument("--ops", action="store_true",
                   help="only the first batch, op by op: every recorded op's forward value and gradients against "
                        "torch's, in torch's backward order, and the first op where they part")


def cmp(a, b, scale=0.0):
    """makemore's cmp: (exact, allclose, max |a - b|) of minigrad's `a` and torch's `b`; None when one is missing.
    allclose: within 1e-5 relative, with an absolute floor of 1e-5 of the largest torch value (float32 sums in
    another order differ that much where values cancel), or of `scale` when larger (`_scale`)."""
    if a is None or b is None:
        return None
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return {"exact": False, "allclose": False, "maxdiff": float("inf"), "note": f"shapes {a.shape} vs {b.shape}"}
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    diff = float(np.max(np.abs(a64 - b64))) if a.size else 0.0
    floor = max(float(np.max(np.abs(b64))) if b.size else 0.0, scale)
    return {"exact": bool(np.array_equal(a, b)), "maxdiff": diff,
            "allclose": bool(np.allclose(a64, b64, rtol=1e-5, atol=1e-5 * floor))}


def _largest(a):
    return float(np.max(np.abs(a))) if a is not None and np.size(a) else 0.0


def _scale(g_from, g):
    """How large the rounding in a gradient `g` computed from `g_from` may be: the largest of `g_from` times the number
    of its elements summed into each of g's (at least 1). A sum that cancels to nearly zero keeps rounding of that
    size: a conv bias in front of batch norm gets only rounding noise (the CNN's first: torch's 4e-6 off the float64
    sum, minigrad's 2e-7)."""
    return _largest(g_from) * max(1.0, np.size(g_from) / max(np.size(g), 1)) if g_from is not None else 0.0


@contextlib.contextmanager
def minigrad_outputs(values):
    """While active, every recorded op's output array is kept in values[node]."""
    original = function.Function.__dict__["apply"]

    def apply(cls, *args, **options):
        out = original.__func__(cls, *args, **options)
        first = out[0] if type(out) is tuple else out
        if first.grad_fn is not None:
            values[first.grad_fn] = first.data.copy()
        return out

    function.Function.apply = classmethod(apply)
    try:
        yield values
    finally:
        function.Function.apply = original


def torch_outputs(values):
    """A TorchDispatchMode that keeps every aten op's output; `values` maps grad_fn -> array once `.resolve()`d."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    class Outputs(TorchDispatchMode):
        kept = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in (out if isinstance(out, (tuple, list)) else (out,)):
                if isinstance(t, torch.Tensor):
                    self.kept.append((t, t.detach().cpu().numpy().copy()))
            return out

        def resolve(self):
            for t, value in self.kept:
                if t.grad_fn is not None and t.grad_fn not in values:
                    values[t.grad_fn] = value
            self.kept = []

    return Outputs()


def _np(t):
    return None if t is None else t.detach().cpu().numpy()


def run_minigrad(model, X, y):
    """The minigrad side: forward values, then {node: (grad in, grads sent on)} in the engine's order."""
    values, grads = {}, {}
    with minigrad_outputs(values):
        loss = minigrad.nn.functional.cross_entropy(model(X), y)

    def observe(node, grad, input_grads):
        sent = [None if g is None or meta is None else np.asarray(unbroadcast(np.asarray(g), *meta))
                for g, meta in zip(input_grads, node.input_meta)]
        grads[node] = (np.array(grad), sent, len(grads) + 1)  # + its step in minigrad's engine

    run_backward([loss._node()], [root_gradient(loss)], step=observed(observe))
    for p in model.parameters():
        values[p._accum] = p.data.copy()
    return loss, values, grads


def run_torch(model, X, y):
    """The torch side: forward values, {node: (grad in, grads sent on)} and the order torch's engine ran them."""
    import torch

    values, grads, order = {}, {}, []
    mode = torch_outputs(values)
    with mode:
        loss = torch.nn.functional.cross_entropy(model(X), y)
    mode.resolve()
    handles, stack, seen = [], [loss.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            values[node] = node.variable.detach().cpu().numpy().copy()

        def pre(grad_outputs, node=node):
            order.append(node)
            grads[node] = (_np(grad_outputs[0]), [])

        def post(grad_inputs, grad_outputs, node=node):
            grads[node] = (grads[node][0], [_np(g) for g in grad_inputs])

        handles += [node.register_prehook(pre), node.register_hook(post)]
        stack.extend(c for c, _ in node.next_functions)
    try:
        loss.backward(retain_graph=True)  # each node is run again, on minigrad's incoming gradient (`replay`)
    finally:
        for h in handles:
            h.remove()
    return loss, values, grads, order


def compare_ops(m_model, t_model, X, y):
    """One batch through both (same weights): a list of row dicts in torch's backward order, and the verdict."""
    import torch

    m_loss, m_values, m_grads = run_minigrad(m_model, X, y)
    device = next(t_model.parameters()).device
    Xt, yt = torch.from_numpy(X.numpy()).to(device), torch.from_numpy(y.numpy()).to(device)
    t_loss, t_values, t_grads, order = run_torch(t_model, Xt, yt)
    leaves = {id(p): n for model in (t_model, m_model) for n, p in model.named_parameters()}
    op_of = {t: op for op in pair_graphs(t_loss.grad_fn, m_loss._node(), leaves) for t in op.torch}
    feeds = {}  # each node's incoming gradient's rounding scale, from what flowed into its parents
    for t in order:
        for c in children(t):
            if c in t_grads:
                feeds[c] = max(feeds.get(c, 0.0), _scale(t_grads[t][0], t_grads[c][0]))
    rows = []
    for i, t in enumerate(order):
        op = op_of.get(t, Op((t,), (), ()))
        role = "unmatched" if not op.minigrad else "same" if t is op.torch[0] else "fused"
        t_in = t_grads[t][0]
        row = {"step": i + 1, "op": node_name(t), "minigrad": _names(op.minigrad), "role": role,
               "shape": None if t_in is None else list(t_in.shape), "seq": t._sequence_nr()}
        if hasattr(t, "variable"):
            row["param"] = leaves.get(id(t.variable), "leaf")
        if role == "same":
            m = op.minigrad[0]
            m_in, _, row["minigrad_step"] = m_grads.get(m, (None, [], None))
            row["value"] = cmp(m_values.get(m), t_values.get(t))
            row["grad_in"] = cmp(m_in, t_in, scale=feeds.get(t, 0.0))
            if m_in is not None and op.exits:
                t_sent, row["ties"] = replay(op, m_in, device)
                m_sent = _sent(op.minigrad, m_grads)
                row["grad_out"] = _worst([cmp(m_sent.get(mc), t_sent.get(tc), scale=_scale(m_in, t_sent.get(tc)))
                                          for tc, mc in op.exits])
        rows.append(row)
    return rows, first_divergence(rows), (float(m_loss.item()), float(t_loss.item()))


def _names(nodes):
    """minigrad's node name, or for an op it writes with several ops, what they are: '11 nodes: 3 MulBackward0, ...'"""
    if len(nodes) <= 1:
        return node_name(nodes[0]) if nodes else None
    counts = Counter(node_name(n) for n in nodes)
    return f"{len(nodes)} nodes: " + ", ".join(f"{k} {name}" if k > 1 else name for name, k in counts.items())


def _sent(nodes, grads):
    """{child: the gradient minigrad's `nodes` sent it, summed over their edges into it}."""
    sent = {}
    for node in nodes:
        for child, g in zip(children(node), grads.get(node, (None, ()))[1]):
            if child is not None and g is not None:
                sent[child] = g if child not in sent else sent[child] + g
    return sent


def replay(op, grad, device):
    """torch's own backward of the op run again on minigrad's incoming gradient `grad`: ({torch child: the gradient
    torch sends it}, max-pool ties minigrad broke the other way, or None). Nodes are called directly (no hooks)."""
    import torch

    pending, sent, ties = {op.torch[0]: torch.from_numpy(np.array(grad)).to(device)}, {}, None
    for node in sorted(op.torch, key=lambda n: -n._sequence_nr()):  # later in forward: earlier in backward
        g = pending.pop(node)
        if node_name(node) == "MaxPool2DWithIndicesBackward0":
            out, ties = _max_pool_with_ties(node, op.minigrad[0], g)
        else:
            out = node(g)  # a node with one input returns a Tensor, else a tuple
            out = (out,) if isinstance(out, torch.Tensor) else out
        for (child, nr), gc in zip(node.next_functions, out):
            if child is not None and gc is not None:
                gc = gc.sum_to_size(child._input_metadata[nr].shape)  # as torch's engine does after each node
                box = pending if child in op.torch else sent
                box[child] = gc if child not in box else box[child] + gc
    return {c: _np(g) for c, g in sent.items()}, ties


def _max_pool_with_ties(t, m, grad):
    """Max pooling's backward sends each window's gradient to its largest element. In a window whose largest values
    are equal to float32 rounding (flat background) each library may pick another one: torch's backward is then run
    with minigrad's picks, provided each is as large as torch's pick in torch's input (to rounding). (grads, ties)"""
    import torch

    x, index = t._saved_self, t._saved_result1
    mine = torch.from_numpy(m.index).to(index.device)
    ties = int((mine != index).sum())
    best, picked = (x.flatten(2).gather(2, i.flatten(2)) for i in (index, mine))
    if not ties or not cmp(_np(picked), _np(best))["allclose"]:
        return (t(grad),), None
    return (torch.ops.aten.max_pool2d_with_indices_backward(grad, x, t._saved_kernel_size, t._saved_stride,
                                                            t._saved_padding, t._saved_dilation, t._saved_ceil_mode,
                                                            mine),), {"count": ties, "windows": index.numel()}


def _worst(results):
    results = [r for r in results if r is not None]
    if not results:
        return None
    return {"exact": all(r["exact"] for r in results), "allclose": all(r["allclose"] for r in results),
            "maxdiff": max(r["maxdiff"] for r in results)}


def first_divergence(rows):
    """(row, why) of the first op where the two libraries part, or None when every op agrees."""
    for r in rows:
        if r["role"] == "unmatched":
            return r, f"minigrad's graph has no {r['op']} here"
    for r in sorted(rows, key=lambda r: r["seq"]):  # forward order: the first output that differs
        if r.get("value") is not None and not r["value"]["allclose"]:
            return r, "its forward value differs"
    for r in rows:  # backward order: the first node that, given the same gradient as torch's, sends on others
        if r.get("grad_out") is not None and not r["grad_out"]["allclose"]:
            return r, "the gradients it sends on differ"
    for r in rows:  # every op agrees: then what flows in agrees too, down to the first max-pool tie broken otherwise
        if r.get("ties"):
            return None
        if r.get("grad_in") is not None and not r["grad_in"]["allclose"]:
            return r, "the gradient flowing into it differs"
    return None


def format_rows(rows, verdict, losses):
    def col(c):
        if c is None:
            return f"{'':>5} {'':>8} {'—':>9}"
        return f"{str(c['exact']):>5} {str(c['allclose']):>8} {c['maxdiff']:>9.2e}"

    def note(r):  # the last column: the parameter, minigrad's nodes for a composed op, max-pool ties
        if r.get("ties"):
            return f"{r['ties']['count']} of {r['ties']['windows']} windows tied: compared with minigrad's picks"
        return r.get("param") or (f"minigrad: {r['minigrad']}" if r["minigrad"] != r["op"] else "")

    shapes = ["(" + ", ".join(map(str, r["shape"] or [])) + ("," if len(r["shape"] or []) == 1 else "") + ")"
              for r in rows]
    wo, ws = max([20] + [len(r["op"]) for r in rows]), max([11] + [len(s) for s in shapes])
    head = f"{'#':>3} {'mg#':>3}  {'op':<{wo}} {'shape':<{ws}}  " + "  ".join(
        f"{k:<8} exact allclose   maxdiff" for k in ("value", "grad in", "grad out")) + "  parameter"
    lines = [f"one training step op by op, minigrad vs torch; loss minigrad {losses[0]:.8f}, torch {losses[1]:.8f}",
             "rows in torch's backward order (mg#: the step at which minigrad's engine ran the same node); value: the "
             "op's output, grad in: the gradient flowing into it, grad out: the gradients it sends on, against torch's "
             "node run on minigrad's incoming gradient", "", head]
    for r, shape in zip(rows, shapes):
        start = f"{r['step']:>3} {r.get('minigrad_step') or '':>3}  {r['op']:<{wo}} {shape:<{ws}}  "
        if r["role"] == "fused":
            lines.append(start + f"inside minigrad's {r['minigrad']} (one node; compared at its top row)")
        elif r["role"] == "unmatched":
            lines.append(start + "NOT FOUND in minigrad's graph")
        else:
            lines.append(start + "  ".join(f"{'':<8} {col(r.get(k))}" for k in ("value", "grad_in", "grad_out"))
                         + f"  {note(r)}")
    lines.append("")
    if verdict is None:
        lines.append(f"every one of torch's {len(rows)} backward nodes found in minigrad's graph, in torch's order, "
                     "and all agree (allclose)")
        tied = [r for r in rows if r.get("ties")]
        if tied:
            lines.append(f"end to end the incoming gradients part below [{tied[0]['step']}] {tied[0]['op']}: in "
                         f"{sum(r['ties']['count'] for r in tied)} max-pool windows the largest values are equal to "
                         "float32 rounding\nand minigrad picked another one than torch; given the same gradient, "
                         "every op agrees (grad out)")
    else:
        r, why = verdict
        lines.append(f"first divergence: [{r['step']}] {r['op']}{' (' + r['param'] + ')' if 'param' in r else ''}: "
                     f"{why}")
    return "\n".join(lines)


def first_batch(args):
    """The first training batch of `minigrad compare` with these arguments: (X, y) as minigrad tensors."""
    from .common import load_datasets

    train_data, _ = load_datasets("minigrad", args.data_dir, args.limit, 0)
    generator = minigrad.Generator().manual_seed(args.seed)  # the shuffle `minigrad compare` uses
    loader = minigrad.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=generator)
    return next(iter(loader))


def run(args):
    from .common import resolve_device
    from .compare import shared_models

    device = resolve_device("torch", args.device)
    t_model, m_model = shared_models(args, device)
    rows, verdict, losses = compare_ops(m_model, t_model, *first_batch(args))
    print(format_rows(rows, verdict, losses))
    updated = optimizer_step(m_model, t_model, args)
    print(f"\nafter the {args.optimizer} step (lr {args.lr:g}): parameters  exact allclose   maxdiff")
    for name, c in updated:
        print(f"  {name:<36} {str(c['exact']):>5} {str(c['allclose']):>8} {c['maxdiff']:>9.2e}")
    diverged = verdict is not None or not all(c["allclose"] for _, c in updated)
    return 1 if (args.strict and diverged) else 0


def optimizer_step(m_model, t_model, args):
    """The rest of the training step: each optimizer steps on the gradients just compared; [(name, cmp)]."""
    import torch

    from .common import make_optimizer

    make_optimizer(minigrad, m_model.parameters(), args).step()
    make_optimizer(torch, t_model.parameters(), args).step()
    t_params = dict(t_model.named_parameters())
    return [(name, cmp(p.detach().numpy(), _np(t_params[name]))) for name, p in m_model.named_parameters()]
