"""CORS for the REST API: the origins ``--cors-origin`` allows for Socket.IO may call it too.

A browser till on another origin sends a preflight (``OPTIONS`` with
``Access-Control-Request-Method``) before a POST with a token; it is answered here, from the
route table's methods for that path. Every answer to an allowed origin (errors too, so that
the page can read them) names the origin and exposes the headers a client acts on. Socket.IO
answers its own CORS (python-engineio's ``cors_allowed_origins``, given the same list).

A middleware of our own rather than aiohttp-cors: that library registers an OPTIONS route
per resource and wraps each route, while the route table here already knows every path's
methods; this is the whole rule in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from aiohttp import web
from aiohttp.typedefs import Middleware

from server.web.errors import Handler, error_response

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")
EXPOSED_HEADERS = ("Retry-After", "Idempotent-Replayed", "WWW-Authenticate")
PREFLIGHT_MAX_AGE_S = 600
API_PREFIX = "/api/"


def cors_middleware(origins: Iterable[str]) -> Middleware:
    """The middleware for these allowed origins (``*`` allows any)."""
    allowed = frozenset(origins)

    def permitted(origin: str) -> bool:
        return "*" in allowed or origin in allowed

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is None or not request.path.startswith(API_PREFIX):
            return await handler(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return _preflight(request, origin, permitted(origin))
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if permitted(origin):
                _allow(exc.headers, origin)
            raise
        if permitted(origin):
            _allow(response.headers, origin)
        return response

    return cors


def _allow(headers: MutableMapping[str, str], origin: str) -> None:
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    headers["Vary"] = "Origin"


def _preflight(request: web.Request, origin: str, permitted: bool) -> web.StreamResponse:
    if not permitted:
        return error_response(
            403,
            "origin_not_allowed",
            f"the origin {origin[:100]} may not call this API; start kds-server with "
            f"--cors-origin {origin[:100]} to allow it",
            {"origin": origin[:100]},
        )
    methods = _methods(request)
    if not methods:
        return error_response(404, "not_found", f"no such resource: {request.path[:100]}")
    response = web.Response(status=204)
    _allow(response.headers, origin)
    response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
    response.headers["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_HEADERS)
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
    return response


def _methods(request: web.Request) -> list[str]:
    """The methods the path takes (the router found none for OPTIONS: it says which)."""
    match = request.match_info
    exception = getattr(match, "http_exception", None)
    if isinstance(exception, web.HTTPMethodNotAllowed):
        return sorted(exception.allowed_methods)
    return []
