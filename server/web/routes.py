"""The route table: each endpoint with its roles, its request models and its answers.

One table serves three ends: aiohttp's router, the checks every request goes through
(token, role, rate, body, query), and the OpenAPI document.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from kds_contract import Role
from kds_contract.models import MAX_BODY_BYTES
from server.domain import Actor
from server.tokens import Principal, authenticate
from server.web.errors import ApiError, too_many, validation_error
from server.web.keys import DB, SETTINGS

ALL_STAFF = frozenset({Role.ADMIN, Role.KITCHEN})


@dataclass
class Call:
    """One authorised, validated request, as a handler receives it."""

    request: web.Request
    principal: Principal | None
    body: Any = None
    query: Any = None
    raw: bytes = b""

    @property
    def app(self) -> web.Application:
        return self.request.app

    @property
    def actor(self) -> Actor:
        """Who makes this request's change: its token (every route that writes needs one)."""
        if self.principal is None:
            raise ApiError(401, "unauthorized", "a change needs a token")
        return self.principal.actor

    def path_int(self, name: str) -> int:
        text = self.request.match_info[name]
        value = int(text) if len(text) <= 19 else 2**63
        if value > 2**62:
            what = "order" if name == "id" else name.replace("_", " ")
            raise ApiError(
                404, "not_found", f"{what} {text[:24]} does not exist", {f"{name}": text[:24]}
            )
        return value


Endpoint = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Endpoint
    summary: str
    roles: frozenset[Role] | None = None
    """Who may call it; None for anyone, without a token."""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Request headers it reads (name: OpenAPI parameter fields), for the OpenAPI document."""
    own_answers: dict[int, type[BaseModel]] = field(default_factory=dict)
    """Error statuses answered with a body of the route's own, not the error envelope (a
    health check's 503 says what is down in its usual shape)."""
    answer_headers: dict[int, dict[str, bool]] = field(default_factory=dict)
    """Response headers of a status of this route (name: whether it is always sent), beyond
    those every answer with that status carries (``server.web.openapi``)."""

    @property
    def template(self) -> str:
        """The path as a person (and OpenAPI) writes it: ``/api/orders/{id}``, not
        ``{id:[0-9]+}``."""
        return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", self.path)


class RateLimiter:
    """A token bucket per API token: ``rate`` requests a second, bursts of twice that."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, rate * 2)
        self._buckets: dict[int, tuple[float, float]] = {}

    def retry_after(self, key: int) -> float:
        """0 if the request may go ahead now, else seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        return 0.0


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _authorise(request: web.Request, route: Route) -> Principal | None:
    if route.roles is None:
        return None
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401,
            "unauthorized",
            "no token: send 'Authorization: Bearer <token>' with a KDS token",
            headers={"WWW-Authenticate": 'Bearer realm="kds"'},
        )
    principal = await authenticate(request.app[DB], token)
    if principal is None:
        raise ApiError(
            401,
            "unauthorized",
            "the token is not valid (unknown or revoked); ask an admin for a new one "
            "(kds-server token create)",
            headers={"WWW-Authenticate": 'Bearer realm="kds", error="invalid_token"'},
        )
    if principal.role not in route.roles:
        allowed = ", ".join(sorted(route.roles))
        raise ApiError(
            403,
            "forbidden",
            f"a {principal.role} token may not {route.method} {route.template}; "
            f"it needs: {allowed}",
            {"role": str(principal.role), "allowed": sorted(route.roles)},
        )
    wait = request.app[LIMITER].retry_after(principal.token_id)
    if wait:
        raise too_many(wait, "too many requests with this token; slow down and retry in {retry} s")
    return principal


def _parse_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    data: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        data[key] = values if len(values) > 1 or key == "status" else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, "query") from None


async def _read_body(request: web.Request, model: type[BaseModel]) -> tuple[BaseModel, bytes]:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY_BYTES, request.content_length)
    if request.content_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the body as JSON with 'Content-Type: application/json' "
            f"(got '{request.content_type}')",
        )
    raw = await request.read()
    if not raw.strip():
        raise ApiError(400, "bad_json", "the body is empty; send a JSON object")
    try:
        return model.model_validate_json(raw), raw
    except ValidationError as exc:
        refused = exc
    # Refused: say why in the words of JSON first (not JSON, not an object), and give a
    # number like 2.0 a second chance as the integer it is.
    integral: list[bool] = []

    def number(text: str) -> int | float:
        # JSON has one number type: 2.0 is the integer 2 (JSON Schema says so too), but the
        # strict models refuse a float for an int field.
        value = float(text)
        if value.is_integer() and abs(value) < 2**63:
            integral.append(True)
            return int(value)
        return value

    def whole(text: str) -> int | float:
        # Thousands of digits (past Python's int limit, and every field's): the field's own
        # refusal names it, rather than "not valid JSON".
        if len(text) < 100:
            return int(text)
        integral.append(True)
        return 1e300

    try:
        data = json.loads(raw, parse_float=number, parse_int=whole)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(
            400, "bad_json", "the body is nested too deeply; send the JSON object the API documents"
        ) from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            "invalid",
            f"body: expected a JSON object, got {type(data).__name__}",
            {"field": "body", "fields": [{"field": "body", "message": "expected an object"}]},
        )
    if integral:
        try:
            return model.model_validate_json(json.dumps(data)), raw
        except ValidationError as exc:
            refused = exc
    raise validation_error(refused) from None


def _endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        principal = await _authorise(request, route)
        call = Call(request, principal)
        if route.query is not None:
            call.query = _parse_query(request, route.query)
        elif request.query and route.roles is not None:  # health answers anyone, as it is
            name = next(iter(request.query))
            raise ApiError(
                422,
                "invalid",
                f"{name[:40]}: {route.method} {route.template} takes no query parameters",
                {"field": name[:40]},
            )
        if route.body is not None:
            call.body, call.raw = await _read_body(request, route.body)
        return await route.handler(call)

    handle.__name__ = route.handler.__name__
    return handle


LIMITER = web.AppKey("limiter", RateLimiter)


def setup_routes(app: web.Application, routes: list[Route]) -> None:
    app[LIMITER] = RateLimiter(app[SETTINGS].rate_limit)
    for route in routes:
        if route.method == "GET":  # HEAD too (a load balancer's health check, say)
            app.router.add_get(route.path, _endpoint(route))
        else:
            app.router.add_route(route.method, route.path, _endpoint(route))


def json_answer(body: str | dict[str, Any], status: int = 200) -> web.Response:
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return web.Response(text=text, status=status, content_type="application/json")
