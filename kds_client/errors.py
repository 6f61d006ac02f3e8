"""Typed errors for everything that can go wrong talking to the server.

Each carries the server's own words: ``code`` and ``message`` from its
``{"error": {"code", "message", "details"}}`` answer, the HTTP ``status`` and the ``details``.
``str(error)`` is a sentence a person can act on.
"""

from __future__ import annotations

from typing import Any


class KdsError(Exception):
    """Any failure of a request to the KDS server."""

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or self.default_code
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return self.message


class Offline(KdsError):
    """No server could be reached, or the live feed is not live: the action did not happen."""

    default_code = "offline"


class Unauthorized(KdsError):
    """401: no token, or a token the server does not know (revoked?)."""

    default_code = "unauthorized"


class Forbidden(KdsError):
    """403: the token's role may not do this."""

    default_code = "forbidden"


class NotFound(KdsError):
    """404: no such order (or item)."""

    default_code = "not_found"


class Conflict(KdsError):
    """409: a move the status table forbids, a stale version, or a retry still in flight."""

    default_code = "conflict"


class Invalid(KdsError):
    """400, 413, 415 or 422: the request was refused before reaching the database.

    ``field`` names the first field that broke a rule, when the server said which.
    """

    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, details=details)
        self.field = field if field is not None else field_from_details(self.details)


class TooManyRequests(KdsError):
    """429: slow down. ``retry_after`` is the server's hint in seconds, when it gave one."""

    default_code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(KdsError):
    """5xx, or an answer that is not what the contract promises."""

    default_code = "server_error"


_BY_STATUS: dict[int, type[KdsError]] = {
    400: Invalid,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: Invalid,
    415: Invalid,
    422: Invalid,
    429: TooManyRequests,
}


def error_class(status: int) -> type[KdsError]:
    """The error class for an HTTP status that is not a success."""
    return _BY_STATUS.get(status, ServerError if status >= 500 else KdsError)


def field_from_details(details: Any) -> str | None:
    """The first bad field named in an error's details, in any of the shapes servers use.

    Accepts ``{"field": "items.0.name"}``, ``{"fields": {"items.0.name": "..."}}``,
    ``{"errors": [{"field" | "loc": ...}]}`` and lists of those.
    """
    if isinstance(details, list):
        for entry in details:
            found = field_from_details(entry)
            if found:
                return found
        return None
    if not isinstance(details, dict):
        return None
    field = details.get("field")
    if isinstance(field, str) and field:
        return field
    loc = details.get("loc")
    if isinstance(loc, list | tuple) and loc:
        return ".".join(str(part) for part in loc)
    fields = details.get("fields")
    if isinstance(fields, dict) and fields:
        return str(next(iter(fields)))
    if isinstance(fields, list) and fields:
        first = fields[0]
        return first if isinstance(first, str) else field_from_details(first)
    return field_from_details(details.get("errors"))


def error_from_response(status: int, body: Any, *, fallback: str = "") -> KdsError:
    """Build the typed error for a refused request from the server's JSON body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    message = error.get("message")
    if not isinstance(message, str) or not message:
        message = fallback or f"the server answered HTTP {status}"
    code = error.get("code") if isinstance(error.get("code"), str) else None
    details = error.get("details")
    if not isinstance(details, dict):
        details = {"details": details} if details is not None else {}
    cls = error_class(status)
    return cls(message, status=status, code=code, details=details)
