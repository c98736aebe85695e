"""`minigrad train --health DIR`: how healthy backprop is, per layer and step: DIR/health.json, DIR/health.png.

Per parameter and step: the gradient norm ‖g‖ (before the update) and the update-to-weight ratio ‖Δw‖ / ‖w‖ (the
step the optimizer really took, over the weight before it; around 1e-3 is the usual healthy size, much smaller
learns slowly, much larger thrashes). Per activation module and step (training batches only): the fraction of dead
ReLU units (output 0 for every sample of the batch: no gradient reaches their weights) and of saturated sigmoid or
tanh units (|tanh| > 0.97, sigmoid below 0.015 or above 0.985, the same places: their local derivative is under
0.06, so the gradient through them nearly stops). Works with minigrad's and with torch's modules alike.
"""
import json
import os

import numpy as np

TANH_SATURATED = 0.97  # |tanh(x)| above this: 1 - tanh² < 0.06
SIGMOID_SATURATED = (1 - TANH_SATURATED) / 2  # sigmoid(x) = (1 + tanh(x / 2)) / 2: the same saturation


def _array(t):
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.asarray(t.numpy(), np.float64)


def _norm(a):
    return float(np.sqrt(np.sum(np.square(a))))


def dead_fraction(out):
    """Units (features, over the batch axis 0) whose ReLU output is 0 for every sample, as a fraction."""
    a = out.reshape(out.shape[0], -1) if out.ndim > 1 else out.reshape(1, -1)
    return float(np.mean(np.all(a <= 0, axis=0)))


def saturated_fraction(out, kind):
    """Entries of a tanh or sigmoid output in the flat tails, as a fraction."""
    if kind == "Tanh":
        return float(np.mean(np.abs(out) > TANH_SATURATED))
    return float(np.mean((out < SIGMOID_SATURATED) | (out > 1 - SIGMOID_SATURATED)))


class Health:
    """Records while a model trains: call `before_step()` after backward and `after_step()` after optimizer.step().

    `.params[name]` holds lists `grad_norm`, `update_ratio`; `.activations[module name]` holds `kind` and a list
    `dead` (ReLU) or `saturated` (Sigmoid, Tanh), one entry per training step."""

    def __init__(self, model):
        self.model = model
        self.params = {name: {"shape": list(p.shape), "grad_norm": [], "update_ratio": []}
                       for name, p in model.named_parameters()}
        self.activations, self._handles, self._before = {}, [], None
        for name, module in model.named_modules():
            kind = type(module).__name__
            if kind in ("ReLU", "Sigmoid", "Tanh"):
                key = "dead" if kind == "ReLU" else "saturated"
                self.activations[name] = {"kind": kind, key: []}
                self._handles.append(module.register_forward_hook(self._hook(name, kind, key)))

    def _hook(self, name, kind, key):
        def hook(module, args, out):
            if module.training:  # the test loop's batches are not training steps
                a = _array(out)
                self.activations[name][key].append(dead_fraction(a) if kind == "ReLU" else saturated_fraction(a, kind))
        return hook

    def before_step(self):
        self._before = {}
        for name, p in self.model.named_parameters():
            self._before[name] = _array(p).copy()
            self.params[name]["grad_norm"].append(None if p.grad is None else _norm(_array(p.grad)))

    def after_step(self):
        for name, p in self.model.named_parameters():
            w = self._before[name]
            scale = _norm(w)
            self.params[name]["update_ratio"].append(_norm(_array(p) - w) / scale if scale > 0 else None)
        self._before = None

    def remove(self):
        for h in self._handles:
            h.remove()
        self._handles = []

    def to_dict(self):
        return {"params": self.params, "activations": self.activations,
                "thresholds": {"tanh_saturated": TANH_SATURATED, "sigmoid_saturated": SIGMOID_SATURATED}}

    def summary(self):
        """Rows (what, name, first, last, mean) of every series: the text and HTML summaries print these."""
        rows = []
        for name, p in self.params.items():
            for key in ("grad_norm", "update_ratio"):
                v = [x for x in p[key] if x is not None]
                if v:
                    rows.append((key, name, v[0], v[-1], float(np.mean(v))))
        for name, a in self.activations.items():
            key = "dead" if a["kind"] == "ReLU" else "saturated"
            if a[key]:
                rows.append((f"{key} {a['kind']}", name, a[key][0], a[key][-1], float(np.mean(a[key]))))
        return rows

    @property
    def text(self):
        lines = [f"{'series':<18} {'layer':<28} {'first':>10} {'last':>10} {'mean':>10}"]
        lines += [f"{w:<18} {n:<28} {a:>10.3g} {b:>10.3g} {m:>10.3g}" for w, n, a, b, m in self.summary()]
        return "\n".join(lines)

    def _repr_html_(self):
        import html

        cells = "".join(f"<tr><td>{html.escape(w)}</td><td><code>{html.escape(n)}</code></td><td>{a:.3g}</td>"
                        f"<td>{b:.3g}</td><td>{m:.3g}</td></tr>" for w, n, a, b, m in self.summary())
        steps = len(next(iter(self.params.values()))["grad_norm"]) if self.params else 0
        return (f"<table><caption>backprop health over {steps} steps</caption><tr><th>series</th><th>layer</th>"
                f"<th>first</th><th>last</th><th>mean</th></tr>{cells}</table>")

    def write(self, folder):
        """DIR/health.json, and DIR/health.png when matplotlib is there. Returns (json path, png path or None, note)."""
        os.makedirs(folder, exist_ok=True)
        json_path = os.path.join(folder, "health.json")
        with open(json_path, "w") as f:
            json.dump(self.to_dict(), f, indent=1)
        try:
            png = plot(self.to_dict(), os.path.join(folder, "health.png"))
            return json_path, png, None
        except ImportError as exc:
            return json_path, None, f"matplotlib is not installed ({exc})"


def plot(data, path):
    """Four panels over the steps: gradient norms, update-to-weight ratios (log), dead ReLUs, saturated units."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    (ax_g, ax_u), (ax_d, ax_s) = axes
    layers = list(dict.fromkeys(name.rsplit(".", 1)[0] for name in data["params"]))
    for name, p in data["params"].items():  # one colour per layer; weights solid, biases dotted
        style = dict(ls="-" if name.endswith("weight") else ":", color=f"C{layers.index(name.rsplit('.', 1)[0])}")
        ax_g.plot([np.nan if v is None else v for v in p["grad_norm"]], label=name, lw=1, **style)
        ax_u.plot([np.nan if v is None else v for v in p["update_ratio"]], label=name, lw=1, **style)
    ax_g.set(title="gradient norm ‖g‖ per parameter", xlabel="step", yscale="log")
    ax_u.set(title="update-to-weight ratio ‖Δw‖ / ‖w‖", xlabel="step", yscale="log")
    ax_u.axhline(1e-3, color="grey", ls="--", lw=1, label="1e-3: the usual healthy size")
    for ax, key, title in ((ax_d, "dead", "dead ReLU units (0 for the whole batch)"),
                           (ax_s, "saturated", "saturated sigmoid / tanh units")):
        series = {n: a[key] for n, a in data["activations"].items() if key in a}
        for name, values in series.items():
            ax.plot(values, label=f"{name} ({data['activations'][name]['kind']})", lw=1)
        ax.set(title=title, xlabel="step", ylim=(-0.02, 1.02), ylabel="fraction of units")
        if not series:
            ax.text(0.5, 0.5, "none in this model", ha="center", va="center", transform=ax.transAxes, color="grey")
    for ax in axes.flat:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
