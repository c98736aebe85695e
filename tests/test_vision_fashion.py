"""The real FashionMNIST (Debian's dataset-fashion-mnist, or $MINIGRAD_DATA): sizes, known samples, label counts,
and the same images and labels torchvision reads from the same files; the tutorial pipeline through DataLoader."""
import gzip
import os
import shutil

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import DataLoader, default_collate
from minigrad.vision import transforms
from minigrad.vision.datasets import FashionMNIST


@pytest.fixture(scope="module")
def train(fashion_root, tmp_path_factory):
    return FashionMNIST(tmp_path_factory.mktemp("empty-root"), train=True, transform=transforms.ToTensor())


@pytest.fixture(scope="module")
def test(fashion_root, tmp_path_factory):
    return FashionMNIST(tmp_path_factory.mktemp("empty-root"), train=False)


@pytest.fixture(scope="module")
def torchvision_root(fashion_root, tmp_path_factory):
    """torchvision reads only extracted files from root/FashionMNIST/raw/: give it a copy of the same files."""
    root = tmp_path_factory.mktemp("tv")
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in os.listdir(fashion_root):
        src = os.path.join(fashion_root, name)
        if name.endswith(".gz"):
            with gzip.open(src, "rb") as f, open(raw / name[:-3], "wb") as out:
                shutil.copyfileobj(f, out)
        elif "ubyte" in name:
            shutil.copy(src, raw / name)
    return root


def test_lengths_dtypes_and_classes(train, test):
    assert len(train) == 60000 and len(test) == 10000
    assert train.data.shape == (60000, 28, 28) and train.data.dtype == minigrad.uint8
    assert train.targets.dtype == minigrad.int64
    assert train.classes[9] == "Ankle boot" and train.class_to_idx["Trouser"] == 1 and len(train.classes) == 10


def test_known_samples_and_label_counts(train, test):
    assert train.targets[:8].tolist() == [9, 0, 0, 3, 0, 2, 7, 2]
    assert test.targets[:8].tolist() == [9, 2, 1, 1, 6, 1, 4, 6]
    assert int(train.data[0].data.sum(dtype=np.int64)) == 76247 and int(test.data[0].data.sum(dtype=np.int64)) == 33456
    assert train.data.data[0, 14, 10:18].tolist() == [0, 0, 237, 226, 217, 223, 222, 219]
    assert np.bincount(train.targets.data).tolist() == [6000] * 10
    assert np.bincount(test.targets.data).tolist() == [1000] * 10
    assert abs(train.data.data.mean() / 255 - 0.2860) < 1e-4  # the dataset's well-known mean
    img, label = test[0]
    assert img.dtype == minigrad.uint8 and img.shape == (28, 28) and label == 9 and isinstance(label, int)
    x, y = train[0]
    assert x.shape == (1, 28, 28) and x.dtype == minigrad.float32 and y == 9


def test_same_images_and_labels_as_torchvision(train, test, torchvision_root):
    import torchvision

    for ours, is_train in ((train, True), (test, False)):
        theirs = torchvision.datasets.FashionMNIST(str(torchvision_root), train=is_train)
        np.testing.assert_array_equal(ours.data.data, theirs.data.numpy())
        np.testing.assert_array_equal(ours.targets.data, theirs.targets.numpy())
    tt = torchvision.datasets.FashionMNIST(str(torchvision_root), train=True,
                                           transform=torchvision.transforms.ToTensor())
    for i in (0, 1, 59999):
        np.testing.assert_array_equal(train[i][0].data, tt[i][0].numpy())
        assert train[i][1] == tt[i][1]


def test_tutorial_pipeline_fast_path_equals_slow_path(train):
    """The tutorial's DataLoader(batch_size=64, shuffle=True): a full epoch of batched fetches equals per-sample
    fetches + default_collate for the same shuffle (checked on the first batches, whole epoch's labels)."""
    gen = minigrad.Generator().manual_seed(0)
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=gen)
    assert len(loader) == 938
    fast = list(loader)
    assert fast[0][0].shape == (64, 1, 28, 28) and fast[-1][0].shape == (32, 1, 28, 28)
    gen.manual_seed(0)  # replay the same shuffle to get the epoch's index batches
    order = list(loader.batch_sampler)
    for (x, y), idx in zip(fast[:3], order[:3]):
        slow_x, slow_y = default_collate([train[i] for i in idx])
        np.testing.assert_array_equal(x.data, slow_x.data)
        np.testing.assert_array_equal(y.data, slow_y.data)
    labels = np.concatenate([y.data for _, y in fast])
    np.testing.assert_array_equal(labels, train.targets.data[np.concatenate(order)])
    assert sorted(np.concatenate(order).tolist()) == list(range(60000))
