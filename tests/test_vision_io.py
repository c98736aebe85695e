"""read_image on PNGs written here (every colour type and filter), against torchvision; damaged files; and the
tutorial's CustomImageDataset (annotations CSV + folder of images) through a DataLoader."""
import csv
import os
import struct
import zlib

import numpy as np
import pytest
import torchvision.io

pytestmark = pytest.mark.filterwarnings("ignore:The image decoding and encoding capabilities:DeprecationWarning")

import minigrad
from minigrad.utils.data import DataLoader, Dataset
from minigrad.vision.io import ImageReadMode, PNGError, decode_png, read_image

COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type
rng = np.random.default_rng(7)


def chunk(ctype, data):
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def filter_row(row, prev, ftype, bpp):
    """The encoder side of the five PNG filters, on int arrays (the reader's inverse is what is tested)."""
    a = np.concatenate([np.zeros(bpp, int), row[:-bpp]])
    c = np.concatenate([np.zeros(bpp, int), prev[:-bpp]])
    preds = [np.zeros_like(row), a, prev, (a + prev) // 2, paeth(a, prev, c)]
    pred = preds[ftype] if ftype < 5 else preds[0]  # an invalid type byte, for the reader's error
    return ((row - pred) % 256).astype(np.uint8)


def encode_png(img, filters=(0, 1, 2, 3, 4), color_type=None, depth=8, interlace=0, palette=None, trns=None):
    """(H, W, C) uint8 -> PNG bytes; row y uses filters[y % len(filters)]. IDAT split in two to test joining."""
    h, w, c = img.shape
    color_type = COLOR_TYPE[c] if color_type is None else color_type
    raw, prev = b"", np.zeros(w * c, int)
    for y in range(h):
        row = img[y].reshape(-1).astype(int)
        ftype = filters[y % len(filters)]
        raw += bytes([ftype]) + filter_row(row, prev, ftype, c).tobytes()
        prev = row
    z = zlib.compress(raw)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, interlace))
    if palette is not None:
        out += chunk(b"PLTE", palette.tobytes())
    if trns is not None:
        out += chunk(b"tRNS", trns.tobytes())
    return out + chunk(b"IDAT", z[:len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2:]) + chunk(b"IEND", b"")


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("filters", [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)])
def test_read_image_matches_torchvision(tmp_path, channels, filters):
    img = rng.integers(0, 256, (9, 11, channels), dtype=np.uint8)
    img[:3] = 250  # bright rows make the filters wrap around 256
    path = tmp_path / "x.png"
    path.write_bytes(encode_png(img, filters))
    ours = read_image(path)
    assert ours.dtype == minigrad.uint8 and tuple(ours.shape) == (channels, 9, 11)
    np.testing.assert_array_equal(ours.data, img.transpose(2, 0, 1))
    np.testing.assert_array_equal(ours.data, torchvision.io.read_image(str(path)).numpy())


@pytest.mark.parametrize("with_trns", [False, True])
def test_palette_png_like_torchvision(tmp_path, with_trns):
    palette = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    index = rng.integers(0, 6, (5, 4, 1), dtype=np.uint8)
    trns = np.array([0, 128, 255], np.uint8) if with_trns else None
    path = tmp_path / "p.png"
    path.write_bytes(encode_png(index, (4,), color_type=3, palette=palette, trns=trns))
    # UNCHANGED: the palette indices (torchvision's behaviour); RGB: the colours
    np.testing.assert_array_equal(read_image(path).data, index.transpose(2, 0, 1))
    np.testing.assert_array_equal(read_image(path).data, torchvision.io.read_image(str(path)).numpy())
    rgb = read_image(path, ImageReadMode.RGB).data
    np.testing.assert_array_equal(rgb, palette[index[..., 0]].transpose(2, 0, 1))
    np.testing.assert_array_equal(rgb, torchvision.io.read_image(str(path), torchvision.io.ImageReadMode.RGB).numpy())
    alpha = np.full(6, 255, np.uint8)
    if with_trns:
        alpha[:3] = trns
    rgba = read_image(path, ImageReadMode.RGB_ALPHA).data
    np.testing.assert_array_equal(rgba[3], alpha[index[..., 0]])
    np.testing.assert_array_equal(rgba[:3], rgb)
    if with_trns:  # (without tRNS, torchvision 0.29 scrambles the channels; ours are opaque)
        tv = torchvision.io.read_image(str(path), torchvision.io.ImageReadMode.RGB_ALPHA).numpy()
        np.testing.assert_array_equal(rgba, tv)


@pytest.mark.parametrize("channels,mode", [(1, ImageReadMode.RGB), (1, ImageReadMode.GRAY_ALPHA), (3, ImageReadMode.RGB_ALPHA),
                                           (4, ImageReadMode.RGB), (2, ImageReadMode.GRAY), (1, ImageReadMode.GRAY)])
def test_modes_without_colour_math_match_torchvision(tmp_path, channels, mode):
    img = rng.integers(0, 256, (3, 5, channels), dtype=np.uint8)
    path = tmp_path / "m.png"
    path.write_bytes(encode_png(img))
    tv_mode = getattr(torchvision.io.ImageReadMode, mode.name)
    np.testing.assert_array_equal(read_image(path, mode).data, torchvision.io.read_image(str(path), tv_mode).numpy())


def test_decode_png_from_bytes_tensor():
    img = rng.integers(0, 256, (2, 3, 3), dtype=np.uint8)
    buf = minigrad.from_numpy(np.frombuffer(encode_png(img), np.uint8).copy())
    np.testing.assert_array_equal(decode_png(buf).data, img.transpose(2, 0, 1))


GOOD = encode_png(np.zeros((2, 2, 1), np.uint8))


def _with_ihdr(depth=8, interlace=0, color_type=0):
    return encode_png(np.zeros((2, 2, 1), np.uint8), depth=depth, interlace=interlace, color_type=color_type)


def _bad_idat():
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
    return body + chunk(b"IDAT", b"\x78\x9c garbage") + chunk(b"IEND", b"")


@pytest.mark.parametrize("data,msg", [
    (b"GIF89a" + b"\x00" * 20, "not a PNG file"),
    (GOOD[:-12], "no IEND chunk"),
    (GOOD[:40], "truncated PNG"),
    (GOOD[:29] + bytes([GOOD[29] ^ 1]) + GOOD[30:], "CRC mismatch in chunk b'IHDR'"),
    (_with_ihdr(depth=16), "16-bit grayscale PNG is not supported"),
    (_with_ihdr(interlace=1), "interlaced"),
    (_with_ihdr(color_type=5), "invalid PNG colour type 5"),
    (_bad_idat(), "corrupt image data"),
    (encode_png(np.zeros((2, 2, 1), np.uint8), (5,)), "unknown filter type 5"),
    (encode_png(np.zeros((2, 2, 1), np.uint8), color_type=3), "palette PNG without a PLTE chunk"),
])
def test_damaged_or_unsupported_png_errors_name_the_file(tmp_path, data, msg):
    path = tmp_path / "bad.png"
    path.write_bytes(data)
    with pytest.raises(PNGError, match=msg) as info:
        read_image(path)
    assert str(path) in str(info.value)


class CustomImageDataset(Dataset):
    """The tutorial's dataset from files, with the csv module standing in for pandas."""

    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None):
        with open(annotations_file, newline="") as f:
            self.img_labels = list(csv.reader(f))
        self.img_dir = img_dir
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        img_path = os.path.join(self.img_dir, self.img_labels[idx][0])
        image = read_image(img_path)
        label = int(self.img_labels[idx][1])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


def test_tutorial_custom_image_dataset_through_dataloader(tmp_path):
    images = rng.integers(0, 256, (7, 6, 5, 3), dtype=np.uint8)
    rows = []
    for i, img in enumerate(images):
        (tmp_path / f"img{i}.png").write_bytes(encode_png(img, filters=(i % 5,)))
        rows.append([f"img{i}.png", str(i % 3)])
    with open(tmp_path / "labels.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    ds = CustomImageDataset(tmp_path / "labels.csv", tmp_path, transform=lambda x: x.float() / 255)
    batches = list(DataLoader(ds, batch_size=3))
    assert [len(y) for _, y in batches] == [3, 3, 1]
    x = minigrad.cat([b[0] for b in batches])
    assert tuple(x.shape) == (7, 3, 6, 5) and x.dtype == minigrad.float32
    np.testing.assert_allclose(x.data, images.transpose(0, 3, 1, 2) / np.float32(255), rtol=1e-6)
    assert minigrad.cat([b[1] for b in batches]).tolist() == [i % 3 for i in range(7)]


@pytest.mark.parametrize("band_bytes", [1 << 26, 8000, 1])
@pytest.mark.parametrize("filters", [(4,), (3,), (4, 3, 1, 4, 2, 0), (2, 4)])
def test_wavefront_unfiltering_in_bands_matches_torchvision(tmp_path, monkeypatch, band_bytes, filters):
    """Average and Paeth rows are decoded along anti-diagonals, a tall image in bands of rows: every band size gives
    the same pixels as torchvision (1 byte: the smallest bands, 11 rows of 45 here; 8000: 22 rows)."""
    from minigrad.vision import io

    monkeypatch.setattr(io, "_BAND_BYTES", band_bytes)
    img = rng.integers(0, 256, (45, 13, 3), dtype=np.uint8)
    path = tmp_path / "w.png"
    path.write_bytes(encode_png(img, filters=filters))
    np.testing.assert_array_equal(read_image(path).numpy(), torchvision.io.read_image(str(path)).numpy())
    np.testing.assert_array_equal(read_image(path).numpy(), img.transpose(2, 0, 1))
