"""draw_graph: the DOT text parsed back must have one node per op and leaf, and edges the way gradients flow."""
import re
import shutil

import numpy as np
import pytest

import minigrad
from minigrad.viz import draw_graph

_NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)( \[.*\])?;$")


def parse_dot(source):
    """{id: [label lines]} and [(from, to, attrs)] from the DOT subset draw_graph writes; fails on anything else."""
    lines = source.strip().splitlines()
    assert lines[0] == "digraph backward {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if line.strip().startswith(("graph [", "node [", "//")):
            continue
        if m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
        elif m := _NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = m.group(2).replace('\\"', '"').split("\\n")
        else:
            raise AssertionError(f"unparsed DOT line: {line!r}")
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} to an undeclared node"
    return nodes, edges


def _by_title(nodes):
    return {lines[0]: nid for nid, lines in nodes.items()}


def test_mul_add_sum_graph():
    x = minigrad.randn(4, 3, requires_grad=True)
    w = minigrad.randn(3, requires_grad=True)
    loss = (x * w + 1.0).sum()
    nodes, edges = parse_dot(draw_graph(loss, params={"x": x, "w": w}).source)
    ids = _by_title(nodes)
    assert set(ids) == {"output", "SumBackward0", "AddBackward0", "MulBackward0", "x", "w"}
    arrows = {(nodes[a][0], nodes[b][0]) for a, b, _ in edges}
    assert arrows == {("output", "SumBackward0"), ("SumBackward0", "AddBackward0"), ("AddBackward0", "MulBackward0"),
                      ("MulBackward0", "x"), ("MulBackward0", "w")}
    assert nodes[ids["MulBackward0"]][1:] == ["(4, 3) float32"]
    assert nodes[ids["SumBackward0"]][1:] == ["() float32"]
    assert nodes[ids["w"]][1:] == ["(3,) float32", "requires_grad=True"]


def test_shared_subexpression_is_one_node_and_constants_are_dashed():
    a = minigrad.randn(2, 2, dtype=minigrad.float64, requires_grad=True)
    c = minigrad.randn(2, 2, dtype=minigrad.float64)  # a constant input
    h = a.exp()
    out = (h * h + h @ c).mean()
    nodes, edges = parse_dot(draw_graph(out).source)
    titles = [lines[0] for lines in nodes.values()]
    assert titles.count("ExpBackward0") == 1 and titles.count("leaf") == 1
    exp_id = _by_title(nodes)["ExpBackward0"]
    into_exp = [a for a, b, _ in edges if b == exp_id]
    assert sorted(nodes[i][0] for i in into_exp) == ["MmBackward0", "MulBackward0", "MulBackward0"]
    const = [nid for nid, lines in nodes.items() if lines[0] == "constant"]
    assert len(const) == 1 and nodes[const[0]][1:] == ["(2, 2) float64", "requires_grad=False"]
    assert [attrs for _, b, attrs in edges if b == const[0]] == [" [style=dashed, arrowhead=none]"]
    nodes, _ = parse_dot(draw_graph(out, show_constants=False).source)
    assert "constant" not in [lines[0] for lines in nodes.values()]


def test_grad_norms_before_and_after_backward():
    w = minigrad.tensor([[3.0, 4.0]], requires_grad=True)
    x = minigrad.tensor([[1.0], [2.0]])
    loss = (x * w).sum()  # dloss/dw = [[3, 3]] (x summed over the batch), norm √18
    nodes, _ = parse_dot(draw_graph(loss, params={"w": w}, show_grad_norms=True).source)
    ids = _by_title(nodes)
    assert nodes[ids["w"]][-1] == f"‖grad‖ = {np.sqrt(18):.4g}"
    assert nodes[ids["MulBackward0"]][-1] == f"‖grad‖ = {2.0:.4g}"  # ones of shape (2, 2)
    assert w.grad is None  # drawing computes norms without touching .grad
    loss.backward()
    graph = draw_graph(loss, params={"w": w}, show_grad_norms=True)
    nodes, _ = parse_dot(graph.source)
    ids = _by_title(nodes)
    assert nodes[ids["w"]][-1] == f"‖grad‖ = {np.sqrt(18):.4g}"  # from .grad
    assert not nodes[ids["MulBackward0"]][-1].startswith("‖grad‖")
    assert any("freed" in n for n in graph.notes)


def test_module_like_params_and_file_output(tmp_path):
    class Named:  # anything with named_parameters(), as a Module has
        def __init__(self, **ps):
            self.ps = ps

        def named_parameters(self):
            return iter(self.ps.items())

    w = minigrad.randn(3, 5, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    out = (minigrad.randn(2, 5) @ w.t() + b).relu().sum()
    path = tmp_path / "g.dot"
    graph = draw_graph(out, params=Named(**{"layer.0.weight": w, "layer.0.bias": b}), filename=path)
    assert path.read_text() == graph.source
    nodes, _ = parse_dot(graph.source)
    assert {"layer.0.weight", "layer.0.bias"} <= set(_by_title(nodes))


def test_svg_without_graphviz_warns_and_writes_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` to be found, installed or not
    x = minigrad.randn(2, requires_grad=True)
    with pytest.warns(UserWarning, match="needs Graphviz's `dot` program"):
        graph = draw_graph(x.sum(), format="svg", filename=tmp_path / "g.svg")
    assert graph.format == "dot" and graph.data is None
    assert (tmp_path / "g.dot").read_text() == graph.source


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_svg_with_graphviz(tmp_path):
    x = minigrad.randn(2, requires_grad=True)
    graph = draw_graph(x.sum(), format="svg", filename=tmp_path / "g.svg")
    assert graph.data.lstrip().startswith(b"<?xml") and b"SumBackward0" in graph.data


def test_errors_and_leaf_without_graph():
    with pytest.raises(ValueError, match="format must be one of"):
        draw_graph(minigrad.ones(1), format="pdf")
    nodes, edges = parse_dot(draw_graph(minigrad.ones(2)).source)
    assert list(nodes.values()) == [["output", "(2,) float32", "requires_grad=False"]] and edges == []


def test_render_calls_dot_with_the_format_and_the_source(tmp_path, monkeypatch):
    # a stand-in `dot` that reports its arguments and echoes stdin: checks the plumbing where Graphviz is absent
    fake = tmp_path / "dot"
    fake.write_text('#!/bin/sh\necho "args: $*"\ncat\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    x = minigrad.randn(2, requires_grad=True)
    graph = draw_graph(x.sum(), format="png", filename=tmp_path / "g.png")
    assert graph.format == "png" and graph.data.startswith(b"args: -Tpng\ndigraph backward {")
    assert (tmp_path / "g.png").read_bytes() == graph.data


def test_graph_marks_fan_in_and_undone_broadcast():
    from minigrad.viz import draw_graph

    x = minigrad.randn(4, 3, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    dot = draw_graph((x * b + x).sum(), params={"x": x, "b": b}).source
    x_line = next(line for line in dot.splitlines() if line.strip().startswith("n") and '"x\\n' in line)
    assert "Σ of 2 gradients (used 2 times)" in x_line and "peripheries=2" in x_line
    b_line = next(line for line in dot.splitlines() if '"b\\n' in line)
    assert "Σ of" not in b_line
    edges = [line for line in dot.splitlines() if "broadcast undone" in line]
    assert len(edges) == 1 and "Σ over axes (0,)" in edges[0]  # only b was broadcast
