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
