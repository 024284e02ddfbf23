"""Writing a file atomically: a temporary file in the same folder, flushed to disk, then renamed over the target.

One rule for every output: a missing parent folder is created (``explain --svg new/x.svg`` as ``tour --out new``).

Every file the package writes (model files, pictures, stepper pages, reports)
goes through ``write_atomically``, so an interrupted or failed write (Ctrl-C,
kill -9, a full disk) leaves the previous file whole and no half-written
page or picture in its place.  The new file keeps the permissions of the file
it replaces (a new file gets 0o666 minus the umask, as open() would give it);
writing to a symbolic link writes the file it points to and keeps the link.
The temporary file is named ``.NAME.saving-PID-XXXX.tmp``; one left by a write
that was killed (its process is gone) is deleted by the next write of the same
file.  Every error names the function that wrote (``caller``) and the file:
"save_model: cannot write model.json: No space left on device".
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
import time
from pathlib import Path


def _os_error(err: OSError, message: str) -> OSError:
    """An OSError of err's kind (PermissionError, ...) with message, keeping its errno."""
    if err.errno is None:
        return type(err)(message)
    return OSError(err.errno, message)  # OSError(errno, ...) picks the subclass: PermissionError for EACCES


def message_of(err: Exception) -> str:
    """err's one-line message, without the "[Errno N] " an OSError puts before it (for a CLI's error line)."""
    text = err.strerror if isinstance(err, OSError) and err.strerror else None
    return text or str(err)


def check_target(path: str | os.PathLike[str], caller: str) -> Path:
    """The file a write to path replaces (a symbolic link followed); a clear error naming caller when it cannot be.

    Missing parent folders are created (every output does so); refused: an empty name, a name holding a NUL
    character, a folder, a device or pipe, a file where a folder is needed, a folder where a test file cannot be
    created.
    """
    text = os.fspath(path)
    if not text:
        raise ValueError(f"{caller}: the path is empty; give a file name")
    if "\x00" in text:
        raise ValueError(f"{caller}: cannot write {text!r}: a file name cannot hold a NUL character (\\x00)")
    target = Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    if target.is_dir():
        raise IsADirectoryError(f"{caller}: {text} is a folder; give a file name inside it")
    if target.exists() and not target.is_file():  # renaming over /dev/null or a pipe would replace it
        raise ValueError(f"{caller}: {text} is a device, pipe or socket, not a file")
    make_folders(target, caller)
    _probe_folder(target, caller)
    return target


def file_in_the_way(path: str | os.PathLike[str]) -> Path | None:
    """The nearest existing folder above path when it is not a folder (a file), so path's folders cannot be made."""
    existing = next((p for p in Path(path).absolute().parents if p.exists()), None)
    return existing if existing is not None and not existing.is_dir() else None


def make_folders(target: Path, caller: str) -> None:
    """Create target's missing parent folders, as every output does (the tour's --out, a picture, a model file).

    NotADirectoryError naming caller when a file stands where a folder is needed.
    """
    folder = target.parent
    if folder.is_dir():
        return
    blocker = file_in_the_way(target)
    if blocker is not None:
        raise NotADirectoryError(f"{caller}: cannot make the folder {folder}: {blocker} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _os_error(err, f"{caller}: cannot make the folder {folder}: {err.strerror or err}") from None


def _probe_folder(target: Path, caller: str) -> None:
    """Create and remove a temporary file beside target: a real write, so a read-only folder is refused now."""
    try:
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f"{_temporary_prefix(target)}{os.getpid()}-",
                                         suffix=".tmp"):
            pass
    except OSError as err:
        folder = target.parent
        raise _os_error(err, f"{caller}: cannot write in the folder {folder}: {err.strerror or err}") from None


def write_atomically(path: str | os.PathLike[str], data: str | bytes, caller: str) -> Path:
    """Write data (text as UTF-8, or bytes) to path atomically; returns Path(path).

    Errors name caller and the file; the previous file, if any, is left as it was.
    """
    target = check_target(path, caller)
    folder = target.parent
    mode = _mode_for(target)
    _remove_stale_temporaries(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        handle = tempfile.NamedTemporaryFile(
            "wb", dir=folder, prefix=f"{_temporary_prefix(target)}{os.getpid()}-", suffix=".tmp", delete=False
        )
    except OSError as err:  # name the folder, not the temporary file the user never asked for
        raise _os_error(err, f"{caller}: cannot write in the folder {folder}: {err.strerror or err}") from None
    temp_path = Path(handle.name)
    try:
        with handle:
            handle.write(payload)
            handle.flush()
            os.chmod(temp_path, mode)  # NamedTemporaryFile makes it 0o600
            os.fsync(handle.fileno())
        os.replace(temp_path, target)
    except OSError as err:
        temp_path.unlink(missing_ok=True)
        kept = " (the old file is kept as it was)" if target.exists() else ""
        raise _os_error(err, f"{caller}: cannot write {os.fspath(path)}: {err.strerror or err}{kept}") from None
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return Path(path)


def _temporary_prefix(target: Path) -> str:
    """The start of the name of target's temporary files: .NAME.saving- (then PID-XXXX.tmp)."""
    return f".{target.name}.saving-"


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files of earlier writes of target that were killed: their process is gone.

    On POSIX a process id that no longer runs means the write died; elsewhere
    a temporary file older than an hour is taken as stale.
    """
    prefix = _temporary_prefix(target)
    for leftover in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid_text = leftover.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            if _process_is_gone(int(pid_text), leftover):
                leftover.unlink()
        except OSError:
            pass  # another write cleaned it, or the folder is read-only: the write itself will say so


def _process_is_gone(pid: int, leftover: Path) -> bool:
    """True when the process that wrote leftover is no longer running (POSIX), or leftover is over an hour old."""
    if os.name != "posix":
        return time.time() - leftover.stat().st_mtime > 3600
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def _mode_for(target: Path) -> int:
    """The permission bits the written file should get: the existing file's, else 0o666 & ~umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename itself is on disk (POSIX; skipped where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


__all__ = ["check_target", "file_in_the_way", "make_folders", "message_of", "write_atomically"]
