"""The data folder: one server at a time owns it, and its files are written whole.

A server on SQLite holds ``server.lock`` in its data folder for as long as it runs; a second
one, or a ``kds-server restore``, is refused with the holder's process id. Servers on
PostgreSQL share a data folder freely and take the lock only while they make the local
tokens, so two starting together make one pair. The lock is the operating system's
(``flock`` on POSIX, ``msvcrt.locking`` on Windows): it is let go when the process ends,
however it ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from server.exits import CommandError, Exit

LOCK_FILE = "server.lock"
WAIT_STEP_S = 0.05


class DataFolderLock:
    """An exclusive lock on a data folder, saying who holds it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._file: TextIO | None = None

    def acquire(self, holder: str, *, wait_s: float = 0.0) -> None:
        """Take the lock, waiting up to ``wait_s``; CommandError (IN_USE) naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # held until release()
        deadline = time.monotonic() + wait_s
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                handle.seek(0)
                held_by = handle.read().strip() or "another process"
                handle.close()
                raise CommandError(
                    f"the data folder {self.path.parent} is in use by {held_by}; stop it first, "
                    "or give this one its own --data-dir",
                    Exit.IN_USE,
                )
            time.sleep(WAIT_STEP_S)
        handle.seek(0)
        handle.truncate()
        handle.write(f"kds-server pid {os.getpid()} ({holder})\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
            self._file.close()  # closing the file lets go of the lock
            self._file = None

    @contextlib.contextmanager
    def held(self, holder: str) -> Iterator[None]:
        """Hold the lock for a block, or raise CommandError (IN_USE) at once."""
        self.acquire(holder)
        try:
            yield
        finally:
            self.release()


def _try_lock(handle: TextIO) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` whole or not at all, readable only by this user (0600).

    A reader sees the old file or the new one, never a part: the text goes to a temporary
    file of its own in the same folder, is flushed to disk, then renamed over the old one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp makes it 0600
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def make_private(*paths: Path) -> None:
    """Limit these files (if they exist) to this user: the database holds customers' data."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o600)
