"""Module against torch.nn.Module: registration, traversal order and names, modes, dtype moves, state_dict,
load_state_dict's errors, and repr text for every module."""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minigrad
from minigrad import nn


def build(lib):
    """The tutorial's NeuralNetwork, plus a model exercising buffers, None entries, nesting and containers."""
    L = lib.nn

    class NeuralNetwork(L.Module):
        def __init__(self):
            super().__init__()
            self.flatten = L.Flatten()
            self.linear_relu_stack = L.Sequential(
                L.Linear(28 * 28, 512), L.ReLU(), L.Linear(512, 512), L.ReLU(), L.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    class Odd(L.Module):
        def __init__(self):
            super().__init__()
            self.scale = L.Parameter(lib.ones(3))
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.register_parameter("missing", None)
            self.heads = L.ModuleDict({"a": L.Linear(3, 2, bias=False), "b": L.Identity()})
            self.blocks = L.ModuleList([L.Tanh(), L.Tanh(), L.Sigmoid(), L.Softmax(dim=1), L.LogSoftmax(dim=-1)])
            self.seq = L.Sequential(OrderedDict(drop=L.Dropout(0.25), unflat=L.Unflatten(1, (1, 3)),
                                                relu=L.ReLU(inplace=True)))
            self.shared = self.heads["a"]  # the same module twice: listed once

        def forward(self, x):
            return self.seq(x * self.scale)

    return NeuralNetwork(), Odd()


@pytest.fixture
def models():
    return build(minigrad), build(torch)


def test_repr_is_torchs_character_for_character(models):
    (mg_net, mg_odd), (t_net, t_odd) = models
    assert repr(mg_net) == repr(t_net)
    assert repr(mg_odd) == repr(t_odd)
    for make in LAYERS:
        assert repr(make(minigrad.nn)) == repr(make(torch.nn))


LAYERS = [
    lambda n: n.Linear(3, 4), lambda n: n.Linear(3, 4, bias=False), lambda n: n.ReLU(), lambda n: n.ReLU(True),
    lambda n: n.Flatten(), lambda n: n.Flatten(0, 2), lambda n: n.Unflatten(1, [2, 5]),
    lambda n: n.Unflatten(-1, (2, 5)), lambda n: n.Identity(7, x=1), lambda n: n.Softmax(), lambda n: n.Softmax(0),
    lambda n: n.LogSoftmax(1), lambda n: n.Sigmoid(), lambda n: n.Tanh(), lambda n: n.Dropout(),
    lambda n: n.Dropout(0.1, inplace=True), lambda n: n.Sequential(), lambda n: n.ModuleList(),
    lambda n: n.ModuleDict(), lambda n: n.ModuleList([n.ReLU(), n.ReLU(), n.Tanh(), n.ReLU(), n.ReLU(), n.ReLU()]),
    lambda n: n.ModuleList([n.Linear(2, 2), n.Linear(2, 2), n.Sequential(n.ReLU(), n.ReLU())] * 2),
    lambda n: n.Sequential(n.Linear(2, 2), n.Sequential(n.ReLU(), n.Linear(2, 1)), n.ModuleDict({"k": n.Tanh()})),
    lambda n: n.CrossEntropyLoss(), lambda n: n.NLLLoss(), lambda n: n.MSELoss(), lambda n: n.L1Loss(),
    lambda n: n.BCELoss(), lambda n: n.BCEWithLogitsLoss(),
]


def test_parameter_repr_and_identity():
    p = nn.Parameter(minigrad.ones(2))
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2)))
    assert p.requires_grad and p.is_leaf and isinstance(p, minigrad.Tensor)
    t = minigrad.zeros(3)
    q = nn.Parameter(t)
    q.data[0] = 5  # shares the array, as torch's Parameter shares storage
    assert t[0].item() == 5
    assert type(q * 2) is minigrad.Tensor
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nn.Parameter(minigrad.zeros(2, dtype=minigrad.int64))


def test_traversal_names_and_order(models):
    (mg_net, mg_odd), (t_net, t_odd) = models
    for mg, t in ((mg_net, t_net), (mg_odd, t_odd)):
        assert [n for n, _ in mg.named_parameters()] == [n for n, _ in t.named_parameters()]
        assert [n for n, _ in mg.named_buffers()] == [n for n, _ in t.named_buffers()]
        assert [n for n, _ in mg.named_modules()] == [n for n, _ in t.named_modules()]
        assert [n for n, _ in mg.named_children()] == [n for n, _ in t.named_children()]
        assert [type(m).__name__ for m in mg.modules()] == [type(m).__name__ for m in t.modules()]
        assert [type(m).__name__ for m in mg.children()] == [type(m).__name__ for m in t.children()]
        assert list(mg.state_dict()) == list(t.state_dict())
        assert [n for n, _ in mg.named_parameters(prefix="m", recurse=False)] == \
            [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
        assert [n for n, _ in mg.named_modules(remove_duplicate=False)] == \
            [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert len(list(mg_net.parameters())) == 6


def test_state_dict_tensors_are_detached_and_share_memory(models):
    (net, _), _ = models
    sd = net.state_dict()
    w = net.linear_relu_stack[0].weight
    assert type(sd["linear_relu_stack.0.weight"]) is minigrad.Tensor
    assert not sd["linear_relu_stack.0.weight"].requires_grad
    assert np.shares_memory(sd["linear_relu_stack.0.weight"].data, w.data)
    assert net.state_dict(keep_vars=True)["linear_relu_stack.0.weight"] is w


def test_load_state_dict_copies_in_place_and_reports_keys(models):
    (net, odd), (t_net, _) = models
    sd = {k: minigrad.from_numpy(v.numpy().copy()) for k, v in t_net.state_dict().items()}
    w = net.linear_relu_stack[0].weight
    result = net.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    assert net.linear_relu_stack[0].weight is w  # copied into, not replaced
    np.testing.assert_array_equal(w.data, t_net.linear_relu_stack[0].weight.detach().numpy())
    del sd["linear_relu_stack.4.bias"]
    sd["extra"] = minigrad.ones(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["linear_relu_stack.4.bias"] and result.unexpected_keys == ["extra"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['linear_relu_stack.4.bias'], unexpected_keys=['extra'])"
    sd = odd.state_dict()
    odd.load_state_dict({k: v * 0 + 2 for k, v in sd.items()})
    assert odd.running.tolist() == [2, 2, 2]


def _both_errors(fn_t, fn_m):
    with pytest.raises(Exception) as theirs:
        fn_t()
    with pytest.raises(type(theirs.value)) as ours:
        fn_m()
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "minigrad.Size").replace("=torch.", "=minigrad.")


@pytest.mark.parametrize("case", ["missing", "unexpected", "size", "not_tensor", "not_mapping", "all"])
def test_load_state_dict_errors_are_torchs(models, case):
    (net, _), (t_net, _) = models

    def make(lib, model):
        sd = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
        if case in ("missing", "all"):
            del sd["linear_relu_stack.2.weight"], sd["linear_relu_stack.4.bias"]
        if case in ("unexpected", "all"):
            sd["linear_relu_stack.9.weight"] = lib.ones(1)
            sd["flatten.x"] = lib.ones(1)
            sd["top"] = lib.ones(1)
        if case in ("size", "all"):
            sd["linear_relu_stack.0.bias"] = lib.ones(5)
        if case == "not_tensor":
            sd["linear_relu_stack.0.bias"] = 3
        if case == "not_mapping":
            sd = list(sd.values())
        return sd

    _both_errors(lambda: t_net.load_state_dict(make(torch, t_net)), lambda: net.load_state_dict(make(minigrad, net)))


def test_registration_errors_match_torch():
    cases = [
        lambda L: L.nn.Module().register_parameter("a.b", None),
        lambda L: L.nn.Module().register_parameter("", None),
        lambda L: L.nn.Module().register_parameter(3, None),
        lambda L: L.nn.Module().register_parameter("w", L.ones(2)),
        lambda L: L.nn.Module().register_buffer("a.b", None),
        lambda L: L.nn.Module().register_buffer("b", 5),
        lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()),
        lambda L: L.nn.Module().add_module("a", 5),
        lambda L: L.nn.Module().add_module("train", L.nn.ReLU()),
        lambda L: setattr(L.nn.Linear(2, 2), "weight", L.ones(2, 2)),
        lambda L: L.nn.Linear(2, 2).nothing,
        lambda L: L.nn.Linear(2, 2).to(L.int64),
        lambda L: L.nn.Linear(2, 2).train("yes"),
        lambda L: L.nn.ModuleList()(1),
        lambda L: L.nn.Sequential(L.nn.ReLU())[3],
        lambda L: L.nn.ModuleList([L.nn.ReLU()])[-2],
    ]
    for case in cases:
        _both_errors(lambda: case(torch), lambda: case(minigrad))


def test_assignment_before_init_and_replacing_kinds():
    class Bad(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        Bad()
    m = nn.Module()
    m.x = nn.Linear(1, 1)
    m.x = nn.Parameter(minigrad.ones(1))  # a module becomes a parameter: registries follow
    assert "x" not in m._modules and "x" in m._parameters
    m.x = None
    assert m._parameters["x"] is None
    del m.x
    assert "x" not in m._parameters
    m.plain = 3
    assert m.plain == 3 and "plain" not in m._parameters


def test_train_eval_zero_grad_requires_grad_apply(models):
    (net, odd), _ = models
    assert net.training
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    out = net(minigrad.randn(2, 1, 28, 28)).sum()
    out.backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(not p.grad.data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net and not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear", "Sequential", "NeuralNetwork"]


def test_to_dtype_keeps_parameter_objects_and_buffers_follow(models):
    (_, odd), _ = models
    scale = odd.scale
    assert odd.to(minigrad.float64) is odd
    assert odd.scale is scale and odd.scale.dtype == minigrad.float64
    assert odd.running.dtype == minigrad.float64 and odd.heads["a"].weight.dtype == minigrad.float64
    odd.float()
    assert odd.scale.dtype == minigrad.float32
    assert odd.to("cpu") is odd and odd.to(device="cpu", dtype=minigrad.float32) is odd
    with pytest.raises(RuntimeError, match="cuda"):
        odd.to("cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        odd.cuda()


def test_deepcopy_gives_independent_parameters(models):
    (net, _), _ = models
    twin = copy.deepcopy(net)
    twin.linear_relu_stack[0].weight.data[...] = 0
    assert net.linear_relu_stack[0].weight.data.any()
    assert repr(twin) == repr(net)


def test_sequential_and_list_and_dict_behave_like_torch():
    for L in (torch, minigrad):
        s = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.ReLU(), L.nn.Linear(3, 1), L.nn.Tanh())
        assert len(s) == 4 and type(s[-1]).__name__ == "Tanh"
        assert list(s[1:3]._modules) == ["1", "2"] and isinstance(s[1:3], L.nn.Sequential)  # keys kept
        assert [type(m).__name__ for m in s] == ["Linear", "ReLU", "Linear", "Tanh"]
        del s[1]
        assert list(s._modules) == ["0", "1", "2"]
        s.append(L.nn.Sigmoid())
        assert list(s._modules) == ["0", "1", "2", "3"]
        ml = L.nn.ModuleList([L.nn.ReLU()])
        ml += [L.nn.Tanh()]
        ml.append(L.nn.Sigmoid()).extend([L.nn.Identity()])
        del ml[0]
        assert [type(m).__name__ for m in ml] == ["Tanh", "Sigmoid", "Identity"] and list(ml._modules) == ["0", "1", "2"]
        ml.insert(1, L.nn.ReLU())
        assert [type(m).__name__ for m in ml[1:]] == ["ReLU", "Sigmoid", "Identity"]
        md = L.nn.ModuleDict([("x", L.nn.ReLU()), ("y", L.nn.Tanh())])
        md["z"] = L.nn.Identity()
        assert list(md) == ["x", "y", "z"] and "y" in md and type(md.pop("y")).__name__ == "Tanh"
        assert list(md.keys()) == ["x", "z"]


def test_sequential_forward_matches_torch():
    t = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2), torch.nn.Sigmoid()).double()
    m = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Sigmoid()).double()
    m.load_state_dict({k: minigrad.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4))
    xt, xm = torch.from_numpy(x).requires_grad_(), minigrad.from_numpy(x).requires_grad_()
    t(xt).sum().backward()
    m(xm).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), t.named_parameters()):
        assert n1 == n2
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=1e-12)
