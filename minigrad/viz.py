"""draw_graph: the backward graph of a result as Graphviz DOT text, and as SVG/PNG when `dot` is installed.

    g = draw_graph(loss, params=model)       # model: a Module (named_parameters) or a dict name -> tensor
    print(g.source)                          # DOT text, always
    draw_graph(loss, format="svg", filename="graph.svg")   # needs Graphviz's `dot` program

One box per op (its node name as torch names it, output shape and dtype), one per leaf (parameter name when known,
shape, requires_grad), dashed boxes for constant inputs that get no gradient. Edges point the way gradients flow:
from the output, through each op, to the leaves. With `show_grad_norms=True` each box also shows the norm of the
gradient flowing into it.
"""
import shutil
import subprocess
import warnings

import numpy as np

from .autograd.engine import capturing, run_backward, unbroadcast_axes
from .autograd.explain import leaf_label, param_names
from .autograd.function import AccumulateGrad

_FORMATS = ("dot", "svg", "png")


class Graph:
    """A drawn graph: `.source` (DOT text), `.notes` (why something is missing), and the rendered bytes of
    `.format` in `.data` when Graphviz was available. Prints as its DOT source; shows as SVG in notebooks."""

    def __init__(self, source, format="dot", data=None, notes=()):
        self.source, self.format, self.data, self.notes = source, format, data, list(notes)

    def __str__(self):
        return self.source

    def __repr__(self):
        return f"<Graph: {self.source.count(' [label=')} nodes, format={self.format!r}; print(g) for the DOT text>"

    def _repr_svg_(self):
        """A notebook shows the graph as SVG: the rendered one, or rendered now when Graphviz's `dot` is there
        (None otherwise, and the notebook shows the repr)."""
        if self.format == "svg" and self.data is not None:
            return self.data.decode()
        return render(self.source, "svg").decode() if shutil.which("dot") else None


def render(source, format):
    """DOT text -> SVG or PNG bytes, through Graphviz's `dot` program."""
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError(f"rendering to {format!r} needs Graphviz's `dot` program, which was not found on PATH. "
                           "Install Graphviz (e.g. `apt install graphviz`), or use format='dot' and paste the text "
                           "into any Graphviz viewer.")
    return subprocess.run([exe, f"-T{format}"], input=source.encode(), capture_output=True, check=True).stdout


def _q(text):
    """A DOT string literal; newlines become DOT's centred line breaks."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(s):
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def _norm(a):
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def _walk(roots):
    """Every node reachable from `roots`, breadth first: a stable numbering for the DOT ids."""
    order, seen = [], set()
    frontier = [r for r in roots if r is not None]
    while frontier:
        nxt = []
        for node in frontier:
            if node in seen:
                continue
            seen.add(node)
            order.append(node)
            nxt.extend(child for child, _ in node.next_functions if child is not None)
        frontier = nxt
    return order


def _gradient_norms(tensors, nodes, notes):
    """{node: norm of the gradient flowing into it} for a backward of each output seeded with ones.

    While the graph still holds its saved arrays, this runs a side-effect-free backward (nothing accumulates into
    `.grad`, the graph is kept). After `backward()` freed the graph, only leaves' `.grad` is known."""
    if any(getattr(n, "_saved", ()) is None for n in nodes):
        notes.append("the graph was freed by backward(): op gradients are unknown, leaves show .grad. Draw before "
                     "backward(), or call backward(retain_graph=True), to see every node's gradient norm.")
        return {n: _norm(n.variable.grad.data) for n in nodes
                if type(n) is AccumulateGrad and n.variable.grad is not None}
    roots = [t._node() for t in tensors]
    seeds = [np.ones(t.data.shape, t.data.dtype) for t in tensors]
    step, captured = capturing(nodes)
    run_backward(roots, seeds, retain_graph=True, step=step)
    return {n: _norm(g) for n, g in captured.items() if g is not None}


_FAN_IN_STYLE = ", peripheries=2"  # a double border: the gradients of several uses are summed here


def _fan_in(nodes):
    """{node: how many edges send it a gradient}: more than one where a tensor was used more than once."""
    count = {}
    for node in nodes:
        for child, _ in node.next_functions:
            if child is not None:
                count[child] = count.get(child, 0) + 1
    return count


def _broadcast_undone(out_shape, in_shape):
    """The axes a gradient of `out_shape` is summed over to reach an input of `in_shape` that was broadcast up to
    it (elementwise ops, a bias); () when the input was not broadcast (same shape, or a reduction, a matmul)."""
    if tuple(out_shape) == tuple(in_shape):
        return ()
    try:
        if np.broadcast_shapes(tuple(out_shape), tuple(in_shape)) != tuple(out_shape):
            return ()
    except ValueError:
        return ()
    return unbroadcast_axes(tuple(out_shape), tuple(in_shape))


def draw_graph(tensor, params=None, show_grad_norms=False, format="dot", filename=None, show_constants=True):
    """Draw the backward graph that produced `tensor` (or a list of tensors). Returns a Graph.

    params: a Module (its `named_parameters` label the leaves) or a dict name -> tensor.
    show_grad_norms: label each node with ‖gradient‖ (of the outputs' sum; see `_gradient_norms`).
    format: 'dot' (always available), 'svg' or 'png' (need Graphviz's `dot`; otherwise a warning and DOT only).
    filename: where to write the result (the DOT text when it could not be rendered).
    """
    if format not in _FORMATS:
        raise ValueError(f"draw_graph: format must be one of {_FORMATS}, got {format!r}")
    tensors = list(tensor) if isinstance(tensor, (list, tuple)) else [tensor]
    names = param_names(params)
    roots = [t._node() for t in tensors]
    nodes = _walk(roots)
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    notes = []
    norms = _gradient_norms(tensors, nodes, notes) if show_grad_norms and nodes else {}

    lines = ["digraph backward {", '  graph [rankdir=TB, label="edges: the way gradients flow", labelloc=b];',
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    for i, t in enumerate(tensors):
        dtype = str(t.data.dtype)
        label = f"output\n{_shape(t.shape)} {dtype}" + ("" if t.requires_grad else "\nrequires_grad=False")
        lines.append(f"  out{i} [label={_q(label)}, fillcolor=darkolivegreen1];")
        if roots[i] is not None:
            lines.append(f"  out{i} -> {ids[roots[i]]};")
    fan_in = _fan_in(nodes)
    for node in nodes:
        norm = f"\n‖grad‖ = {norms[node]:.4g}" if node in norms else ""
        summed = f"\nΣ of {fan_in[node]} gradients (used {fan_in[node]} times)" if fan_in.get(node, 0) > 1 else ""
        if type(node) is AccumulateGrad:
            v = node.variable
            label = f"{leaf_label(node, names)}\n{_shape(v.shape)} {v.data.dtype}\nrequires_grad=True{norm}{summed}"
            lines.append(f"  {ids[node]} [label={_q(label)}, fillcolor=lightblue{_FAN_IN_STYLE if summed else ''}];")
            continue
        shape, dtype = node.out_meta
        lines.append(f"  {ids[node]} [label={_q(f'{node.name()}{chr(10)}{_shape(shape)} {dtype}{norm}{summed}')}, "
                     f"fillcolor=lightgrey{_FAN_IN_STYLE if summed else ''}];")
        for k, ((child, _), meta) in enumerate(zip(node.next_functions, node.input_meta)):
            if child is not None:
                axes = _broadcast_undone(shape, meta[0]) if meta is not None else ()
                label = f' [label={_q(f"Σ over axes {_shape(axes)}: broadcast undone")}, color=darkorange]' \
                    if axes else ""
                lines.append(f"  {ids[node]} -> {ids[child]}{label};")
            elif meta is not None and show_constants:
                label = f"constant\n{_shape(meta[0])} {meta[1]}\nrequires_grad=False"
                lines.append(f"  {ids[node]}_c{k} [label={_q(label)}, style=dashed, fillcolor=white];")
                lines.append(f"  {ids[node]} -> {ids[node]}_c{k} [style=dashed, arrowhead=none];")
    for note in notes:
        lines.append(f"  // note: {note}")
    lines.append("}")
    source = "\n".join(lines) + "\n"

    graph = Graph(source, "dot", None, notes)
    if format != "dot":
        if shutil.which("dot") is None:
            note = (f"draw_graph: format={format!r} needs Graphviz's `dot` program, which is not installed "
                    "(e.g. `apt install graphviz`); returning the DOT text only")
            if filename is not None:
                filename = str(filename).rsplit(".", 1)[0] + ".dot"
                note += f", written to {filename}"
            warnings.warn(note, stacklevel=2)
            graph.notes.append(note)
        else:
            graph.format, graph.data = format, render(source, format)
    if filename is not None:
        with open(filename, "wb") as f:
            f.write(graph.data if graph.data is not None else source.encode())
    return graph
