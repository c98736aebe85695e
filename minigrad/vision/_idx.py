"""The IDX format of (Fashion-)MNIST: a 4-byte magic, big-endian dimensions, then the raw big-endian array.

    magic = 0x00 0x00 <dtype code> <ndim>       e.g. 00 00 08 03 for uint8 images (N, 28, 28)
    ndim x uint32 big-endian dimension sizes
    prod(dims) x itemsize bytes of data, row-major

Every read checks the magic, the dtype code and that the data is exactly as long as the dimensions say, so a
truncated download or a wrong file gives an error naming the file and the problem instead of garbage. A gzipped
file is inflated as a stream, only as far as the header allows (and one chunk more, to see that it ends there), so
a damaged header or a decompression bomb costs milliseconds, not the gigabytes it would inflate to.
"""
import gzip
import io
import os
import zlib

import numpy as np

# dtype code -> big-endian NumPy dtype
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_NDIM = 32  # NumPy 1.x's limit (2.x allows 64); real IDX files have 1 to 4
# deflate codes at most 258 bytes in a match of at least 2 bits (length and distance codes): it never inflates more
# than 1032:1, so a gzip file of n bytes cannot hold more than this many times n bytes
_MAX_GZIP_RATIO = 1100
_CHUNK = 1 << 22


class IDXError(RuntimeError):
    """A file that is not a valid IDX file (or not a valid gzip stream around one)."""


def _read(f, n, path):
    """Up to n bytes from f (a gzip stream inflates only as far as asked), in chunks, never n bytes allocated at
    once: a header may claim far more than the file holds."""
    parts, left = [], n
    try:
        while left > 0:
            part = f.read(min(left, _CHUNK))
            if not part:
                break
            parts.append(part)
            left -= len(part)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; a cut stream is an EOFError
        raise IDXError(f"{path}: bad gzip stream ({type(e).__name__}: {e}); the file is damaged or was cut off "
                       "during download. Delete it and fetch it again.") from None
    return b"".join(parts)


def _parse(f, gz, path, size):
    """Read one IDX array from the binary stream f of `size` bytes (inflated when gz). What the header claims is
    checked against what the file can hold before any data is read: the exact size of a plain file, at most
    _MAX_GZIP_RATIO times the size of a gzip one."""
    head = _read(f, 4, path)
    if len(head) < 4:
        raise IDXError(f"{path}: truncated IDX file: {len(head)} bytes, too short for the 4-byte magic number")
    zero, code, ndim = int.from_bytes(head[:2], "big"), head[2], head[3]
    if zero != 0:
        raise IDXError(f"{path}: not an IDX file: magic number 0x{head.hex()} should start with two zero bytes "
                       "(e.g. 0x00000803 for uint8 images)")
    if code not in IDX_DTYPES:
        raise IDXError(f"{path}: unknown IDX dtype code 0x{code:02x} in magic 0x{head.hex()}; expected one of "
                       + ", ".join(f"0x{c:02x} ({d.name})" for c, d in IDX_DTYPES.items()))
    if ndim == 0:
        raise IDXError(f"{path}: IDX header declares 0 dimensions")
    if ndim > _MAX_NDIM:
        raise IDXError(f"{path}: IDX header declares {ndim} dimensions, more than the {_MAX_NDIM} an array can have; "
                       "the header is damaged")
    raw_dims = _read(f, 4 * ndim, path)
    if len(raw_dims) < 4 * ndim:
        raise IDXError(f"{path}: truncated IDX file: header of {ndim} dimensions needs {4 + 4 * ndim} bytes, file "
                       f"has {4 + len(raw_dims)}")
    dims = [int.from_bytes(raw_dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4)]
    dtype = IDX_DTYPES[code]
    expected = dtype.itemsize
    for d in dims:
        expected *= d  # Python ints: 65536**4 is 2**64, not a wrapped 0
    what = f"dimensions {dims} of {dtype.name} need {expected} data bytes"
    nonzero = dtype.itemsize
    for d in dims:
        nonzero *= max(d, 1)
    if expected == 0 and nonzero > np.iinfo(np.intp).max:  # empty, yet with a shape no array can have
        raise IDXError(f"{path}: IDX header's dimensions {dims} describe no possible array: their nonzero sizes "
                       f"multiply past {np.iinfo(np.intp).max} bytes; the header is damaged")
    if not gz and expected > size - 4 - 4 * ndim:
        raise IDXError(f"{path}: truncated IDX file: {what}, file has {size - 4 - 4 * ndim}")
    if not gz and expected < size - 4 - 4 * ndim:
        raise IDXError(f"{path}: {size - 4 - 4 * ndim - expected} unexpected bytes after the data: {what}, file "
                       f"has {size - 4 - 4 * ndim}")
    if gz and expected > size * _MAX_GZIP_RATIO:
        raise IDXError(f"{path}: truncated IDX file: {what}, a gzip file of {size} bytes inflates to at most "
                       f"{size * _MAX_GZIP_RATIO}")
    data = _read(f, expected, path)
    if len(data) < expected:
        raise IDXError(f"{path}: truncated IDX file: {what}, file has {len(data)}")
    extra = _read(f, _CHUNK, path)  # to the end of the stream: a gzip member's CRC is checked there
    if extra:
        more = f"{len(extra)}" if len(extra) < _CHUNK else f"at least {len(extra)}"  # the rest is not inflated
        raise IDXError(f"{path}: {more} unexpected bytes after the data: {what}")
    arr = np.frombuffer(data, dtype).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def _open(f):
    """(stream, gz): f as is, or inflating when it starts with gzip's magic (told apart by content, not name)."""
    magic = f.read(2)
    f.seek(0)
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=f, mode="rb"), True
    return f, False


def parse_idx(raw, path="<bytes>"):
    """An IDX file's bytes (gzipped or not) -> a native-endian NumPy array of the shape its header gives."""
    return _parse(*_open(io.BytesIO(raw)), path, len(raw))


def read_idx(path):
    """Read an IDX file, gzipped or not (told apart by content, not by name). The data is read as far as the header
    allows and no further, so a damaged header or a decompression bomb is refused before it costs memory."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        return _parse(*_open(f), path, os.fstat(f.fileno()).st_size)


def write_idx(arr, path=None, compress=False):
    """The inverse of read_idx (tests and tools use it): returns the bytes, and writes them when given a path."""
    arr = np.asarray(arr)
    codes = {d.newbyteorder("="): c for c, d in IDX_DTYPES.items()}
    code = codes.get(arr.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"IDX cannot store dtype {arr.dtype}; supported: {[d.name for d in IDX_DTYPES.values()]}")
    raw = (bytes([0, 0, code, arr.ndim]) + np.asarray(arr.shape, ">u4").tobytes()
           + arr.astype(IDX_DTYPES[code]).tobytes())
    if compress:
        raw = gzip.compress(raw, mtime=0)
    if path is not None:
        with open(path, "wb") as f:
            f.write(raw)
    return raw
