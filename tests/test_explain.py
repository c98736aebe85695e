"""explain(): the engine's own order, the shapes in and out of every node, and the axes summed to undo broadcasting."""
import json

import numpy as np
import pytest

import minigrad
from minigrad.autograd import explain
from minigrad.autograd.engine import unbroadcast, unbroadcast_axes


@pytest.mark.parametrize("grad_shape, shape, axes", [
    ((4, 3), (3,), (0,)),
    ((4, 3), (4, 1), (1,)),
    ((2, 5, 3), (5, 1), (0, 2)),
    ((2, 5, 3), (2, 1, 3), (1,)),
    ((2, 5, 3), (), (0, 1, 2)),
    ((4, 3), (4, 3), ()),
    ((1, 3), (1, 3), ()),
])
def test_unbroadcast_axes(grad_shape, shape, axes):
    assert unbroadcast_axes(grad_shape, shape) == axes
    g = np.arange(np.prod(grad_shape), dtype=np.float64).reshape(grad_shape)
    expected = g.sum(axis=axes).reshape(shape)  # summing exactly those axes gives what unbroadcast gives
    np.testing.assert_array_equal(unbroadcast(g, shape), expected)


def _outs(step):
    return {o["input"]: o for o in step["grad_out"]}


def test_bias_broadcast_is_summed_over_the_batch_axis():
    x = minigrad.randn(4, 3, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    trace = explain((x + b).sum(), params={"x": x, "b": b})
    names = [s["node"] for s in trace.steps]
    assert names == ["SumBackward0", "AddBackward0", "AccumulateGrad", "AccumulateGrad"]
    add = trace.steps[1]
    assert add["grad_in"]["shape"] == [4, 3]
    outs = _outs(add)
    assert outs[0]["shape"] == [4, 3] and outs[0]["summed_axes"] == [] and outs[0]["to_name"] == "x"
    assert outs[1]["shape"] == [4, 3] and outs[1]["summed_axes"] == [0] and outs[1]["input_shape"] == [3]
    assert outs[1]["to_name"] == "b"
    leaf_b = next(s for s in trace.steps if s.get("name") == "b")
    assert leaf_b["grad_in"]["shape"] == [3] and leaf_b["kind"] == "leaf"
    assert outs[1]["to_step"] == leaf_b["step"]
    assert "input 1 -> [" in trace.text and "summed over axes (0,) to undo broadcasting -> (3,)" in trace.text
    np.testing.assert_allclose(b.grad.data, np.full(3, 4.0))  # a real backward: .grad is filled


def test_column_and_two_sided_broadcasting():
    a = minigrad.randn(2, 1, 3, requires_grad=True)
    c = minigrad.randn(5, 1, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.randn(2, 1, 3, requires_grad=True)
    loss = ((a + c) * w).mean()  # (2,1,3) + (5,1) -> (2,5,3), float32 + float64 -> float64
    trace = explain(loss)
    add = next(s for s in trace.steps if s["node"] == "AddBackward0")
    outs = _outs(add)
    assert add["grad_in"]["shape"] == [2, 5, 3] and add["grad_in"]["dtype"] == "float64"
    mul_outs = _outs(next(s for s in trace.steps if s["node"] == "MulBackward0"))
    assert mul_outs[1]["summed_axes"] == [1] and mul_outs[1]["input_shape"] == [2, 1, 3]
    # a float32 tensor meets float64: its gradient passes through the cast node (ToCopyBackward0)
    assert outs[1]["summed_axes"] == [0, 2] and outs[1]["input_shape"] == [5, 1]
    assert outs[0]["to"] == "ToCopyBackward0" and outs[0]["summed_axes"] == [1]


def test_order_is_the_engines_and_grads_match_plain_backward():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((6, 4)).astype(np.float32)
    ws = rng.standard_normal((3, 4)).astype(np.float32)
    results = []
    for use_explain in (False, True):
        x = minigrad.tensor(xs)
        w = minigrad.tensor(ws, requires_grad=True)
        h = (x @ w.t()).relu()
        loss = (h * h).sum() + h.mean()  # h feeds two nodes: it runs after both of them
        if use_explain:
            trace = explain(loss, params={"w": w})
        else:
            loss.backward()
        results.append(w.grad.data.copy())
    np.testing.assert_array_equal(results[0], results[1])
    order = [s["node"] for s in trace.steps]
    assert order[0] == "AddBackward0" and order[-1] == "AccumulateGrad"
    relu = order.index("ReluBackward0")
    assert relu > order.index("MulBackward0") and relu > order.index("MeanBackward0")
    mm = trace.steps[order.index("MmBackward0")]
    outs = _outs(mm)
    assert outs[0]["to"] is None and outs[0]["shape"] == [6, 4]  # x is a constant: its gradient is dropped
    assert "dropped: that input is a constant" in trace.text


def test_rules_come_from_docstrings_and_json_round_trips():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    trace = explain((x.exp() * 3.0).sum())
    rules = {s["node"]: s["rule"] for s in trace.steps}
    assert rules["ExpBackward0"].startswith("z = e^x")
    assert rules["MulBackward0"] == minigrad.ops.pointwise.Mul.__doc__.strip()
    assert rules["AccumulateGrad"].startswith("leaf")
    data = json.loads(trace.to_json())
    assert data == trace.to_dict()
    assert data["root"] == {"shape": [], "dtype": "float32"}
    assert [s["step"] for s in data["steps"]] == list(range(1, len(data["steps"]) + 1))
    assert str(trace) == trace.text


def test_gradient_argument_retain_graph_and_errors():
    x = minigrad.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        explain(y)
    trace = explain(y, gradient=minigrad.ones(1, 2), retain_graph=True)
    assert trace.steps[0]["grad_in"]["shape"] == [1, 2]
    explain(y, gradient=minigrad.ones(1, 2))  # the graph was retained once
    np.testing.assert_array_equal(x.grad.data, [[4.0, 4.0]])
    with pytest.raises(RuntimeError, match="second time"):
        explain(y, gradient=minigrad.ones(1, 2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        explain(minigrad.ones(2).sum())


def test_explain_command_on_the_tutorial_mlp(capsys):
    from minigrad.__main__ import main

    assert main(["explain", "--batch-size", "2", "--random-data"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("the tutorial MLP on a batch of 2 random images: loss ")
    assert "[1] CrossEntropyLossBackward0" in out and "grad out : input 0 -> [2] AddmmBackward0: (2, 10)" in out
    assert "AccumulateGrad  (linear_relu_stack.0.weight)" in out and "(512, 784)" in out
    assert main(["explain", "--batch-size", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["steps"][0]["node"] == "CrossEntropyLossBackward0" and len(data["steps"]) == 15  # 3 x (addmm, its TBackward0, weight, bias) + relu x 2 + the loss
    assert main(["explain", "--batch-size", "2", "--graph"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph backward {") and "linear_relu_stack.4.bias" in dot and "‖grad‖" in dot


def test_explain_says_where_gradients_are_summed():
    x = minigrad.randn(4, 3, requires_grad=True)
    b = minigrad.randn(3, requires_grad=True)
    e = minigrad.autograd.explain((x * b + x).sum(), params={"x": x, "b": b})
    by_name = {s.get("name"): s for s in e.steps if s["kind"] == "leaf"}
    assert by_name["x"]["summed_from"] == 2 and by_name["b"]["summed_from"] == 1
    assert "the sum of 2 gradients: this tensor was used 2 times" in e.text
