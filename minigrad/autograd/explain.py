"""`explain(loss)`: run the backward pass and narrate it, node by node, in the order the engine runs it.

For every node: the rule it applies (the derivative, as its Function's docstring states it), the gradient that came
in (shape, dtype, norm), and each gradient it sends to its inputs: the shape its backward produced, the axes the
engine summed to undo broadcasting (`engine.unbroadcast_axes`, the same function `unbroadcast` uses) and the shape
that arrived. Leaves say which `.grad` they accumulated into. It is a real backward: `.grad` is filled exactly as by
`loss.backward()`, because the trace is recorded by an observer the engine calls, not by a re-implementation.
"""
import inspect
import json

import numpy as np

from .engine import observed, root_gradient, run_backward, topological_order, unbroadcast, unbroadcast_axes
from .function import AccumulateGrad


def param_names(params):
    """{id(tensor): name} from a dict name -> tensor, an iterable of (name, tensor), or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    items = params.items() if isinstance(params, dict) else params
    return {id(t): name for name, t in items}


def leaf_label(node, names):
    """A leaf's name: its parameter name when known, else 'leaf'."""
    return names.get(id(node.variable), "leaf")


def rule_of(node):
    """The derivative the node applies: its Function's docstring (which states it), dedented."""
    if type(node) is AccumulateGrad:
        return "leaf: .grad += incoming gradient"
    doc = inspect.getdoc(node.function) or "" if node.function is not None else ""  # a subclass shows its base's
    return doc or "(its Function has no docstring)"


def _norm(a):
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _shape(s):
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


class Explanation:
    """The trace of one backward pass: `.steps` (a list of dicts), `.text` for the terminal, `.to_json()`."""

    def __init__(self, root, steps):
        self.root = root
        self.steps = steps

    def to_dict(self):
        return {"root": self.root, "steps": self.steps}

    def to_json(self, indent=2):
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def text(self):
        r = self.root
        lines = [f"backward from a {_shape(r['shape'])} {r['dtype']} tensor: {len(self.steps)} nodes, in the order "
                 "the engine runs them"]
        for s in self.steps:
            lines.append("")
            g = s["grad_in"]
            lines.append(f"[{s['step']}] {s['node']}" + (f"  ({s['name']})" if s.get("name") else ""))
            lines.append("    rule     : " + s["rule"].replace("\n", "\n" + " " * 15))
            summed = s.get("summed_from", 1)
            lines.append(f"    grad in  : {_shape(g['shape'])} {g['dtype']}  norm {g['norm']:.6g}" +
                         (f"  (the sum of {summed} gradients: this tensor was used {summed} times)" if summed > 1
                          else ""))
            if s["kind"] == "leaf":
                lines.append(f"    grad out : accumulated into the .grad of {s['name']} {_shape(s['shape'])}")
            for out in s["grad_out"]:
                lines.append("    " + ("grad out : " if out is s["grad_out"][0] else " " * 11) + _describe_out(out))
                if "jacobian" in out:
                    lines.extend(_describe_jacobian(out, g["shape"]))
        return "\n".join(line.rstrip() for line in "\n".join(lines).split("\n"))

    def __str__(self):
        return self.text

    def _repr_html_(self):
        """In a notebook: one table row per step, in the engine's order."""
        import html

        e = html.escape
        rows = []
        for s in self.steps:
            g = s["grad_in"]
            name = s["node"] + (f" ({s['name']})" if s.get("name") else "")
            summed = f"<br>Σ of {s['summed_from']} gradients" if s.get("summed_from", 1) > 1 else ""
            outs = "<br>".join(e(_describe_out(o)) for o in s["grad_out"]) or (
                e(f"accumulated into the .grad of {s['name']}") if s["kind"] == "leaf" else "")
            rows.append(f"<tr><td>{s['step']}</td><td><code>{e(name)}</code></td><td><pre>{e(s['rule'])}</pre></td>"
                        f"<td>{e(_shape(g['shape']))} {e(g['dtype'])}<br>norm {g['norm']:.6g}{summed}</td>"
                        f"<td>{outs}</td></tr>")
        r = self.root
        return (f"<table><caption>backward from a {e(_shape(r['shape']))} {e(r['dtype'])} tensor: "
                f"{len(self.steps)} nodes, in the order the engine runs them</caption><tr><th>step</th><th>node</th>"
                "<th>rule</th><th>grad in</th><th>grad out</th></tr>" + "".join(rows) + "</table>")

    def __repr__(self):
        return f"<Explanation of {len(self.steps)} backward steps; print it or call .to_json()>"


def _describe_out(out):
    head = f"input {out['input']} "
    if out["to"] is None:
        if out["shape"] is None:
            return head + "-> no gradient (not differentiable)"
        return head + f"-> {_shape(out['shape'])}, dropped: that input is a constant (requires_grad=False)"
    to = f"[{out['to_step']}] {out['to']}" + (f" ({out['to_name']})" if out.get("to_name") else "")
    text = head + f"-> {to}: {_shape(out['shape'])}"
    if out["summed_axes"]:
        text += f", summed over axes {_shape(out['summed_axes'])} to undo broadcasting -> {_shape(out['input_shape'])}"
    return text


def _describe_jacobian(out, v_shape):
    j = out["jacobian"]
    rows, cols = j["matrix_shape"]
    J = np.asarray(j["values"]).reshape(rows, cols)
    head = f"jacobian : d out / d input {out['input']}: {_shape(j['shape'])}"
    if len(j["shape"]) > 2 or len(v_shape) != 1:
        head += f", read as a {rows} x {cols} matrix (output elements x input elements)"
    lines = ["               " + head]
    body = np.array2string(J, precision=4, suppress_small=True, max_line_width=100)
    lines += ["                 " + line for line in body.split("\n")]
    verdict = "= the gradient sent" if j["vjp_matches"] else "DIFFERS from the gradient sent"
    lines.append(f"               vᵀJ: v {_shape(v_shape)} flattened to ({rows},), times J, reshaped to "
                 f"{_shape(np.shape(j['vjp']))}: {verdict}")
    return lines


def explain(tensor, gradient=None, retain_graph=None, params=None, jacobians=False):
    """Run `tensor.backward(gradient, retain_graph)` and return an Explanation of every step it took.

    `params` (a Module, or name -> tensor) names the leaves: `explain(loss, params=model)`.
    `jacobians=True` (small graphs only: at most MAX_JACOBIAN entries per node and input) also gives each op's
    local Jacobian d output / d input, found by running the node's own backward on one-hot gradients, and checks
    that the gradient it passed on is vᵀJ.
    """
    g = root_gradient(tensor, gradient)
    names = param_names(params)
    records = []  # (node, grad in, input grads) in the engine's order
    local = {}  # node -> [Jacobian per input], taken while the node's saved arrays are still there

    def observe(node, grad, input_grads):
        records.append((node, grad, input_grads))
        if jacobians and type(node) is not AccumulateGrad:
            local[node] = local_jacobians(node, grad.dtype)

    if jacobians:
        check_jacobian_sizes(topological_order([tensor._node()]))
    run_backward([tensor._node()], [g], retain_graph=bool(retain_graph), step=observed(observe))
    steps = _steps(records, names)
    if jacobians:
        _add_jacobians(steps, records, local)
    return Explanation({"shape": list(tensor.shape), "dtype": str(tensor.data.dtype)}, steps)


MAX_JACOBIAN = 4096  # entries of one node's Jacobian with respect to one input


def check_jacobian_sizes(nodes):
    """Refuse, before any backward runs, a graph with a Jacobian too big to show."""
    for node in nodes:
        if type(node) is AccumulateGrad:
            continue
        n_out = int(np.prod(node.out_meta[0], dtype=np.int64))
        for meta in node.input_meta:
            n = n_out * int(np.prod(meta[0], dtype=np.int64)) if meta is not None else 0
            if n > MAX_JACOBIAN:
                raise ValueError(
                    f"explain(jacobians=True): {node.name()} maps an input of shape {_shape(meta[0])} to an output "
                    f"of shape {_shape(node.out_meta[0])}, a Jacobian of {n} entries; at most {MAX_JACOBIAN} per "
                    "node and input are shown. Use tensors of a few elements, or jacobians=False.")


def local_jacobians(node, dtype):
    """[J_k per input k]: J_k has shape output shape + input k's shape, J_k[i..., j...] = d out[i...] / d in_k[j...],
    or None where the input gets no gradient. Row i is the node's backward run on the one-hot gradient e_i and
    summed back to the input's shape, exactly as the engine does: no second derivative is written anywhere."""
    out_shape = tuple(node.out_meta[0])
    n_out = int(np.prod(out_shape, dtype=np.int64))
    rows = [[] for _ in node.input_meta]
    for i in range(n_out):
        e = np.zeros(n_out, dtype)
        e[i] = 1
        grads = node.function.backward(node, e.reshape(out_shape))  # the node's own backward, hooks left out
        grads = grads if type(grads) is tuple else (grads,)
        for k, (ig, meta) in enumerate(zip(grads, node.input_meta)):
            if ig is not None and meta is not None:
                rows[k].append(np.array(unbroadcast(np.asarray(ig), *meta), np.float64))
    return [np.stack(r).reshape(out_shape + tuple(meta[0])) if r else None for r, meta in zip(rows, node.input_meta)]


def _add_jacobians(steps, records, local):
    """Each grad_out entry gets its Jacobian, the matrix it is read as, and vᵀJ checked against what was sent."""
    for step, (node, grad, input_grads) in zip(steps, records):
        if node not in local:
            continue
        v = np.asarray(grad, np.float64).reshape(-1)
        k_of = [k for k, ((child, _), meta) in enumerate(zip(node.next_functions, node.input_meta))
                if not (meta is None and child is None)]
        for out, k in zip(step["grad_out"], k_of):
            J = local[node][k]
            if J is None:
                continue
            in_shape = list(node.input_meta[k][0])
            matrix = J.reshape(v.size, -1)  # (out elements, in elements): the 2-D form vᵀJ multiplies
            vjp = (v @ matrix).reshape(in_shape)
            sent = input_grads[k]
            ok = sent is not None and bool(np.allclose(vjp, unbroadcast(np.asarray(sent, np.float64), in_shape),
                                                       rtol=1e-5, atol=1e-6))
            out["jacobian"] = {"shape": list(J.shape), "matrix_shape": list(matrix.shape), "values": J.tolist(),
                               "vjp": vjp.tolist(), "vjp_matches": ok}


def _steps(records, names):
    step_of = {node: i + 1 for i, (node, _, _) in enumerate(records)}
    fan_in = {}
    for node, _, _ in records:
        for child, _ in node.next_functions:
            fan_in[child] = fan_in.get(child, 0) + 1
    steps = []
    for node, grad, input_grads in records:
        leaf = type(node) is AccumulateGrad
        step = {"step": step_of[node], "node": node.name(), "kind": "leaf" if leaf else "op", "rule": rule_of(node),
                "grad_in": {"shape": list(grad.shape), "dtype": str(grad.dtype), "norm": _norm(grad)},
                "grad_out": [], "summed_from": fan_in.get(node, 1)}
        if leaf:
            step["name"] = leaf_label(node, names)
            step["shape"] = list(node.variable.shape)
        for i, ((child, _), ig, meta) in enumerate(zip(node.next_functions, input_grads, node.input_meta)):
            if meta is None and child is None:
                continue  # a non-array argument, such as an exponent or a dim
            out = {"input": i, "to": None, "shape": None if ig is None else list(ig.shape),
                   "norm": None if ig is None else _norm(np.asarray(ig))}
            if child is not None and ig is not None:
                out["to"], out["to_step"] = child.name(), step_of.get(child)
                if type(child) is AccumulateGrad:
                    out["to_name"] = leaf_label(child, names)
                out["summed_axes"] = list(unbroadcast_axes(ig.shape, meta[0])) if ig.shape != meta[0] else []
                out["input_shape"] = list(meta[0])
            step["grad_out"].append(out)
        steps.append(step)
    return steps
