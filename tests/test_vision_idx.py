"""IDX files made here (raw and gzipped, then damaged), and MNIST-style datasets found, downloaded or missing."""
import gzip
import hashlib
import os
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import DataLoader, default_collate
from minigrad.vision import _fetch, transforms
from minigrad.vision._idx import IDXError, parse_idx, read_idx, write_idx
from minigrad.vision.datasets import MNIST, FashionMNIST

rng = np.random.default_rng(0)
IMAGES = rng.integers(0, 256, (12, 28, 28), dtype=np.uint8)
LABELS = (np.arange(12) % 10).astype(np.uint8)
NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


@pytest.fixture
def no_system_data(monkeypatch, tmp_path):
    """Hide $MINIGRAD_DATA and the Debian package, so only what a test writes can be found."""
    monkeypatch.delenv(_fetch.ENV_VAR, raising=False)
    monkeypatch.setattr(_fetch, "debian_files", lambda package: [])
    monkeypatch.setattr(FashionMNIST, "debian_folder", str(tmp_path / "no-debian-here"))


def write_split(folder, gz, n_train=12, n_test=5):
    folder.mkdir(parents=True, exist_ok=True)
    arrays = [IMAGES[:n_train], LABELS[:n_train], IMAGES[:n_test][::-1], LABELS[:n_test][::-1]]
    for name, arr in zip(NAMES, arrays):
        write_idx(arr, folder / (name + (".gz" if gz else "")), compress=gz)


@pytest.mark.parametrize("arr", [IMAGES, LABELS, np.arange(6, dtype=np.int32).reshape(2, 3),
                                 np.linspace(-1, 1, 8).astype(np.float32), np.arange(4, dtype=np.float64),
                                 np.array([-3, 4], np.int16), np.array([-1, 1], np.int8)])
@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, arr, gz):
    path = tmp_path / "a.idx"
    raw = write_idx(arr, path, compress=gz)
    assert (raw[:2] == b"\x1f\x8b") == gz
    out = read_idx(path)
    assert out.dtype == arr.dtype.newbyteorder("=") and out.shape == arr.shape
    np.testing.assert_array_equal(out, arr)
    out[...] = 0  # writable, native order


def test_idx_header_layout_is_the_published_one():
    raw = write_idx(np.zeros((2, 3, 4), np.uint8))
    assert raw[:4] == b"\x00\x00\x08\x03" and raw[4:16] == bytes([0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
    assert len(raw) == 16 + 24


GOOD = write_idx(IMAGES[:2])


@pytest.mark.parametrize("raw,msg", [
    (GOOD[:-1], r"truncated IDX file: dimensions \[2, 28, 28\] of uint8 need 1568 data bytes, file has 1567"),
    (GOOD + b"\x00", r"1 unexpected bytes after the data"),
    (GOOD[:10], r"truncated IDX file: header of 3 dimensions needs 16 bytes, file has 10"),
    (GOOD[:3], r"too short for the 4-byte magic number"),
    (b"\x01\x02" + GOOD[2:], r"not an IDX file: magic number 0x01020803"),
    (GOOD[:2] + b"\x07" + GOOD[3:], r"unknown IDX dtype code 0x07"),
    (b"\x00\x00\x08\x00", r"declares 0 dimensions"),
    (gzip.compress(GOOD)[:-20], r"bad gzip stream"),
    (gzip.compress(GOOD)[:30] + b"\xff" * 40, r"bad gzip stream"),
    (gzip.compress(GOOD)[:-8] + b"\x00\x00\x00\x00" + gzip.compress(GOOD)[-4:], r"bad gzip stream"),  # bad CRC
    (gzip.compress(GOOD[:-5]), r"truncated IDX file"),
])
def test_corrupt_idx_names_file_and_problem(tmp_path, raw, msg):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(raw)
    with pytest.raises(IDXError, match=msg) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, RuntimeError)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_from_torchvision_layout(tmp_path, no_system_data, gz):
    write_split(tmp_path / "MNIST" / "raw", gz)
    ds = MNIST(tmp_path)
    assert len(ds) == 12 and ds.data.dtype == minigrad.uint8 and ds.targets.dtype == minigrad.int64
    assert ds.data.shape == (12, 28, 28)
    img, label = ds[3]
    assert isinstance(label, int) and label == 3
    assert img.dtype == minigrad.uint8 and img.shape == (28, 28)
    np.testing.assert_array_equal(img.data, IMAGES[3])
    img.data[...] = 0  # samples are copies: the dataset is unchanged
    np.testing.assert_array_equal(ds.data.data[3], IMAGES[3])
    test = MNIST(tmp_path, train=False)
    assert len(test) == 5 and test[0][1] == int(LABELS[4])
    assert ds.class_to_idx["7 - seven"] == 7
    assert repr(test) == f"Dataset MNIST\n    Number of datapoints: 5\n    Root location: {tmp_path}\n    Split: Test"


def test_fashion_transforms_repr_and_batched_fast_path_equals_slow_path(tmp_path, no_system_data):
    write_split(tmp_path / "FashionMNIST" / "raw", gz=True)
    norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    cases = [None, transforms.ToTensor(), norm, transforms.Compose([norm])]  # a nested Compose still batches
    idx = [5, 0, 11, 5, 2]
    for transform in cases:
        ds = FashionMNIST(tmp_path, transform=transform)
        fast = ds._getbatch(idx)
        slow = default_collate([ds[i] for i in idx])
        assert fast is not None
        for f, s in zip(fast, slow):
            assert f.dtype == s.dtype and f.shape == s.shape
            np.testing.assert_array_equal(f.data, s.data)
    lam = FashionMNIST(tmp_path, transform=transforms.Lambda(lambda x: x))
    assert lam._getbatch(idx) is None  # no batched form known: the DataLoader goes sample by sample
    assert FashionMNIST(tmp_path, target_transform=int)._getbatch(idx) is None
    assert repr(FashionMNIST(tmp_path, transform=norm)).endswith(
        "StandardTransform\nTransform: Compose(\n               ToTensor()\n"
        "               Normalize(mean=(0.5,), std=(0.25,))\n           )")
    # the whole DataLoader: shuffled fast path == shuffled slow path for the same generator
    fast = [b for b in DataLoader(FashionMNIST(tmp_path, transform=norm), batch_size=5, shuffle=True,
                                  generator=minigrad.Generator().manual_seed(3))]
    slow = [b for b in DataLoader(FashionMNIST(tmp_path, transform=norm), batch_size=5, shuffle=True,
                                  generator=minigrad.Generator().manual_seed(3),
                                  collate_fn=lambda b: default_collate(b))]
    assert len(fast) == len(slow) == 3
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.data, sx.data)
        np.testing.assert_array_equal(fy.data, sy.data)


def test_env_var_is_searched(tmp_path, no_system_data, monkeypatch):
    write_split(tmp_path / "data" / "FashionMNIST" / "raw", gz=False)
    monkeypatch.setenv(_fetch.ENV_VAR, str(tmp_path / "data"))
    assert len(FashionMNIST(tmp_path / "elsewhere")) == 12


def test_debian_files_are_found_from_dpkg_listing(tmp_path, no_system_data, monkeypatch):
    pkg = tmp_path / "usr" / "share" / "datasets" / "fm"
    write_split(pkg, gz=True)
    listing = ["/.", str(pkg)] + [str(pkg / (n + ".gz")) for n in NAMES]
    monkeypatch.setattr(_fetch, "debian_files", lambda package: listing if package == "dataset-fashion-mnist" else [])
    ds = FashionMNIST(tmp_path / "empty-root")
    assert ds.data_files["train-images-idx3-ubyte"] == str(pkg / "train-images-idx3-ubyte.gz")


def test_not_found_error_names_every_place_and_the_package(tmp_path, no_system_data):
    (tmp_path / "FashionMNIST" / "raw").mkdir(parents=True)
    write_idx(IMAGES, tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte")
    with pytest.raises(RuntimeError) as info:
        FashionMNIST(tmp_path)
    msg = str(info.value)
    assert "Dataset not found" in msg and "download=True" in msg
    assert f"root: {tmp_path / 'FashionMNIST' / 'raw'}: missing train-labels-idx1-ubyte" in msg
    assert "$MINIGRAD_DATA: not set" in msg
    assert "Debian package dataset-fashion-mnist" in msg and "no-debian-here: no such folder" in msg
    assert "sudo apt-get install dataset-fashion-mnist" in msg


def test_mismatched_files_are_rejected(tmp_path, no_system_data):
    raw = tmp_path / "MNIST" / "raw"
    write_split(raw, gz=False)
    write_idx(LABELS[:7], raw / "train-labels-idx1-ubyte")
    with pytest.raises(RuntimeError, match="do not pair up"):
        MNIST(tmp_path)


def make_mirror(folder, corrupt=()):
    """A local 'mirror' (file:// URL) of gzipped tiny files, and the resources table with their md5 sums."""
    folder.mkdir(parents=True)
    arrays = [IMAGES, LABELS, IMAGES[:5], LABELS[:5]]
    resources = []
    for name, arr in zip(NAMES, arrays):
        raw = write_idx(arr, compress=True)
        resources.append((name + ".gz", hashlib.md5(raw).hexdigest()))
        (folder / (name + ".gz")).write_bytes(raw[:-10] if name in corrupt else raw)
    return folder.as_uri() + "/", resources


def test_download_checks_md5_falls_back_to_next_mirror_and_leaves_no_partial_file(tmp_path, no_system_data):
    bad, resources = make_mirror(tmp_path / "bad", corrupt=NAMES)
    good, _ = make_mirror(tmp_path / "good")

    class Tiny(MNIST):
        mirrors = [(tmp_path / "missing").as_uri() + "/", bad, good]  # unreachable, corrupt, then intact

    Tiny.resources = resources
    root = tmp_path / "root"
    with pytest.raises(RuntimeError, match="Dataset not found"):
        Tiny(root)  # download=False never fetches
    ds = Tiny(root, download=True)
    assert len(ds) == 12 and ds.data_files["train-images-idx3-ubyte"].startswith(str(root / "Tiny" / "raw"))
    assert sorted(os.listdir(root / "Tiny" / "raw")) == sorted(n + ".gz" for n in NAMES)
    assert len(Tiny(root, train=False, download=True)) == 5


def test_download_failing_everywhere_reports_each_mirror(tmp_path, no_system_data):
    bad, resources = make_mirror(tmp_path / "bad", corrupt=NAMES[:1])

    class Tiny(MNIST):
        mirrors = [bad]

    Tiny.resources = resources
    with pytest.raises(RuntimeError) as info:
        Tiny(tmp_path / "root", download=True)
    assert "md5 mismatch" in str(info.value) and "Dataset not found" in str(info.value)
    assert os.listdir(tmp_path / "root" / "Tiny" / "raw") == []  # no partial or unchecked file left behind


def test_parse_idx_of_bytes_names_the_source():
    with pytest.raises(IDXError, match="<bytes>"):
        parse_idx(b"\x00\x00\x08")


def test_data_read_from_elsewhere_than_root_is_announced_and_shown(tmp_path, no_system_data, monkeypatch):
    """A mistyped root still finds the data in $MINIGRAD_DATA (or Debian's copy): kept, but never silent."""
    from minigrad.vision import datasets

    write_split(tmp_path / "data" / "FashionMNIST" / "raw", gz=False)
    monkeypatch.setenv(_fetch.ENV_VAR, str(tmp_path / "data"))
    monkeypatch.setattr(datasets, "_announced", set())
    typo = tmp_path / "dtaa"
    with pytest.warns(datasets.DataLocationWarning, match=rf"no data in {typo}.FashionMNIST.raw; reading "
                                                          rf"{tmp_path / 'data'}\S* \(\$MINIGRAD_DATA\) instead"):
        ds = FashionMNIST(typo)
    assert f"Root location: {typo}\n" in repr(ds)
    assert f"Data location: {tmp_path / 'data' / 'FashionMNIST' / 'raw'} ($MINIGRAD_DATA, not root)" in repr(ds)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FashionMNIST(typo, train=False)  # once per place, not once per split
        at_root = FashionMNIST(tmp_path / "data")  # found under root: nothing to say, torchvision's repr
    assert "Data location" not in repr(at_root)
