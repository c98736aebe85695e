"""transforms against torchvision.transforms: values, dtypes, shapes, reprs and errors."""
import numpy as np
import pytest
import torch
import torchvision.transforms as TT

import minigrad
from minigrad.vision import transforms as MT

rng = np.random.default_rng(1)


@pytest.mark.parametrize("arr", [
    rng.integers(0, 256, (5, 7), dtype=np.uint8), rng.integers(0, 256, (5, 7, 3), dtype=np.uint8),
    rng.random((4, 6, 2)), rng.random((4, 6)).astype(np.float32), rng.integers(-5, 5, (3, 2), dtype=np.int32),
])
def test_to_tensor_matches_torchvision_on_arrays(arr):
    t = TT.ToTensor()(arr)
    m = MT.ToTensor()(arr)
    assert str(m.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(m.shape) == tuple(t.shape)
    np.testing.assert_array_equal(m.data, t.numpy())
    if arr.dtype == np.uint8:  # our stand-in for a PIL image: the same pixels as a uint8 tensor
        np.testing.assert_array_equal(MT.ToTensor()(minigrad.from_numpy(arr)).data, t.numpy())


def test_to_tensor_errors():
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        MT.ToTensor()(np.zeros(3, np.uint8))
    with pytest.raises(TypeError, match="pic should be"):
        MT.ToTensor()([[1, 2]])


@pytest.mark.parametrize("mean,std", [((0.5,), (0.25,)), (0.1307, 0.3081), ([0.1, 0.2, 0.3], [1.0, 2.0, 0.5])])
def test_normalize_matches_torchvision(mean, std):
    x = rng.random((3, 4, 5)).astype(np.float32)
    t = TT.Normalize(mean, std)(torch.from_numpy(x.copy()))
    m = MT.Normalize(mean, std)(minigrad.from_numpy(x.copy()))
    assert m.dtype == minigrad.float32
    np.testing.assert_array_equal(m.data, t.numpy())
    batch = rng.random((2, 3, 4, 5)).astype(np.float32)  # (..., C, H, W)
    np.testing.assert_array_equal(MT.Normalize(mean, std)(minigrad.from_numpy(batch)).data,
                                  TT.Normalize(mean, std)(torch.from_numpy(batch)).numpy())


def test_normalize_inplace_and_not():
    x = minigrad.ones(1, 2, 2)
    y = MT.Normalize((0.5,), (0.5,))(x)
    assert float(x.data.max()) == 1.0 and float(y.data.max()) == 1.0
    z = minigrad.full((1, 2, 2), 3.0)
    out = MT.Normalize((1.0,), (2.0,), inplace=True)(z)
    assert out is z and float(z.data[0, 0, 0]) == 1.0


def test_normalize_is_differentiable():
    x = minigrad.ones(1, 2, 2, requires_grad=True)
    MT.Normalize((0.5,), (0.25,))(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((1, 2, 2), 4.0))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: MT.Normalize(0.5, 0.5)(minigrad.zeros(2, 2)), ValueError,
     r"Expected tensor to be a tensor image of size \(\.\.\., C, H, W\)"),
    (lambda: MT.Normalize(0.5, 0.5)(minigrad.zeros(1, 2, 2, dtype=minigrad.uint8)), TypeError,
     "Input tensor should be a float tensor. Got minigrad.uint8."),
    (lambda: MT.Normalize(0.5, 0.0)(minigrad.zeros(1, 2, 2)), ValueError,
     "std evaluated to zero after conversion to minigrad.float32, leading to division by zero."),
    (lambda: MT.Normalize(0.5, 0.5)(np.zeros((1, 2, 2))), TypeError, "img should be Tensor Image"),
    (lambda: MT.Lambda(3), TypeError, "Argument lambd should be callable, got 'int'"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_reprs_match_torchvision():
    def both(build):
        return repr(build(MT)), repr(build(TT))

    for build in (lambda T: T.ToTensor(), lambda T: T.Normalize((0.5,), (0.5,)),
                  lambda T: T.Normalize([0.1, 0.2], [1, 2], inplace=True), lambda T: T.Lambda(abs),
                  lambda T: T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,)), T.Lambda(lambda x: x)])):
        m, t = both(build)
        assert m == t


def test_compose_and_lambda_apply_in_order():
    target = MT.Lambda(lambda y: minigrad.zeros(10, dtype=minigrad.float32).scatter_(
        0, minigrad.tensor(y), value=1))  # the tutorial's one-hot target_transform
    np.testing.assert_array_equal(target(3).data, np.eye(10, dtype=np.float32)[3])
    pipeline = MT.Compose([MT.ToTensor(), MT.Lambda(lambda x: x * 2)])
    out = pipeline(np.full((2, 2), 255, np.uint8))
    np.testing.assert_array_equal(out.data, np.full((1, 2, 2), 2.0, np.float32))
