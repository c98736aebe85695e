"""torchvision.io.read_image for 8-bit PNG, on zlib and NumPy: a file -> a (C, H, W) uint8 tensor.

A PNG is an 8-byte signature and then chunks, each `length (4, big-endian) | type (4) | data | CRC-32 of type+data`:
IHDR (size, bit depth, colour type), PLTE (palette), tRNS (palette transparency), IDAT (the zlib stream, possibly
cut into several chunks) and IEND. The decompressed stream is one filter-type byte per row, then the row's bytes
coded relative to the left pixel (a), the pixel above (b) and the one above-left (c):

    0 None: x    1 Sub: x + a    2 Up: x + b    3 Average: x + (a + b) // 2    4 Paeth: x + paeth(a, b, c)

Handled: bit depth 8, grayscale (C=1), grayscale+alpha (2), RGB (3), RGBA (4) and palette (with mode UNCHANGED
the palette indices, as torchvision returns them; with RGB or RGB_ALPHA the colours, alpha from the tRNS chunk).
Not handled, with an error saying so: interlaced images, bit depths other than 8.

Damaged and crafted files get a PNGError naming the file: the chunk layout, CRCs, IHDR's fields and the chunk order
are checked, and IDAT is inflated piece by piece, never past the size IHDR gives (a decompression bomb is refused
as soon as it overflows, in milliseconds).
"""
import enum
import os
import zlib

import numpy as np

from ..tensor import Tensor

__all__ = ["ImageFileError", "ImageReadMode", "PNGError", "decode_png", "read_file", "read_image"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel in the stream
_COLOR_NAMES = {0: "grayscale", 2: "RGB", 3: "palette", 4: "grayscale+alpha", 6: "RGBA"}
_MAX_SIDE = 2 ** 31 - 1  # the PNG spec's limit on width and height
# deflate never inflates more than 1032:1 (a 258-byte match costs at least 2 bits), so IDAT of n bytes that claims
# more than this many times n is refused before anything is inflated
_MAX_ZLIB_RATIO = 1100
_VALID_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


class ImageReadMode(enum.Enum):
    """What channels to return: as stored (UNCHANGED), or converted to GRAY, GRAY_ALPHA, RGB or RGB_ALPHA."""
    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


class PNGError(RuntimeError):
    """A file that is not a PNG minigrad can read, with what is wrong."""


def _chunks(buf, name):
    if buf[:8] != _SIGNATURE:
        raise PNGError(f"{name}: not a PNG file (the first 8 bytes are {bytes(buf[:8])!r}, a PNG starts with "
                       f"{_SIGNATURE!r}); read_image reads PNG only")
    pos = 8
    while pos < len(buf):
        if pos + 8 > len(buf):
            raise PNGError(f"{name}: truncated PNG: chunk header at byte {pos} is cut off")
        length = int.from_bytes(buf[pos:pos + 4], "big")
        ctype = bytes(buf[pos + 4:pos + 8])
        if length > 2 ** 31 - 1:
            raise PNGError(f"{name}: chunk {ctype!r} at byte {pos} declares {length} bytes, more than a PNG chunk "
                           "can hold (2**31 - 1): the file is corrupt")
        end = pos + 8 + length
        if end + 4 > len(buf):
            raise PNGError(f"{name}: truncated PNG: chunk {ctype!r} at byte {pos} declares {length} bytes, the file "
                           f"ends first")
        data = buf[pos + 8:end]
        crc = int.from_bytes(buf[end:end + 4], "big")
        if zlib.crc32(data, zlib.crc32(ctype)) != crc:
            raise PNGError(f"{name}: CRC mismatch in chunk {ctype!r} at byte {pos}: the file is corrupt")
        yield ctype, data
        if ctype == b"IEND":
            return
        pos = end + 4
    raise PNGError(f"{name}: truncated PNG: no IEND chunk")


def _paeth(a, b, c):
    """The Paeth predictor on int16 arrays: whichever of a (left), b (up), c (up-left) is nearest a + b - c."""
    pa_s, pb_s = b - c, a - c  # p - a and p - b, with p = a + b - c
    pa, pb, pc = np.abs(pa_s), np.abs(pb_s), np.abs(pa_s + pb_s)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _unfilter_rows(ftypes, rows, bpp):
    """Filters None, Sub and Up only: row by row, each one NumPy call over the width. (H, rowlen) -> (H, rowlen)."""
    out = np.empty_like(rows)
    prev = np.zeros(rows.shape[1], np.uint8)
    for y, ftype in enumerate(ftypes):
        if ftype == 0:
            out[y] = rows[y]
        elif ftype == 1:  # running sum of each channel along the row, mod 256
            out[y] = np.cumsum(rows[y].reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        else:
            np.add(rows[y], prev, out=out[y])  # uint8 arithmetic wraps mod 256, as the format wants
        prev = out[y]
    return out


def _skewed(arr, height, width, bpp, offset):
    """A (height, width, bpp) view of arr (shape (S, R, bpp), contiguous) whose pixel (y, x) is arr[y + x + offset[0],
    y + offset[1]]: writing the image through it lays it out along anti-diagonals."""
    rows, item = arr.shape[1], arr.itemsize
    start = (offset[0] * rows + offset[1]) * bpp
    return np.lib.stride_tricks.as_strided(arr.reshape(-1)[start:], (height, width, bpp),
                                           ((rows + 1) * bpp * item, rows * bpp * item, item), writeable=True)


def _predict(ftype, a, b, c):
    """The prediction of filter `ftype` from the left (a), up (b) and up-left (c) bytes, int16 arrays."""
    if ftype == 0:
        return 0
    if ftype == 1:
        return a
    if ftype == 2:
        return b
    if ftype == 3:
        return (a + b) >> 1
    return _paeth(a, b, c)


_BAND_BYTES = 1 << 26  # the wavefront's working arrays stay under 64 MB: tall images go in bands of rows


def _unfilter_wavefront(ftypes, rows, bpp):
    """Any mix of the five filters, Average and Paeth included: (H, rowlen) -> (H, rowlen) uint8. Pixel (y, x)
    needs (y, x-1), (y-1, x) and (y-1, x-1), all on the anti-diagonal s = y + x before its own; so the loop runs over
    the H + W - 1 diagonals, each one NumPy step over all the rows at once (a wavefront), not over the H * W pixels.
    An image whose diagonal layout would pass _BAND_BYTES goes in bands of rows, each band's wavefront starting
    from the last row of the band above."""
    height, rowlen = rows.shape
    width = rowlen // bpp
    band = height
    while band > 16 and (band + width) * band * bpp * 3 > _BAND_BYTES:  # 3 bytes: F (uint8) and T (int16)
        band //= 2
    out = np.empty((height, width, bpp), np.uint8)
    prev = np.zeros((width, bpp), np.uint8)
    for top in range(0, height, band):
        out[top:top + band] = _wavefront(ftypes[top:top + band], rows[top:top + band], width, bpp, prev)
        prev = out[min(top + band, height) - 1]
    return out.reshape(height, rowlen)


def _wavefront(ftypes, rows, width, bpp, prev):
    """Rows below the decoded row `prev` (W, bpp), along anti-diagonals. Layout: F[s, y] is the filtered pixel
    (y, s - y); T[s + 2, y + 1] the decoded one, T[x + 1, 0] the row above (prev): column -1 and the diagonals before
    the first stay zero, which is what the filters take outside the image."""
    height = len(rows)
    diagonals = height + width - 1
    F = np.zeros((diagonals, height, bpp), np.uint8)
    _skewed(F, height, width, bpp, (0, 0))[...] = rows.reshape(height, width, bpp)
    T = np.zeros((diagonals + 2, height + 1, bpp), np.int16)
    T[1:width + 1, 0] = prev
    kinds = sorted(set(ftypes.tolist()))
    rows_of = {k: (ftypes == k)[:, None] for k in kinds}  # (H, 1) masks: the rows each filter codes
    for s in range(diagonals):
        lo, hi = max(0, s - width + 1), min(height, s + 1)  # the rows this diagonal crosses
        a, b, c = T[s + 1, lo + 1:hi + 1], T[s + 1, lo:hi], T[s, lo:hi]  # (rows, bpp) each: left, up, up-left
        if len(kinds) == 1:
            pred = _predict(kinds[0], a, b, c)
        else:  # each row its own filter's prediction (a chain of where: np.choose is twice as slow here)
            pred = _predict(kinds[0], a, b, c)
            for k in kinds[1:]:
                pred = np.where(rows_of[k][lo:hi], _predict(k, a, b, c), pred)
        np.bitwise_and(F[s, lo:hi] + pred, 255, out=T[s + 2, lo + 1:hi + 1])
    return _skewed(T, height, width, bpp, (2, 1))


def _unfilter(raw, height, rowlen, bpp, name):
    """Decompressed scanlines (H * (1 + rowlen) bytes) -> (H, rowlen) uint8."""
    rows = np.frombuffer(raw, np.uint8).reshape(height, rowlen + 1)
    ftypes = rows[:, 0]
    bad = np.flatnonzero(ftypes > 4)
    if len(bad):
        raise PNGError(f"{name}: row {bad[0]} has unknown filter type {ftypes[bad[0]]} (valid: 0 to 4)")
    if (ftypes >= 3).any():
        return _unfilter_wavefront(ftypes, rows[:, 1:], bpp)
    return _unfilter_rows(ftypes, rows[:, 1:], bpp)


def _inflate(idat, expected, name):
    """The zlib stream cut into IDAT chunks -> exactly `expected` bytes, inflated piece by piece and never past
    expected + 1: a stream that inflates to more than the header allows (a bomb) is refused as soon as it does."""
    total = sum(len(d) for d in idat)
    if expected > total * _MAX_ZLIB_RATIO + 64:
        raise PNGError(f"{name}: image data is too short: the header's size needs {expected} bytes, {total} bytes "
                       f"of IDAT inflate to at most {total * _MAX_ZLIB_RATIO}")
    z = zlib.decompressobj()
    out, got = [], 0
    try:
        for data in idat:
            while data and not z.eof:
                part = z.decompress(data, expected + 1 - got)
                out.append(part)
                got += len(part)
                if got > expected:
                    raise PNGError(f"{name}: image data inflates to more than the {expected} bytes its header "
                                   f"allows (rows of 1 filter byte + the row's bytes): the file is corrupt")
                data = z.unconsumed_tail
            if z.eof:
                break
        if z.unused_data:
            raise PNGError(f"{name}: image data continues after the end of its zlib stream: the file is corrupt")
    except zlib.error as e:
        raise PNGError(f"{name}: corrupt image data: zlib says {e}") from None
    if got < expected:
        raise PNGError(f"{name}: image data has {got} bytes after decompression, expected {expected} (the "
                       f"header's rows of 1 filter byte + the row's bytes): the file is truncated or corrupt")
    if not z.eof:
        raise PNGError(f"{name}: image data is cut off: the zlib stream does not end (truncated file)")
    return b"".join(out)


def _header(data, name):
    if len(data) != 13:
        raise PNGError(f"{name}: malformed IHDR chunk: {len(data)} bytes, expected 13")
    width, height = int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:8], "big")
    depth, color, compression, filtering, interlace = data[8:13]
    if not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE):
        raise PNGError(f"{name}: invalid image size {width}x{height} in IHDR (each side must be 1 to 2**31 - 1)")
    if color not in _CHANNELS:
        raise PNGError(f"{name}: invalid PNG colour type {color} (valid: 0, 2, 3, 4, 6)")
    if depth not in _VALID_DEPTHS[color]:
        raise PNGError(f"{name}: invalid bit depth {depth} for a {_COLOR_NAMES[color]} PNG (valid: "
                       f"{_VALID_DEPTHS[color]})")
    if compression != 0:
        raise PNGError(f"{name}: unknown compression method {compression} in IHDR (PNG defines only 0, zlib)")
    if filtering != 0:
        raise PNGError(f"{name}: unknown filter method {filtering} in IHDR (PNG defines only 0)")
    if interlace > 1:
        raise PNGError(f"{name}: unknown interlace method {interlace} in IHDR (valid: 0 none, 1 Adam7)")
    if depth != 8:
        raise PNGError(f"{name}: {depth}-bit {_COLOR_NAMES[color]} PNG is not supported; read_image reads 8-bit "
                       "PNGs only (convert the image to 8 bits per channel)")
    if interlace != 0:
        raise PNGError(f"{name}: interlaced (Adam7) PNG is not supported; save the image without interlacing")
    return width, height, color


def _decode(buf, name):
    """PNG bytes -> ((H, W, C) uint8 array, None) or, for a palette image, ((H, W, 1) indices, (palette, alpha))."""
    header = palette = trns = None
    idat = []
    for i, (ctype, data) in enumerate(_chunks(buf, name)):
        if (i == 0) != (ctype == b"IHDR"):
            raise PNGError(f"{name}: " + ("the first chunk is {!r}, a PNG must start with IHDR".format(ctype)
                                          if i == 0 else "a second IHDR chunk: the file is corrupt"))
        if ctype == b"IHDR":
            header = _header(data, name)
        elif ctype == b"PLTE":
            if len(data) % 3 or not 3 <= len(data) <= 768:
                raise PNGError(f"{name}: PLTE chunk of {len(data)} bytes: a palette is 1 to 256 RGB entries of "
                               "3 bytes each")
            if idat:
                raise PNGError(f"{name}: PLTE chunk after the image data (it must come before IDAT)")
            palette = np.frombuffer(data, np.uint8).reshape(-1, 3)
        elif ctype == b"tRNS":
            trns = np.frombuffer(data, np.uint8)
        elif ctype == b"IDAT":
            idat.append(data)
        elif ctype != b"IEND" and not ctype[0] & 0x20:  # upper-case first letter: a chunk a reader must understand
            raise PNGError(f"{name}: unknown critical chunk {ctype!r}: the file is corrupt or uses an extension "
                           "read_image does not know")
    width, height, color = header
    if not idat:
        raise PNGError(f"{name}: no IDAT chunk (no image data)")
    if color == 3 and palette is None:
        raise PNGError(f"{name}: palette PNG without a PLTE chunk")
    channels = _CHANNELS[color]
    raw = _inflate(idat, height * (1 + width * channels), name)
    img = _unfilter(raw, height, width * channels, channels, name).reshape(height, width, channels)
    if color == 3:
        if img.max() >= len(palette):
            raise PNGError(f"{name}: pixel refers to palette entry {img.max()}, the palette has {len(palette)}")
        alpha = np.full(len(palette), 255, np.uint8)
        if trns is not None:
            alpha[:len(trns)] = trns[:len(palette)]
        return img, (palette, alpha if trns is not None else None)
    return img, None


def _convert(img, palette, mode, name):
    """(H, W, C) -> the channels mode asks for. Only conversions without colour arithmetic are offered."""
    if palette is not None:
        colors, alpha = palette
        if mode == ImageReadMode.UNCHANGED:
            return img  # the palette indices, as torchvision returns them
        if mode not in (ImageReadMode.RGB, ImageReadMode.RGB_ALPHA):
            raise PNGError(f"{name}: converting a palette PNG to {mode.name} is not supported; use RGB or RGB_ALPHA")
        index = img[..., 0]
        if mode == ImageReadMode.RGB:
            return colors[index]
        alpha = np.full(len(colors), 255, np.uint8) if alpha is None else alpha
        return np.concatenate([colors[index], alpha[index][..., None]], axis=2)
    c = img.shape[2]
    if mode == ImageReadMode.UNCHANGED:
        return img
    want_color = mode in (ImageReadMode.RGB, ImageReadMode.RGB_ALPHA)
    want_alpha = mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA)
    color, alpha = img[..., :c - 1 if c in (2, 4) else c], img[..., c - 1:] if c in (2, 4) else None
    if color.shape[2] == 3 and not want_color:
        raise PNGError(f"{name}: converting a colour PNG to {mode.name} is not supported (it needs libpng's "
                       "RGB-to-gray weights); read it with ImageReadMode.UNCHANGED or RGB")
    if color.shape[2] == 1 and want_color:
        color = np.repeat(color, 3, axis=2)
    if want_alpha:
        alpha = alpha if alpha is not None else np.full(color.shape[:2] + (1,), 255, np.uint8)
        return np.concatenate([color, alpha], axis=2)
    return color


class ImageFileError(RuntimeError, OSError):
    """A file read_file or read_image cannot open: a RuntimeError as torchvision raises, and an OSError as open()
    raises, so either `except` catches it."""


def _open(path):
    try:
        return open(path, "rb")
    except OSError as e:
        raise ImageFileError(f"read_file: {e.strerror or e}: {path!r}") from None


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor."""
    with _open(os.fspath(path)) as f:
        return Tensor._make(np.frombuffer(f.read(), np.uint8).copy(), None)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False, _name="<tensor>"):
    """A 1-D uint8 tensor of PNG bytes -> (C, H, W) uint8 tensor."""
    buf = input.data.tobytes() if isinstance(input, Tensor) else bytes(input)
    img = _convert(*_decode(buf, _name), mode, _name)
    return Tensor._make(np.ascontiguousarray(img.transpose(2, 0, 1)), None)  # (H, W, C) -> (C, H, W)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an 8-bit PNG into a (C, H, W) uint8 tensor: C is 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)."""
    path = os.fspath(path)
    with _open(path) as f:
        buf = f.read()
    return decode_png(buf, mode, apply_exif_orientation, _name=path)
