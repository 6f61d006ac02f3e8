"""The exit codes of ``kds-server`` and the error that carries one: every command ends with
one line saying what went wrong and what to do, never a traceback (README lists the codes).

A supervisor can tell from the code whether starting again can help: 2 and 5 need a person
(a mistyped setting, a kds-server older than its database); 4 and 6 may pass by themselves
(a database server that is starting, a server that is stopping).
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FAILED = 1
    """Anything not below: a file that cannot be written, an unexpected failure."""
    USAGE = 2
    """A bad flag or setting, a mistyped URL, an ambiguous token name, a target that exists."""
    NOT_FOUND = 3
    """No token matches, no database to back up or manage, no backup file to restore."""
    DATABASE_UNREACHABLE = 4
    """The database cannot be opened or reached: not running, missing, wrong password."""
    DATABASE_NEWER = 5
    """The database's schema is newer than this kds-server knows: upgrade kds-server."""
    IN_USE = 6
    """Another kds-server holds the data folder (SQLite), or the port is taken."""


class CommandError(Exception):
    """A command cannot do what was asked; ``str(error)`` is the one line to print."""

    def __init__(self, message: str, code: Exit = Exit.FAILED) -> None:
        super().__init__(message)
        self.code = code
