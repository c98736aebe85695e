"""The misuse table: each wrong call is run in torch and in minigrad, written once as `fn(lib)`. minigrad must raise
the exception type torch raises (a subclass counts), and its message must name the problem (the pattern given).

Cases whose fix belongs in the ops, functions, tensor or autograd modules carry `xfail(strict=True)` with what is
to be changed: they turn into failures once fixed, and the mark is then removed."""
import re
import warnings

import pytest
import torch

import minigrad

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")


def vision(lib):
    """torchvision for torch, minigrad.vision for minigrad."""
    if lib is torch:
        import torchvision
        return torchvision
    import minigrad.vision.datasets  # noqa: F401
    import minigrad.vision.transforms  # noqa: F401
    return minigrad.vision


def F(lib):
    return lib.nn.functional


def ops(reason):
    """A case minigrad gets wrong whose fix is in minigrad/ops, functions, tensor.py or autograd (not edited here)."""
    return pytest.mark.xfail(strict=True, reason=f"ops: {reason}")


CASES = []


def case(name, msg, marks=()):
    """Register fn(lib) as a misuse case; msg is a regex minigrad's message must contain."""
    def register(fn):
        CASES.append(pytest.param(fn, msg, id=name, marks=marks))
        return fn
    return register


def simple(name, fn, msg, marks=()):
    CASES.append(pytest.param(fn, msg, id=name, marks=marks))


# ---- shapes ----------------------------------------------------------------------------------------------------
simple("add-no-broadcast", lambda L: L.ones(2, 3) + L.ones(4), r"size of tensor a \(3\) must match .* \(4\)")
simple("mul-no-broadcast", lambda L: L.ones(2, 3) * L.ones(2, 2), r"must match the size")
simple("sub-no-broadcast", lambda L: L.ones(3, 1, 2) - L.ones(4, 3), r"must match the size")
simple("maximum-no-broadcast", lambda L: L.maximum(L.ones(2), L.ones(3)), r"must match the size")
simple("mm-inner-mismatch", lambda L: L.mm(L.ones(2, 3), L.ones(4, 5)), r"2x3 and 4x5")
simple("mm-1d-operand", lambda L: L.mm(L.ones(3), L.ones(3, 2)), r"2D|2-D|matrix")
simple("mm-1d-second", lambda L: L.mm(L.ones(2, 3), L.ones(3)), r"2D|2-D|matrix")
simple("matmul-mismatch", lambda L: L.ones(2, 3) @ L.ones(2, 3), r"2x3 and 2x3")
simple("matmul-0d", lambda L: L.matmul(L.tensor(1.0), L.ones(2)), r"at least 1D")
simple("bmm-2d", lambda L: L.bmm(L.ones(2, 3), L.ones(3, 2)), r"3D|3-D|batch")
simple("bmm-batch-mismatch", lambda L: L.bmm(L.ones(2, 2, 3), L.ones(3, 3, 2)), r"batch|2.*3")
simple("dot-2d", lambda L: L.dot(L.ones(2, 2), L.ones(2, 2)), r"1D|1-D")
simple("dot-size-mismatch", lambda L: L.dot(L.ones(2), L.ones(3)), r"same number of elements|size|2.*3")
simple("dot-dtype-mismatch", lambda L: L.dot(L.ones(2), L.ones(2, dtype=L.float64)), r"dtype|Double|float64")
simple("outer-2d", lambda L: L.outer(L.ones(2, 2), L.ones(2)), r"1-D|1D")
simple("view-wrong-size", lambda L: L.ones(2, 3).view(4), r"shape '\[4\]' is invalid for input of size 6")
simple("view-non-contiguous", lambda L: L.ones(2, 3).t().view(6), r"view size is not compatible|contiguous")
simple("reshape-wrong-size", lambda L: L.ones(6).reshape(4, 2), r"shape '\[4, 2\]' is invalid for input of size 6")
simple("reshape-two-minus-one", lambda L: L.ones(6).reshape(-1, -1), r"only one dimension can be inferred")
simple("expand-smaller", lambda L: L.ones(2, 3).expand(3, 3), r"expanded size .* must match the existing size")
simple("expand-fewer-dims", lambda L: L.ones(2, 3).expand(3), r"number of sizes provided \(1\) must be greater")
simple("expand-as-mismatch", lambda L: L.ones(2, 3).expand_as(L.ones(4)), r"must match|number of sizes")
simple("view-as-mismatch", lambda L: L.ones(6).view_as(L.ones(4)), r"invalid for input of size 6")
simple("reshape-as-mismatch", lambda L: L.ones(6).reshape_as(L.ones(4)), r"invalid for input of size 6")
simple("cat-shape-mismatch", lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]), r"Sizes of tensors must match")
simple("cat-ndim-mismatch", lambda L: L.cat([L.ones(2, 3), L.ones(3)]), r"same number of dimensions")
simple("cat-not-a-sequence", lambda L: L.cat(L.ones(2), L.ones(2)), r"sequence|tuple|list")
simple("cat-empty-list", lambda L: L.cat([]), r"non-empty|empty")
simple("cat-dim-out-of-range", lambda L: L.cat([L.ones(2), L.ones(2)], dim=1), r"Dimension out of range")
simple("stack-shape-mismatch", lambda L: L.stack([L.ones(2), L.ones(3)]), r"stack expects each tensor to be equal")
simple("stack-empty", lambda L: L.stack([]), r"non-empty|empty")
simple("stack-dim-out-of-range", lambda L: L.stack([L.ones(2)], dim=3), r"Dimension out of range")
simple("permute-duplicate", lambda L: L.ones(2, 3).permute(0, 0), r"duplicate dims")
simple("permute-too-few", lambda L: L.ones(2, 3).permute(0), r"does not match the length of the desired ordering")
simple("transpose-out-of-range", lambda L: L.ones(2, 3).transpose(0, 2), r"Dimension out of range")
simple("squeeze-out-of-range", lambda L: L.ones(2, 1).squeeze(2), r"Dimension out of range")
simple("unsqueeze-out-of-range", lambda L: L.ones(2).unsqueeze(3), r"Dimension out of range")
simple("flatten-start-after-end", lambda L: L.ones(2, 3, 4).flatten(2, 1), r"start_dim cannot come after end_dim")
simple("flatten-out-of-range", lambda L: L.ones(2, 3).flatten(0, 5), r"Dimension out of range")
simple("narrow-past-end", lambda L: L.arange(5).narrow(0, 3, 4), r"exceeds dimension size|start.*length")
simple("narrow-negative-length", lambda L: L.arange(5).narrow(0, 1, -1), r"length must be non-negative")
simple("narrow-dim-out-of-range", lambda L: L.arange(5).narrow(1, 0, 1), r"Dimension out of range")
simple("split-sizes-dont-sum", lambda L: L.ones(5).split([2, 2]), r"sum up exactly to the tensor's size|sum")
simple("chunk-zero", lambda L: L.ones(4).chunk(0), r"chunk expects `chunks` to be greater than 0")
simple("unflatten-wrong-product", lambda L: L.ones(6).unflatten(0, (4, 2)),
       r"shape '\[4, 2\]' is invalid for input of size 6")
simple("unflatten-out-of-range", lambda L: L.ones(6).unflatten(1, (2, 3)), r"Dimension out of range")
simple("unbind-out-of-range", lambda L: L.ones(2).unbind(1), r"Dimension out of range")
simple("t-on-3d", lambda L: L.ones(2, 3, 4).t(), r"expects a tensor with <= 2 dimensions, but self is 3D")
simple("select-out-of-range", lambda L: L.ones(2, 3).select(1, 5), r"out of range|index 5")
simple("where-no-broadcast", lambda L: L.where(L.ones(2) > 0, L.ones(3), L.ones(4)), r"must match the size")
simple("logical-and-no-broadcast", lambda L: L.logical_and(L.ones(2) > 0, L.ones(3) > 0), r"must match the size")


@case("setitem-shape-mismatch", r"shape mismatch|must match|broadcast")
def _(L):
    a = L.ones(3)
    a[:] = L.ones(2)


@case("inplace-broadcast-grows", r"doesn't match the broadcast shape")
def _(L):
    L.ones(3).add_(L.ones(2, 3))


# ---- dtypes ----------------------------------------------------------------------------------------------------
simple("invert-float", lambda L: ~L.ones(2), r"bitwise_not|Float|float|bool or integer")
simple("dtype-as-string", lambda L: L.zeros(2, dtype="float32"), r"argument 'dtype' must be a minigrad.dtype")
simple("tensor-dtype-as-string", lambda L: L.tensor([1.0], dtype="float32"), r"argument 'dtype' must be")
simple("full-dtype-as-string", lambda L: L.full((2,), 1.0, dtype="int64"), r"argument 'dtype' must be")
simple("zeros-float-size", lambda L: L.zeros(2.0), r"must be a tuple of ints, but found element of type float")
simple("mm-dtype-mismatch", lambda L: L.mm(L.ones(2, 2), L.ones(2, 2, dtype=L.float64)), r"same dtype|dtype")
simple("matmul-int-float", lambda L: L.ones(2, 2, dtype=L.int64) @ L.ones(2, 2), r"dtype|Long|Float")
simple("requires-grad-int", lambda L: L.ones(2, dtype=L.int64, requires_grad=True),
       r"Only Tensors of floating point and complex dtype can require gradients")
simple("requires-grad-int-method", lambda L: L.ones(2, dtype=L.int64).requires_grad_(),
       r"only Tensors of floating point and complex dtype can require gradients|floating point")
simple("inplace-float-into-int", lambda L: L.ones(2, dtype=L.int64).add_(0.5), r"can't be cast to the desired output")
simple("to-string-not-a-dtype", lambda L: L.ones(2).to("float32"), r"float32|device")
simple("mean-of-int", lambda L: L.ones(2, dtype=L.int64).mean(), r"could not infer output dtype")
simple("std-of-int", lambda L: L.ones(2, dtype=L.int64).std(), r"floating point|dtype|Long|int")
simple("softmax-of-int", lambda L: L.softmax(L.ones(2, dtype=L.int64), 0), r"Long|int|floating")
simple("where-float-condition", lambda L: L.where(L.ones(2), L.ones(2), L.ones(2)), r"condition to be a boolean")
simple("index-with-float-tensor", lambda L: L.ones(3)[L.tensor([0.0])], r"tensors used as indices must be long")
simple("linear-dtype-mismatch", lambda L: F(L).linear(L.ones(2, 3, dtype=L.float64), L.ones(4, 3)), r"dtype")
simple("tensor-of-a-string", lambda L: L.tensor("a"), r"invalid data type 'str'")
simple("tensor-ragged", lambda L: L.tensor([[1, 2], [3]]), r"expected sequence of length 2 at dim 1 \(got 1\)")
simple("cross-entropy-int-logits", lambda L: F(L).cross_entropy(L.ones(2, 3, dtype=L.int64), L.tensor([0, 1])),
       r"not implemented for 'Long': cross_entropy needs floating-point input")
simple("cross-entropy-loss-module-int-logits",
       lambda L: L.nn.CrossEntropyLoss()(L.ones(2, 3, dtype=L.int64), L.tensor([0, 1])), r"floating-point input")
simple("nll-loss-int-input", lambda L: F(L).nll_loss(L.ones(2, 3, dtype=L.int64), L.tensor([0, 1])),
       r"not implemented for 'Long': nll_loss needs floating-point input")
simple("cross-entropy-float-target-wrong-shape",
       lambda L: F(L).cross_entropy(L.ones(2, 3), L.ones(2, 4)), r"must have the input's shape \[2, 3\], got \[2, 4\]")
simple("cross-entropy-float-class-target",
       lambda L: F(L).cross_entropy(L.ones(2, 3), L.ones(2)), r"Long|Float|dtype|class")
simple("nll-loss-float-target", lambda L: F(L).nll_loss(L.ones(2, 3), L.ones(2)), r"Long|Float|dtype")
simple("pow-int-negative", lambda L: L.tensor([2]) ** -1, r"Integers to negative integer powers are not allowed")
simple("int-floor-divide-by-zero", lambda L: L.tensor([1]) // 0, r"ZeroDivisionError|division by zero")
simple("zeros-bad-size-type", lambda L: L.zeros((2, "a")), r"str|size|int")

# ---- dims ------------------------------------------------------------------------------------------------------
for name, fn in [("sum", lambda L: L.ones(2, 3).sum(2)), ("mean", lambda L: L.ones(2, 3).mean(-3)),
                 ("softmax", lambda L: L.ones(2, 3).softmax(2)), ("log-softmax", lambda L: L.ones(2).log_softmax(1)),
                 ("argmax", lambda L: L.ones(2, 3).argmax(2)), ("max", lambda L: L.ones(2, 3).max(2)),
                 ("var", lambda L: L.ones(2, 3).var(2)), ("logsumexp", lambda L: L.ones(2, 3).logsumexp(2)),
                 ("amax", lambda L: L.ones(2, 3).amax(3)), ("norm", lambda L: L.ones(2, 3).norm(dim=2)),
                 ("0-dim-sum", lambda L: L.tensor(1.0).sum(1)), ("0-dim-squeeze", lambda L: L.tensor(1.0).squeeze(1)),
                 ("0-dim-transpose", lambda L: L.tensor(1.0).transpose(0, 1)),
                 ("std", lambda L: L.ones(2, 3).std(-3)), ("min", lambda L: L.ones(2, 3).min(5))]:
    simple(f"{name}-dim-out-of-range", fn, r"Dimension out of range")
simple("sum-repeated-dim", lambda L: L.ones(2, 3).sum((0, 0)), r"appears multiple times in the list of dims")
simple("scatter-index-ndim", lambda L: L.zeros(3).scatter(0, L.tensor([[0]]), L.ones(1, 1)),
       r"Index tensor must have the same number of dimensions")

# ---- indexing and conversion -----------------------------------------------------------------------------------
simple("index-out-of-range", lambda L: L.ones(3)[5], r"index 5 is out of bounds for dimension 0 with size 3")
simple("index-negative-out-of-range", lambda L: L.ones(3)[-4], r"index -4 is out of bounds")
simple("too-many-indices", lambda L: L.ones(3)[0, 0], r"too many indices")
simple("index-tensor-out-of-range", lambda L: L.ones(3)[L.tensor([5])], r"out of bounds|out of range")
simple("bool-mask-wrong-shape", lambda L: L.ones(3)[L.tensor([True, False])], r"shape of the mask \[2\]")
simple("float-index", lambda L: L.ones(3)[1.5], r"only integers, slices")
simple("index-0-dim", lambda L: L.tensor(1.0)[0], r"invalid index of a 0-dim tensor")
simple("negative-step", lambda L: L.ones(3)[::-1], r"step must be greater than zero")
simple("item-of-many", lambda L: L.ones(2).item(), r"a Tensor with 2 elements cannot be converted to Scalar")
simple("float-of-many", lambda L: float(L.ones(2)), r"only one element tensors can be converted to Python scalars")
simple("int-of-many", lambda L: int(L.ones(2)), r"only one element tensors can be converted")
simple("bool-of-many", lambda L: bool(L.ones(2)), r"Boolean value of Tensor with more than one value is ambiguous")
simple("len-of-0-dim", lambda L: len(L.tensor(1.0)), r"len\(\) of a 0-d tensor")
simple("iter-of-0-dim", lambda L: iter(L.tensor(1.0)), r"iteration over a 0-d tensor")
simple("scatter-index-out-of-range", lambda L: L.zeros(3).scatter(0, L.tensor([5]), L.ones(1)),
       r"out of bounds|index 5")


@case("setitem-out-of-range", r"index 3 is out of bounds")
def _(L):
    a = L.ones(3)
    a[3] = 1.0


# ---- creation and RNG ------------------------------------------------------------------------------------------
simple("zeros-negative", lambda L: L.zeros(-1), r"negative dimension -1")
simple("randn-negative", lambda L: L.randn(2, -3), r"negative dimension -3")
simple("arange-step-zero", lambda L: L.arange(0, 5, 0), r"step must be nonzero")
simple("arange-wrong-sign", lambda L: L.arange(5, 0, 1), r"inconsistent with step sign")
simple("eye-negative", lambda L: L.eye(-1), r"n must be greater or equal to 0, got -1")
simple("linspace-negative-steps", lambda L: L.linspace(0, 1, -1), r"number of steps must be non-negative")
simple("randint-empty-range", lambda L: L.randint(5, 5, (2,)), r"from=5 >= to=5|expects 'from' to be less")
simple("randperm-negative", lambda L: L.randperm(-1), r"negative dimension -1")
simple("set-rng-state-not-a-tensor", lambda L: L.set_rng_state([1, 2]), r"ByteTensor|Tensor|tensor")
simple("to-unknown-device", lambda L: L.ones(2).to("tpu"), r"tpu")
simple("device-unknown", lambda L: L.device("gpu"), r"gpu")
simple("clamp-without-bounds", lambda L: L.ones(2).clamp(), r"At least one of 'min' or 'max' must not be None")
simple("sum-of-a-list", lambda L: L.sum([1.0, 2.0]), r"must be Tensor, not list")
simple("exp-of-a-list", lambda L: L.exp([1.0]), r"must be Tensor, not list")

# ---- autograd --------------------------------------------------------------------------------------------------
simple("backward-non-scalar", lambda L: (L.ones(2, requires_grad=True) * 2).backward(),
       r"grad can be implicitly created only for scalar outputs")
simple("backward-no-grad", lambda L: L.ones(2).sum().backward(), r"does not require grad and does not have a grad_fn")
simple("numpy-of-requires-grad", lambda L: L.ones(2, requires_grad=True).numpy(),
       r"Can't call numpy\(\) on Tensor that requires grad")
simple("inplace-on-leaf", lambda L: L.ones(2, requires_grad=True).add_(1),
       r"a leaf Variable that requires grad is being used in an in-place operation")
simple("backward-gradient-shape", lambda L: (L.ones(2, requires_grad=True) * 2).backward(L.ones(3)),
       r"Mismatch in shape")


@case("backward-twice", r"backward through the graph a second time")
def _(L):
    x = L.ones(2, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    y.backward()


@case("grad-of-unused-input", r"appears to not have been used in the graph")
def _(L):
    x, z = L.ones(2, requires_grad=True), L.ones(2, requires_grad=True)
    L.autograd.grad((x * 2).sum(), [z])


@case("grad-output-without-grad", r"does not require grad")
def _(L):
    L.autograd.grad(L.ones(2).sum(), [L.ones(2, requires_grad=True)])


@case("detach-inplace-on-view", r"view|detach_")
def _(L):
    x = L.ones(2, 3, requires_grad=True)
    x[0].detach_()


@case("requires-grad-off-on-non-leaf", r"you can only change requires_grad flags of leaf variables")
def _(L):
    y = L.ones(2, requires_grad=True) * 2
    y.requires_grad = False


@case("saved-tensor-modified", r"modified by an inplace operation")
def _(L):
    x = L.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


@case("grad-assign-wrong-shape", r"assign a gradient of size '\[3\]' to a tensor of size '\[2\]'")
def _(L):
    x = L.ones(2, requires_grad=True)
    x.grad = L.ones(3)


@case("grad-non-scalar-without-grad-outputs", r"grad can be implicitly created only for scalar outputs")
def _(L):
    x = L.ones(2, requires_grad=True)
    L.autograd.grad(x * 2, [x])


# ---- nn --------------------------------------------------------------------------------------------------------
simple("linear-wrong-features", lambda L: L.nn.Linear(3, 2)(L.ones(4, 5)), r"4x5 and 3x2")
simple("linear-int-input", lambda L: L.nn.Linear(3, 2)(L.ones(4, 3, dtype=L.int64)), r"dtype|Long|Float")
simple("module-missing-attribute", lambda L: L.nn.Linear(3, 2).nonexistent, r"'Linear' object has no attribute")
simple("sequential-index-out-of-range", lambda L: L.nn.Sequential(L.nn.ReLU())[3], r"index 3 is out of range")
simple("load-state-dict-missing-key", lambda L: L.nn.Linear(3, 2).load_state_dict({"weight": L.ones(2, 3)}),
       r'Missing key\(s\) in state_dict: "bias"')
simple("load-state-dict-unexpected-key",
       lambda L: L.nn.Linear(3, 2).load_state_dict({"weight": L.ones(2, 3), "bias": L.ones(2), "x": L.ones(1)}),
       r'Unexpected key\(s\) in state_dict: "x"')
simple("load-state-dict-size-mismatch",
       lambda L: L.nn.Linear(3, 2).load_state_dict({"weight": L.ones(3, 3), "bias": L.ones(2)}),
       r"size mismatch for weight")
simple("load-state-dict-not-a-dict", lambda L: L.nn.Linear(3, 2).load_state_dict(5),
       r"Expected state_dict to be dict-like")
simple("register-buffer-dotted-name", lambda L: L.nn.Module().register_buffer("a.b", L.ones(1)),
       r'buffer name can.{0,2}t contain "\."')
simple("register-parameter-dotted-name", lambda L: L.nn.Module().register_parameter("a.b", None),
       r'parameter name can.{0,2}t contain "\."')
simple("add-module-dotted-name", lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()),
       r'module name can.{0,2}t contain "\."')
simple("register-buffer-not-a-tensor", lambda L: L.nn.Module().register_buffer("a", 5),
       r"cannot assign 'int' object to buffer 'a'")
simple("mse-bad-reduction", lambda L: F(L).mse_loss(L.ones(2), L.ones(2), reduction="bogus"),
       r"bogus is not a valid value for reduction")
simple("cross-entropy-bad-reduction", lambda L: F(L).cross_entropy(L.ones(2, 3), L.tensor([0, 1]), reduction="x"),
       r"x is not a valid value for reduction")
simple("cross-entropy-target-out-of-range", lambda L: F(L).cross_entropy(L.ones(2, 3), L.tensor([0, 5])),
       r"Target 5 is out of bounds")
simple("cross-entropy-batch-mismatch", lambda L: F(L).cross_entropy(L.ones(2, 3), L.tensor([0, 1, 2])),
       r"Expected input batch_size \(2\) to match target batch_size \(3\)")
simple("nll-loss-batch-mismatch", lambda L: F(L).nll_loss(L.ones(2, 3), L.tensor([0, 1, 2])),
       r"Expected input batch_size \(2\) to match target batch_size \(3\)")
simple("bce-size-mismatch", lambda L: F(L).binary_cross_entropy(L.ones(2) / 2, L.ones(3)),
       r"Using a target size .* that is different to the input size")
simple("bce-with-logits-size-mismatch", lambda L: F(L).binary_cross_entropy_with_logits(L.ones(2), L.ones(3)),
       r"Target size .* must be the same as input size")
simple("dropout-bad-p", lambda L: L.nn.Dropout(p=1.5), r"dropout probability has to be between 0 and 1, but got 1.5")
simple("functional-dropout-bad-p", lambda L: F(L).dropout(L.ones(2), p=-0.1), r"dropout probability has to be")
simple("flatten-module-1d", lambda L: L.nn.Flatten()(L.ones(3)), r"Dimension out of range")
simple("relu-of-a-list", lambda L: F(L).relu([1.0]), r"Tensor|list")
simple("softmax-module-bad-dim", lambda L: L.nn.Softmax(dim=3)(L.ones(2, 3)), r"Dimension out of range")
simple("linear-negative-features", lambda L: L.nn.Linear(-1, 2), r"negative dimension")
simple("sequential-not-a-module", lambda L: L.nn.Sequential(5)(L.ones(1)), r"not a Module subclass|int")


@case("assign-tensor-to-parameter", r"cannot assign '.*' as parameter 'weight' \(.*Parameter or None expected\)")
def _(L):
    L.nn.Linear(3, 2).weight = L.ones(2, 3)


@case("assign-before-init", r"cannot assign module before Module.__init__\(\) call")
def _(L):
    class Net(L.nn.Module):
        def __init__(self):
            self.fc = L.nn.Linear(1, 1)
    Net()


@case("parameter-before-init", r"cannot assign parameters before Module.__init__\(\) call")
def _(L):
    class Net(L.nn.Module):
        def __init__(self):
            self.w = L.nn.Parameter(L.ones(1))
    Net()


# ---- optim -----------------------------------------------------------------------------------------------------
def params(L):
    return [L.nn.Parameter(L.ones(2))]


simple("sgd-negative-lr", lambda L: L.optim.SGD(params(L), lr=-0.1), r"Invalid learning rate: -0.1")
simple("sgd-negative-momentum", lambda L: L.optim.SGD(params(L), lr=0.1, momentum=-1), r"Invalid momentum value")
simple("sgd-negative-weight-decay", lambda L: L.optim.SGD(params(L), lr=0.1, weight_decay=-1),
       r"Invalid weight_decay value")
simple("sgd-nesterov-without-momentum", lambda L: L.optim.SGD(params(L), lr=0.1, nesterov=True),
       r"Nesterov momentum requires a momentum and zero dampening")
simple("adam-bad-beta", lambda L: L.optim.Adam(params(L), betas=(1.5, 0.9)), r"Invalid beta parameter at index 0")
simple("adam-bad-beta2", lambda L: L.optim.Adam(params(L), betas=(0.9, -0.1)), r"Invalid beta parameter at index 1")
simple("adam-negative-eps", lambda L: L.optim.Adam(params(L), eps=-1.0), r"Invalid epsilon value")
simple("adam-negative-lr", lambda L: L.optim.Adam(params(L), lr=-1.0), r"Invalid learning rate")
simple("optimizer-empty-params", lambda L: L.optim.SGD([], lr=0.1), r"optimizer got an empty parameter list")
simple("optimizer-tensor-not-iterable", lambda L: L.optim.SGD(L.nn.Parameter(L.ones(2)), lr=0.1),
       r"params argument given to the optimizer should be an iterable of Tensors or dicts")
simple("optimizer-non-leaf", lambda L: L.optim.SGD([L.ones(2, requires_grad=True) * 2], lr=0.1),
       r"can't optimize a non-leaf Tensor")
simple("step-lr-not-an-optimizer", lambda L: L.optim.lr_scheduler.StepLR(5, step_size=1), r"is not an Optimizer")


@case("optimizer-duplicate-params", r"some parameters appear in more than one parameter group")
def _(L):
    p = params(L)
    L.optim.SGD([{"params": p}, {"params": p}], lr=0.1)


@case("optimizer-load-state-dict-group-count", r"loaded state dict has a different number of parameter groups")
def _(L):
    a, b = params(L), params(L)
    L.optim.SGD([{"params": a}], lr=0.1).load_state_dict(
        L.optim.SGD([{"params": a}, {"params": b}], lr=0.1).state_dict())


@case("optimizer-load-state-dict-group-size",
      r"loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
def _(L):
    L.optim.SGD(params(L), lr=0.1).load_state_dict(L.optim.SGD(params(L) + params(L), lr=0.1).state_dict())


@case("add-param-group-duplicate", r"some parameters appear in more than one parameter group")
def _(L):
    p = params(L)
    L.optim.SGD(p, lr=0.1).add_param_group({"params": p})


simple("add-param-group-not-a-dict", lambda L: L.optim.SGD(params(L), lr=0.1).add_param_group(5),
       r"param_group must be a dict")


# ---- DataLoader and datasets -----------------------------------------------------------------------------------
def data(L):
    return L.utils.data


def tds(L, n=4):
    return data(L).TensorDataset(L.arange(n), L.arange(n))


simple("loader-batch-size-zero", lambda L: data(L).DataLoader(tds(L), batch_size=0),
       r"batch_size should be a positive integer value, but got batch_size=0")
simple("loader-shuffle-with-sampler",
       lambda L: data(L).DataLoader(tds(L), shuffle=True, sampler=data(L).SequentialSampler(tds(L))),
       r"sampler option is mutually exclusive with shuffle")
simple("loader-batch-sampler-with-batch-size",
       lambda L: data(L).DataLoader(tds(L), batch_size=2,
                                    batch_sampler=data(L).BatchSampler(data(L).SequentialSampler(tds(L)), 2, False)),
       r"batch_sampler option is mutually exclusive with batch_size")
simple("loader-negative-workers", lambda L: data(L).DataLoader(tds(L), num_workers=-1),
       r"num_workers option should be non-negative")
simple("collate-mismatched-sizes", lambda L: data(L).default_collate([L.ones(2), L.ones(3)]),
       r"stack expects each tensor to be equal size")
simple("collate-unsupported-type", lambda L: data(L).default_collate([object()]),
       r"default_collate: batch must contain tensors")
simple("subset-index-out-of-range", lambda L: data(L).Subset(tds(L), [0, 1])[5], r"out of range")
simple("tensor-dataset-size-mismatch", lambda L: data(L).TensorDataset(L.ones(2), L.ones(3)),
       r"Size mismatch between tensors")
simple("random-split-bad-lengths", lambda L: data(L).random_split(tds(L), [1, 2]),
       r"Sum of input lengths does not equal the length of the input dataset")
simple("dataset-base-getitem", lambda L: data(L).Dataset()[0], r"Subclasses of Dataset should implement __getitem__")
simple("random-sampler-zero-samples", lambda L: data(L).RandomSampler(tds(L), num_samples=0),
       r"num_samples should be a positive integer value, but got num_samples=0")
simple("batch-sampler-bad-size", lambda L: data(L).BatchSampler(range(4), 0, False),
       r"batch_size should be a positive integer value")
simple("batch-sampler-bad-drop-last", lambda L: data(L).BatchSampler(range(4), 2, "no"),
       r"drop_last should be a boolean value")
simple("tensor-dataset-index-out-of-range", lambda L: tds(L)[7], r"index 7 is out of bounds")
simple("concat-dataset-empty", lambda L: data(L).ConcatDataset([]), r"datasets should not be an empty iterable")
simple("loader-len-of-iterable-without-len",
       lambda L: len(data(L).DataLoader(type("It", (data(L).IterableDataset,), {"__iter__": lambda s: iter([])})())),
       r"len|__len__")

# ---- vision transforms and io ----------------------------------------------------------------------------------
simple("to-tensor-of-a-list", lambda L: vision(L).transforms.ToTensor()([1, 2]), r"pic should be")
simple("normalize-zero-std", lambda L: vision(L).transforms.Normalize([0.5], [0.0])(L.ones(1, 2, 2)),
       r"std evaluated to zero")
simple("normalize-not-a-tensor", lambda L: vision(L).transforms.Normalize([0.5], [0.5])([1.0]),
       r"Tensor|tensor")
simple("normalize-int-tensor", lambda L: vision(L).transforms.Normalize([0.5], [0.5])(L.ones(1, 2, 2, dtype=L.int64)),
       r"Input tensor should be a float tensor")
simple("lambda-not-callable", lambda L: vision(L).transforms.Lambda(5), r"Argument lambd should be callable")
simple("read-image-missing-file", lambda L: vision(L).io.read_image("/nonexistent/x.png"), r"/nonexistent/x.png")

# ---- save / load -----------------------------------------------------------------------------------------------
simple("load-missing-file", lambda L: L.load("/nonexistent/x.pt"), r"/nonexistent/x.pt")
simple("save-missing-folder", lambda L: L.save({"a": 1}, "/nonexistent/dir/x.pt"),
       r"Parent directory /nonexistent/dir does not exist")
simple("load-a-folder", lambda L: L.load("/"), r"Is a directory|/")


@pytest.mark.parametrize("fn, msg", CASES)
def test_misuse_raises_what_torch_raises(fn, msg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            fn(torch)
        expected = next(t for t in type(theirs.value).__mro__ if t.__module__ == "builtins")  # torch's own types
        try:
            fn(minigrad)
        except Exception as e:
            ours = e
        else:
            pytest.fail(f"minigrad accepted it; torch raises {type(theirs.value).__name__}: {theirs.value}")
    assert isinstance(ours, expected), (f"minigrad raised {type(ours).__name__}: {ours}\n"
                                        f"torch raises {type(theirs.value).__name__}: {theirs.value}")
    assert re.search(msg, str(ours)), f"minigrad's message does not name the problem ({msg!r}): {ours}"


# ---- datasets need the data ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def roots(fashion_root, tmp_path_factory):
    from reference.data import torchvision_root

    return {"torch": torchvision_root(fashion_root), "minigrad": fashion_root}


DATASET_CASES = [
    pytest.param(lambda ds, L: ds[10 ** 6], r"out of bounds|out of range", id="index-out-of-range"),
    pytest.param(lambda ds, L: ds[1.5], r"only integers, slices|indices", id="float-index"),
]


@pytest.mark.parametrize("fn, msg", DATASET_CASES)
def test_dataset_misuse_raises_what_torchvision_raises(roots, fn, msg):
    theirs_ds = vision(torch).datasets.FashionMNIST(roots["torch"], train=False)
    ours_ds = vision(minigrad).datasets.FashionMNIST(roots["minigrad"], train=False)
    with pytest.raises(Exception) as theirs:
        fn(theirs_ds, torch)
    expected = next(t for t in type(theirs.value).__mro__ if t.__module__ == "builtins")
    with pytest.raises(expected, match=msg):
        fn(ours_ds, minigrad)


def test_dataset_without_data_raises_what_torchvision_raises(tmp_path, monkeypatch):
    """With no copy anywhere (no $MINIGRAD_DATA, no Debian package), a missing root fails as torchvision's does."""
    from minigrad.vision import _fetch

    monkeypatch.delenv(_fetch.ENV_VAR, raising=False)
    monkeypatch.setattr(_fetch, "debian_files", lambda package: [])
    monkeypatch.setattr(vision(minigrad).datasets.FashionMNIST, "debian_folder", str(tmp_path / "none"))
    with pytest.raises(RuntimeError, match="Dataset not found"):
        vision(torch).datasets.FashionMNIST(tmp_path / "nonexistent")
    with pytest.raises(RuntimeError, match=r"(?s)Dataset not found.*download=True"):
        vision(minigrad).datasets.FashionMNIST(tmp_path / "nonexistent")


def test_the_table_is_large():
    assert len(CASES) + len(DATASET_CASES) + 1 >= 150
