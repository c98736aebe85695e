"""The exercises and their checker: every reference solution passes, and the usual wrong backwards are caught with
the right diagnosis, in plain words."""
import numpy as np
import pytest

from minigrad import exercises
from minigrad.__main__ import main
from minigrad.exercises import catalog

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

NAMES = [name for _, name, _ in exercises.list_exercises()]


def wrong(name, change):
    """The reference Function of `name` with its backward's gradients passed through change(grads, ctx, g)."""
    ref = catalog.get(name).function

    class Wrong(ref):
        @staticmethod
        def backward(ctx, g):
            grads = ref.backward(ctx, g)
            return change(list(grads if isinstance(grads, tuple) else (grads,)), ctx, g)
    return Wrong


def first_input(grads, fn):
    grads[0] = fn(np.asarray(grads[0]))
    return tuple(grads)


def test_at_least_the_issues_exercises_in_order():
    assert NAMES == ["add", "mul", "div", "exp", "log", "sum", "mean", "matmul", "relu", "sigmoid", "softmax",
                     "log_softmax", "cross_entropy", "linear", "layer_norm", "batch_norm", "max_pool2d", "conv2d"]


@pytest.mark.parametrize("name", NAMES)
def test_reference_solution_passes(name):
    report = exercises.check(catalog.get(name).function, name)
    assert report.passed, str(report)
    assert report.sources == ["minigrad autograd"] + ["torch"] * HAVE_TORCH + ["finite differences"]
    assert "PASSED" in str(report)
    assert str(report).endswith("that was the last exercise" if name == "conv2d" else
                                f"next: minigrad exercise start {NAMES[NAMES.index(name) + 1]}")


@pytest.mark.parametrize("name", NAMES)
def test_solution_file_passes_and_stub_is_not_written(name, tmp_path):
    sol = tmp_path / "sol.py"
    sol.write_text(exercises.solution(name))
    assert exercises.check(str(sol)).passed
    stub = exercises.start(name, str(tmp_path / f"{name}.py"))
    report = exercises.check(stub)
    assert report.kinds == {"not_implemented"}
    assert "NotImplementedError" in exercises.stub_source(name)
    assert "backward is not written yet" in str(report)


@pytest.mark.parametrize("name", NAMES)
def test_sign_error(name):
    report = exercises.check(wrong(name, lambda gr, ctx, g: first_input(gr, lambda a: -a)), name)
    assert report.first().kind == "sign", str(report)
    assert "sign error for input 1" in report.first().message
    assert "your gradient is the negative of the right one" in report.first().message


@pytest.mark.parametrize("name", NAMES)
def test_constant_factor(name):
    report = exercises.check(wrong(name, lambda gr, ctx, g: first_input(gr, lambda a: 2 * a)), name)
    assert report.first().kind == "factor", str(report)
    assert "off by a constant factor 2.0 for input 1" in report.first().message


@pytest.mark.parametrize("name", NAMES)
def test_transposed(name):
    report = exercises.check(wrong(name, lambda gr, ctx, g: first_input(gr, lambda a: a.T)), name)
    assert "transposed" in report.kinds, str(report)
    message = next(d.message for d in report.diagnoses if d.kind == "transposed")
    assert message.startswith(f"transposed: for {catalog.get(name).math}, ")


@pytest.mark.parametrize("name", NAMES)
def test_wrong_shape(name):
    def flat(a):
        return a.reshape(-1) if a.ndim > 1 else a[:, None]
    report = exercises.check(wrong(name, lambda gr, ctx, g: first_input(gr, flat)), name)
    d = report.first()
    assert d.kind == "shape", str(report)
    assert d.message.startswith("wrong shape for input 1") and "expected (" in d.message and ", got (" in d.message
    assert "the values are right but arranged wrongly: reshape it to the input's shape" in d.message


@pytest.mark.parametrize("name", NAMES)
def test_grad_output_ignored(name):
    ref = catalog.get(name).function

    class Unchained(ref):
        @staticmethod
        def backward(ctx, g):
            return ref.backward(ctx, np.ones_like(g))
    report = exercises.check(Unchained, name)
    assert report.first().kind == "chain", str(report)
    assert "you did not multiply by grad_output (the chain rule)" in report.first().message


@pytest.mark.parametrize("name", [n for n in NAMES if catalog.get(n).function.forward.__code__.co_argcount > 2])
def test_missing_gradient_and_count(name):
    def drop(gr, ctx, g):
        gr[0] = None
        return tuple(gr)
    report = exercises.check(wrong(name, drop), name)
    assert report.first().kind == "missing" and "no gradient for input 1" in report.first().message
    report = exercises.check(wrong(name, lambda gr, ctx, g: gr[0]), name)
    if len(catalog.get(name).cases(np.random.default_rng(0))[0].inputs) > 1:
        assert report.first().kind == "count", str(report)
        assert "return one per input, None where there is none" in report.first().message


# ---- the missing broadcast sum: each exercise with a broadcast input, the realistic mistake ---------------------
def _unsummed_add(ctx, g):
    return g, g


def _unsummed_mul(ctx, g):
    x, y = ctx.saved_tensors
    return g * y, g * x


def _unsummed_div(ctx, g):
    x, y = ctx.saved_tensors
    return g / y, -g * x / y ** 2


def _unsummed_linear(ctx, g):
    x, w = ctx.saved_tensors
    return g @ w, g.T @ x, g


def _unsummed_layer_norm(ctx, g):
    dx, _, _ = catalog.get("layer_norm").function.backward(ctx, g)
    xhat, _, _ = ctx.saved_tensors
    return dx, g * xhat, g


def _unsummed_batch_norm(ctx, g):
    dx, dw, _ = catalog.get("batch_norm").function.backward(ctx, g)
    return dx, dw, g


def _unsummed_conv2d(ctx, g):
    dx, dw, _ = catalog.get("conv2d").function.backward(ctx, g)
    return dx, dw, g


@pytest.mark.parametrize("name,backward", [
    ("add", _unsummed_add), ("mul", _unsummed_mul), ("div", _unsummed_div), ("linear", _unsummed_linear),
    ("layer_norm", _unsummed_layer_norm), ("batch_norm", _unsummed_batch_norm), ("conv2d", _unsummed_conv2d)])
def test_missing_broadcast_sum(name, backward):
    ref = catalog.get(name).function
    report = exercises.check(type("Unsummed", (ref,), {"backward": staticmethod(backward)}), name)
    assert report.first().kind == "broadcast", str(report)
    assert "the input was broadcast along" in report.first().message
    assert "sum the gradient over axes" in report.first().message


def test_broadcast_message_names_the_axes():
    report = exercises.check(type("A", (catalog.get("add").function,), {"backward": staticmethod(_unsummed_add)}),
                             "add")
    messages = [d.message for d in report.diagnoses]
    assert ("wrong shape for input 2 (y): expected (5,), got (4, 5) — the input was broadcast along axis 0; sum the "
            "gradient over axes (0,); after that sum your values are right") in messages
    assert any("expected (3, 1), got (2, 3, 4) — the input was broadcast along axes 0, 2; sum the gradient over "
               "axes (0,), then, keeping them (keepdims=True), over axes (1,) of the result" in m for m in messages)
    assert any("expected (1, 3), got (4, 3) — the input was broadcast along axis 0; sum the gradient, keeping "
               "them (keepdims=True), over axes (0,)" in m for m in messages)


# ---- the named mistakes of particular exercises ------------------------------------------------------------------
def test_mean_without_the_division_names_n():
    ref = catalog.get("mean").function

    def backward(ctx, g):
        return ref.backward(ctx, g) * ctx.shape[ctx.dim]
    report = exercises.check(type("M", (ref,), {"backward": staticmethod(backward)}), "mean")
    assert report.first().message.startswith("off by a factor N (N = 4) for input 1 (x): a mean divides by the "
                                             "number of values it averages")


def test_cross_entropy_divided_twice_is_off_by_one_over_n():
    ref = catalog.get("cross_entropy").function

    def backward(ctx, g):
        dx, _ = ref.backward(ctx, g)
        return dx / len(ctx.saved_tensors[1]), None
    report = exercises.check(type("C", (ref,), {"backward": staticmethod(backward)}), "cross_entropy")
    assert report.first().message.startswith("off by 1/N (N = 4) for input 1 (logits): a mean divides by the "
                                             "batch size")


def test_gradient_for_the_integer_target():
    ref = catalog.get("cross_entropy").function

    def backward(ctx, g):
        dx, _ = ref.backward(ctx, g)
        return dx, np.zeros(len(ctx.saved_tensors[1]))
    report = exercises.check(type("C", (ref,), {"backward": staticmethod(backward)}), "cross_entropy")
    assert report.first().message == ("a gradient for input 2 (target), which is not differentiable (an integer "
                                      "target): return None")


def test_matmul_transposed_gradient():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return y @ g.T, x.T @ g  # dx's transpose
    report = exercises.check(type("T", (catalog.get("matmul").function,), {"backward": staticmethod(backward)}),
                             "matmul")
    assert report.first().kind == "transposed"
    assert report.first().message.startswith("transposed: for z = x @ y, dx = g @ yᵀ (you returned the transpose")


def test_correct_on_square_inputs_only():
    ref = catalog.get("mean").function

    def backward(ctx, g):  # divides by x.shape[0] whatever the dim: right when the input is square
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        return np.broadcast_to(g / ctx.shape[0], ctx.shape)
    report = exercises.check(type("S", (ref,), {"backward": staticmethod(backward)}), "mean")
    assert report.first().kind == "square_only"
    assert report.first().message.startswith("correct on square inputs only (wrong on (3, 4), dim=1): check the "
                                             "transposes")


def test_wrong_values_says_where():
    ref = catalog.get("relu").function

    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (x >= -0.5)
    report = exercises.check(type("R", (ref,), {"backward": staticmethod(backward)}), "relu")
    assert report.first().kind == "values"
    assert "wrong values for input 1 (x): the largest error is" in report.first().message
    assert "the right formula: dx = g * (x > 0)" in report.first().message


def test_forward_changed_and_errors():
    ref = catalog.get("exp").function
    changed = type("F", (ref,), {"forward": staticmethod(lambda ctx, x: ref.forward(ctx, x) + 1)})
    assert exercises.check(changed, "exp").first().kind == "forward"

    def backward(ctx, g):
        raise ValueError("oops")
    report = exercises.check(type("E", (ref,), {"backward": staticmethod(backward)}), "exp")
    assert report.first().message.startswith("your Function raised ValueError: oops (on inputs (3, 4); g has "
                                             "shape (3, 4))")


def test_a_backward_that_runs_on_square_inputs_only():
    def backward(ctx, g):  # no transpose on y: runs on square inputs only, and is wrong there
        x, y = ctx.saved_tensors
        return g @ y, x.T @ g
    report = exercises.check(type("Q", (catalog.get("matmul").function,), {"backward": staticmethod(backward)}),
                             "matmul")
    assert report.first().kind == "error" and "matmul" in report.first().message
    assert "g has shape (3, 5)" in report.first().message
    assert any(d.kind == "values" and "wrong values for input 1 (x)" in d.message for d in report.diagnoses)


# ---- hints, start, the CLI -------------------------------------------------------------------------------------
def test_hint_ladder():
    one, two = exercises.hint("matmul", 1), exercises.hint("matmul", 2)
    assert one.count("hint ") == 1 and two.count("hint ") == 2 and two.startswith(one)
    assert "minigrad exercise solution matmul" in exercises.hint("matmul", 99)
    assert "solution" not in exercises.stub_source("matmul").lower().replace("reference solution", "")
    assert "g @ y.T" not in exercises.stub_source("matmul") and "g @ y.T" in exercises.solution("matmul")


def test_start_keeps_existing_work(tmp_path):
    path = exercises.start("relu", str(tmp_path / "relu.py"))
    with pytest.raises(FileExistsError, match="exists"):
        exercises.start("relu", path)
    exercises.start("relu", path, force=True)
    with pytest.raises(KeyError, match="no exercise named 'nope'"):
        exercises.start("nope")


def test_cli(tmp_path, capsys):
    assert main(["exercise", "list"]) == 0
    out = capsys.readouterr().out
    assert " 1. add" in out and "18. conv2d" in out
    path = str(tmp_path / "sig.py")
    assert main(["exercise", "start", "sigmoid", "-o", path]) == 0
    assert main(["exercise", "check", path, "--hint", "--hint"]) == 1
    out = capsys.readouterr().out
    assert "backward is not written yet" in out and "hint 2/2" in out
    source = open(path).read().replace('        raise NotImplementedError("write the backward of z = sigmoid(x)")',
                                       "        z, = ctx.saved_tensors\n        return -g * z * (1 - z)")
    open(path, "w").write(source)
    assert main(["exercise", "check", path]) == 1
    assert "sign error for input 1 (x)" in capsys.readouterr().out
    open(path, "w").write(source.replace("-g * z", "g * z"))
    assert main(["exercise", "check", path]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert main(["exercise", "check", path, "--seed", "3"]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert main(["exercise", "hint", "sigmoid"]) == 0
    assert capsys.readouterr().out.startswith("hint 1/2")
    assert main(["exercise", "solution", "sigmoid"]) == 0
    assert "return g * z * (1 - z)" in capsys.readouterr().out
    assert main(["exercise", "start", "nope"]) == 2
    open(path, "w").write("EXERCISE = 'sigmoid'\nclass Sigmoid(:\n")
    assert main(["exercise", "check", path]) == 2
    assert "importing it raised SyntaxError" in capsys.readouterr().err
    assert main(["exercise", "check", str(tmp_path / "missing.py")]) == 2


def test_a_list_of_gradients_is_refused():
    ref = catalog.get("mul").function
    report = exercises.check(type("L", (ref,), {"backward": staticmethod(lambda ctx, g: list(ref.backward(ctx, g)))}),
                             "mul")
    assert report.first().message.startswith("backward returned a list; return a tuple")


# ---- train --backward ------------------------------------------------------------------------------------------
@pytest.fixture
def data(fashion_root, monkeypatch):
    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    return fashion_root


def _solutions(tmp_path, names):
    paths = {}
    for name in names:
        paths[name] = tmp_path / f"{name}.py"
        paths[name].write_text(exercises.solution(name))
    return paths


def test_train_with_the_learners_backward_agrees(data, tmp_path, capsys):
    paths = _solutions(tmp_path, ["linear", "relu", "cross_entropy"])
    argv = ["train", "--limit", "128", "--batch-size", "64"]
    for name, path in paths.items():
        argv += ["--backward", f"{name}={path}"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count(" agree\n") == 2 and "agrees with minigrad's own on all 2 steps" in out


def test_train_with_a_wrong_backward_disagrees(data, tmp_path, capsys):
    path = _solutions(tmp_path, ["relu"])["relu"]
    path.write_text(path.read_text().replace("return g * (x > 0)", "return 2 * g * (x > 0)"))
    assert main(["train", "--limit", "64", "--backward", f"relu={path}"]) == 1
    out = capsys.readouterr().out
    assert "DISAGREE" in out and "disagrees with minigrad's own from step 1" in out


def test_train_backward_refuses_what_it_cannot_plug(tmp_path):
    path = _solutions(tmp_path, ["mul", "relu"])
    with pytest.raises(SystemExit, match="'mul' is not an op of the tutorial MLP"):
        main(["train", "--backward", f"mul={path['mul']}"])
    with pytest.raises(SystemExit, match="is the relu exercise, not linear"):
        main(["train", "--backward", f"linear={path['relu']}"])
    with pytest.raises(SystemExit, match="expected NAME=FILE"):
        main(["train", "--backward", "linear"])


def test_reports_display_inline_in_jupyter():
    good = exercises.check(catalog.get("mul").function, "mul")._repr_html_()
    assert "<table>" in good and "PASSED" in good and "#d4edda" in good
    bad = exercises.check(wrong("mul", lambda gr, ctx, g: first_input(gr, lambda a: -a)), "mul")._repr_html_()
    assert "FAILED: sign error for input 1" in bad and "#f8d7da" in bad
