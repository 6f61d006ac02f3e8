"""The error envelope of SPEC, and the mapping from every failure to its HTTP status."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server import domain

log = logging.getLogger(__name__)

DOMAIN_STATUS: dict[str, int] = {
    "not_found": 404,
    "invalid_transition": 409,
    "stale_version": 409,
    "order_closed": 409,
    "already_fired": 409,
    "item_held": 409,
    "retry_in_flight": 409,
    "invalid": 422,
    "idempotency_key_reused": 422,
}

HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "the request is malformed"),
    401: ("unauthorized", "send a valid token as 'Authorization: Bearer <token>'"),
    403: ("forbidden", "this token's role may not do that"),
    404: ("not_found", "no such resource; see GET /api/openapi.json for the endpoints"),
    405: ("method_not_allowed", "this method is not allowed here; see GET /api/openapi.json"),
    413: ("too_large", "the request body is over the 1 MiB limit; send a smaller order"),
    415: ("unsupported_media_type", "send the body as JSON with 'Content-Type: application/json'"),
}
"""aiohttp's own refusals (no route, a body too large...) as our code and message."""


class ApiError(Exception):
    """An error answer: HTTP status, stable code, a message that says what to do, details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def too_many(wait: float, message: str) -> ApiError:
    """A 429 asking to retry in ``wait`` seconds: whole seconds, at least one, in the
    ``Retry-After`` header, in the details and in ``message`` (for ``{retry}``)."""
    retry = max(1, math.ceil(wait))
    return ApiError(
        429,
        "too_many_requests",
        message.format(retry=retry),
        {"retry_after_s": retry},
        headers={"Retry-After": str(retry)},
    )


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return web.json_response(body, status=status, headers=headers)


def _field(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    ctx = error.get("ctx") or {}
    if "field" in ctx:
        loc.append(str(ctx["field"]))
    return ".".join(loc) or "body"


def validation_error(exc: ValidationError, where: str = "body") -> ApiError:
    """A 422 (or 400 for unparsable JSON) naming each field and the rule it broke."""
    fields = []
    for err in exc.errors(include_url=False, include_input=False):
        if err.get("type") == "json_invalid":
            return ApiError(400, "bad_json", f"the body is not valid JSON: {err.get('msg')}")
        fields.append({"field": _field(err), "message": err["msg"], "rule": err["type"]})
    first = fields[0] if fields else {"field": where, "message": "invalid"}
    return ApiError(
        422,
        "invalid",
        f"{first['field']}: {first['message']}"
        + (f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""),
        {"field": first["field"], "fields": fields, "in": where},
    )


RETRY_IN_FLIGHT_AFTER_S = 1
"""A retry that found its first request still being handled: ask again this much later."""


def from_domain(exc: domain.DomainError) -> ApiError:
    headers = {"Retry-After": str(RETRY_IN_FLIGHT_AFTER_S)} if exc.code == "retry_in_flight" else {}
    return ApiError(DOMAIN_STATUS.get(exc.code, 409), exc.code, exc.message, exc.details, headers)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure leaves as the JSON envelope with its status; nothing leaves as a 500
    unless the server itself is broken, and then it is logged."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    except domain.DomainError as exc:
        api = from_domain(exc)
        return error_response(api.status, api.code, api.message, api.details, api.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.content_type == "application/json":
            raise
        code, message = HTTP_CODES.get(exc.status, ("error", exc.reason))
        headers = None
        if exc.status == 405:
            allowed = sorted(getattr(exc, "allowed_methods", ()) or ())
            message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
            # RFC 9110 15.5.6: a 405 must say which methods the resource supports.
            headers = {"Allow": ", ".join(allowed)}
        return error_response(exc.status, code, message, headers=headers)
    except (OperationalError, PoolTimeout, ConnectionError, OSError) as exc:
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
        return error_response(
            503,
            "unavailable",
            "the database is unreachable right now; nothing was changed, try again shortly",
            headers={"Retry-After": "2"},
        )
    except DBAPIError as exc:
        if exc.connection_invalidated:
            log.warning("database connection lost for %s %s", request.method, request.path)
            return error_response(
                503,
                "unavailable",
                "the database connection was lost; nothing was changed, try again shortly",
                headers={"Retry-After": "2"},
            )
        log.exception("database error in %s %s", request.method, request.path)
        return error_response(500, "internal", "the server failed; the error has been logged")
    except json.JSONDecodeError as exc:
        return error_response(400, "bad_json", f"the body is not valid JSON: {exc}")
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal", "the server failed; the error has been logged")
