"""The pointwise ops of issue 11a against torch: values, dtypes, every input gradient and second derivatives
(create_graph), in float64 (rtol 1e-10) and float32 (rtol 1e-5); torch's grad_fn names, in-place variants, integer
inputs and error behaviour.

Each op is written once as `fn(lib, *tensors)` and run with lib = torch and lib = minigrad. Inputs stay inside each
op's domain and away from its non-differentiable points (poles, kinks, jumps of fmod and friends).
"""
import functools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from parity import TOL, check_parity
from strategies import arrays, broadcastable_pair, float_dtypes, shapes

# ~100 hypothesis tests here: 15 examples each keeps the file fast; the `thorough` profile keeps its own count
EXAMPLES = settings(max_examples=15 if settings.default.max_examples <= 40 else settings.default.max_examples)


def parity(fn, *arrays, **kw):
    return check_parity(functools.partial(fn, torch), functools.partial(fn, minigrad), *arrays, **kw)


def _tol(arrays):
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    return TOL[min(floats, key=lambda d: d.itemsize)] if floats else TOL[np.dtype(np.float64)]


def double_backward(fn, *arrays, rtol=None, atol=None):
    """g = d(sum(f(x) w))/dx with create_graph, then d(sum(g v))/dx, in both libraries: the first and second
    derivatives must agree. Gradients that do not depend on x (no graph in torch) must be zero in minigrad."""
    results = []
    for L in (torch, minigrad):
        rng = np.random.default_rng(1)  # the same w and v for both
        xs = [L.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
        out = fn(L, *xs)
        w = L.from_numpy(rng.standard_normal(out.shape).astype(out.detach().numpy().dtype))
        gs = L.autograd.grad((out * w).sum(), xs, create_graph=True, allow_unused=True)
        gs = [g if g is not None else L.zeros_like(x) for g, x in zip(gs, xs)]
        vs = [L.from_numpy(rng.standard_normal(a.shape).astype(a.dtype)) for a in arrays]
        live = [(g * v).sum() for g, v in zip(gs, vs) if g.requires_grad]
        if live:
            hs = L.autograd.grad(sum(live), xs, allow_unused=True)
            hs = [np.zeros(a.shape, a.dtype) if h is None else h.detach().numpy() for h, a in zip(hs, arrays)]
        else:
            hs = [np.zeros(a.shape, a.dtype) for a in arrays]
        results.append(([g.detach().numpy() for g in gs], hs))
    tol = dict(_tol(arrays))
    tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    (t_g, t_h), (m_g, m_h) = results
    for i in range(len(arrays)):
        np.testing.assert_allclose(m_g[i], t_g[i], err_msg=f"first derivative {i}", equal_nan=True, **tol)
        np.testing.assert_allclose(m_h[i], t_h[i], err_msg=f"second derivative {i}", equal_nan=True, **tol)


def _away_from_integers(a, margin=0.1):
    """Values whose fractional part is at least `margin` from a whole number (rounding ops jump at integers)."""
    f = a - np.floor(a)
    return np.where(f < margin, a + margin, np.where(f > 1 - margin, a - margin, a)).astype(a.dtype)


def interval(lo, hi):
    return lambda dt, s: arrays(dt, s, lo, hi)


def _no_half(dt, s):  # round: ties to even are compared too, but no .5 drawn by float noise near them
    return arrays(dt, s, -4.0, 4.0).map(_away_from_integers)


# ---- unary ops -----------------------------------------------------------------------------------------------------
UNARY = {  # name: (fn, values)
    "sin": (lambda L, x: L.sin(x), interval(-6, 6)),
    "cos": (lambda L, x: x.cos(), interval(-6, 6)),
    "tan": (lambda L, x: L.tan(x), interval(-1.3, 1.3)),
    "asin": (lambda L, x: L.asin(x), interval(-0.9, 0.9)),
    "arcsin": (lambda L, x: L.arcsin(x), interval(-0.9, 0.9)),
    "acos": (lambda L, x: x.acos(), interval(-0.9, 0.9)),
    "atan": (lambda L, x: L.atan(x), interval(-5, 5)),
    "sinh": (lambda L, x: L.sinh(x), interval(-4, 4)),
    "cosh": (lambda L, x: x.cosh(), interval(-4, 4)),
    "asinh": (lambda L, x: L.asinh(x), interval(-5, 5)),
    "acosh": (lambda L, x: L.acosh(x), interval(1.1, 6)),
    "atanh": (lambda L, x: x.atanh(), interval(-0.9, 0.9)),
    "exp2": (lambda L, x: L.exp2(x), interval(-5, 5)),
    "expm1": (lambda L, x: x.expm1(), interval(-4, 4)),
    "log2": (lambda L, x: L.log2(x), interval(0.1, 8)),
    "log10": (lambda L, x: x.log10(), interval(0.1, 8)),
    "rsqrt": (lambda L, x: L.rsqrt(x), interval(0.2, 6)),
    "reciprocal": (lambda L, x: x.reciprocal(), lambda dt, s: arrays(dt, s, -4, 4, min_magnitude=0.3)),
    "square": (lambda L, x: L.square(x), interval(-4, 4)),
    "sign": (lambda L, x: L.sign(x), interval(-3, 3)),
    "sgn": (lambda L, x: x.sgn() + x, interval(-3, 3)),  # + x: torch's gradient of sgn alone is a ZeroTensor
    "trunc": (lambda L, x: L.trunc(x), _no_half),
    "fix": (lambda L, x: L.fix(x), _no_half),
    "frac": (lambda L, x: x.frac(), _no_half),
    "floor": (lambda L, x: L.floor(x), _no_half),
    "ceil": (lambda L, x: x.ceil(), _no_half),
    "round": (lambda L, x: L.round(x), _no_half),
    "round(decimals=2)": (lambda L, x: L.round(x, decimals=2), interval(-4, 4)),
    "round(decimals=-1)": (lambda L, x: x.round(decimals=-1), interval(-40, 40)),
    "erf": (lambda L, x: L.erf(x), interval(-5, 5)),
    "erfc": (lambda L, x: x.erfc(), interval(-3, 9)),
    "erfinv": (lambda L, x: L.erfinv(x), interval(-0.99, 0.99)),
    "logit": (lambda L, x: L.logit(x), interval(0.05, 0.95)),
    "logit(eps)": (lambda L, x: x.logit(eps=0.2), interval(0.01, 0.99)),  # torch's 2nd derivative is NaN near 0
    "nan_to_num": (lambda L, x: L.nan_to_num(x), interval(-3, 3)),
    "logit(eps > 1/2)": (lambda L, x: L.logit(x, 0.6), interval(0.01, 0.99)),
    "logit(eps < 0)": (lambda L, x: L.logit(x, -0.2), interval(0.01, 0.99)),
    "positive": (lambda L, x: L.positive(x) * 2, interval(-3, 3)),
}


@pytest.mark.parametrize("name", UNARY)
@EXAMPLES
@given(dt=float_dtypes, shape=shapes(min_side=0), data=st.data())
def test_unary(name, dt, shape, data):
    fn, values = UNARY[name]
    x = data.draw(values(dt, shape))
    if name == "logit(eps)":  # away from the clamp's corners at eps and 1 - eps
        x = np.where(np.abs(np.abs(x - 0.5) - 0.3) < 0.02, 0.5, x).astype(dt)
    parity(fn, x)
    double_backward(fn, x)


@pytest.mark.parametrize("name", ["sin", "exp2", "log2", "rsqrt", "erf", "erfinv", "square", "sign", "floor",
                                  "round", "trunc"])
def test_unary_integer_inputs(name):
    """Float ops compute integers in float32; rounding and sign keep the integer dtype; square stays integer."""
    x = np.array([-2, 0, 1, 3], np.int64) if name not in ("log2", "rsqrt", "erfinv") else np.array([1, 2, 3])
    if name == "erfinv":
        x = np.array([0, 1, -1])
    # rtol 1e-6: the result is float32 (torch's float32 sin and NumPy's may differ in the last bit)
    parity(UNARY[name][0], x, grad=False, rtol=1e-6)
    if name in ("sin", "erf", "sign"):
        parity(UNARY[name][0], np.array([True, False]), grad=False, rtol=1e-6)


def test_nan_to_num_values():
    x = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])
    for dt in (np.float64, np.float32):
        parity(lambda L, t: L.nan_to_num(t), x.astype(dt))
        parity(lambda L, t: t.nan_to_num(nan=1.0, posinf=9.0, neginf=-9.0), x.astype(dt))
        parity(lambda L, t: L.nan_to_num(t, posinf=5.0), x.astype(dt))


EDGE_X = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 1e-310, 3.0, -7.0])
EDGE_Y = np.array([2.0, np.nan, 0.0, -0.0, np.inf, -np.inf, 0.0, -1.5, 2.0, 3.0, 0.0, -2.0])


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_edge_values(dt):
    """NaN, infinities, signed zeros, subnormals, halves, poles and division by 0: the values torch gives."""
    x, y = EDGE_X.astype(dt), EDGE_Y.astype(dt)
    with np.errstate(all="ignore"):
        for name in [n for n in UNARY if "(" not in n]:
            parity(UNARY[name][0], x, grad=False)
        for name in [n for n in BINARY if "(" not in n]:
            parity(BINARY[name][0], x, y, grad=False)
        parity(lambda L, a, b: L.floor_divide(a, b), x, y, grad=False)
        parity(lambda L, a, b: L.heaviside(a, b), x, y, grad=False)
        for mode in ("trunc", "floor"):
            parity(lambda L, a, b: L.div(a, b, rounding_mode=mode), x, y, grad=False)


def test_special_functions_accuracy():
    """erf, erfc and erfinv in float64 over their whole range, against torch: the largest relative error."""
    x = np.concatenate([np.linspace(-6, 6, 4001), np.linspace(-27, 27, 541), [0.0, -0.0, 1e-300, 1e-8, -1e-8]])
    tx = torch.from_numpy(x)
    for name in ("erf", "erfc"):
        ours = getattr(minigrad, name)(minigrad.from_numpy(x)).numpy()
        theirs = getattr(torch, name)(tx).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=2e-15, atol=1e-300, err_msg=name)  # measured: 8e-16
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 4001), 1 - np.logspace(-16, -1, 100), [0.0, 1e-12]])
    ours = minigrad.erfinv(minigrad.from_numpy(y)).numpy()
    np.testing.assert_allclose(ours, torch.erfinv(torch.from_numpy(y)).numpy(), rtol=3e-15, err_msg="erfinv")  # 1e-15
    edges = minigrad.erfinv(minigrad.tensor([1.0, -1.0, 1.5, float("nan")], dtype=minigrad.float64)).numpy()
    np.testing.assert_array_equal(edges, [np.inf, -np.inf, np.nan, np.nan])
    np.testing.assert_array_equal(minigrad.erf(minigrad.tensor([np.inf, -np.inf])).numpy(), [1.0, -1.0])
    np.testing.assert_array_equal(minigrad.erfc(minigrad.tensor([np.inf, -np.inf])).numpy(), [0.0, 2.0])


# ---- binary ops ----------------------------------------------------------------------------------------------------
def _pos(dt, s):
    return arrays(dt, s, 0.2, 4.0)


def _nonzero(dt, s):
    return arrays(dt, s, -4.0, 4.0, min_magnitude=0.3)


BINARY = {  # name: (fn, values of x, values of y)
    "atan2": (lambda L, x, y: L.atan2(x, y), _nonzero, _nonzero),
    "arctan2": (lambda L, x, y: x.arctan2(y), _nonzero, _nonzero),
    "fmod": (lambda L, x, y: L.fmod(x, y), interval(-4, 4), _nonzero),
    "remainder": (lambda L, x, y: x.remainder(y), interval(-4, 4), _nonzero),
    "hypot": (lambda L, x, y: L.hypot(x, y), _nonzero, _nonzero),
    "logaddexp": (lambda L, x, y: L.logaddexp(x, y), interval(-6, 6), interval(-6, 6)),
    "logaddexp2": (lambda L, x, y: x.logaddexp2(y), interval(-6, 6), interval(-6, 6)),
    "xlogy": (lambda L, x, y: L.xlogy(x, y), interval(-3, 3), _pos),
    "copysign": (lambda L, x, y: L.copysign(x, y), _nonzero, _nonzero),
    "float_power": (lambda L, x, y: L.float_power(x, y), _pos, interval(-2, 2)),
    "clamp_min": (lambda L, x, y: L.clamp_min(x, y), interval(-3, 3), interval(-3, 3)),
    "clamp_max": (lambda L, x, y: x.clamp_max(y), interval(-3, 3), interval(-3, 3)),
    "lerp(number)": (lambda L, x, y: L.lerp(x, y, 0.3), interval(-3, 3), interval(-3, 3)),
    "lerp(0.7)": (lambda L, x, y: x.lerp(y, 0.7), interval(-3, 3), interval(-3, 3)),
    "div(trunc)": (lambda L, x, y: L.div(x, y, rounding_mode="trunc") * x, interval(-4, 4), _nonzero),
    "div(floor)": (lambda L, x, y: x.div(y, rounding_mode="floor") + y, interval(-4, 4), _nonzero),
}
_JUMPS = {"fmod": np.trunc, "remainder": np.floor, "div(trunc)": np.trunc, "div(floor)": np.floor}


@pytest.mark.parametrize("name", BINARY)
@EXAMPLES
@given(dt=float_dtypes, pair=broadcastable_pair(), data=st.data())
def test_binary(name, dt, pair, data):
    fn, xs, ys = BINARY[name]
    x, y = data.draw(xs(dt, pair[0])), data.draw(ys(dt, pair[1]))
    if name in _JUMPS:  # x / y away from the jumps of trunc / floor
        q = x / y
        x = np.where(np.abs(q - np.round(q)) < 0.05, y * (np.round(q) + 0.5), x).astype(dt)
    if name in ("clamp_min", "clamp_max") and x.size and y.size:  # ties: torch splits the gradient in half
        x = np.where(np.arange(x.size).reshape(x.shape) % 3 == 0, x.flat[0], x).astype(dt)
        y = np.where(np.arange(y.size).reshape(y.shape) % 3 == 0, x.flat[0], y).astype(dt)
    parity(fn, x, y)
    double_backward(fn, x, y)


SCALAR_OTHER = {  # a tensor and a number
    "fmod": lambda L, x: L.fmod(x, 1.3),
    "remainder": lambda L, x: L.remainder(x, -1.3),
    "xlogy": lambda L, x: L.xlogy(x, 2.5),
    "xlogy(number, x)": lambda L, x: L.xlogy(2.5, x.abs() + 0.5),
    "copysign": lambda L, x: L.copysign(x, -1.0),
    "float_power": lambda L, x: L.float_power(x.abs() + 0.5, 1.7),
    "float_power(number, x)": lambda L, x: L.float_power(2.0, x),
    "clamp_min": lambda L, x: L.clamp_min(x, 0.5),
    "clamp_max": lambda L, x: x.clamp_max(-0.5),
}


@pytest.mark.parametrize("name", SCALAR_OTHER)
@EXAMPLES
@given(dt=float_dtypes, shape=shapes(), data=st.data())
def test_scalar_other(name, dt, shape, data):
    x = data.draw(arrays(dt, shape, -3, 3))
    if name in ("fmod", "remainder"):
        x = _away_from_integers(x / 1.3, 0.05) * 1.3
    if name == "copysign":  # torch's second derivative, d(z/x)/dx, is rounding noise (or NaN) for x near 0
        x = np.where(np.abs(x) < 0.3, 1.0, x)
    if name.startswith("clamp"):
        x = np.where(np.arange(x.size).reshape(x.shape) % 3 == 0, np.float32(0.5 if name == "clamp_min" else -0.5),
                     x).astype(dt)  # ties with the bound: gradient 0 there, as torch
    x = np.asarray(x, dt)
    parity(SCALAR_OTHER[name], x)
    double_backward(SCALAR_OTHER[name], x)


TERNARY = {
    "lerp(tensor weight)": (lambda L, a, b, w: L.lerp(a, b, w), interval(-1, 2)),
    "addcmul": (lambda L, a, b, c: L.addcmul(a, b, c), interval(-3, 3)),
    "addcmul(value)": (lambda L, a, b, c: a.addcmul(b, c, value=-0.5), interval(-3, 3)),
    "addcdiv": (lambda L, a, b, c: L.addcdiv(a, b, c, value=2), _nonzero),
    "addcdiv(value 1)": (lambda L, a, b, c: a.addcdiv(b, c), _nonzero),
}


@pytest.mark.parametrize("name", TERNARY)
@EXAMPLES
@given(dt=float_dtypes, three=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       data=st.data())
def test_ternary(name, dt, three, data):
    fn, values = TERNARY[name]
    xs = [data.draw(values(dt, sh)) for sh in three.input_shapes]
    parity(fn, *xs)
    double_backward(fn, *xs)


def test_float32_stays_float32_and_integers_promote():
    x32 = np.array([0.5, 1.5, -2.0], np.float32)
    for fn in (lambda L, a: L.sin(a), lambda L, a: L.erf(a), lambda L, a: L.atan2(a, a),
               lambda L, a: L.hypot(a, a), lambda L, a: L.xlogy(a, 2.0), lambda L, a: L.lerp(a, a * 2, 0.5)):
        out, _ = parity(fn, x32)
        assert out.dtype == minigrad.float32
    i = np.array([1, 2, -3])
    for fn in (lambda L, a: L.atan2(a, a), lambda L, a: L.xlogy(a, a.abs()), lambda L, a: L.copysign(a, a),
               lambda L, a: L.fmod(a, 2), lambda L, a: L.remainder(a, 2), lambda L, a: L.floor_divide(a, 2),
               lambda L, a: L.remainder(a, 2.5), lambda L, a: L.float_power(a, 2), lambda L, a: L.clamp_min(a, 1.5),
               lambda L, a: L.addcmul(a, a, a, value=2), lambda L, a: L.heaviside(a, a),
               lambda L, a: L.div(a, 2, rounding_mode="trunc"), lambda L, a: L.div(a, -2, rounding_mode="floor")):
        parity(fn, i, grad=False, rtol=1e-6)  # float32 results: NumPy's and torch's may differ in the last bit


def test_floor_divide_and_heaviside_values():
    x = np.array([-3.5, -1.0, 0.0, 0.0, 2.5, 7.0])
    y = np.array([2.0, -0.5, 1.5, -2.0, 0.75, 3.0])
    parity(lambda L, a, b: L.floor_divide(a, b), x, y, grad=False)
    parity(lambda L, a, b: a.floor_divide(b), x.astype(np.float32), y.astype(np.float32), grad=False)
    parity(lambda L, a, b: L.heaviside(a, b), x, y, grad=False)


# ---- graphs: torch's node names, zero gradients of the step functions -----------------------------------------------
NODES = {
    "floor": lambda L, x, y: L.floor(x), "ceil": lambda L, x, y: x.ceil(), "round": lambda L, x, y: L.round(x),
    "round(decimals)": lambda L, x, y: L.round(x, decimals=1), "trunc": lambda L, x, y: L.trunc(x),
    "sign": lambda L, x, y: L.sign(x), "sgn": lambda L, x, y: L.sgn(x), "frac": lambda L, x, y: L.frac(x),
    "div(trunc)": lambda L, x, y: L.div(x, y, rounding_mode="trunc"),
    "div(floor)": lambda L, x, y: L.div(x, 2.0, rounding_mode="floor"),
    "fmod": lambda L, x, y: L.fmod(x, y), "fmod(number)": lambda L, x, y: L.fmod(x, 2.0),
    "remainder": lambda L, x, y: L.remainder(x, y), "remainder(number)": lambda L, x, y: L.remainder(x, 2.0),
    "xlogy(number)": lambda L, x, y: L.xlogy(x, 2.0), "copysign(number)": lambda L, x, y: L.copysign(x, 2.0),
    "clamp_min": lambda L, x, y: L.clamp_min(x, 0.0), "clamp_min(tensor)": lambda L, x, y: L.clamp_min(x, y),
    "clamp_max": lambda L, x, y: L.clamp_max(x, 0.0), "clamp_max(tensor)": lambda L, x, y: L.clamp_max(x, y),
    "lerp": lambda L, x, y: L.lerp(x, y, 0.5), "lerp(tensor)": lambda L, x, y: L.lerp(x, y, y),
    "square": lambda L, x, y: L.square(x), "exp2": lambda L, x, y: L.exp2(x), "erfinv": lambda L, x, y: L.erfinv(x),
    "logit": lambda L, x, y: L.logit(x, 0.1), "nan_to_num": lambda L, x, y: L.nan_to_num(x),
    "addcmul": lambda L, x, y: L.addcmul(x, x, y), "addcdiv": lambda L, x, y: L.addcdiv(x, x, y),
}


@pytest.mark.parametrize("name", NODES)
def test_grad_fn_names(name):
    x, y = np.array([0.3, 0.6, -1.7]), np.array([0.7, 0.8, 0.9])
    outs = [NODES[name](L, L.from_numpy(x.copy()).requires_grad_(), L.from_numpy(y.copy()).requires_grad_())
            for L in (torch, minigrad)]
    assert type(outs[1].grad_fn).__name__ == type(outs[0].grad_fn).__name__
    assert outs[1].requires_grad and outs[0].requires_grad
    parity(lambda L, a, b: NODES[name](L, a, b) + a, x, y)  # the step functions: zero gradients, as torch (+ a:
    # torch's gradient of sgn alone is a ZeroTensor, which numpy() refuses)


def test_positive_is_the_input():
    x = minigrad.tensor([1.0, -2.0], requires_grad=True)
    assert minigrad.positive(x) is x and x.positive() is x


# ---- in place ------------------------------------------------------------------------------------------------------
INPLACE = {  # name: (the in-place call, values)
    "sin_": (lambda x: x.sin_(), (-3, 3)), "cos_": (lambda x: x.cos_(), (-3, 3)), "tan_": (lambda x: x.tan_(), (-1, 1)),
    "asin_": (lambda x: x.asin_(), (-0.9, 0.9)), "acos_": (lambda x: x.acos_(), (-0.9, 0.9)),
    "atan_": (lambda x: x.atan_(), (-3, 3)), "sinh_": (lambda x: x.sinh_(), (-3, 3)),
    "cosh_": (lambda x: x.cosh_(), (-3, 3)), "asinh_": (lambda x: x.asinh_(), (-3, 3)),
    "acosh_": (lambda x: x.acosh_(), (1.2, 3)), "atanh_": (lambda x: x.atanh_(), (-0.9, 0.9)),
    "arcsin_": (lambda x: x.arcsin_(), (-0.9, 0.9)), "exp2_": (lambda x: x.exp2_(), (-3, 3)),
    "expm1_": (lambda x: x.expm1_(), (-3, 3)), "log2_": (lambda x: x.log2_(), (0.2, 3)),
    "log10_": (lambda x: x.log10_(), (0.2, 3)), "log1p_": (lambda x: x.log1p_(), (0.2, 3)),
    "rsqrt_": (lambda x: x.rsqrt_(), (0.2, 3)), "reciprocal_": (lambda x: x.reciprocal_(), (0.2, 3)),
    "square_": (lambda x: x.square_(), (-3, 3)), "sign_": (lambda x: x.sign_(), (-3, 3)),
    "sgn_": (lambda x: x.sgn_(), (-3, 3)), "trunc_": (lambda x: x.trunc_(), (0.1, 0.9)),
    "fix_": (lambda x: x.fix_(), (0.1, 0.9)), "frac_": (lambda x: x.frac_(), (1.1, 1.9)),
    "floor_": (lambda x: x.floor_(), (0.1, 0.9)), "ceil_": (lambda x: x.ceil_(), (0.1, 0.9)),
    "round_": (lambda x: x.round_(), (0.1, 0.4)), "round_(decimals)": (lambda x: x.round_(decimals=1), (0.1, 0.4)),
    "erf_": (lambda x: x.erf_(), (-3, 3)), "erfc_": (lambda x: x.erfc_(), (-3, 3)),
    "erfinv_": (lambda x: x.erfinv_(), (-0.9, 0.9)), "logit_": (lambda x: x.logit_(), (0.1, 0.9)),
    "nan_to_num_": (lambda x: x.nan_to_num_(), (-3, 3)),
    "atan2_": (lambda x: x.atan2_(x * 0 + 0.7), (0.3, 3)), "arctan2_": (lambda x: x.arctan2_(x * 0 + 0.7), (0.3, 3)),
    "fmod_": (lambda x: x.fmod_(1.7), (0.2, 1.5)), "remainder_": (lambda x: x.remainder_(-1.7), (0.2, 1.5)),
    "hypot_": (lambda x: x.hypot_(x * 2), (0.3, 3)), "xlogy_": (lambda x: x.xlogy_(2.0), (-3, 3)),
    "copysign_": (lambda x: x.copysign_(-1.0), (0.3, 3)), "clamp_min_": (lambda x: x.clamp_min_(0.0), (0.3, 3)),
    "clamp_max_": (lambda x: x.clamp_max_(0.0), (-3, -0.3)), "lerp_": (lambda x: x.lerp_(x * 3, 0.25), (-3, 3)),
    "addcmul_": (lambda x: x.addcmul_(x * 2, x + 1, value=0.5), (-3, 3)),
    "addcdiv_": (lambda x: x.addcdiv_(x * 3, x + 1, value=0.5), (0.3, 3)),
    "float_power_": (lambda x: x.float_power_(2.5), (0.3, 3)),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace(name):
    """On a non-leaf, so the graph is rewritten (torch's grad_fn after the op); and without grad, in x's own array."""
    call, (lo, hi) = INPLACE[name]
    x = np.random.default_rng(0).uniform(lo, hi, (2, 3))

    def fn(L, a):
        b = a * 1.0
        return call(b)

    if name in ("asinh_", "acosh_", "atanh_"):  # torch has no derivative for these in place
        for L in (torch, minigrad):
            out = fn(L, L.from_numpy(x.copy()).requires_grad_())
            assert type(out.grad_fn).__name__ == name[:-1].capitalize() + "Backward1"
            with pytest.raises(NotImplementedError, match=f"the derivative for 'inplace version of {name[:-1]}'"):
                out.sum().backward()
    else:
        parity(lambda L, a: fn(L, a) + a, x)  # + a: torch's gradient of sgn_ alone is a ZeroTensor (numpy() refuses)
        outs = [fn(L, L.from_numpy(x.copy()).requires_grad_()) for L in (torch, minigrad)]
        assert type(outs[1].grad_fn).__name__ == type(outs[0].grad_fn).__name__
    plain = minigrad.from_numpy(x.copy())
    data = plain.data
    assert call(plain) is plain and plain.data is data
    np.testing.assert_allclose(plain.numpy(), call(torch.from_numpy(x.copy())).numpy(), rtol=1e-12)


def test_inplace_errors():
    for L in (torch, minigrad):
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
            L.tensor([1, 2]).sin_()
        with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast shape \[2, 2\]"):
            L.ones(2).fmod_(L.ones(2, 2))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            L.ones(2, requires_grad=True).sin_()
        with pytest.raises(RuntimeError, match="float_power_ has dtype Float but the operation's result requires"):
            L.ones(2).float_power_(2)


# ---- errors --------------------------------------------------------------------------------------------------------
ERRORS = [  # (call, exception type, message fragment)
    (lambda L: L.sin(2.0), TypeError, "sin(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.floor(2.0), TypeError, "floor(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.erf(2.0), TypeError, "erf(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.logit(2.0), TypeError, "logit(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.square(2.0), TypeError, "square(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.sign(2.0), TypeError, "sign(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.positive(2.0), TypeError, "positive(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.nan_to_num(2.0), TypeError, "nan_to_num(): argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.atan2(L.ones(2), 2), TypeError, "argument 'other' (position 2) must be Tensor, not int"),
    (lambda L: L.hypot(2.0, L.ones(2)), TypeError, "argument 'input' (position 1) must be Tensor, not float"),
    (lambda L: L.hypot(L.tensor([1]), L.tensor([2])), NotImplementedError, "\"hypot_cpu\" not implemented for 'Long'"),
    (lambda L: L.logaddexp(L.tensor([1]), L.tensor([2])), NotImplementedError, "logaddexp_cpu"),
    (lambda L: L.heaviside(L.ones(2), L.tensor([1])), RuntimeError, "different dtypes"),
    (lambda L: L.lerp(L.ones(2), L.ones(2, dtype=L.float64), 0.5), RuntimeError,
     "expected dtype float for `end` but got dtype double"),
    (lambda L: L.lerp(L.tensor([1]), L.tensor([2]), 0.5), NotImplementedError, "lerp_kernel_scalar"),
    (lambda L: L.addcdiv(L.tensor([1]), L.tensor([1]), L.tensor([1])), RuntimeError, "Integer division with addcdiv"),
    (lambda L: L.frac(L.tensor([1])), NotImplementedError, "\"frac_cpu\" not implemented for 'Long'"),
    (lambda L: L.floor(L.tensor([True])), NotImplementedError, "not implemented for 'Bool'"),
    (lambda L: L.positive(L.tensor([True])), NotImplementedError, "on a bool tensor is not supported"),
    (lambda L: L.xlogy(L.ones(2), L.ones(3)), RuntimeError, "The size of tensor a (2) must match the size of tensor b"),
    (lambda L: L.div(L.ones(2), 2, rounding_mode="round"), RuntimeError, "div expected rounding_mode to be one of"),
    (lambda L: L.div(L.tensor([1]), 0, rounding_mode="floor"), RuntimeError, "ZeroDivisionError"),
    (lambda L: L.floor_divide(L.ones(2, requires_grad=True), 2.0).sum().backward(), RuntimeError,
     "derivative for aten::floor_divide is not implemented"),
    (lambda L: L.heaviside(L.ones(2, requires_grad=True), L.ones(1)).sum().backward(), RuntimeError,
     "derivative for aten::heaviside is not implemented"),
    (lambda L: (3.0 % L.ones(2, requires_grad=True)).sum().backward(), RuntimeError,
     "derivative for aten::remainder is not implemented"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    call, exc, fragment = ERRORS[k]
    for L in (torch, minigrad):
        with pytest.raises(exc) as info:
            call(L)
        assert fragment in str(info.value), f"{L.__name__}: {info.value}"


def test_exports():
    names = ("sin cos tan asin acos atan atan2 arctan2 sinh cosh asinh acosh atanh exp2 expm1 log2 log10 log1p rsqrt "
             "reciprocal square sign sgn trunc fix frac floor ceil round fmod remainder floor_divide hypot logaddexp "
             "logaddexp2 lerp addcmul addcdiv xlogy erf erfc erfinv logit nan_to_num clamp_min clamp_max copysign "
             "heaviside float_power positive").split()
    for n in names:
        assert hasattr(minigrad, n), n
        assert hasattr(minigrad.Tensor, n), n
        if hasattr(torch.Tensor, n + "_"):
            assert hasattr(minigrad.Tensor, n + "_"), n + "_"
        if hasattr(torch, n + "_"):
            assert hasattr(minigrad, n + "_"), "torch." + n + "_"
    assert math.isclose(minigrad.erf(minigrad.tensor(0.5)).item(), math.erf(0.5), rel_tol=1e-7)


# ---- finite differences: a check that does not trust torch --------------------------------------------------------
FD_UNARY = {  # name: the interval the values are drawn from
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "asin": (-0.8, 0.8), "acos": (-0.8, 0.8), "atan": (-3, 3),
    "sinh": (-3, 3), "cosh": (-3, 3), "asinh": (-3, 3), "acosh": (1.2, 4), "atanh": (-0.8, 0.8), "exp2": (-3, 3),
    "expm1": (-3, 3), "log2": (0.2, 4), "log10": (0.2, 4), "rsqrt": (0.3, 4), "reciprocal": (0.3, 4),
    "square": (-3, 3), "frac": (0.1, 0.9), "erf": (-3, 3), "erfc": (-3, 5), "erfinv": (-0.95, 0.95),
    "logit": (0.05, 0.95), "logit(eps)": (0.25, 0.75), "nan_to_num": (-3, 3),
}
FD_BINARY = {  # name: the intervals of x and y
    "atan2": ((0.3, 2), (0.3, 2)), "fmod": ((0.2, 1.0), (1.3, 1.9)), "remainder": ((0.2, 1.0), (1.3, 1.9)),
    "hypot": ((0.3, 2), (-2, -0.3)), "logaddexp": ((-3, 3), (-3, 3)), "logaddexp2": ((-3, 3), (-3, 3)),
    "xlogy": ((-2, 2), (0.3, 3)), "copysign": ((0.3, 2), (-2, -0.3)), "float_power": ((0.3, 2), (-1.5, 1.5)),
    "lerp(number)": ((-2, 2), (-2, 2)), "lerp(0.7)": ((-2, 2), (-2, 2)),
}


def _fd_check(fn, *arrays):
    """Central differences for the first derivatives, and again for the second ones (of x -> <grad f(x), v>)."""
    ts = [minigrad.from_numpy(a).requires_grad_() for a in arrays]
    assert minigrad.autograd.gradcheck(lambda *t: fn(minigrad, *t), ts)
    v = [np.random.default_rng(2).standard_normal(a.shape) for a in arrays]

    def first(*t):
        out = fn(minigrad, *t)
        gs = minigrad.autograd.grad(out.sum(), t, create_graph=True, allow_unused=True)
        terms = [(g * minigrad.from_numpy(w)).sum() for g, w in zip(gs, v) if g is not None and g.requires_grad]
        return sum(terms) if terms else (t[0] * 0.0).sum()

    assert minigrad.autograd.gradcheck(first, ts)


@pytest.mark.parametrize("name", FD_UNARY)
def test_finite_differences_unary(name):
    lo, hi = FD_UNARY[name]
    _fd_check(UNARY[name][0], np.random.default_rng(0).uniform(lo, hi, (2, 3)))


@pytest.mark.parametrize("name", FD_BINARY)
def test_finite_differences_binary(name):
    (xl, xh), (yl, yh) = FD_BINARY[name]
    rng = np.random.default_rng(0)
    _fd_check(BINARY[name][0], rng.uniform(xl, xh, (2, 3)), rng.uniform(yl, yh, (3,)))


@pytest.mark.parametrize("name", TERNARY)
def test_finite_differences_ternary(name):
    rng = np.random.default_rng(0)
    a, b, c = rng.uniform(-2, 2, (2, 3)), rng.uniform(-2, 2, (3,)), rng.uniform(0.5, 2, (2, 1))
    if name.startswith("lerp"):
        c = rng.uniform(-0.5, 1.5, (2, 1))
    _fd_check(TERNARY[name][0], a, b, c)


def test_operators():
    """+x, number % x and number // x, as torch."""
    x = np.array([1.5, -2.5, 3.0])
    parity(lambda L, a: +a, x)
    parity(lambda L, a: 7 % a, x, grad=False)
    parity(lambda L, a: 7 // a, x, grad=False)
    t = minigrad.from_numpy(x)
    assert +t is t
