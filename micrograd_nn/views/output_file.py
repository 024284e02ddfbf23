"""Writing the views' files (pictures, DOT text, stepper pages) atomically.

``write_file(path, data)`` writes a temporary file in the same folder, flushes
it to disk and renames it over ``path``: a write that fails or is interrupted
leaves the old file as it was (or no file), never half a picture.  A new file
gets the permissions the user's umask gives; an existing file keeps its own.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_file(path: str | Path, data: str | bytes) -> Path:
    """Write data (text as UTF-8, or bytes) to path atomically; returns path as a Path.

    OSError naming the folder when it cannot be written; nothing is left behind on failure.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name")
    if target.exists() and not target.is_file():  # renaming over /dev/null or a pipe would replace it
        raise ValueError(f"cannot write {path}: it is a device, pipe or socket, not a file")
    folder = target.parent
    content = data.encode("utf-8") if isinstance(data, str) else data
    try:
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    except OSError as err:  # name the folder, not the temporary file the user never asked for
        raise OSError(err.errno, f"cannot write in the folder {folder}: {err.strerror}") from None
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))  # NamedTemporaryFile makes it 0o600
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def _mode_for(target: Path) -> int:
    """The permissions the written file gets: the existing file's, else 0o666 less the umask."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from /proc on Linux (no window in which it is changed), else set and reset."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
