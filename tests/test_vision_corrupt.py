"""Damaged and crafted IDX and PNG files: truncation, bit flips, crafted headers and decompression bombs. Always the
reader's own error (IDXError, PNGError) naming the file; never another exception, a hang, a MemoryError, or an
array that is silently not what the file holds."""
import gzip
import os
import struct
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

import minigrad
from minigrad.vision._idx import IDXError, read_idx, write_idx
from minigrad.vision.io import PNGError, read_image
from test_vision_io import chunk, encode_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDX = write_idx(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))
IDX_GZ = gzip.compress(IDX, mtime=0)
IMG = np.random.default_rng(3).integers(0, 256, (5, 4, 3), dtype=np.uint8)
PNG = encode_png(IMG)


def write(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("corrupt") / name
    path.write_bytes(data)
    return str(path)


def mutate(data, draw):
    """data truncated, or with some bits flipped, or with a run of bytes overwritten."""
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite"]))
    if kind == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    buf = bytearray(data)
    if kind == "flip":
        for i in draw(st.lists(st.integers(0, 8 * len(data) - 1), min_size=1, max_size=4, unique=True)):
            buf[i // 8] ^= 1 << (i % 8)
    else:
        at = draw(st.integers(0, len(data) - 1))
        run = draw(st.binary(min_size=1, max_size=8))
        buf[at:at + len(run)] = run
    return bytes(buf)


@given(data=st.data(), gz=st.booleans())
def test_damaged_idx_is_refused_or_read_exactly(tmp_path_factory, data, gz):
    raw = mutate(IDX_GZ if gz else IDX, data.draw)
    path = write(tmp_path_factory, raw, "damaged-idx3-ubyte")
    try:
        arr = read_idx(path)
    except IDXError as e:
        assert path in str(e)
        return
    if gz:  # the gzip CRC covers the data: what reads must be the original (a flip in mtime or OS byte is harmless)
        np.testing.assert_array_equal(arr, np.frombuffer(IDX, np.uint8, offset=16).reshape(2, 3, 4))
    else:  # a plain IDX file has no checksum: a flipped data bit is a valid file, but the header must still hold
        assert raw[:2] == b"\0\0" and arr.ndim == raw[3] and arr.nbytes == len(raw) - 4 - 4 * arr.ndim
        assert list(arr.shape) == [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(arr.ndim)]


def idx_header(code, dims):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


@pytest.mark.parametrize("raw, msg", [
    (idx_header(8, [65536] * 4) + b"\0" * 16, r"need 18446744073709551616 data bytes, file has 16"),  # wraps in int64
    (idx_header(8, [65536] * 4), r"need 18446744073709551616 data bytes"),
    (gzip.compress(idx_header(8, [65536] * 4) + b"\0" * 16), r"a gzip file of \d+ bytes inflates to at most"),
    (bytes([0, 0, 8, 255]) + b"\0\0\0\1" * 255 + b"\0", r"declares 255 dimensions, more than the 32"),
    (gzip.compress(bytes([0, 0, 8, 255]) + b"\0\0\0\1" * 255), r"declares 255 dimensions"),
    (idx_header(0x0E, [3]) + b"\0" * 23, r"dimensions \[3\] of float64 need 24 data bytes, file has 23"),
    (gzip.compress(idx_header(8, [10]) + bytes(10 + 5000)), r"5000 unexpected bytes after the data"),
    (gzip.compress(idx_header(8, [10]) + bytes(10)) + b"junk", r"bad gzip stream"),
    (gzip.compress(idx_header(8, [10]) + bytes(4)), r"need 10 data bytes, file has 4"),
])
def test_crafted_idx_headers(tmp_path_factory, raw, msg):
    path = write(tmp_path_factory, raw, "crafted-idx1-ubyte")
    with pytest.raises(IDXError, match=msg) as info:
        read_idx(path)
    assert path in str(info.value)


@given(code=st.sampled_from([8, 9, 0x0B, 0x0C, 0x0D, 0x0E, 0, 7, 255]), ndim=st.integers(0, 255),
       dims=st.lists(st.sampled_from([0, 1, 2, 3, 65535, 65536, 2 ** 31, 2 ** 32 - 1]), max_size=8),
       payload=st.binary(max_size=64), gz=st.booleans())
# found by a fresh hypothesis run: an empty array whose nonzero dims multiply past what any array can have
@example(code=8, ndim=8, dims=[0, 0, 0, 0, 0, 65535, 65535, 2 ** 32 - 1], payload=b"", gz=False)
def test_crafted_idx_header_is_refused_or_consistent(tmp_path_factory, code, ndim, dims, payload, gz):
    raw = bytes([0, 0, code, ndim]) + b"".join(struct.pack(">I", d) for d in dims) + payload
    path = write(tmp_path_factory, gzip.compress(raw) if gz else raw, "crafted-idx3-ubyte")
    try:
        arr = read_idx(path)
    except IDXError as e:
        assert path in str(e)
        return
    assert arr.ndim == ndim and arr.nbytes == len(raw) - 4 - 4 * ndim


@given(w=st.sampled_from([0, 1, 2, 3, 2 ** 16, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]), h=st.sampled_from([0, 1, 2, 7]),
       depth=st.sampled_from([1, 2, 4, 8, 16, 3]), color=st.sampled_from([0, 2, 3, 4, 6, 1, 7]),
       methods=st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)),
       body=st.binary(max_size=40), compressed=st.booleans(), palette=st.binary(max_size=12))
def test_crafted_png_header_is_refused_or_consistent(tmp_path_factory, w, h, depth, color, methods, body, compressed,
                                                     palette):
    raw = (SIG + ihdr(w, h, depth, color, *methods) + (chunk(b"PLTE", palette) if palette else b"")
           + chunk(b"IDAT", zlib.compress(body) if compressed else body) + IEND)
    path = write(tmp_path_factory, raw, "crafted.png")
    try:
        img = read_image(path)
    except PNGError as e:
        assert path in str(e)
        return
    assert tuple(img.shape) == ({0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color], h, w) and img.dtype == minigrad.uint8


@given(data=st.data())
def test_damaged_png_is_refused_or_read_exactly(tmp_path_factory, data):
    path = write(tmp_path_factory, mutate(PNG, data.draw), "damaged.png")
    try:
        img = read_image(path)
    except PNGError as e:
        assert path in str(e)
        return
    np.testing.assert_array_equal(img.numpy(), IMG.transpose(2, 0, 1))  # every chunk has a CRC


def ihdr(w=1, h=1, depth=8, color=2, compression=0, filtering=0, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, compression, filtering, interlace))


SIG, IEND = b"\x89PNG\r\n\x1a\n", chunk(b"IEND", b"")
PIXEL = chunk(b"IDAT", zlib.compress(b"\0\1\2\3"))  # one RGB pixel, filter None


@pytest.mark.parametrize("raw, msg", [
    (SIG + ihdr(0, 0) + PIXEL + IEND, r"invalid image size 0x0"),
    (SIG + ihdr(1, 0) + PIXEL + IEND, r"invalid image size 1x0"),
    (SIG + ihdr(2 ** 31, 1) + PIXEL + IEND, r"invalid image size 2147483648x1"),
    (SIG + ihdr() + ihdr() + PIXEL + IEND, r"a second IHDR chunk"),
    (SIG + PIXEL + ihdr() + IEND, r"the first chunk is b'IDAT', a PNG must start with IHDR"),
    (SIG + ihdr(compression=1) + PIXEL + IEND, r"unknown compression method 1"),
    (SIG + ihdr(filtering=1) + PIXEL + IEND, r"unknown filter method 1"),
    (SIG + ihdr(interlace=2) + PIXEL + IEND, r"unknown interlace method 2"),
    (SIG + ihdr(depth=3) + PIXEL + IEND, r"invalid bit depth 3 for a RGB PNG"),
    (SIG + ihdr(color=3) + chunk(b"PLTE", bytes(7)) + PIXEL + IEND, r"PLTE chunk of 7 bytes"),
    (SIG + ihdr(color=3) + chunk(b"PLTE", bytes(3 * 257)) + PIXEL + IEND, r"PLTE chunk of 771 bytes"),
    (SIG + ihdr(color=3) + chunk(b"IDAT", zlib.compress(b"\0\5")) + chunk(b"PLTE", bytes(3)) + IEND,
     r"PLTE chunk after the image data"),
    (SIG + ihdr(color=3) + chunk(b"PLTE", bytes(6)) + chunk(b"IDAT", zlib.compress(b"\0\5")) + IEND,
     r"palette entry 5, the palette has 2"),
    (SIG + ihdr() + chunk(b"ABCD", b"") + PIXEL + IEND, r"unknown critical chunk b'ABCD'"),
    (SIG + ihdr() + chunk(b"abCD", b"x") + PIXEL + IEND, None),  # ancillary: skipped, as libpng does
    (SIG + ihdr() + chunk(b"IDAT", zlib.compress(b"\0\1\2\3\4")) + IEND, r"inflates to more than the 4 bytes"),
    (SIG + ihdr() + chunk(b"IDAT", zlib.compress(b"\0\1\2")) + IEND, r"3 bytes after decompression, expected 4"),
    (SIG + ihdr() + chunk(b"IDAT", zlib.compress(b"\5\1\2\3")) + IEND, r"unknown filter type 5"),
    (SIG + ihdr() + chunk(b"IDAT", zlib.compress(b"\0\1\2\3")[:-2]) + IEND, r"zlib stream does not end"),
    (SIG + ihdr() + chunk(b"IDAT", zlib.compress(b"\0\1\2\3") + b"xx") + IEND, r"continues after the end"),
    (SIG + ihdr(100000, 100000) + PIXEL + IEND, r"too short: the header's size needs 30000100000 bytes"),
    (SIG + ihdr() + IEND, r"no IDAT chunk"),
    (SIG + ihdr(color=3) + PIXEL + IEND, r"palette PNG without a PLTE chunk"),
])
def test_crafted_png(tmp_path_factory, raw, msg):
    path = write(tmp_path_factory, raw, "crafted.png")
    if msg is None:
        assert read_image(path).shape == (3, 1, 1)
        return
    with pytest.raises(PNGError, match=msg) as info:
        read_image(path)
    assert path in str(info.value)


def _zeros_stream(header, n_zeros, wbits):
    """header + n_zeros zero bytes, deflated at level 1 (fast to make; 2 GiB give about 9 MB)."""
    z = zlib.compressobj(1, zlib.DEFLATED, wbits)
    parts, block = [z.compress(header)], bytes(1 << 24)
    for _ in range(n_zeros // len(block)):
        parts.append(z.compress(block))
    return b"".join(parts) + z.flush()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Two files that inflate to 2 GiB: an IDX whose header says 10 labels, a 1x1 PNG."""
    folder = tmp_path_factory.mktemp("bombs")
    idx = folder / "bomb-labels-idx1-ubyte.gz"
    idx.write_bytes(_zeros_stream(idx_header(8, [10]), 2 << 30, 31))
    png = folder / "bomb.png"
    png.write_bytes(SIG + ihdr() + chunk(b"IDAT", _zeros_stream(b"", 2 << 30, 15)) + IEND)
    return {"idx": str(idx), "png": str(png)}


BOMB_CHECK = textwrap.dedent("""
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space: 2 GiB cannot be inflated
    from minigrad.vision._idx import IDXError, read_idx
    from minigrad.vision.io import PNGError, read_image
    kind, path = sys.argv[1:]
    start = time.perf_counter()
    try:
        (read_idx if kind == "idx" else read_image)(path)
    except (IDXError, PNGError) as e:
        seconds = time.perf_counter() - start
        peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]  # Linux
        print("refused in %.3f s, peak RSS %s kB: %s" % (seconds, peak[0] if peak else "?", e))
    else:
        print("read the bomb")
""")


@pytest.mark.parametrize("kind", ["idx", "png"])
def test_decompression_bombs_are_refused_within_a_memory_limit(bombs, kind):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", BOMB_CHECK, kind, bombs[kind]], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused in") and bombs[kind] in out.stdout, out.stdout + out.stderr
    assert ("unexpected bytes after the data" if kind == "idx" else "inflates to more than") in out.stdout
