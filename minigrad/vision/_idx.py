"""The IDX format of (Fashion-)MNIST: a 4-byte magic, big-endian dimensions, then the raw big-endian array.

    magic = 0x00 0x00 <dtype code> <ndim>       e.g. 00 00 08 03 for uint8 images (N, 28, 28)
    ndim x uint32 big-endian dimension sizes
    prod(dims) x itemsize bytes of data, row-major

Every read checks the magic, the dtype code and that the data is exactly as long as the dimensions say, so a
truncated download or a wrong file gives an error naming the file and the problem instead of garbage.
"""
import gzip
import os
import zlib

import numpy as np

# dtype code -> big-endian NumPy dtype
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(RuntimeError):
    """A file that is not a valid IDX file (or not a valid gzip stream around one)."""


def _decompress(raw, path):
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; a cut stream is an EOFError
        raise IDXError(f"{path}: bad gzip stream ({type(e).__name__}: {e}); the file is damaged or was cut off "
                       "during download. Delete it and fetch it again.") from None


def parse_idx(raw, path="<bytes>"):
    """An IDX file's bytes (gzipped or not) -> a native-endian NumPy array of the shape its header gives."""
    if raw[:2] == _GZIP_MAGIC:
        raw = _decompress(raw, path)
    if len(raw) < 4:
        raise IDXError(f"{path}: truncated IDX file: {len(raw)} bytes, too short for the 4-byte magic number")
    zero, code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0:
        raise IDXError(f"{path}: not an IDX file: magic number 0x{raw[:4].hex()} should start with two zero bytes "
                       "(e.g. 0x00000803 for uint8 images)")
    if code not in IDX_DTYPES:
        raise IDXError(f"{path}: unknown IDX dtype code 0x{code:02x} in magic 0x{raw[:4].hex()}; expected one of "
                       + ", ".join(f"0x{c:02x} ({d.name})" for c, d in IDX_DTYPES.items()))
    if ndim == 0:
        raise IDXError(f"{path}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{path}: truncated IDX file: header of {ndim} dimensions needs {header} bytes, file has "
                       f"{len(raw)}")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got < expected:
        raise IDXError(f"{path}: truncated IDX file: dimensions {list(dims)} of {dtype.name} need {expected} data "
                       f"bytes, file has {got}")
    if got > expected:
        raise IDXError(f"{path}: {got - expected} unexpected bytes after the data: dimensions {list(dims)} of "
                       f"{dtype.name} need {expected} data bytes, file has {got}")
    arr = np.frombuffer(raw, dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def read_idx(path):
    """Read an IDX file, gzipped or not (told apart by content, not by name)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    return parse_idx(raw, path)


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
