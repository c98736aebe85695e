"""MNIST and FashionMNIST from their IDX files, with torchvision's class, arguments and attributes.

One difference from torchvision: with no transform, an image is a (28, 28) uint8 tensor, not a PIL image (minigrad
does not use PIL); `transforms.ToTensor()` turns it into the same (1, 28, 28) float32 tensor torchvision gives.

Where the files are looked for, in order (see `_fetch.py`): `root/<ClassName>/raw/`, `$MINIGRAD_DATA`, the files of
the Debian package (FashionMNIST: `dataset-fashion-mnist`), then, with `download=True`, the official mirrors. Data
read from anywhere but the root is announced (a DataLocationWarning, once per place) and shown in the repr
(`Data location: ...`), so that a mistyped root, silently served by the system's copy, is noticed.
"""
import os
import warnings

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset
from . import _fetch
from ._idx import read_idx
from .transforms import _can_batch

__all__ = ["DataLocationWarning", "FashionMNIST", "MNIST", "VisionDataset"]


class DataLocationWarning(UserWarning):
    """The dataset's files were not under the root given, and were read from another place (shown in the repr)."""

_announced = set()  # (root, folder) pairs already warned about: once per process, not once per split
_cache = {}  # (path, mtime, size) -> decoded array: decompressing 26 MB once per process, not once per dataset


def _load(path):
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_mtime_ns, st.st_size)
    if key not in _cache:
        _cache[key] = read_idx(path)
        _cache[key].flags.writeable = False
    return _cache[key].copy()  # each dataset owns its arrays, as torchvision's do


class VisionDataset(Dataset):
    """Base of the image datasets: root, transform, target_transform, and torchvision's repr."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        self.transform = transform
        self.target_transform = target_transform

    def extra_repr(self):
        return ""

    def __repr__(self):
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transform is not None or self.target_transform is not None:
            lines = ["StandardTransform"]
            for head, t in (("Transform: ", self.transform), ("Target transform: ", self.target_transform)):
                if t is not None:
                    tl = repr(t).splitlines()
                    lines += [head + tl[0]] + [" " * len(head) + line for line in tl[1:]]
            body.append("\n".join(lines))
        return "\n".join([f"Dataset {self.__class__.__name__}"] + [" " * self._repr_indent + b for b in body])


class MNIST(VisionDataset):
    """`MNIST(root, train=True, transform=None, target_transform=None, download=False)`: 28x28 digits."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    # (file, md5 of the official .gz): the published sums, as in torchvision
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    debian_package = None  # Debian ships no MNIST package
    debian_folder = None

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        prefix = "train" if train else "t10k"
        names = [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]
        found, searched = _fetch.locate(root, self.__class__.__name__, names, self.debian_package,
                                        self.debian_folder)
        if found is None and download:
            try:
                _fetch.download_all(self.mirrors, self.resources, self.raw_folder)
                found, searched = _fetch.locate(root, self.__class__.__name__, names)
            except RuntimeError as e:
                searched.append(("download=True", str(e)))
        if found is None:
            raise RuntimeError(self._not_found(searched, download))
        self.data_files = found
        # where the data really is: when not under root (a mistyped root still finds the system's copy), say so
        self.data_folder = os.path.dirname(found[names[0]])
        self.data_source = _fetch.source_of(self.data_folder, root, self.__class__.__name__, self.debian_package)
        if self.data_source != "root" and (self.root, self.data_folder) not in _announced:
            _announced.add((self.root, self.data_folder))
            where = os.path.join(self.root, self.__class__.__name__, "raw") if root is not None else "no root"
            warnings.warn(f"{self.__class__.__name__}: no data in {where}; reading {self.data_folder} "
                          f"({self.data_source}) instead", DataLocationWarning, stacklevel=2)
        images, labels = _load(found[names[0]]), _load(found[names[1]])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(f"{found[names[0]]} and {found[names[1]]} do not pair up: images of shape "
                               f"{list(images.shape)} (expected (N, H, W)), labels of shape {list(labels.shape)} "
                               "(expected (N,))")
        self.data = Tensor._make(images.astype(np.uint8, copy=False), None)  # (N, 28, 28) uint8
        self.targets = Tensor._make(labels.astype(np.int64), None)  # (N,) int64

    def _not_found(self, searched, download):
        name = self.__class__.__name__
        lines = [f"Dataset not found. {name}: looked for its IDX files (gzipped or not) in:"]
        lines += [f"  - {place}: {why}" for place, why in searched]
        lines.append("To get the data, any of:")
        if self.debian_package:
            lines.append(f"  - install Debian's package: sudo apt-get install {self.debian_package}")
        lines.append("  - You can use download=True to download it (needs internet)")
        lines.append(f"  - put the four files {[r for r, _ in self.resources]} in {os.path.join('<root>', name, 'raw')}"
                     f" or set ${_fetch.ENV_VAR}")
        return "\n".join(lines)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        img = Tensor._make(self.data.data[index].copy(), None)  # (28, 28) uint8, the PIL image's pixels
        target = int(self.targets.data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def _getbatch(self, indices):
        """default_collate of [self[i] for i in indices] in one fancy index: [(B, ...) images, (B,) int64 labels].
        Only when the transforms have an exact batched form; otherwise None (the DataLoader then goes sample by
        sample)."""
        if self.target_transform is not None or not (self.transform is None or _can_batch(self.transform)):
            return None
        idx = np.asarray(indices, dtype=np.int64)
        images = self.data.data[idx]  # (B, 28, 28) uint8
        if self.transform is not None:
            images = self.transform._batch(images)  # (B, 1, 28, 28) float32
        return [Tensor._make(images, None), Tensor._make(self.targets.data[idx], None)]

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        split = f"Split: {'Train' if self.train is True else 'Test'}"
        if self.data_source == "root":
            return split  # torchvision's text exactly
        return f"Data location: {self.data_folder} ({self.data_source}, not root)\n{split}"


class FashionMNIST(MNIST):
    """`FashionMNIST(root, train=True, transform=None, target_transform=None, download=False)`: Zalando's 28x28
    clothing images, 60,000 for training and 10,000 for testing, ten classes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    # md5 of the official .gz files, as published in the dataset's README (and torchvision). Debian's package
    # recompressed them when it was built (its gzip headers carry the build date), so its .gz sums differ; only
    # downloads are checked against these.
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    debian_package = "dataset-fashion-mnist"
    debian_folder = "/usr/share/datasets/fashion-mnist"
