"""Layer by layer: one batch through a minigrad model and its torch twin, every activation and gradient compared.

    from reference.layers import compare_layers
    print(compare_layers(minigrad_model, torch_model, X, y))

Both models get the same weights (minigrad's are copied into torch unless `copy_weights=False`). Forward hooks
capture each module's output, full backward hooks the gradient of the loss with respect to that output, and after
the backward each parameter's `.grad` is read. Every row reports the largest absolute difference and the relative
one, max|minigrad - torch| / max|torch|, so a row with a large value says where the two first part ways.
"""
import warnings

import numpy as np
import torch

import minigrad

from .convert import copy_weights as _copy_weights


def _numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    if isinstance(t, minigrad.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


def _first_tensor(out):
    if isinstance(out, (tuple, list)):
        out = next((o for o in out if o is not None), None)
    return out


def _diff(a, b):
    """(max abs difference, that over max|b|) in float64; (nan, nan) when the shapes disagree."""
    if a is None or b is None or a.shape != b.shape:
        return float("nan"), float("nan")
    if a.size == 0:
        return 0.0, 0.0
    d = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
    scale = float(np.max(np.abs(b.astype(np.float64))))
    return d, (d / scale if scale > 0 else (0.0 if d == 0 else float("inf")))


def _capture(model, acts, grads):
    """Hooks on every module of `model` that fill {name: output} and {name: d loss / d output}; returns handles."""
    handles = []
    for name, module in model.named_modules():
        name = name or "(model)"

        def fwd(mod, args, out, name=name):
            out = _first_tensor(out)
            if out is not None:
                acts.setdefault(name, _numpy(out).copy())

        def bwd(mod, grad_input, grad_output, name=name):
            g = _first_tensor(grad_output)
            if g is not None:
                grads[name] = _numpy(g).copy()

        handles.append(module.register_forward_hook(fwd))
        handles.append(module.register_full_backward_hook(bwd))
    return handles


def _run(fw, model, x, y, loss_fn):
    acts, grads = {}, {}
    handles = _capture(model, acts, grads)
    try:
        model.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out, y)
        with warnings.catch_warnings():  # torch notes that a layer whose input needs no grad gets grad_input None
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            loss.backward()
    finally:
        for h in handles:
            h.remove()
    types = {(name or "(model)"): type(m).__name__ for name, m in model.named_modules()}
    params = {name: (None if p.grad is None else _numpy(p.grad).copy()) for name, p in model.named_parameters()}
    return acts, grads, types, params, float(loss.item())


class LayerComparison:
    """The result of `compare_layers`: `.layers` and `.params` (lists of dicts), `.loss`, `.text` for printing."""

    def __init__(self, layers, params, loss, batch):
        self.layers, self.params, self.loss, self.batch = layers, params, loss, batch

    def max_abs(self):
        """The largest absolute difference anywhere: activations, output gradients, parameter gradients, loss."""
        values = [r[k] for r in self.layers for k in ("act_abs", "grad_abs")] + [r["grad_abs"] for r in self.params]
        values.append(self.loss["abs"])
        values = [v for v in values if v is not None]
        return max(values) if values else 0.0

    def first_divergence(self, rtol=1e-4):
        """The first module, in forward order, whose output differs by more than `rtol` relative; None if none."""
        for r in self.layers:
            if not r["act_rel"] <= rtol:  # nan (a shape mismatch) counts as diverging
                return r["module"]
        return None

    @property
    def text(self):
        fmt = lambda v: "      —" if v is None else f"{v:7.1e}"  # noqa: E731
        shape = lambda s: "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"  # noqa: E731
        width = max([len(r["module"]) for r in self.layers] + [len(r["name"]) for r in self.params] + [9])
        tw = max([len(r["type"]) for r in self.layers] + [11])
        lines = [f"layer by layer, minigrad vs torch: one batch of {self.batch}, the same weights; "
                 "rel = max|Δ| / max|torch|", "",
                 f"{'module':<{width}}  {'type':<{tw}} {'output':<11}  {'act abs':>7} {'act rel':>7}   "
                 f"{'grad abs':>8} {'grad rel':>8}"]
        for r in self.layers:
            lines.append(f"{r['module']:<{width}}  {r['type']:<{tw}} {shape(r['shape']):<11}  {fmt(r['act_abs'])} "
                         f"{fmt(r['act_rel'])}   {fmt(r['grad_abs']):>8} {fmt(r['grad_rel']):>8}")
        lines += ["", f"{'parameter':<{width}}  {'shape':<{tw}} {'':<11}  {'':>7} {'':>7}   {'grad abs':>8} "
                      f"{'grad rel':>8}"]
        for r in self.params:
            lines.append(f"{r['name']:<{width}}  {shape(r['shape']):<{tw}} {'':<11}  {'':>7} {'':>7}   "
                         f"{fmt(r['grad_abs']):>8} {fmt(r['grad_rel']):>8}")
        loss = self.loss
        lines += ["", f"loss: minigrad {loss['minigrad']:.8f}, torch {loss['torch']:.8f}, |Δ| {loss['abs']:.1e}"]
        return "\n".join(lines)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<LayerComparison of {len(self.layers)} modules, {len(self.params)} parameters; max |Δ| " \
               f"{self.max_abs():.2e}>"


def compare_layers(minigrad_model, torch_model, x, y, loss_fn=None, copy_weights=True):
    """Run the batch (x, y) through both models and compare every module's output and output gradient, and every
    parameter's gradient. x, y: NumPy arrays or tensors of either framework. loss_fn: a callable (pred, y) -> loss
    that works in both frameworks, default cross-entropy. Returns a LayerComparison; print it for the table."""
    if copy_weights:
        _copy_weights(minigrad_model, torch_model)
    device = next(torch_model.parameters()).device
    xa, ya = _numpy(x), _numpy(y)
    mg = _run(minigrad, minigrad_model, minigrad.from_numpy(np.array(xa)), minigrad.from_numpy(np.array(ya)),
              loss_fn or minigrad.nn.CrossEntropyLoss())
    th = _run(torch, torch_model, torch.from_numpy(np.array(xa)).to(device), torch.from_numpy(np.array(ya)).to(device),
              loss_fn or torch.nn.CrossEntropyLoss())
    (m_acts, m_grads, types, m_params, m_loss), (t_acts, t_grads, _, t_params, t_loss) = mg, th
    layers = []
    for name in m_acts:  # the order minigrad's forward hooks fired in: the order data flowed
        act_abs, act_rel = _diff(m_acts[name], t_acts.get(name))
        has_grad = name in m_grads or name in t_grads
        grad_abs, grad_rel = _diff(m_grads.get(name), t_grads.get(name)) if has_grad else (None, None)
        layers.append({"module": name, "type": types.get(name, "?"), "shape": list(m_acts[name].shape),
                       "act_abs": act_abs, "act_rel": act_rel, "grad_abs": grad_abs, "grad_rel": grad_rel})
    missing = set(t_acts) - set(m_acts)
    if missing:
        raise RuntimeError(f"compare_layers: torch's model has modules that minigrad's did not run: {sorted(missing)}")
    params = []
    for name, g in m_params.items():
        if name not in t_params:
            raise KeyError(f"compare_layers: parameter {name!r} of the minigrad model is not in the torch model")
        grad_abs, grad_rel = _diff(g, t_params[name]) if g is not None or t_params[name] is not None else (None, None)
        shape = list(dict(minigrad_model.named_parameters())[name].shape)
        params.append({"name": name, "shape": shape, "grad_abs": grad_abs, "grad_rel": grad_rel})
    loss = {"minigrad": m_loss, "torch": t_loss, "abs": abs(m_loss - t_loss)}
    return LayerComparison(layers, params, loss, len(xa))
