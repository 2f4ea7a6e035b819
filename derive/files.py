"""Writing output files atomically, and only when their content changes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from derive.errors import DeriveError


def write_text(path, text: str) -> bool:
    """Write ``text`` (UTF-8) to ``path`` atomically; False when it was already there."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically; returns False when it was already there.

    The data goes to a temporary file in the same folder first and is renamed over
    the target, so an interrupted run never leaves a half-written file.
    """
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    if path.is_dir():
        raise DeriveError(f"{path} is a folder; give a file name with -o")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise DeriveError(f"cannot write {path}: {error.strerror}; choose another -o path") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True
