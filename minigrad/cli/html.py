"""`minigrad explain --html PATH`: one self-contained page to step through a backward pass, node by node.

The page is one HTML file with its CSS, JavaScript and SVG inline; it fetches nothing. The graph is laid out here,
in Python, layered by depth (a node sits one layer below the deepest node that sends it a gradient), from an
`Explanation` (`minigrad.autograd.explain`), so the order, the rules, the shapes and the norms are those of a real
backward. The arrow keys (or the buttons, or `#step=N` in the address) move through the engine's order; the current
node is highlighted with its rule, its incoming gradient (shape, norm) and each outgoing one. Nodes where several
gradients are summed (a tensor used more than once) have a double border and a Σ; edges along which broadcasting
is undone (a sum over the broadcast axes) are orange and say which axes.
"""
import html
import json

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 190, 44, 24, 34, 20


def layout(steps):
    """{step: (x, y)}: the layer is the longest path from the root, the place in the layer the engine's order."""
    depth = {steps[0]["step"]: 0} if steps else {}
    for s in steps:  # steps come in topological order: a node's senders are all before it
        for out in s["grad_out"]:
            if out.get("to_step") is not None:
                depth[out["to_step"]] = max(depth.get(out["to_step"], 0), depth.get(s["step"], 0) + 1)
    layers = {}
    for s in steps:
        layers.setdefault(depth.get(s["step"], 0), []).append(s["step"])
    widest = max((len(v) for v in layers.values()), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    pos = {}
    for d, members in layers.items():
        row = len(members) * BOX_W + (len(members) - 1) * GAP_X
        for i, step in enumerate(members):
            pos[step] = ((width - row) / 2 + i * (BOX_W + GAP_X), MARGIN + 30 + d * (BOX_H + GAP_Y))
    height = MARGIN * 2 + 30 + (max(layers, default=0) + 1) * (BOX_H + GAP_Y)
    return pos, width, height


def _shape(s):
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def svg(steps, root):
    """The graph as an SVG element: one <g id="nN"> per node, one <path> per edge (the way gradients flow)."""
    pos, width, height = layout(steps)
    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="graph" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    if steps:
        x, y = pos[steps[0]["step"]]
        parts.append(f'<text x="{x + BOX_W / 2:.0f}" y="{MARGIN + 10}" text-anchor="middle" fill="#333">output '
                     f'{e(_shape(root["shape"]))} {e(root["dtype"])} ↓ gradients flow down</text>')
    for s in steps:
        x0, y0 = pos[s["step"]]
        for out in s["grad_out"]:
            if out.get("to_step") is None:
                continue
            x1, y1 = pos[out["to_step"]]
            cls = "edge broadcast" if out.get("summed_axes") else "edge"
            parts.append(f'<path class="{cls}" data-from="{s["step"]}" data-to="{out["to_step"]}" '
                         f'd="M {x0 + BOX_W / 2:.0f} {y0 + BOX_H:.0f} L {x1 + BOX_W / 2:.0f} {y1:.0f}" '
                         'marker-end="url(#arrow)"/>')
            if out.get("summed_axes"):
                mx, my = (x0 + x1) / 2 + BOX_W / 2, (y0 + BOX_H + y1) / 2
                parts.append(f'<text class="edge-label" x="{mx + 4:.0f}" y="{my:.0f}">Σ axes '
                             f'{e(_shape(out["summed_axes"]))}: broadcast undone</text>')
    for s in steps:
        x, y = pos[s["step"]]
        fan = s.get("summed_from", 1) > 1
        kind = "leaf" if s["kind"] == "leaf" else "op"
        title = s.get("name", "") if kind == "leaf" else s["node"]
        sub = _shape(s["shape"] if kind == "leaf" else s["grad_in"]["shape"]) + ("   Σ of %d" % s["summed_from"]
                                                                                  if fan else "")
        parts.append(f'<g class="node {kind}{" fanin" if fan else ""}" id="n{s["step"]}" data-step="{s["step"]}">')
        if fan:
            parts.append(f'<rect class="outer" x="{x - 3:.0f}" y="{y - 3:.0f}" width="{BOX_W + 6}" '
                         f'height="{BOX_H + 6}" rx="8"/>')
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6"/>')
        parts.append(f'<text x="{x + BOX_W / 2:.0f}" y="{y + 18:.0f}" text-anchor="middle" font-weight="bold">'
                     f'[{s["step"]}] {e(title)}</text>')
        parts.append(f'<text x="{x + BOX_W / 2:.0f}" y="{y + 34:.0f}" text-anchor="middle">{e(sub)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; display: flex; color: #222; }
#left { flex: 1; overflow: auto; padding: 10px; }
#panel { width: 430px; padding: 14px; border-left: 1px solid #ccc; background: #fafafa; min-height: 100vh; }
h1 { font-size: 17px; margin: 4px 0 8px; }
.node rect { fill: #e4e4e4; stroke: #777; stroke-width: 1; }
.node.leaf rect { fill: #cfe6f7; }
.node .outer { fill: none; stroke: #777; }
.node.done rect { opacity: 0.55; }
.node.current rect { fill: #ffd54a; stroke: #c62828; stroke-width: 3; opacity: 1; }
.edge { stroke: #555; stroke-width: 1.3; fill: none; }
.edge.broadcast { stroke: #e67e22; stroke-width: 2; }
.edge.active { stroke: #c62828; stroke-width: 3; }
.edge-label { fill: #c0641a; font-size: 10px; }
pre.rule { background: #fff; border: 1px solid #ddd; padding: 6px; white-space: pre-wrap; font-size: 12px; }
button { font-size: 14px; padding: 4px 12px; margin-right: 4px; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ddd; padding: 3px 5px; }
.mark { color: #c0641a; font-weight: bold; }
"""

_JS = """
var STEPS = JSON.parse(document.getElementById('steps-data').textContent);
var current = 0;
function shape(s) { return '(' + s.join(', ') + (s.length == 1 ? ',' : '') + ')'; }
function num(x) { return x === null || x === undefined ? '-' : Number(x).toPrecision(4); }
function esc(t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; }
function show(i, scroll) {
  current = Math.max(0, Math.min(STEPS.length - 1, i));
  var s = STEPS[current];
  document.querySelectorAll('.node').forEach(function (g) {
    var k = Number(g.dataset.step);
    g.classList.toggle('current', k === s.step);
    g.classList.toggle('done', k < s.step);
  });
  document.querySelectorAll('.edge').forEach(function (p) {
    p.classList.toggle('active', Number(p.dataset.from) === s.step);
  });
  document.body.dataset.current = 'n' + s.step;
  var rows = s.grad_out.map(function (o) {
    var to = o.to === null ? (o.shape === null ? 'no gradient' : 'dropped (a constant)')
                           : '[' + o.to_step + '] ' + esc(o.to) + (o.to_name ? ' (' + esc(o.to_name) + ')' : '');
    var bc = (o.summed_axes && o.summed_axes.length) ? '<span class="mark">Σ over axes ' + shape(o.summed_axes) +
             ' (broadcast undone) &rarr; ' + shape(o.input_shape) + '</span>' : '';
    return '<tr><td>' + o.input + '</td><td>' + to + '</td><td>' + (o.shape ? shape(o.shape) : '-') + '</td><td>' +
           num(o.norm) + '</td><td>' + bc + '</td></tr>';
  }).join('');
  var fan = s.summed_from > 1 ? '<p class="mark">Σ fan-in: the sum of ' + s.summed_from +
            ' gradients (this tensor was used ' + s.summed_from + ' times)</p>' : '';
  var leaf = s.kind === 'leaf' ? '<p>accumulated into the <code>.grad</code> of <b>' + esc(s.name) + '</b> ' +
             shape(s.shape) + '</p>' : '';
  document.getElementById('details').innerHTML =
    '<h2 id="current-name">[' + s.step + '/' + STEPS.length + '] ' + esc(s.node) +
    (s.name ? ' (' + esc(s.name) + ')' : '') + '</h2>' +
    '<pre class="rule">' + esc(s.rule) + '</pre>' +
    '<p>gradient in: <b>' + shape(s.grad_in.shape) + '</b> ' + esc(s.grad_in.dtype) + ', norm <b>' +
    num(s.grad_in.norm) + '</b></p>' + fan + leaf +
    (rows ? '<table><tr><th>input</th><th>to</th><th>shape</th><th>norm</th><th></th></tr>' + rows + '</table>'
          : '');
  var node = document.getElementById('n' + s.step);
  if (scroll && node && node.scrollIntoView) node.scrollIntoView({block: 'nearest', inline: 'nearest'});
  if (location.hash !== '#step=' + s.step) history.replaceState(null, '', '#step=' + s.step);
}
function fromHash() {
  var m = /step=(\\d+)/.exec(location.hash);
  return m ? Number(m[1]) - 1 : 0;
}
document.addEventListener('keydown', function (e) {
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { show(current + 1, true); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { show(current - 1, true); e.preventDefault(); }
  if (e.key === 'Home') show(0, true);
  if (e.key === 'End') show(STEPS.length - 1, true);
});
document.getElementById('prev').onclick = function () { show(current - 1); };
document.getElementById('next').onclick = function () { show(current + 1); };
document.querySelectorAll('.node').forEach(function (g) {
  g.addEventListener('click', function () { show(Number(g.dataset.step) - 1); });
});
window.addEventListener('hashchange', function () { show(fromHash(), true); });
show(fromHash());
"""

# the first script: errors from the page's own script are written into the page, where a test reads them
_ERRORS = """
window.addEventListener('error', function (e) {
  var p = document.getElementById('console-errors');
  if (p) p.textContent += 'error: ' + e.message + '\\n'; else window.__early = (window.__early || '') + e.message;
});
var _err = console.error;
console.error = function () {
  var p = document.getElementById('console-errors');
  if (p) p.textContent += 'console.error: ' + Array.prototype.join.call(arguments, ' ') + '\\n';
  _err.apply(console, arguments);
};
"""


def page(trace, title="a backward pass"):
    """The whole page, as text, for an Explanation."""
    data = json.dumps(trace.steps, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>minigrad: {html.escape(title)}</title>
<style>{_CSS}</style><script>{_ERRORS}</script></head>
<body data-current="">
<div id="left">
<h1>minigrad: {html.escape(title)}: {len(trace.steps)} backward steps, in the order the engine runs them</h1>
<p><button id="prev">&larr; previous</button><button id="next">next &rarr;</button>
the arrow keys step too; <span class="mark">orange edge</span>: broadcasting undone by a sum;
double border, Σ: gradients summed (fan-in)</p>
{svg(trace.steps, trace.root)}
</div>
<div id="panel"><div id="details"></div><pre id="console-errors"></pre></div>
<script type="application/json" id="steps-data">{data}</script>
<script>{_JS}</script>
</body></html>
"""


def write_page(trace, path, title="a backward pass"):
    with open(path, "w", encoding="utf-8") as f:
        f.write(page(trace, title))
    return path
