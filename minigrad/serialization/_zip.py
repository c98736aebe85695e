"""The zip container of torch's format: stored (uncompressed) members, each member's data 64-byte aligned.

Reading trusts nothing: every member must be stored, lie inside the file, appear once, and match its CRC-32 (torch
itself skips that check). Data is read straight into the buffer that becomes the tensors' storage (no second copy),
or mapped copy-on-write with `mmap=True`. Writing is a few struct.pack calls: local header (its extra field pads the
data to a 64-byte boundary, as torch's writer does), the data, then the central directory and its end record (zip64
records when the archive passes 4 GiB or 65535 members).
"""
import mmap as _mmap
import os
import struct
import zipfile
import zlib

from ._errors import SerializationError

ALIGN = 64
_LOCAL = struct.Struct("<IHHHHHIIIHH")  # signature, version, flags, method, time, date, crc, csize, usize, nlen, elen
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_DOS_DATE = (1 << 5) | 1  # 1980-01-01: a fixed date keeps the same object's bytes the same
_UTF8 = 0x800
_U32 = 0xFFFFFFFF  # in a 4-byte field: "see the zip64 extra field"
ZIP64_AT = _U32  # sizes and offsets from here on go to zip64 fields (a test lowers it to exercise them)
_CHUNK = 1 << 24


class ZipReader:
    """The members of a torch zip archive: `names`, `read(name)` (a writable buffer) and `size(name)`."""

    def __init__(self, f, name, use_mmap=False):
        self.f, self.name = f, name
        f.seek(0, os.SEEK_END)
        self.file_size = f.tell()
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error,
                NotImplementedError, KeyError, UnicodeDecodeError) as e:
            raise self.bad(f"it is truncated or not a valid zip archive ({e})") from None
        self.members = {}
        for info in infos:
            self._check(info)
            self.members[info.filename] = (self._data_offset(info), info.file_size, info.CRC)
        self.names = list(self.members)
        self._map = None
        if use_mmap:
            if not hasattr(f, "fileno"):
                raise self.bad("mmap=True needs a file on disk (a path or a real file), not an in-memory buffer")
            # ACCESS_COPY: pages are shared with the page cache until written, and writes never reach the file
            self._map = _mmap.mmap(f.fileno(), 0, access=_mmap.ACCESS_COPY) if self.file_size else None

    def bad(self, why):
        return SerializationError(f"minigrad.load: {self.name} is corrupt: {why}")

    def _check(self, info):
        what = f"member {info.filename!r}"
        if info.filename in self.members:
            raise self.bad(f"{what} appears twice in the zip directory")
        if info.flag_bits & 0x1:
            raise self.bad(f"{what} is encrypted")
        if info.compress_type != zipfile.ZIP_STORED:
            raise self.bad(f"{what} is compressed (method {info.compress_type}, claiming {info.file_size} bytes "
                           "uncompressed); torch's format stores every member as is, so minigrad never inflates")
        if info.compress_size != info.file_size:
            raise self.bad(f"{what} is stored but says {info.compress_size} bytes compressed, {info.file_size} not")

    def _data_offset(self, info):
        what = f"member {info.filename!r}"
        if info.header_offset < 0 or info.header_offset + _LOCAL.size > self.file_size:
            raise self.bad(f"{what} starts at byte {info.header_offset}, outside the file ({self.file_size} bytes)")
        self.f.seek(info.header_offset)
        head = self.f.read(_LOCAL.size)
        sig, _v, _flags, method, _t, _d, _crc, _cs, _us, nlen, elen = _LOCAL.unpack(head)
        if sig != 0x04034B50 or method != zipfile.ZIP_STORED:
            raise self.bad(f"{what} has no valid local header at byte {info.header_offset}")
        start = info.header_offset + _LOCAL.size + nlen + elen
        if start + info.file_size > self.file_size:
            raise self.bad(f"{what} claims {info.file_size} bytes at byte {start}, past the end of the file "
                           f"({self.file_size} bytes): the file is truncated")
        return start

    def size(self, member):
        return self.members[member][1]

    def read(self, member):
        """The member's bytes, checked against its CRC-32: a bytearray, or a copy-on-write mmap slice."""
        start, size, crc = self.members[member]
        if self._map is not None:
            self._check_crc_streaming(member, start, size, crc)  # plain reads: the mapped pages stay untouched
            return memoryview(self._map)[start:start + size]
        buf = bytearray(size)  # the file proved it has these bytes (checked in _data_offset)
        self.f.seek(start)
        view, got = memoryview(buf), 0
        while got < size:
            n = self.f.readinto(view[got:got + _CHUNK])
            if not n:
                raise self.bad(f"member {member!r} ends early: the file is truncated")
            got += n
        if zlib.crc32(buf) != crc:
            raise self._crc_error(member)
        return buf

    def _check_crc_streaming(self, member, start, size, crc):
        value, pos = 0, start
        self.f.seek(start)
        while pos < start + size:
            chunk = self.f.read(min(_CHUNK, start + size - pos))
            if not chunk:
                raise self.bad(f"member {member!r} ends early: the file is truncated")
            value = zlib.crc32(chunk, value)
            pos += len(chunk)
        if value != crc:
            raise self._crc_error(member)

    def _crc_error(self, member):
        return self.bad(f"the CRC-32 of member {member!r} does not match the one in the zip directory (the file "
                        "was changed or damaged after saving)")


class ZipWriter:
    """Writes stored members to a binary file `f`, from its current position; `close()` writes the directory."""

    def __init__(self, f):
        self.f, self.pos, self.entries = f, 0, []

    def _put(self, b):
        self.f.write(b)
        self.pos += len(b)

    def write(self, name, data):
        """One member: `data` is bytes or any C-contiguous buffer (written without a copy)."""
        data = memoryview(data).cast("B")
        size, crc = data.nbytes, zlib.crc32(data)
        raw = name.encode("utf-8")
        big = size >= ZIP64_AT or self.pos >= ZIP64_AT
        fixed = _LOCAL.size + len(raw) + 4 + (20 if big else 0)  # header, name, padding field's own 4 bytes
        pad = -(self.pos + fixed) % ALIGN
        extra = b""
        if big:  # zip64 extra: sizes and (for the directory) the offset
            extra = struct.pack("<HHQQ", 1, 16, size, size)
        extra += b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self.entries.append((raw, crc, size, self.pos))
        small = _U32 if big else size  # the local header's sizes: in the zip64 extra when big
        self._put(_LOCAL.pack(0x04034B50, 45 if big else 20, _UTF8, 0, 0, _DOS_DATE, crc, small, small, len(raw),
                              len(extra)) + raw + extra)
        self._put(data)

    def close(self):
        start = self.pos
        for raw, crc, size, offset in self.entries:
            fields = [v for v in (size, size, offset) if v >= ZIP64_AT]  # zip64 order: sizes, then the offset
            extra = struct.pack("<HH", 1, 8 * len(fields)) + struct.pack(f"<{len(fields)}Q", *fields) if fields else b""
            self._put(_CENTRAL.pack(0x02014B50, 45 if fields else 20, 45 if fields else 20, _UTF8, 0, 0, _DOS_DATE,
                                    crc, _field(size), _field(size), len(raw), len(extra), 0, 0, 0, 0,
                                    _field(offset)) + raw + extra)
        n, cd_size = len(self.entries), self.pos - start
        if n >= 0xFFFF or start >= ZIP64_AT or cd_size >= ZIP64_AT:
            end64 = self.pos
            self._put(_END64.pack(0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size, start))
            self._put(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
            n, cd_size, start = 0xFFFF, _U32, _U32  # all three say "see the zip64 end record"
        self._put(_END.pack(0x06054B50, 0, 0, n, n, cd_size, start, 0))


def _field(v):
    return _U32 if v >= ZIP64_AT else v
