"""atomic_write: a file at a path is replaced whole or not at all (temporary file, fsync, rename, fsync the folder).

The one helper every writer in minigrad uses (minigrad.save, minigrad.safetensors.save_file)."""
import contextlib
import os
import stat
import tempfile


def _new_file_mode(path):
    """The permissions a plain open(path, "w") would give: the old file's, or 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        pass
    try:
        with open("/proc/self/status") as status:  # Linux: read the umask without changing it
            mask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path, write):
    """Call `write(binary_file)` on a temporary file next to `path`, fsync it, then rename it over `path`: a crash
    or an error (or Ctrl-C) mid-write leaves any previous file at `path` as it was, and no temporary file."""
    path = os.fsdecode(os.fspath(path))
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    path = os.path.realpath(path)  # through a symlink, as open() would write: the link stays a link
    directory = os.path.dirname(path)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:  # an error, or Ctrl-C: the previous file stays, the temporary one goes
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; elsewhere nothing to do)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
