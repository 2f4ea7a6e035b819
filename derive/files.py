"""Writing output files as careful tools do.

- Only regular files are written. A device, FIFO, socket or folder given as the target is
  refused with one line; a symbolic link is followed and the file it points to is replaced
  (the link stays a link).
- Writes are atomic: the data goes to a temporary file in the target's folder, named
  ``.NAME.derive-tmp-PID-RANDOM``, and is renamed over the target, so a reader sees the old
  or the new file, never a part. An unchanged file is not rewritten.
- An existing target keeps its permission bits (and, when run as root, its owner); a new file
  gets 0666 minus the umask, as a shell redirection would make it.
- Missing parent folders are an error unless ``parents=True`` (``--parents``).
- SIGTERM, SIGINT and SIGHUP during a write remove the temporary file; temporary files and
  staging folders of processes that no longer run (killed with SIGKILL, say) are removed by
  the next write into the same folder.
- OS errors (no space left, permission denied) become one-line errors naming the path.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import threading
from pathlib import Path

from derive.errors import DeriveError

# .NAME.derive-tmp-PID-RANDOM (files) and .NAME.derive-staging-PID-RANDOM (build folders)
_STRAY = re.compile(r"^\..*\.derive-(?:tmp|staging|old)-(\d+)-[0-9a-f]+$")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name))
_live: set[str] = set()  # temporary files and folders of this process, removed on a signal
_guard_depth = 0


def shown(path) -> str:
    """``path`` for a message: as is, or as a quoted Python string when it holds line breaks or
    other unprintable characters (a message stays one line)."""
    text = os.fspath(path)
    return text if text.isprintable() else repr(text)


def temporary_name(target: Path, kind: str = "tmp") -> Path:
    """A name beside ``target`` that a later run recognizes as ours: ``.NAME.derive-KIND-PID-RANDOM``."""
    return target.with_name(f".{target.name}.derive-{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def _cleanup() -> None:
    for path in list(_live):
        _remove(path)
        _live.discard(path)


def _on_signal(signum, frame):
    _cleanup()
    if signum == getattr(signal, "SIGINT", None):
        raise KeyboardInterrupt
    print(f"derive: stopped by {signal.Signals(signum).name}; no file was left half-written", file=sys.stderr)
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def guarded():
    """While inside, SIGTERM/SIGINT/SIGHUP remove this process's temporary files before it exits
    (status 128 + signal; SIGINT raises KeyboardInterrupt as usual). Nests; main thread only."""
    global _guard_depth
    install = _guard_depth == 0 and threading.current_thread() is threading.main_thread()
    previous = {}
    if install:
        for signum in _SIGNALS:
            previous[signum] = signal.getsignal(signum)
            if signum == getattr(signal, "SIGHUP", None) and previous[signum] == signal.SIG_IGN:
                continue  # run under nohup: keep ignoring hangups
            signal.signal(signum, _on_signal)
    _guard_depth += 1
    try:
        yield
    finally:
        _guard_depth -= 1
        if _guard_depth == 0:
            _cleanup()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def track(path: Path) -> None:
    """Remove ``path`` if a signal stops the process inside ``guarded()``."""
    _live.add(str(path))


def untrack(path: Path) -> None:
    _live.discard(str(path))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    try:  # a zombie (killed, not yet reaped) no longer writes anything
        with open(f"/proc/{pid}/stat", "rb") as stream:
            return stream.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def remove_strays(folder: Path) -> list[str]:
    """Remove derive's temporary files and staging folders in ``folder`` whose process is gone."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STRAY.match(entry.name)
        if match and not _alive(int(match.group(1))):
            _remove(entry.path)
            removed.append(entry.name)
    return removed


def output_error(path, error: OSError, action: str = "write") -> DeriveError:
    """A one-line error for an OS error on ``path``, with what to do."""
    hints: dict[int | None, str] = {
        errno.ENOSPC: "no space left on the device; free some space or choose another path",
        errno.EDQUOT: "disk quota exceeded; free some space or choose another path",
        errno.EACCES: "permission denied; choose a path you can write to",
        errno.EPERM: "operation not permitted; choose a path you can write to",
        errno.EROFS: "read-only file system; choose another path",
        errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
        errno.ELOOP: "too many levels of symbolic links; give the real path",
        errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    }
    hint = hints.get(error.errno, f"{(error.strerror or str(error)).lower()}; choose another path")
    return DeriveError(f"cannot {action} {path}: {hint}")


_KINDS = [(stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")]


def describe_mode(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_folder(folder: Path, parents: bool, where=None, create: bool = True) -> None:
    """``folder`` exists and is a folder; with ``parents`` it is created when missing (only
    checked when ``create`` is False)."""
    where = where if where is not None else folder
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        if not parents:
            raise DeriveError(f"folder {shown(where)} does not exist; create it or pass --parents") from None
        if not create:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise output_error(folder, error, "create the folder") from None
        return
    except OSError as error:
        raise output_error(where, error) from None
    if not stat.S_ISDIR(info.st_mode):
        raise DeriveError(f"{shown(where)} is {describe_mode(info.st_mode)}, not a folder; choose another path")


def resolve_output(path, parents: bool = False, create: bool = True) -> tuple[Path, os.stat_result | None]:
    """The file to write for the output ``path`` (a symbolic link is followed) and its current
    status (None when it does not exist yet); refuses anything but a regular file. Missing
    folders are created with ``parents`` unless ``create`` is False (a check before the work)."""
    text = os.fspath(path)
    if text == "":
        raise DeriveError("the output path is empty; give a file name")
    if "\0" in text:
        raise DeriveError("the output path contains a NUL character; give a file name")
    if text.endswith(os.sep) or (os.altsep and text.endswith(os.altsep)):
        raise DeriveError(f"{shown(text)} ends with a slash, like a folder; give a file name")
    path = Path(text)
    real = Path(os.path.realpath(path)) if os.path.islink(path) else path
    if real.name in ("", ".", ".."):
        raise DeriveError(f"{shown(path)} is a folder; give a file name")
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise output_error(path, error) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = describe_mode(info.st_mode)
        via = f" (the link {shown(path)} points to {shown(real)})" if real != path else ""
        raise DeriveError(f"{shown(path)} is {what}{via}; derive writes only regular files: give a file name")
    if info is None:
        check_folder(real.parent, parents, where=real.parent if real != path else path.parent, create=create)
    return real, info


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path, text: str, parents: bool = False) -> bool:
    """Write ``text`` (UTF-8) to ``path`` atomically; False when it was already there."""
    return write_bytes(path, text.encode("utf-8"), parents=parents)


def write_bytes(path, data: bytes, parents: bool = False) -> bool:
    """Write ``data`` to ``path`` atomically (see the module's docstring); returns False when
    the file already held exactly ``data``."""
    real, info = resolve_output(path, parents)
    remove_strays(real.parent)  # also when the content is unchanged: a killed run's leftovers go
    if info is not None:
        try:
            if info.st_size == len(data) and real.read_bytes() == data:
                return False
        except OSError:
            pass  # unreadable: replace it
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    with guarded():
        remove_strays(real.parent)
        temporary = temporary_name(real)
        track(temporary)  # before it exists: a signal right after creation still removes it
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view):]
                if info is not None and os.geteuid() == 0 and (info.st_uid, info.st_gid) != (0, 0):
                    with contextlib.suppress(OSError):
                        os.fchown(descriptor, info.st_uid, info.st_gid)
                os.fchmod(descriptor, mode)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(temporary, real)
            untrack(temporary)
        except OSError as error:
            _remove(str(temporary))
            untrack(temporary)
            raise output_error(path, error) from None
        except BaseException:
            _remove(str(temporary))
            untrack(temporary)
            raise
    return True
