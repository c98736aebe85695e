"""FashionMNIST through torchvision, from the very files minigrad reads.

minigrad finds the IDX files itself (root/FashionMNIST/raw, $MINIGRAD_DATA, Debian's dataset-fashion-mnist; see
minigrad/vision/_fetch.py). torchvision wants them extracted under root/FashionMNIST/raw/ and cannot download on a
closed network, so `torchvision_root` extracts (or links) the files minigrad found into a cache folder with that
layout, once, and torchvision reads them from there.
"""
import gzip
import os
import shutil
import tempfile

from minigrad.vision import _fetch
from minigrad.vision.datasets import FashionMNIST as _MinigradFashionMNIST

NAMES = [f"{split}-{kind}" for split in ("train", "t10k") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")]


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "minigrad", "torchvision")


def raw_files(root=None):
    """{name: path} of the four IDX files, found exactly as minigrad.vision.datasets.FashionMNIST finds them."""
    found, searched = _fetch.locate(root, "FashionMNIST", NAMES, _MinigradFashionMNIST.debian_package,
                                    _MinigradFashionMNIST.debian_folder)
    if found is None:
        where = "; ".join(f"{place} ({why})" for place, why in searched)
        raise RuntimeError(f"FashionMNIST not found for the torch reference: looked in {where}. "
                           "Install Debian's dataset-fashion-mnist or pass --data-dir")
    return found


def _extract(src, dest):
    """src (.gz or not) -> dest, through a temporary file renamed into place, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, (gzip.open(src, "rb") if src.endswith(".gz") else open(src, "rb")) as f:
            shutil.copyfileobj(f, out)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def torchvision_root(root=None, cache=None):
    """A root for torchvision.datasets.FashionMNIST(root) holding the same bytes minigrad reads."""
    found = raw_files(root)
    folders = {os.path.dirname(p) for p in found.values()}
    if len(folders) == 1 and all(not p.endswith(".gz") for p in found.values()):
        folder = folders.pop()  # already torchvision's extracted layout: use it where it is
        if os.path.basename(folder) == "raw" and os.path.basename(os.path.dirname(folder)) == "FashionMNIST":
            return os.path.dirname(os.path.dirname(folder))
    cache = cache or cache_dir()
    raw = os.path.join(cache, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, src in found.items():
        dest = os.path.join(raw, name)
        if not os.path.exists(dest) or os.path.getmtime(dest) < os.path.getmtime(src):
            _extract(src, dest)
    return cache


def fashion_mnist(train=True, root=None, transform=None):
    """torchvision's FashionMNIST with ToTensor (float32 (1, 28, 28) in [0, 1]), like the tutorial."""
    from torchvision import datasets
    from torchvision.transforms import ToTensor

    return datasets.FashionMNIST(root=torchvision_root(root), train=train, download=False,
                                 transform=transform if transform is not None else ToTensor())
