"""Module hooks against torch's: forward pre-hooks and forward hooks (seeing and replacing values), full backward
hooks (grad_input and grad_output as tuples, replacing grad_input), removal, and the hook-free fast path."""
import numpy as np
import pytest
import torch

import minigrad


def _net(lib):
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3), torch.nn.Tanh()).double()
    if lib is torch:
        return t
    m = minigrad.nn.Sequential(minigrad.nn.Linear(4, 5), minigrad.nn.ReLU(), minigrad.nn.Linear(5, 3),
                               minigrad.nn.Tanh()).double()
    m.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    return m


X = np.random.default_rng(0).standard_normal((6, 4))


def _np(t):
    return None if t is None else t.detach().numpy()


def _record_backward(lib, input_requires_grad, replace=False):
    net = _net(lib)
    seen = []

    def hook(module, grad_input, grad_output):
        assert isinstance(grad_input, tuple) and isinstance(grad_output, tuple)
        seen.append((type(module).__name__, [_np(g) for g in grad_input], [_np(g) for g in grad_output]))
        if replace and type(module).__name__ == "ReLU":
            return tuple(g * 2 for g in grad_input)
        return None

    for layer in net:
        layer.register_full_backward_hook(hook)
    x = lib.from_numpy(X.copy()).requires_grad_(input_requires_grad)
    net(x).sum().backward()
    return seen, _np(x.grad), [_np(p.grad) for p in net.parameters()]


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("input_requires_grad", [True, False])
@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hooks_see_torchs_gradients(input_requires_grad, replace):
    ours, ours_x, ours_p = _record_backward(minigrad, input_requires_grad, replace)
    theirs, theirs_x, theirs_p = _record_backward(torch, input_requires_grad, replace)
    assert [s[0] for s in ours] == [s[0] for s in theirs] == ["Tanh", "Linear", "ReLU", "Linear"]
    for (name, gi, go), (_, tgi, tgo) in zip(ours, theirs):
        for a, b in zip(gi + go, tgi + tgo):
            assert (a is None) == (b is None), name
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=name)
        assert len(gi) == len(tgi) and len(go) == len(tgo)
    if input_requires_grad:
        np.testing.assert_allclose(ours_x, theirs_x, rtol=1e-12)
    for a, b in zip(ours_p, theirs_p):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_backward_hook_on_a_module_with_two_tensor_inputs():
    class Mul(torch.nn.Module):
        def forward(self, a, b):
            return a * b + a

    class MulM(minigrad.nn.Module):
        def forward(self, a, b):
            return a * b + a

    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    results = []
    for lib, mod in ((torch, Mul()), (minigrad, MulM())):
        got = []
        mod.register_full_backward_hook(lambda m, gi, go: got.append([_np(g) for g in gi + go]) or (gi[0], gi[1] * 0))
        ta, tb = lib.from_numpy(a.copy()).requires_grad_(), lib.from_numpy(b.copy()).requires_grad_()
        (mod(ta, tb) * 3).sum().backward()
        results.append((got, _np(ta.grad), _np(tb.grad)))
    (ours, oa, ob), (theirs, ta, tb) = results
    for x, y in zip(ours[0], theirs[0]):
        np.testing.assert_allclose(x, y)
    np.testing.assert_allclose(oa, ta)
    np.testing.assert_allclose(ob, tb)  # replaced by zeros in both


def test_forward_hooks_see_and_replace_values():
    for lib in (torch, minigrad):
        lin = lib.nn.Linear(3, 2)
        calls = []
        h1 = lin.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
        h2 = lin.register_forward_hook(lambda m, args, out: calls.append(("post", tuple(out.shape))) or out + 1)
        out = lin(lib.ones(4, 3))
        np.testing.assert_allclose(_np(out), _np(lin.bias).reshape(1, 2).repeat(4, 0) + 1, rtol=1e-6)
        assert calls == ["pre", ("post", (4, 2))]
        h1.remove()
        h2.remove()
        assert not lin._forward_hooks and not lin._forward_pre_hooks
        kw = []
        with lin.register_forward_hook(lambda m, a, k, o: kw.append(sorted(k)), with_kwargs=True):
            lin(input=lib.ones(1, 3))
        assert kw == [["input"]] and not lin._forward_hooks


def test_prepend_orders_hooks():
    lin = minigrad.nn.Linear(1, 1)
    order = []
    lin.register_forward_hook(lambda *a: order.append("first"))
    lin.register_forward_hook(lambda *a: order.append("prepended"), prepend=True)
    lin(minigrad.ones(1, 1))
    assert order == ["prepended", "first"]


def test_activation_study_with_forward_hooks_matches_torch():
    acts = {}
    for lib in (torch, minigrad):
        net = _net(lib)
        store = acts.setdefault(lib.__name__, [])
        for name, layer in net.named_children():
            layer.register_forward_hook(lambda m, a, o, name=name: store.append((name, _np(o).copy())))
        net(lib.from_numpy(X.copy()))
    for (n1, a1), (n2, a2) in zip(acts["minigrad"], acts["torch"]):
        assert n1 == n2
        np.testing.assert_allclose(a1, a2, rtol=1e-12)


def test_no_hooks_calls_forward_directly():
    lin = minigrad.nn.Linear(2, 2)
    assert not lin._forward_hooks and not lin._forward_pre_hooks and not lin._backward_hooks
    with minigrad.no_grad():  # backward hooks do nothing without a graph
        lin.register_full_backward_hook(lambda *a: pytest.fail("called without a graph"))
        lin(minigrad.ones(1, 2))
