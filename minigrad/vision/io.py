"""torchvision.io.read_image for 8-bit PNG, on zlib and NumPy: a file -> a (C, H, W) uint8 tensor.

A PNG is an 8-byte signature and then chunks, each `length (4, big-endian) | type (4) | data | CRC-32 of type+data`:
IHDR (size, bit depth, colour type), PLTE (palette), tRNS (palette transparency), IDAT (the zlib stream, possibly
cut into several chunks) and IEND. The decompressed stream is one filter-type byte per row, then the row's bytes
coded relative to the left pixel (a), the pixel above (b) and the one above-left (c):

    0 None: x    1 Sub: x + a    2 Up: x + b    3 Average: x + (a + b) // 2    4 Paeth: x + paeth(a, b, c)

Handled: bit depth 8, grayscale (C=1), grayscale+alpha (2), RGB (3), RGBA (4) and palette (with mode UNCHANGED
the palette indices, as torchvision returns them; with RGB or RGB_ALPHA the colours, alpha from the tRNS chunk). Not handled, with an error saying so: interlaced images,
bit depths other than 8.
"""
import enum
import os
import zlib

import numpy as np

from ..tensor import Tensor

__all__ = ["ImageReadMode", "decode_png", "read_file", "read_image"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel in the stream
_COLOR_NAMES = {0: "grayscale", 2: "RGB", 3: "palette", 4: "grayscale+alpha", 6: "RGBA"}


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
        end = pos + 8 + length
        if end + 4 > len(buf):
            raise PNGError(f"{name}: truncated PNG: chunk {ctype!r} at byte {pos} declares {length} bytes, the file "
                           f"ends first")
        data = bytes(buf[pos + 8:end])
        crc = int.from_bytes(buf[end:end + 4], "big")
        if zlib.crc32(ctype + data) != crc:
            raise PNGError(f"{name}: CRC mismatch in chunk {ctype!r} at byte {pos}: the file is corrupt")
        yield ctype, data
        if ctype == b"IEND":
            return
        pos = end + 4
    raise PNGError(f"{name}: truncated PNG: no IEND chunk")


def _paeth_or_average(line, prev, bpp, paeth):
    """Filters 3 and 4 depend on the pixel just decoded, so they go byte by byte (plain ints are fastest here)."""
    cur = bytearray(len(line))
    for i, x in enumerate(line):
        a = cur[i - bpp] if i >= bpp else 0
        b = prev[i]
        if paeth:
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        else:
            pred = (a + b) >> 1
        cur[i] = (x + pred) & 0xFF
    return np.frombuffer(bytes(cur), np.uint8)


def _unfilter(raw, height, rowlen, bpp, name):
    """Decompressed scanlines (H * (1 + rowlen) bytes) -> (H, rowlen) uint8."""
    if len(raw) != height * (rowlen + 1):
        raise PNGError(f"{name}: image data has {len(raw)} bytes after decompression, expected {height} rows of "
                       f"1 + {rowlen} bytes = {height * (rowlen + 1)}")
    rows = np.frombuffer(raw, np.uint8).reshape(height, rowlen + 1)
    out = np.empty((height, rowlen), np.uint8)
    prev = np.zeros(rowlen, np.uint8)
    for y in range(height):
        ftype, line = rows[y, 0], rows[y, 1:]
        if ftype == 0:
            cur = line
        elif ftype == 1:  # running sum of each channel along the row, mod 256
            cur = np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif ftype == 2:
            cur = line + prev  # uint8 arithmetic wraps mod 256, as the format wants
        elif ftype in (3, 4):
            cur = _paeth_or_average(line.tobytes(), prev.tobytes(), bpp, paeth=ftype == 4)
        else:
            raise PNGError(f"{name}: row {y} has unknown filter type {ftype} (valid: 0 to 4)")
        out[y] = cur
        prev = out[y]
    return out


def _decode(buf, name):
    """PNG bytes -> ((H, W, C) uint8 array, None) or, for a palette image, ((H, W, 1) indices, (palette, alpha))."""
    header = palette = trns = None
    idat = []
    for ctype, data in _chunks(buf, name):
        if ctype == b"IHDR":
            header = data
        elif ctype == b"PLTE":
            palette = np.frombuffer(data, np.uint8).reshape(-1, 3)
        elif ctype == b"tRNS":
            trns = np.frombuffer(data, np.uint8)
        elif ctype == b"IDAT":
            idat.append(data)
    if header is None or len(header) != 13:
        raise PNGError(f"{name}: missing or malformed IHDR chunk")
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, color, interlace = header[8], header[9], header[12]
    if color not in _CHANNELS:
        raise PNGError(f"{name}: invalid PNG colour type {color}")
    if depth != 8:
        raise PNGError(f"{name}: {depth}-bit {_COLOR_NAMES[color]} PNG is not supported; read_image reads 8-bit "
                       "PNGs only (convert the image to 8 bits per channel)")
    if interlace != 0:
        raise PNGError(f"{name}: interlaced (Adam7) PNG is not supported; save the image without interlacing")
    if not idat:
        raise PNGError(f"{name}: no IDAT chunk (no image data)")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise PNGError(f"{name}: corrupt image data: zlib says {e}") from None
    channels = _CHANNELS[color]
    img = _unfilter(raw, height, width * channels, channels, name).reshape(height, width, channels)
    if color == 3:
        if palette is None:
            raise PNGError(f"{name}: palette PNG without a PLTE chunk")
        if img.size and img.max() >= len(palette):
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


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        return Tensor._make(np.frombuffer(f.read(), np.uint8).copy(), None)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False, _name="<tensor>"):
    """A 1-D uint8 tensor of PNG bytes -> (C, H, W) uint8 tensor."""
    buf = input.data.tobytes() if isinstance(input, Tensor) else bytes(input)
    img = _convert(*_decode(buf, _name), mode, _name)
    return Tensor._make(np.ascontiguousarray(img.transpose(2, 0, 1)), None)  # (H, W, C) -> (C, H, W)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an 8-bit PNG into a (C, H, W) uint8 tensor: C is 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        buf = f.read()
    return decode_png(buf, mode, apply_exif_orientation, _name=path)
