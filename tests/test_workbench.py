"""Issue 15 part B: Jacobians in the trace, every op against torch, backprop health, inline display."""
import json

import numpy as np
import pytest

import minigrad
from minigrad.autograd import explain


# ---- Jacobians in the trace -------------------------------------------------------------------------------------
def test_jacobians_of_a_matmul_are_4d_and_vjp_is_the_gradient():
    rng = np.random.default_rng(1)
    a, b, v = rng.standard_normal((2, 3)), rng.standard_normal((3, 2)), rng.standard_normal((2, 2))
    A = minigrad.tensor(a, requires_grad=True)
    B = minigrad.tensor(b, requires_grad=True)
    trace = explain(A @ B, gradient=minigrad.tensor(v), params={"A": A, "B": B}, jacobians=True)
    mm = trace.steps[0]
    ja, jb = (o["jacobian"] for o in mm["grad_out"])
    assert ja["shape"] == [2, 2, 2, 3] and ja["matrix_shape"] == [4, 6]
    assert jb["shape"] == [2, 2, 3, 2] and jb["matrix_shape"] == [4, 6]
    # d C[i, j] / d A[k, l] = [i == k] B[l, j]: written out by hand, independent of the backward
    expected = np.einsum("ik,lj->ijkl", np.eye(2), b)
    np.testing.assert_allclose(ja["values"], expected)
    np.testing.assert_allclose(jb["values"], np.einsum("ik,jl->ijkl", a, np.eye(2)))  # d C[i, j] / d B[k, l]
    assert ja["vjp_matches"] and jb["vjp_matches"]
    np.testing.assert_allclose(ja["vjp"], v @ b.T)
    np.testing.assert_allclose(A.grad.numpy(), v @ b.T)  # a real backward
    assert "read as a 4 x 6 matrix" in trace.text and "= the gradient sent" in trace.text
    json.loads(trace.to_json())


def test_jacobian_of_a_broadcast_input_and_of_a_nonlinearity():
    x = minigrad.tensor([[1.0, -2.0], [3.0, 0.5]], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([0.5, 1.0], dtype=minigrad.float64, requires_grad=True)
    trace = explain((x + b).tanh().sum(), params={"x": x, "b": b}, jacobians=True)
    steps = {s["node"]: s for s in trace.steps}
    tanh = steps["TanhBackward0"]["grad_out"][0]["jacobian"]
    y = np.tanh(x.detach().numpy() + b.detach().numpy())
    np.testing.assert_allclose(np.array(tanh["values"]).reshape(4, 4), np.diag((1 - y ** 2).reshape(-1)))
    add_b = steps["AddBackward0"]["grad_out"][1]["jacobian"]
    assert add_b["shape"] == [2, 2, 2]  # the bias (2,) broadcast over rows: two ones per column
    np.testing.assert_allclose(np.array(add_b["values"]).reshape(4, 2), [[1, 0], [0, 1], [1, 0], [0, 1]])
    assert all(o["jacobian"]["vjp_matches"] for s in trace.steps for o in s["grad_out"] if "jacobian" in o)


def test_jacobians_refuse_big_graphs_before_running_backward():
    w = minigrad.ones(65, 65, requires_grad=True)
    with pytest.raises(ValueError, match=r"SumBackward0 .* \(65, 65\) .* 4225 entries; at most 4096"):
        explain(w.sum(), jacobians=True)
    assert w.grad is None  # refused before anything ran
    explain(w.sum())  # the graph is still whole


def test_jacobians_see_a_perturbed_backward_only_through_the_check(monkeypatch):
    """The Jacobian is the node's own backward on one-hot vectors: a wrong backward gives a wrong Jacobian, and the
    check vᵀJ = sent still holds, because both come from one formula (there is no second one)."""
    from minigrad.ops.pointwise import Mul

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    original = Mul.backward
    monkeypatch.setattr(Mul, "backward", staticmethod(lambda ctx, g: tuple(None if t is None else 2 * t
                                                                                  for t in original(ctx, g))))
    trace = explain((x * 3.0).sum(), jacobians=True)
    mul = next(s for s in trace.steps if s["node"] == "MulBackward0")
    np.testing.assert_allclose(mul["grad_out"][0]["jacobian"]["values"], [[6.0, 0.0], [0.0, 6.0]])
    assert mul["grad_out"][0]["jacobian"]["vjp_matches"]


# ---- every op against torch -------------------------------------------------------------------------------------
def _tutorial_pair(batch=6):
    import torch

    from minigrad.cli.model import NeuralNetwork
    from reference.convert import copy_weights
    from reference.model import NeuralNetwork as TorchNetwork

    torch.manual_seed(0)
    t_model, m_model = TorchNetwork(), NeuralNetwork()
    copy_weights(t_model, m_model)
    rng = np.random.default_rng(0)
    X = minigrad.from_numpy(rng.random((batch, 1, 28, 28), dtype=np.float32))
    y = minigrad.from_numpy(rng.integers(0, 10, batch))
    return m_model, t_model, X, y


def test_compare_ops_finds_every_op_in_torchs_order_and_agrees():
    from minigrad.cli.ops_compare import compare_ops

    m_model, t_model, X, y = _tutorial_pair()
    rows, verdict, (m_loss, t_loss) = compare_ops(m_model, t_model, X, y)
    ops = [r["op"] for r in rows]
    assert ops[:5] == ["NllLossBackward0", "LogSoftmaxBackward0", "AddmmBackward0", "AccumulateGrad", "TBackward0"]
    assert len(rows) == 16 and ops.count("AddmmBackward0") == 3 and ops.count("AccumulateGrad") == 6
    assert all(r["role"] in ("same", "fused") for r in rows)
    assert rows[1]["role"] == "fused" and rows[1]["minigrad"] == "CrossEntropyLossBackward0"
    same = [r for r in rows if r["role"] == "same"]
    assert all(r["value"]["allclose"] and r["grad_in"]["allclose"] for r in same)
    assert all(r["grad_out"]["allclose"] for r in same if r["op"] != "AccumulateGrad")
    assert {r["param"] for r in rows if "param" in r} == {n for n, _ in t_model.named_parameters()}
    assert verdict is None and abs(m_loss - t_loss) < 1e-5


def test_compare_ops_names_a_perturbed_backward_as_the_first_divergence(monkeypatch):
    from minigrad.cli.ops_compare import compare_ops
    from minigrad.ops.pointwise import Relu

    original = Relu.backward
    monkeypatch.setattr(Relu, "backward", staticmethod(lambda ctx, g: original(ctx, g) * 1.01))
    rows, verdict, _ = compare_ops(*_tutorial_pair())
    row, why = verdict
    assert row["op"] == "ReluBackward0" and row["step"] == 7 and why == "the gradients it sends on differ"
    assert row["grad_in"]["allclose"] and not row["grad_out"]["allclose"]


def test_compare_ops_names_a_perturbed_forward(monkeypatch):
    from minigrad.cli.ops_compare import compare_ops
    from minigrad.ops.pointwise import Relu

    original = Relu.forward
    monkeypatch.setattr(Relu, "forward", staticmethod(lambda ctx, x: original(ctx, x) + np.float32(1e-3)))
    rows, (row, why), _ = compare_ops(*_tutorial_pair())
    assert row["op"] == "ReluBackward0" and why == "its forward value differs"
    assert row["step"] == 12  # the first ReLU in forward order is the last in backward order


def test_graphs_part_where_an_op_differs():
    import torch

    from minigrad.cli.ops_compare import first_divergence, pair_graphs

    t = (torch.tensor([1.0, 2.0], requires_grad=True) * 2).exp().sum()
    m = (minigrad.tensor([1.0, 2.0], requires_grad=True) * 2).sin().sum()
    roles = [(op.torch[0].name().replace("torch::autograd::", ""), [n.name() for n in op.minigrad])
             for op in pair_graphs(t.grad_fn, m._node())]
    assert roles == [("SumBackward0", ["SumBackward0"]), ("ExpBackward0", []), ("MulBackward0", []),
                     ("AccumulateGrad", [])]
    rows = [{"step": 1, "op": "SumBackward0", "role": "same", "seq": 2},
            {"step": 2, "op": "ExpBackward0", "role": "unmatched", "seq": 1}]
    assert first_divergence(rows) == (rows[1], "minigrad's graph has no ExpBackward0 here")


def test_compare_ops_command(capsys):
    from minigrad.__main__ import main

    assert main(["compare", "--ops", "--limit", "16", "--batch-size", "4", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "NllLossBackward0" in out and "inside minigrad's CrossEntropyLossBackward0" in out
    assert "every one of torch's 16 backward nodes found in minigrad's graph" in out
    assert "after the sgd step (lr 0.001)" in out and "linear_relu_stack.0.weight" in out



# ---- every op against torch: the CNN, on a real first step ------------------------------------------------------
_CNN_LAYER = ["MaxPool2DWithIndicesBackward0", "ReluBackward0", "NativeBatchNormBackward0", "AccumulateGrad",
              "AccumulateGrad", "ConvolutionBackward0", "AccumulateGrad", "AccumulateGrad"]
CNN_OPS = ["NllLossBackward0", "LogSoftmaxBackward0", "AddmmBackward0", "AccumulateGrad", "TBackward0",
           "AccumulateGrad", "ViewBackward0"] + _CNN_LAYER * 2


@pytest.fixture
def cnn_step(fashion_root, monkeypatch):
    """The CNN pair and the first batch of `minigrad compare --ops --model cnn --batch-size 16`, real FashionMNIST."""
    from minigrad.__main__ import build_parser
    from minigrad.cli.compare import shared_models
    from minigrad.cli.ops_compare import first_batch

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    args = build_parser().parse_args(["compare", "--ops", "--model", "cnn", "--batch-size", "16"])
    t_model, m_model = shared_models(args, "cpu")
    return (m_model, t_model, *first_batch(args))


def test_compare_ops_pairs_every_op_of_the_cnn_and_agrees(cnn_step):
    from minigrad.cli.ops_compare import compare_ops

    rows, verdict, (m_loss, t_loss) = compare_ops(*cnn_step)
    assert [r["op"] for r in rows] == CNN_OPS and all(r["role"] in ("same", "fused") for r in rows)
    batch_norms = [r for r in rows if r["op"] == "NativeBatchNormBackward0"]  # one node in each library
    assert len(batch_norms) == 2 and all(r["role"] == "same" for r in batch_norms)
    same = [r for r in rows if r["role"] == "same"]
    assert all(r["value"]["allclose"] for r in same)
    assert all(r["grad_out"]["allclose"] for r in same if r["op"] != "AccumulateGrad")
    params = [r for r in rows if "param" in r]  # every parameter's gradient agrees end to end too
    assert {r["param"] for r in params} == {n for n, _ in cnn_step[1].named_parameters()}
    assert all(r["grad_in"]["allclose"] for r in params)
    assert verdict is None and abs(m_loss - t_loss) < 1e-5
    for m_bn, t_bn in ((cnn_step[0].features[i], cnn_step[1].features[i]) for i in (1, 5)):  # in training mode the
        t_mean = t_bn.running_mean.numpy()  # running statistics moved, in both, without a node in either graph
        assert np.abs(t_mean).max() > 0 and np.allclose(m_bn.running_mean.numpy(), t_mean, rtol=1e-5, atol=1e-7)
    # a max-pool window whose largest values are equal to float32 rounding sends its gradient where each library
    # picked: above the first such tie every incoming gradient agrees as well
    tied = [i for i, r in enumerate(rows) if r.get("ties")]
    assert all(r["grad_in"]["allclose"] for r in rows[:tied[0] + 1 if tied else None] if r["role"] == "same")
    assert all(rows[i]["op"] == "MaxPool2DWithIndicesBackward0" and rows[i]["grad_out"]["allclose"] for i in tied)


def test_compare_ops_names_a_perturbed_cnn_forward(cnn_step, monkeypatch):
    from minigrad.cli.ops_compare import compare_ops
    from minigrad.ops.conv import Convolution

    original = Convolution.forward
    monkeypatch.setattr(Convolution, "forward",
                        staticmethod(lambda ctx, *args, **kw: original(ctx, *args, **kw) + np.float32(1e-3)))
    rows, (row, why), _ = compare_ops(*cnn_step)
    assert row["op"] == "ConvolutionBackward0" and why == "its forward value differs"
    assert row["step"] == 21  # the first conv in forward order is the last in backward order


@pytest.mark.parametrize("op, step, node", [("conv.Convolution", 13, "ConvolutionBackward0"),
                                            ("normalization.BatchNorm", 10, "NativeBatchNormBackward0")])
def test_compare_ops_names_a_perturbed_cnn_backward(cnn_step, monkeypatch, op, step, node):
    """A wrong backward anywhere below the max-pool ties is still named: each op is judged on the gradient it got."""
    import importlib

    from minigrad.cli.ops_compare import compare_ops

    module, name = op.split(".")
    fn = getattr(importlib.import_module(f"minigrad.ops.{module}"), name)
    original = fn.backward
    monkeypatch.setattr(fn, "backward", staticmethod(lambda ctx, g: tuple(
        None if t is None else t * np.float32(1.01) for t in original(ctx, g))))
    rows, (row, why), _ = compare_ops(*cnn_step)
    assert (row["op"], row["step"], why) == (node, step, "the gradients it sends on differ")
    assert row["value"]["allclose"] and not row["grad_out"]["allclose"]


def test_a_max_pool_tie_broken_the_other_way_is_not_a_difference():
    import torch

    from minigrad.cli.ops_compare import replay
    from minigrad.cli.ops_pairing import Op

    def both(t_values, m_values):
        t = torch.nn.functional.max_pool2d(torch.tensor(t_values, requires_grad=True), 2)
        m = minigrad.nn.functional.max_pool2d(minigrad.tensor(m_values, requires_grad=True), 2)
        t.sum().backward(retain_graph=True)
        op = Op((t.grad_fn,), (m.grad_fn,), ((t.grad_fn.next_functions[0][0], None),))
        (sent,), ties = (lambda s_t: (list(s_t[0].values()), s_t[1]))(replay(op, np.ones((1, 1, 1, 1), "f"), "cpu"))
        return sent.ravel().tolist(), ties

    one_ulp_more = float(np.nextafter(np.float32(1), np.float32(2)))
    # torch's window holds an exact tie (its first wins), minigrad's the same values one ulp apart (its second wins)
    assert both([[[[1.0, 1.0], [0.0, 0.0]]]], [[[[1.0, one_ulp_more], [0.0, 0.0]]]]) == (
        [0.0, 1.0, 0.0, 0.0], {"count": 1, "windows": 1})
    # not a tie: minigrad's pick is not a largest value of torch's input, so torch's own pick is compared
    assert both([[[[2.0, 1.0], [0.0, 0.0]]]], [[[[1.0, 2.0], [0.0, 0.0]]]]) == ([1.0, 0.0, 0.0, 0.0], None)


def test_compare_ops_command_on_the_cnn(fashion_root, monkeypatch, capsys):
    from minigrad.__main__ import main

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    assert main(["compare", "--ops", "--model", "cnn", "--limit", "64", "--batch-size", "8", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "every one of torch's 23 backward nodes found in minigrad's graph" in out
    assert "NativeBatchNormBackward0" in out
    assert "after the sgd step (lr 0.001)" in out and "features.1.weight" in out

# ---- backprop health --------------------------------------------------------------------------------------------
def test_health_figures_match_a_tiny_model_worked_by_hand():
    from minigrad import nn
    from minigrad.cli.health import Health

    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W1, b1 = np.array([[1.0, -1.0], [0.5, 0.5]]), np.array([2.0, -2.0])
    W2, b2 = np.array([[3.0, 1.0]]), np.array([0.5])
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1), nn.Tanh()).double()
    for p, value in zip(model.parameters(), (W1, b1, W2, b2)):
        p.data[...] = value
    health = Health(model)
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    model(minigrad.tensor(x)).sum().backward()
    health.before_step()
    opt.step()
    health.after_step()
    health.remove()

    # by hand: h = x W1ᵀ + b1 = [[1, -0.5], [0.5, -2.25]]: unit 1 is negative for both samples, dead
    h = x @ W1.T + b1
    r = np.maximum(h, 0)
    t = np.tanh(r @ W2.T + b2)  # z = [3.5, 2]: tanh 0.998 is saturated (> 0.97), tanh 0.964 is not
    dz = 1 - t ** 2  # d sum(tanh z) / dz
    dW2, db2 = dz.T @ r, dz.sum(0)
    dh = (dz @ W2) * (h > 0)
    dW1, db1 = dh.T @ x, dh.sum(0)
    expected = {"0.weight": (dW1, W1), "0.bias": (db1, b1), "2.weight": (dW2, W2), "2.bias": (db2, b2)}
    for name, (g, w) in expected.items():
        rec = health.params[name]
        assert rec["grad_norm"] == [pytest.approx(np.linalg.norm(g), rel=1e-12)]
        assert rec["update_ratio"] == [pytest.approx(0.1 * np.linalg.norm(g) / np.linalg.norm(w), rel=1e-9)]
    assert health.activations["1"] == {"kind": "ReLU", "dead": [0.5]}
    assert health.activations["3"] == {"kind": "Tanh", "saturated": [0.5]}
    assert "update_ratio" in health.text and "<table>" in health._repr_html_()


def test_train_health_writes_json_and_png(tmp_path, capsys):
    import matplotlib.image

    from minigrad.__main__ import main

    out = tmp_path / "health"
    main(["train", "--limit", "64", "--test-limit", "16", "--batch-size", "16", "--health", str(out)])
    data = json.loads((out / "health.json").read_text())
    assert set(data["params"]) == {f"linear_relu_stack.{i}.{k}" for i in (0, 2, 4) for k in ("weight", "bias")}
    assert all(len(p["grad_norm"]) == len(p["update_ratio"]) == 4 for p in data["params"].values())
    assert {a["kind"] for a in data["activations"].values()} == {"ReLU"}
    assert all(len(a["dead"]) == 4 for a in data["activations"].values())  # the test batches are not counted
    png = matplotlib.image.imread(out / "health.png")
    assert png.shape[0] > 300 and png.std() > 0.01
    assert "Health: " in capsys.readouterr().out


# ---- inline display in notebooks --------------------------------------------------------------------------------
def test_traces_and_graphs_display_inline():
    import shutil

    from minigrad.viz import draw_graph

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    g = draw_graph(y, params={"x": x})
    if shutil.which("dot"):
        assert g._repr_svg_().lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
        assert draw_graph(y, format="svg")._repr_svg_() is not None
    else:
        assert g._repr_svg_() is None
    html = explain(y, params={"x": x})._repr_html_()
    assert html.startswith("<table>") and "MulBackward0" in html and "Σ of 2 gradients" in html
    assert "AccumulateGrad (x)" in html
