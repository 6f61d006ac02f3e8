"""``kds-order``'s exit codes, as its help and README.md document them, and the error that
ends it with ``EXIT_USAGE``."""

EXIT_OK = 0
EXIT_SERVER = 1
"""The server failed, or the URL is not a KDS server's."""
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4
EXIT_AUTH = 5
"""The token was refused (unknown, revoked, or its role may not do that)."""
EXIT_OFFLINE = 6
EXIT_TOO_MANY = 7
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad flags or an unreadable input file: exit 2 (``EXIT_USAGE``) with this message."""
