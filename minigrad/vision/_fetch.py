"""Finding the raw files of a dataset, and downloading them when asked.

Places, in order: the `root` given (torchvision's layout `root/<Name>/raw/`); `$MINIGRAD_DATA/<Name>/raw/` or
`$MINIGRAD_DATA` itself; the files a Debian package installs (`dpkg -L <package>`, then its usual folder); and, with
`download=True`, the official mirrors into `root/<Name>/raw/`, each file md5-checked and written atomically.
A file counts as present under its name or its name without `.gz` (torchvision keeps the extracted files).
"""
import hashlib
import os
import subprocess
import tempfile
import urllib.request

ENV_VAR = "MINIGRAD_DATA"


def _find_in(folder, names):
    """{name: path} for every name present in folder (gzipped or extracted), or None when any is missing."""
    found = {}
    for name in names:
        for candidate in (name, name[:-3] if name.endswith(".gz") else name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                found[name] = path
                break
        else:
            return None
    return found


def debian_files(package):
    """Paths that `dpkg -L package` lists (empty when dpkg or the package is missing)."""
    try:
        out = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    return out.stdout.split("\n") if out.returncode == 0 else []


def _debian_folders(package, default_folder, names):
    folders = []
    wanted = set(names) | {n + ".gz" for n in names}
    for line in debian_files(package):
        if os.path.basename(line.strip()) in wanted:
            folders.append(os.path.dirname(line.strip()))
    return list(dict.fromkeys(folders + [default_folder]))


def locate(root, folder_name, names, debian_package=None, debian_folder=None):
    """Find all `names`. Returns ({name: path}, searched) where searched lists (place, why it did not fit)."""
    searched = []
    places = []
    if root is not None:
        places.append(("root", os.path.join(os.path.expanduser(os.fspath(root)), folder_name, "raw")))
    env = os.environ.get(ENV_VAR)
    if env:
        places += [(f"${ENV_VAR}", os.path.join(env, folder_name, "raw")), (f"${ENV_VAR}", env)]
    else:
        searched.append((f"${ENV_VAR}", "not set"))
    if debian_package is not None:
        for folder in _debian_folders(debian_package, debian_folder, names):
            places.append((f"Debian package {debian_package}", folder))
    for label, folder in places:
        found = _find_in(folder, names)
        if found is not None:
            return found, searched
        missing = [n for n in names if _find_in(folder, [n]) is None]
        why = "no such folder" if not os.path.isdir(folder) else "missing " + ", ".join(missing)
        searched.append((f"{label}: {folder}", why))
    return None, searched


def source_of(folder, root, folder_name, debian_package=None):
    """In words, which of locate's places `folder` is: 'root', '$MINIGRAD_DATA' or the Debian package."""
    if root is not None and folder == os.path.join(os.path.expanduser(os.fspath(root)), folder_name, "raw"):
        return "root"
    env = os.environ.get(ENV_VAR)
    if env and folder in (env, os.path.join(env, folder_name, "raw")):
        return f"${ENV_VAR}"
    return f"Debian package {debian_package}" if debian_package else "elsewhere"


def md5sum(path, chunk_size=1 << 20):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url, folder, filename, md5, timeout=30):
    """Fetch url to folder/filename: streamed into a hidden temporary file beside it, md5-checked, then renamed into
    place (atomic), so no reader ever sees a partial file. The temporary file is removed on any failure."""
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    try:
        h = hashlib.md5()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() != md5:
            raise RuntimeError(f"md5 mismatch for {url}: got {h.hexdigest()}, expected {md5}")
        os.replace(tmp, os.path.join(folder, filename))
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def download_all(mirrors, resources, folder):
    """Each (filename, md5) from the first mirror that serves it intact; RuntimeError listing every failure."""
    for filename, md5 in resources:
        target = os.path.join(folder, filename)
        if os.path.isfile(target) and md5sum(target) == md5:
            continue
        errors = []
        for mirror in mirrors:
            try:
                download(mirror + filename, folder, filename, md5)
                break
            except Exception as e:  # network errors, HTTP errors, md5 mismatch: try the next mirror
                errors.append(f"{mirror}{filename}: {type(e).__name__}: {e}")
        else:
            raise RuntimeError(f"Error downloading {filename}:\n" + "\n".join(f"  - {e}" for e in errors))
