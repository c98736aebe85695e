"""torchvision.transforms' basics: ToTensor, Normalize, Lambda, Compose (same behaviour, arguments and reprs).

Where torchvision takes a PIL image, these take what minigrad's datasets give instead: a uint8 tensor (H, W) or
(H, W, C) is treated exactly as torchvision treats the PIL image holding the same pixels.

ToTensor and Normalize also know how to work on a whole batch at once (`_batch`: (N, H, W[, C]) uint8 ->
(N, C, H, W) float32), which is what lets FashionMNIST hand the DataLoader a batch in one NumPy step; the result is
identical to applying them sample by sample.
"""
import numpy as np

from ..creation import as_tensor
from ..tensor import Tensor

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor"]


class Compose:
    """Apply each transform in turn: `Compose([ToTensor(), Normalize((0.5,), (0.5,))])`."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def _batch(self, imgs):
        for t in self.transforms:
            imgs = t._batch(imgs)
        return imgs

    def _can_batch(self):
        return all(_can_batch(t) for t in self.transforms)

    def __repr__(self):
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({lines}\n)"


def _can_batch(transform):
    """Whether transform has an exact batched form (only ToTensor, Normalize and Compose of those do)."""
    if type(transform) in (ToTensor, Normalize):
        return True
    return type(transform) is Compose and transform._can_batch()


class ToTensor:
    """(H, W) or (H, W, C) image -> (C, H, W) tensor; uint8 is scaled to float32 in [0, 1], other dtypes keep their
    values and dtype (as torchvision does for ndarrays)."""

    def __call__(self, pic):
        if isinstance(pic, Tensor):
            pic = pic.data
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"pic should be a uint8 Tensor or ndarray (minigrad's stand-in for a PIL Image). "
                            f"Got {type(pic)}")
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = np.ascontiguousarray(pic.transpose(2, 0, 1))  # (H, W, C) -> (C, H, W)
        if img.dtype == np.uint8:
            img = img.astype(np.float32) / np.float32(255)
        return Tensor._make(img, None)

    def _batch(self, imgs):
        """(N, H, W) or (N, H, W, C) uint8 array -> (N, C, H, W) float32 array, equal to stacking __call__'s."""
        if imgs.ndim == 3:
            imgs = imgs[:, None]
        else:
            imgs = np.ascontiguousarray(imgs.transpose(0, 3, 1, 2))
        return imgs.astype(np.float32) / np.float32(255) if imgs.dtype == np.uint8 else imgs

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Normalize:
    """(x - mean[c]) / std[c] per channel of a float (..., C, H, W) tensor; a new tensor unless `inplace`."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def _stats(self, np_dtype):
        mean = np.asarray(self.mean.data if isinstance(self.mean, Tensor) else self.mean, dtype=np_dtype)
        std = np.asarray(self.std.data if isinstance(self.std, Tensor) else self.std, dtype=np_dtype)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {as_tensor(std).dtype}, leading to division "
                             "by zero.")
        if mean.ndim == 1:
            mean = mean.reshape(-1, 1, 1)
        if std.ndim == 1:
            std = std.reshape(-1, 1, 1)
        return mean, std

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                             f"{tensor.size()}")
        mean, std = self._stats(tensor.data.dtype)
        mean, std = Tensor._make(mean, None), Tensor._make(std, None)
        if self.inplace:
            return tensor.sub_(mean).div_(std)
        return (tensor - mean) / std  # through minigrad's ops: differentiable, dtype kept

    def _batch(self, imgs):
        if imgs.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {as_tensor(imgs).dtype}.")
        mean, std = self._stats(imgs.dtype)
        return (imgs - mean) / std  # (N, C, H, W) - (C, 1, 1) broadcasts per channel

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """A user function as a transform: `Lambda(lambda y: zeros(10).scatter_(0, tensor(y), value=1))`."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"

