"""`minigrad compare --ops`: one training step in minigrad and in torch, compared op by op (makemore's `cmp`).

Both models get the same weights and the same first batch as `minigrad compare`. While each runs forward, every op's
output is kept (minigrad: a wrapper around `Function.apply`; torch: a TorchDispatchMode, whose outputs carry the
grad_fn autograd gives them). While each runs backward, every node's incoming gradient and the gradients it sends on
are kept (minigrad: the engine's `observed` step; torch: `grad_fn.register_prehook` and `register_hook`). The two
graphs are paired from the loss down, edge by edge (`next_functions`), node names checked; a node minigrad fuses
(cross-entropy is one node, torch's is NllLoss after LogSoftmax) is paired with torch's chain. The rows come in
torch's own backward order, each with exact / allclose / max-difference columns for the forward value, the gradient
that flowed in and the gradients sent on; the first op where the two part is named: in forward order the first whose
output differs, else in backward order the first whose outgoing gradient differs while its incoming one agreed.
"""
import contextlib

import numpy as np

import minigrad
from minigrad.autograd import function
from minigrad.autograd.engine import observed, root_gradient, run_backward, unbroadcast

FUSED = {"CrossEntropyLossBackward0": ("NllLossBackward0", "LogSoftmaxBackward0")}  # minigrad node: torch's chain


def add_args(p):
    p.add_argument("--ops", action="store_true",
                   help="only the first batch, op by op: every recorded op's forward value and gradients against "
                        "torch's, in torch's backward order, and the first op where they part")


def _name(node):
    return node.name().replace("torch::autograd::", "")


def cmp(a, b):
    """makemore's cmp: (exact, allclose, max |a - b|) of minigrad's `a` and torch's `b`; None when one is missing.
    allclose: within 1e-5 relative, with an absolute floor of 1e-5 of the largest torch value (float32 sums in
    another order differ that much where values cancel)."""
    if a is None or b is None:
        return None
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return {"exact": False, "allclose": False, "maxdiff": float("inf"), "note": f"shapes {a.shape} vs {b.shape}"}
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    diff = float(np.max(np.abs(a64 - b64))) if a.size else 0.0
    scale = float(np.max(np.abs(b64))) if b.size else 0.0
    return {"exact": bool(np.array_equal(a, b)), "maxdiff": diff,
            "allclose": bool(np.allclose(a64, b64, rtol=1e-5, atol=1e-5 * scale))}


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


def pair_graphs(t_root, m_root):
    """[(torch node, minigrad node or None, role)] for every torch node, paired from the roots down by edges.
    role: 'same', 'fused' (inside minigrad's fused node), or 'unmatched' (the graphs part here)."""
    pairs, seen = [], set()
    stack = [(t_root, m_root)]
    while stack:
        t, m = stack.pop()
        if t is None or t in seen:
            continue
        seen.add(t)
        chain = FUSED.get(_name(m), (_name(m),)) if m is not None else ()
        nodes = [t]
        while len(nodes) < len(chain) and _name(nodes[-1]) == chain[len(nodes) - 1]:
            nxt = [c for c, _ in nodes[-1].next_functions if c is not None]
            if len(nxt) != 1:
                break
            nodes.append(nxt[0])
        if m is None or [_name(n) for n in nodes] != list(chain):
            pairs.append((t, None, "unmatched"))
            for c, _ in t.next_functions:
                stack.append((c, None))
            continue
        pairs.append((nodes[0], m, "same"))
        for inner in nodes[1:]:
            seen.add(inner)
            pairs.append((inner, m, "fused"))
        t_children = [c for c, _ in nodes[-1].next_functions]
        m_children = [c for c, _ in m.next_functions]
        if len(t_children) != len(m_children):
            m_children = [None] * len(t_children)
        stack.extend(reversed(list(zip(t_children, m_children))))
    return pairs


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
        loss.backward()
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
    pairs = {t: (m, role) for t, m, role in pair_graphs(t_loss.grad_fn, m_loss._node())}
    names = {id(p): n for n, p in t_model.named_parameters()}
    rows = []
    for i, t in enumerate(order):
        m, role = pairs.get(t, (None, "unmatched"))
        t_in, t_out = t_grads[t]
        row = {"step": i + 1, "op": _name(t), "minigrad": None if m is None else _name(m), "role": role,
               "shape": None if t_in is None else list(t_in.shape), "seq": t._sequence_nr()}
        if hasattr(t, "variable"):
            row["param"] = names.get(id(t.variable), "leaf")
        if role == "same":
            m_in, m_out, row["minigrad_step"] = m_grads.get(m, (None, [], None))
            row["value"] = cmp(m_values.get(m), t_values.get(t))
            row["grad_in"] = cmp(m_in, t_in)
            if _name(m) in FUSED:  # minigrad's fused node sends what the last node of torch's chain sends
                last = [n for n, (mm, r) in pairs.items() if mm is m and r == "fused"][-1]
                t_out = t_grads[last][1]
            row["grad_out"] = _worst([cmp(a, b) for a, b in zip(m_out, t_out) if a is not None and b is not None])
        rows.append(row)
    return rows, first_divergence(rows), (float(m_loss.item()), float(t_loss.item()))


def _worst(results):
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
    for r in rows:  # backward order: the first node that received agreeing gradients and sent differing ones
        if r.get("grad_in") is not None and not r["grad_in"]["allclose"]:
            return r, "the gradient flowing into it differs"
        if r.get("grad_out") is not None and not r["grad_out"]["allclose"]:
            return r, "the gradients it sends on differ"
    return None


def format_rows(rows, verdict, losses):
    def col(c):
        if c is None:
            return f"{'':>5} {'':>8} {'—':>9}"
        return f"{str(c['exact']):>5} {str(c['allclose']):>8} {c['maxdiff']:>9.2e}"

    head = f"{'#':>3} {'mg#':>3}  {'op':<20} {'shape':<11}  " + "  ".join(
        f"{k:<8} exact allclose   maxdiff" for k in ("value", "grad in", "grad out")) + "  parameter"
    lines = [f"one training step op by op, minigrad vs torch; loss minigrad {losses[0]:.8f}, torch {losses[1]:.8f}",
             "rows in torch's backward order (mg#: the step at which minigrad's engine ran the same node); value: the "
             "op's output, grad in: the gradient flowing into it, grad out: the gradients it sends on", "", head]
    for r in rows:
        shape = "(" + ", ".join(map(str, r["shape"] or [])) + ("," if len(r["shape"] or []) == 1 else "") + ")"
        if r["role"] == "fused":
            lines.append(f"{r['step']:>3} {'':>3}  {r['op']:<20} {shape:<11}  inside minigrad's {r['minigrad']} "
                         "(one node; compared at the row above)")
            continue
        if r["role"] == "unmatched":
            lines.append(f"{r['step']:>3} {'':>3}  {r['op']:<20} {shape:<11}  NOT FOUND in minigrad's graph")
            continue
        mg = r.get("minigrad_step") or "?"
        lines.append(f"{r['step']:>3} {mg:>3}  {r['op']:<20} {shape:<11}  " + "  ".join(
            f"{'':<8} {col(r.get(k))}" for k in ("value", "grad_in", "grad_out")) + f"  {r.get('param', '')}")
    lines.append("")
    if verdict is None:
        lines.append(f"every one of torch's {len(rows)} backward nodes found in minigrad's graph, in torch's order, "
                     "and all agree (allclose)")
    else:
        r, why = verdict
        lines.append(f"first divergence: [{r['step']}] {r['op']}{' (' + r['param'] + ')' if 'param' in r else ''}: "
                     f"{why}")
    return "\n".join(lines)


def run(args):
    from .common import load_datasets, resolve_device
    from .compare import shared_models

    device = resolve_device("torch", args.device)
    t_model, m_model = shared_models(args, device)
    train_data, _ = load_datasets("minigrad", args.data_dir, args.limit, 0)
    generator = minigrad.Generator().manual_seed(args.seed)  # the shuffle `minigrad compare` uses
    loader = minigrad.utils.data.DataLoader(train_data, batch_size=args.batch_size, shuffle=True, generator=generator)
    X, y = next(iter(loader))
    rows, verdict, losses = compare_ops(m_model, t_model, X, y)
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
