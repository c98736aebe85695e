"""Creating, looking at and converting tensors: the same calls in torch and minigrad give the same dtype, shape,
values, flags and errors. (Ops and autograd have their own test files.)"""
import builtins
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad


def _name(dtype):
    return str(dtype).split(".")[-1]


def _same(m, t, exact=True, ulps=0):
    """A minigrad tensor equals a torch tensor: type, dtype, shape, values, requires_grad."""
    assert isinstance(m, minigrad.Tensor), type(m)
    assert _name(m.dtype) == _name(t.dtype), f"dtype {m.dtype} != torch's {t.dtype}"
    assert tuple(m.shape) == tuple(t.shape), f"shape {m.shape} != torch's {t.shape}"
    assert m.requires_grad == t.requires_grad
    mv, tv = m.detach().numpy(), t.detach().numpy()
    if exact or mv.dtype.kind != "f":
        np.testing.assert_array_equal(mv, tv)
    else:  # within `ulps` units in the last place of the largest magnitude
        scale = np.abs(tv).max(initial=0.0)
        np.testing.assert_allclose(mv, tv, rtol=0, atol=ulps * np.finfo(mv.dtype).eps * scale)


def _both(expr, **names):
    """Evaluate `expr` with L bound to torch, then to minigrad."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns on tensor(tensor)
        return eval(expr, {"L": minigrad, "np": np, **names}), eval(expr, {"L": torch, "np": np, **names})


def _same_error(expr, match=None):
    """Both raise the same exception type; `match` (a regex) must be in minigrad's message."""
    with pytest.raises(Exception) as t_err:
        _both_one(expr, torch)
    with pytest.raises(type(t_err.value), match=match):
        _both_one(expr, minigrad)


def _both_one(expr, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, {"L": lib, "np": np})


# ---- tensor(): dtype inference ------------------------------------------------------------------------------
INFERENCE = [
    "L.tensor([1, 2])", "L.tensor([1, 2.0])", "L.tensor([True, 1])", "L.tensor([True, 1.5])", "L.tensor([True])",
    "L.tensor(3)", "L.tensor(2.5)", "L.tensor(True)", "L.tensor([])", "L.tensor([[]])", "L.tensor([[], []])",
    "L.tensor([[1, 2], [3, 4]])", "L.tensor([[[1.5], [2]], [[3], [True]]])", "L.tensor((1, 2))", "L.tensor(range(3))",
    "L.tensor([(1, 2), [3, 4]])", "L.tensor(np.float64(1.5))", "L.tensor(np.int32(3))", "L.tensor(np.bool_(True))",
    "L.tensor([np.float64(1.0), 2.0])", "L.tensor([np.float32(1.0), 2.0])", "L.tensor([np.int32(1), 2])",
    "L.tensor([np.int32(1), 2.5])", "L.tensor([np.float16(1), 2])", "L.tensor([np.int8(1), np.uint8(2)])",
    "L.tensor(np.arange(6, dtype=np.int32).reshape(2, 3))", "L.tensor(np.ones(2, dtype=np.float16))",
    "L.tensor(np.array([1.5]))", "L.tensor(np.array(5))", "L.tensor(np.array([True, False]))",
    "L.tensor(np.arange(3, dtype=np.uint8))", "L.tensor([np.ones(2), np.ones(2, dtype=np.float32)])",
    "L.tensor([np.ones(2), [1, 2]])", "L.tensor([L.tensor(1.0), L.tensor(2.0)])", "L.tensor([L.tensor(1), 2.5])",
    "L.tensor(L.tensor([1.5, 2.5], dtype=L.float64))", "L.tensor([-2**63])", "L.tensor([1e40])",
    "L.tensor([1, 2], dtype=L.float64)", "L.tensor([1.5, -2.7], dtype=L.int64)", "L.tensor([0, 2], dtype=L.bool)",
    "L.tensor([1, 2], dtype=float)", "L.tensor([1.5, 2], dtype=int)", "L.tensor([1, 0], dtype=bool)",
    "L.tensor([1.0, 2.0], requires_grad=True)", "L.tensor([1, 2], dtype=L.float32, requires_grad=True)",
    "L.tensor([[0.1, 0.2]], dtype=L.double)", "L.tensor([3, 4], dtype=L.long)", "L.tensor([1.7], dtype=L.float)",
]


@pytest.mark.parametrize("expr", INFERENCE)
def test_tensor_infers_dtype_like_torch(expr):
    _same(*_both(expr))


@pytest.mark.parametrize("expr,match", [
    ("L.tensor([[1, 2], [3]])", "expected sequence of length 2 at dim 1 \\(got 1\\)"),
    ("L.tensor([[1, 2], 3])", "sequence"),
    ("L.tensor([1, 2], requires_grad=True)", "(?i)only Tensors of floating point"),
    ("L.tensor(None)", "Could not infer dtype of NoneType"),
    ("L.tensor([[1, 2], [3, None]])", "Could not infer dtype of NoneType"),
    ("L.tensor('a')", "invalid data type 'str'"),
    ("L.tensor([1, 'a'])", "invalid data type 'str'"),
    ("L.tensor([2**63])", "Overflow"),
    ("L.tensor(x for x in [1])", "Could not infer dtype of generator"),
])
def test_tensor_errors_like_torch(expr, match):
    _same_error(expr, match)


@given(st.recursive(st.one_of(st.integers(-2**62, 2**62), st.floats(allow_nan=False, width=32), st.booleans()),
                    lambda leaf: st.lists(leaf, min_size=1, max_size=3), max_leaves=12))
def test_tensor_of_generated_nested_data_matches_torch(data):
    try:
        t = torch.tensor(data)
    except (ValueError, TypeError) as err:  # ragged: minigrad refuses too, with the same exception type
        with pytest.raises(type(err)):
            minigrad.tensor(data)
        return
    _same(minigrad.tensor(data), t)


def test_tensor_copies_but_from_numpy_and_as_tensor_share_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    copied, shared, as_t = minigrad.tensor(a), minigrad.from_numpy(a), minigrad.as_tensor(a)
    a[0, 0] = 100.0
    assert copied[0, 0].item() == 0.0
    assert shared[0, 0].item() == 100.0 and as_t[0, 0].item() == 100.0
    shared.data[1, 2] = -1.0  # a write through the tensor shows in the array
    shared[1, 1] = -2.0
    assert a[1, 2] == -1.0 and a[1, 1] == -2.0
    assert minigrad.from_numpy(a).numpy() is a or np.shares_memory(minigrad.from_numpy(a).numpy(), a)
    assert not np.shares_memory(minigrad.as_tensor(a, dtype=minigrad.float64).numpy(), a)
    t = minigrad.ones(2)
    assert minigrad.as_tensor(t) is t
    _same(*_both("L.as_tensor([1, 2.5])"))
    _same(*_both("L.as_tensor(np.arange(3), dtype=L.float32)"))
    _same(*_both("L.from_numpy(np.arange(4, dtype=np.int16))"))
    with pytest.raises(TypeError, match="np.ndarray"):
        minigrad.from_numpy([1, 2])
    with pytest.raises(TypeError, match="uint16"):
        minigrad.from_numpy(np.zeros(2, np.uint16))


# ---- factories --------------------------------------------------------------------------------------------
FACTORIES = [
    "L.zeros(2, 3)", "L.zeros((2, 3))", "L.zeros([2, 3])", "L.zeros(L.Size([2, 3]))", "L.zeros(())", "L.zeros(0)",
    "L.zeros(2, 3, dtype=L.int32)", "L.zeros(2, requires_grad=True)", "L.ones(3, dtype=L.bool)", "L.ones(())",
    "L.ones((2, 1), dtype=L.uint8)", "L.ones(2, 2, dtype=L.float64, requires_grad=True)", "L.empty(2, 3).shape",
    "L.empty((4,), dtype=L.int64).dtype", "L.full((2,), 1)", "L.full((2,), 1.5)", "L.full((2,), True)",
    "L.full([2, 2], 7, dtype=L.float64)", "L.full((2,), 1.0, requires_grad=True)", "L.full((), 3)",
    "L.arange(5)", "L.arange(5.0)", "L.arange(0, 1, 0.1)", "L.arange(1, 10, 3)", "L.arange(10, 0, -3)",
    "L.arange(0, 1, 0.1, dtype=L.float64)", "L.arange(5, dtype=L.float32)", "L.arange(0.5, 3)", "L.arange(-3, 3, 0.7)",
    "L.arange(np.int64(4))", "L.arange(3.0, requires_grad=True)", "L.arange(2**60, 2**60 + 3)", "L.arange(0)",
    "L.linspace(0, 1, 5)", "L.linspace(0, 1, 1)", "L.linspace(0, 1, 0)", "L.linspace(0, 10, 5, dtype=L.int64)",
    "L.linspace(-1, 1, 7, dtype=L.float64)", "L.linspace(0, 9, 4, dtype=L.int32)", "L.linspace(0, 1, 3, requires_grad=True)",
    "L.linspace(-2.5, 7.25, 101)", "L.eye(3)", "L.eye(2, 3)", "L.eye(3, 1, dtype=L.int64)", "L.eye(2, requires_grad=True)",
    "L.eye(0)", "L.zeros_like(L.ones(2, dtype=L.int32))", "L.ones_like(L.ones(2), dtype=L.float64)",
    "L.empty_like(L.ones(2, 3)).shape", "L.full_like(L.ones(2), 7)", "L.full_like(L.ones(2, dtype=L.int64), 2.7)",
    "L.full_like(L.ones(2), 7, dtype=L.int32)", "L.zeros_like(L.ones(2), requires_grad=True)",
    "L.ones_like(L.ones(2, 3, dtype=L.bool))", "L.rand_like(L.ones(2, dtype=L.float64)).dtype",
    "L.randn_like(L.ones(2), dtype=L.float64).dtype", "L.rand(2, 3).dtype", "L.rand((2, 3)).shape",
    "L.randn(2, dtype=L.float64).dtype", "L.rand(2, requires_grad=True).requires_grad", "L.randint(10, (3,)).dtype",
    "L.randint(3, 10, (3, 2)).shape", "L.randint(10, (3,), dtype=L.int32).dtype", "L.randint(10, (2,), dtype=L.float32).dtype",
    "L.randint(high=5, size=(2,)).dtype", "L.randperm(5).dtype", "sorted(L.randperm(5).tolist())",
]


@pytest.mark.parametrize("expr", FACTORIES)
def test_factories_match_torch(expr):
    m, t = _both(expr)
    if isinstance(t, torch.Tensor):
        _same(m, t)
    elif isinstance(t, torch.dtype):
        assert _name(m) == _name(t)
    elif isinstance(t, torch.Size):
        assert tuple(m) == tuple(t)
    else:
        assert m == t


@pytest.mark.parametrize("expr,match", [
    ("L.zeros()", "size"), ("L.rand()", "size"), ("L.zeros(-1)", "negative|non-negative"),
    ("L.zeros(2, dtype=L.int64, requires_grad=True)", "(?i)only Tensors of floating point"),
    ("L.full(2, 1.0)", "tuple of ints"), ("L.rand(2, dtype=L.int64)", "not implemented for 'Long'"),
    ("L.randn(2, dtype=L.int32)", "not implemented for 'Int'"),
    ("L.rand_like(L.ones(2, dtype=L.int64))", "not implemented for 'Long'"),
    ("L.randint(5, 5, (2,))", "from=5 >= to=5"), ("L.arange(0, 5, 0)", "step must be nonzero"),
    ("L.arange(5, 0)", "upper bound and lower bound inconsistent with step sign"),
    ("L.arange(3, requires_grad=True)", "(?i)only Tensors of floating point"),
    ("L.linspace(0, 1, -1)", "number of steps must be non-negative"), ("L.eye(-1)", "n must be greater or equal to 0"),
])
def test_factory_errors_like_torch(expr, match):
    _same_error(expr, match)


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 300),
       st.sampled_from(["float32", "float64", "int64", "int32"]))
def test_linspace_matches_torch(start, end, steps, dtype):
    m = minigrad.linspace(start, end, steps, dtype=getattr(minigrad, dtype))
    t = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    # integers exactly; floats to an ulp, since torch's compiled kernel fuses multiply-adds (FMA) that NumPy rounds
    # twice, and its vectorized loop for long outputs rounds differently again
    _same(m, t, exact=False, ulps=2)


@given(st.integers(-50, 50), st.integers(-50, 50), st.one_of(st.integers(-7, 7), st.floats(-3, 3)),
       st.sampled_from([None, "float64", "int64"]))
def test_arange_matches_torch(start, end, step, dtype):
    if abs(step) < 1e-3:
        return
    if (end - start) * step < 0:
        _same_error(f"L.arange({start}, {end}, {step!r})", "inconsistent with step sign")
        return
    m = minigrad.arange(start, end, step, dtype=dtype and getattr(minigrad, dtype))
    t = torch.arange(start, end, step, dtype=dtype and getattr(torch, dtype))
    # floats to an ulp: torch's vectorized loop computes each chunk from a rounded base
    _same(m, t, exact=False, ulps=2)


RANDOM = [
    lambda L: L.rand(3, 4), lambda L: L.randn(5), lambda L: L.rand(2, dtype=L.float64), lambda L: L.randn(2, 2, dtype=L.float64),
    lambda L: L.randint(0, 100, (6,)), lambda L: L.randint(7, (2, 3)), lambda L: L.randperm(10),
    lambda L: L.rand_like(L.zeros(3)), lambda L: L.randn_like(L.zeros(2, 2)), lambda L: L.empty(5).uniform_(-2, 2),
    lambda L: L.empty(5).normal_(1.0, 3.0),
]


@pytest.mark.parametrize("fn", RANDOM, ids=[f"random{i}" for i in range(len(RANDOM))])
def test_manual_seed_makes_every_random_function_reproducible(fn):
    minigrad.manual_seed(123)
    first = fn(minigrad).numpy().copy()
    later = fn(minigrad).numpy()
    minigrad.manual_seed(123)
    again = fn(minigrad).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, later)  # and the stream moves on between calls
    g = minigrad.Generator().manual_seed(123)
    if fn is RANDOM[0]:  # a Generator gives the same stream as the global seed, independently of it
        np.testing.assert_array_equal(minigrad.rand(3, 4, generator=g).numpy(), first)


def test_random_values_lie_in_their_ranges_and_keep_their_dtype():
    minigrad.manual_seed(0)
    u = minigrad.rand(200_000).numpy()
    assert u.dtype == np.float32 and u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    n = minigrad.randn(200_000, dtype=minigrad.float64).numpy()
    assert n.dtype == np.float64 and abs(n.mean()) < 0.01 and abs(n.std() - 1) < 0.01
    r = minigrad.randint(-3, 4, (10_000,)).numpy()
    assert r.dtype == np.int64 and set(np.unique(r)) == set(range(-3, 4))
    assert sorted(minigrad.randperm(50).tolist()) == list(range(50))


# ---- dtypes, Size, device ---------------------------------------------------------------------------------
def test_dtypes_and_aliases_print_like_torch():
    for name in ("float32", "float64", "int64", "int32", "uint8", "bool", "float16", "int16", "int8"):
        assert repr(getattr(minigrad, name)) == f"minigrad.{name}" == str(getattr(minigrad, name))
    assert minigrad.float is minigrad.float32 and minigrad.double is minigrad.float64
    assert minigrad.long is minigrad.int64 and minigrad.int is minigrad.int32 and minigrad.half is minigrad.float16
    assert minigrad.float32.is_floating_point and not minigrad.int64.is_floating_point
    assert minigrad.float64.itemsize == torch.float64.itemsize
    assert minigrad.get_default_dtype() is minigrad.float32


def test_size_behaves_like_torch_size():
    s, ts = minigrad.Size([2, 3]), torch.Size([2, 3])
    assert repr(s) == repr(ts).replace("torch.", "minigrad.") == "minigrad.Size([2, 3])"
    assert repr(minigrad.Size([])) == "minigrad.Size([])"
    for f in (lambda x: x[1:], lambda x: x + (4,), lambda x: (4,) + x, lambda x: x * 2, lambda x: x[::-1]):
        assert type(f(s)) is minigrad.Size and tuple(f(s)) == tuple(f(ts))
    assert s == (2, 3) and s[0] == 2 and isinstance(s[-1], builtins.int) and s.numel() == ts.numel() == 6
    assert minigrad.ones(2, 3).shape == minigrad.ones(2, 3).size() == s


def test_device_is_cpu_and_cuda_is_unavailable():
    x = minigrad.ones(2)
    assert str(x.device) == "cpu" and x.device.type == "cpu" and repr(x.device) == "device(type='cpu')"
    assert x.device == minigrad.device("cpu") and not x.is_cuda
    assert minigrad.cuda.is_available() is False and minigrad.cuda.device_count() == 0
    assert x.to("cpu") is x and x.to(minigrad.device("cpu")) is x and x.cpu() is x
    assert minigrad.zeros(2, device="cpu").device.type == "cpu"
    for move in (lambda: x.to("cuda"), lambda: x.to("cuda:0"), lambda: x.cuda(), lambda: x.to(0),
                 lambda: minigrad.zeros(2, device="cuda"), lambda: minigrad.tensor([1.0], device="cuda")):
        with pytest.raises(RuntimeError, match="(?s)cuda.*is_available\\(\\) is False"):
            move()
    with pytest.raises(RuntimeError, match="device type"):
        x.to("tpu")


# ---- looking at a tensor ----------------------------------------------------------------------------------
LOOK = [
    "L.ones(2, 3).size()", "L.ones(2, 3).size(1)", "L.ones(2, 3).size(-1)", "L.ones(2, 3).shape[0]",
    "L.ones(2, 3).ndim", "L.ones(2, 3).dim()", "L.ones(()).dim()", "L.ones(2, 3).numel()", "L.ones(()).numel()",
    "L.ones(2, 3).requires_grad", "L.ones(2).is_leaf", "(L.ones(2) * 2).is_leaf", "L.ones(2, requires_grad=True).is_leaf",
    "(L.ones(2, requires_grad=True) * 2).is_leaf", "L.ones(2, requires_grad=True).detach().is_leaf",
    "(L.ones(2, requires_grad=True) * 2).requires_grad", "L.ones(2).grad", "L.ones(2).grad_fn",
    "L.arange(6).reshape(2, 3).T", "L.arange(6).reshape(2, 3).mT", "L.arange(24).reshape(2, 3, 4).mT",
    "L.arange(3).T", "L.tensor(2).T", "L.tensor(2.5).item()", "L.tensor(2).item()", "L.tensor(True).item()",
    "L.tensor([[2.5]]).item()", "L.tensor([0.1]).item()", "L.tensor([[1, 2], [3, 4]]).tolist()", "L.tensor(3.5).tolist()",
    "L.tensor([0.1, 0.2]).tolist()", "L.tensor([True]).tolist()", "L.tensor([[]]).tolist()", "len(L.ones(4, 2))",
    "[x.tolist() for x in L.arange(6).reshape(3, 2)]", "[type(x).__name__ for x in L.arange(2)]", "list(L.arange(3))",
    "int(L.tensor(2.7))", "float(L.tensor(2))", "bool(L.tensor([0.0]))", "f'{L.tensor(1.5)}'", "f'{L.tensor(1.5):.3f}'",
    "L.ones(2).type()", "L.ones(2, dtype=L.float64).type()", "L.ones(2, dtype=L.int64).type()", "L.ones(2).is_floating_point()",
    "L.ones(3, 4).stride()", "L.ones(3, 4).t().is_contiguous()", "L.ones(2).element_size()", "L.is_tensor(L.ones(1))",
    "L.numel(L.ones(2, 3))",
]


@pytest.mark.parametrize("expr", LOOK)
def test_looking_at_a_tensor_matches_torch(expr):
    m, t = _both(expr)
    if isinstance(t, torch.Tensor):
        _same(m, t)
    elif isinstance(t, list) and t and isinstance(t[0], torch.Tensor):
        for a, b in zip(m, t):
            _same(a, b)
    else:
        assert m == t and type(m) is type(t) or (type(t) is torch.Size and tuple(m) == tuple(t)), (m, t)


@pytest.mark.parametrize("expr,match", [
    ("L.ones(2, 3).size(2)", "Dimension out of range"), ("L.arange(3).mT", "mT is only supported on matrices"),
    ("L.tensor([1.0, 2.0]).item()", "a Tensor with 2 elements cannot be converted to Scalar"),
    ("int(L.tensor([1, 2]))", "only one element tensors"), ("len(L.tensor(1.0))", "len\\(\\) of a 0-d tensor"),
    ("list(L.tensor(1.0))", "iteration over a 0-d tensor"), ("bool(L.tensor([1.0, 2.0]))", "ambiguous"),
    ("L.ones(2, requires_grad=True).numpy()", "Can't call numpy\\(\\) on Tensor that requires grad"),
    ("L.ones(2, dtype=L.int64).requires_grad_()", "(?i)only Tensors of floating point"),
    ("(L.ones(2, requires_grad=True) * 2).requires_grad_(False)", "only change requires_grad flags of leaf"),
])
def test_look_and_convert_errors_like_torch(expr, match):
    _same_error(expr, match)


def test_item_and_tolist_give_python_numbers():
    assert type(minigrad.tensor(2.5).item()) is float and type(minigrad.tensor(2).item()) is int
    assert type(minigrad.tensor(True).item()) is bool
    assert type(minigrad.tensor([1.5, 2.0]).tolist()[0]) is float
    assert type(minigrad.tensor([1, 2], dtype=minigrad.uint8).tolist()[0]) is int


def test_numpy_shares_memory_and_detach_numpy_works_under_grad():
    x = minigrad.ones(3)
    a = x.numpy()
    a[0] = 5.0
    assert x[0].item() == 5.0
    x.data[1] = 7.0
    assert a[1] == 7.0
    w = minigrad.ones(3, requires_grad=True)
    d = w.detach()
    d.numpy()[2] = 9.0  # detach shares storage too
    assert w.detach().numpy()[2] == 9.0 and not d.requires_grad
    assert w.numpy(force=True) is not None


# ---- converting -------------------------------------------------------------------------------------------
CONVERT = [
    "L.ones(2).float()", "L.ones(2).double()", "L.ones(2).long()", "L.ones(2).int()", "L.ones(2).bool()",
    "L.tensor([1.7, -1.7, 0.0]).long()", "L.tensor([1.7, -1.7, 0.0]).int()", "L.tensor([1.7, 0.0]).bool()",
    "L.tensor([300, -1]).to(L.uint8)", "L.tensor([1, 2]).float()", "L.tensor([True, False]).long()",
    "L.ones(2).type(L.int32)", "L.ones(2).type('torch.DoubleTensor')", "L.ones(2).type(L.float32)",
    "L.ones(2).to(L.float64)", "L.ones(2).to(float)", "L.ones(2).to(int)", "L.ones(2).to(bool)",
    "L.ones(2).to('cpu', L.float64)", "L.ones(2).to(dtype=L.int32)", "L.ones(2).to(device='cpu', dtype=L.float64)",
    "L.ones(2).to(L.ones(1, dtype=L.float64))", "L.ones(2, requires_grad=True).double()",
    "L.ones(2, requires_grad=True).to(L.float64)", "L.ones(2, requires_grad=True).clone()",
    "L.ones(2, requires_grad=True).detach()", "L.ones(2).requires_grad_()", "L.ones(2).requires_grad_(False)",
    "L.ones(2, 3).t().contiguous()", "L.ones(2, 3).contiguous()", "L.tensor([[1, 2], [3, 4]]).t().contiguous()",
]


@pytest.mark.parametrize("expr", CONVERT)
def test_conversions_match_torch(expr):
    _same(*_both(expr))


def test_conversion_identity_and_graph():
    x = minigrad.ones(2, 3)
    assert x.float() is x and x.to(minigrad.float32) is x and x.type(minigrad.float32) is x and x.contiguous() is x
    assert x.to(minigrad.float32, copy=True) is not x
    assert x.t().contiguous().is_contiguous()
    w = minigrad.ones(2, requires_grad=True)
    c = w.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not c.is_leaf
    assert not np.shares_memory(c.data, w.data)
    d = w.double()
    assert d.requires_grad and d.grad_fn.name() == torch.ones(2, requires_grad=True).double().grad_fn.name()
    (d * 3).sum().backward()
    assert w.grad.dtype is minigrad.float32 and w.grad.tolist() == [3.0, 3.0]
    assert w.requires_grad_(False) is w and not w.requires_grad


def test_len_and_iteration_give_rows():
    x = minigrad.arange(6).reshape(3, 2)
    assert len(x) == 3
    rows = list(x)
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    assert all(isinstance(r, minigrad.Tensor) and r.shape == (2,) for r in rows)
    a, b = minigrad.tensor([1.0, 2.0])
    assert a.item() == 1.0 and b.shape == ()
