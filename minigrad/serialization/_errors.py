"""The one error every bad file raises, and how a file is named in it."""
import os


class SerializationError(RuntimeError):
    """A file minigrad.load cannot read: not a format it knows, truncated, corrupt, from a newer format, or asking
    for something a weights-only load refuses."""


def file_name(f):
    """How messages name `f`: the path, repr'd, or the file object's name, or its type."""
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"
