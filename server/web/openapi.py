"""The OpenAPI 3 document, built from the route table and its pydantic models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from kds_contract import Role
from server.domain import can_clear
from server.web.errors import HTTP_CODES
from server.web.routes import Call, Route, json_answer
from server.web.schemas import ErrorBody

_REF = "#/components/schemas/{model}"
_REASONS = {
    400: "Malformed request (bad JSON, bad header)",
    401: "No token, or a token that is not valid",
    403: "The token's role may not do this",
    404: "No such order or item",
    409: "Conflict: a move the table does not allow, a stale version, a retry in flight, "
    "an item marked done before it fires",
    413: "The body is over 1 MiB",
    415: "The body is not JSON",
    422: "Invalid fields: details.field names the first",
    429: "Too many requests with this token",
    503: "The database is unreachable; try again",
}

RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {
        "description": "whole seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    },
    "WWW-Authenticate": {
        "description": 'the scheme to use (RFC 6750): `Bearer realm="kds"`, with '
        '`error="invalid_token"` when a token was sent and is not valid',
        "schema": {"type": "string", "pattern": "^Bearer "},
    },
    "Idempotent-Replayed": {
        "description": "`true`: the first answer to this Idempotency-Key again; nothing new "
        "was created",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-Request-ID": {
        "description": "this request's id (the client's own X-Request-ID when it sent a plain "
        "one), also in the server's log lines about it",
        "schema": {"type": "string", "minLength": 1},
    },
}
"""Every response header the API sends that a client may act on."""

ERROR_HEADERS: dict[int, dict[str, bool]] = {
    401: {"WWW-Authenticate": True},
    429: {"Retry-After": True},
    503: {"Retry-After": True},
}
"""Headers (name: always sent) of every error envelope with that status."""


def _headers(names: dict[str, bool]) -> dict[str, Any]:
    every = {"X-Request-ID": True, **names}
    return {name: {**RESPONSE_HEADERS[name], "required": always} for name, always in every.items()}


def statuses(route: Route) -> set[int]:
    """The error statuses ``route`` can answer: those its own rules give (``route.errors``)
    and those of the checks every request goes through (``server.web.routes``)."""
    found = set(route.errors) | set(route.own_answers)
    if route.roles is not None:
        # A token (and its database), the rate, a query the route does not take.
        found |= {401, 422, 429, 503}
        if route.roles != frozenset(Role):
            found.add(403)
    if route.query is not None:
        found.add(422)
    if route.body is not None:
        found |= {400, 413, 415, 422}
    if "{" in route.path:
        found.add(404)
    return found


NOT_ONLY_SPACE = r"[^\t-\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""A character that pydantic's whitespace stripping keeps (not Unicode White_Space), spelt
out: ``\\S`` means other characters in Python and in ECMAScript."""


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema, saying also what stripping whitespace implies."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        value = super().str_schema(schema)
        if schema.get("strip_whitespace") and schema.get("min_length", 0) >= 1:
            # Stripped before its length is checked: " " is as empty as "".
            value["pattern"] = NOT_ONLY_SPACE
        return value

    def field_is_required(self, field: Any, total: bool) -> bool:
        # An answer sends every field, defaults and nulls included, but for a field declared
        # with ``exclude_if`` (left out when it does not apply).
        if self.mode == "serialization" and field["type"] == "model-field":
            return field.get("serialization_exclude_if") is None and not field.get(
                "serialization_exclude"
            )
        return super().field_is_required(field, total)


def build(routes: list[Route], version: str, *, metrics: bool = False) -> dict[str, Any]:
    """The document for ``routes``; ``metrics``: ``/metrics`` is served on this port too."""
    models: list[tuple[type[BaseModel], Any]] = [(ErrorBody, "serialization")]
    for route in routes:
        if route.body is not None:
            models.append((route.body, "validation"))
        if route.answer is not None:
            models.append((route.answer, "serialization"))
        models.extend((own, "serialization") for own in route.own_answers.values())
    refs, schema = models_json_schema(
        list(dict.fromkeys(models)), ref_template=_REF, schema_generator=_Schemas
    )
    components = schema.get("$defs", {})
    if "OrderEdit" in components:
        _edit_rules(components["OrderEdit"])
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = route.template
        params: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": 2**62},
            }
            for name in re.findall(r"\{(\w+)", path)
        ]
        if route.query is not None:
            qschema = route.query.model_json_schema(ref_template=_REF)
            components.update(qschema.pop("$defs", {}))
            for name, prop in qschema.get("properties", {}).items():
                param = {"name": name, "in": "query", "required": False, "schema": prop}
                if prop.get("type") == "array":
                    param.update(style="form", explode=True)
                params.append(param)
        for header, spec in route.headers.items():
            params.append({"name": header, "in": "header", "required": False, **spec})
        operation: dict[str, Any] = {
            "summary": route.summary,
            "operationId": route.handler.__name__,
            "parameters": params,
            "responses": {},
        }
        if route.roles is not None:
            operation["security"] = [{"bearer": []}]
            operation["description"] = "Roles: " + ", ".join(sorted(route.roles))
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(route.body, "validation")]}},
            }
        if route.answer is not None:
            operation["responses"][str(route.status)] = {
                "description": "OK",
                "headers": _headers(route.answer_headers.get(route.status, {})),
                "content": {"application/json": {"schema": refs[(route.answer, "serialization")]}},
            }
        error_ref = refs[(ErrorBody, "serialization")]
        for status in sorted(statuses(route)):
            own = route.own_answers.get(status)
            names = route.answer_headers.get(status, {})
            if own is None:
                names = {**ERROR_HEADERS.get(status, {}), **names}
            reason = _REASONS.get(status, HTTP_CODES.get(status, ("", "error"))[1])
            if own is not None:
                reason = (
                    "Cannot serve: not the error envelope but this route's own answer, "
                    "saying what is down"
                )
            operation["responses"][str(status)] = {
                "description": reason,
                "headers": _headers(names),
                "content": {
                    "application/json": {
                        "schema": error_ref if own is None else refs[(own, "serialization")]
                    }
                },
            }
        paths.setdefault(path, {})[route.method.lower()] = operation
    paths["/api/openapi.json"] = {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {
                    "description": "OpenAPI 3 document",
                    "headers": _headers({}),
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    if metrics:
        paths["/metrics"] = METRICS_PATH
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Terminal KDS order server",
            "version": version,
            "description": "The REST API of the kitchen display system's order server.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


METRICS_PATH: dict[str, Any] = {
    "get": {
        "summary": "Prometheus metrics (no token; on this port unless --metrics moves it)",
        "operationId": "metrics",
        "responses": {
            "200": {
                "description": "The Prometheus text format, or OpenMetrics when the Accept "
                "header asks for it",
                "headers": _headers({}),
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "application/openmetrics-text": {"schema": {"type": "string"}},
                },
            }
        },
    }
}


def _edit_rules(edit: dict[str, Any]) -> None:
    """What the edit model checks beyond its fields' types, said in the schema: fields an
    order cannot hold as null cannot be set to null, and an edit changes at least one field."""
    changeable = []
    for name, prop in edit.get("properties", {}).items():
        if name == "version":
            continue
        changeable.append(name)
        if not can_clear(name) and "anyOf" in prop:
            kept = [s for s in prop.pop("anyOf") if s.get("type") != "null"]
            prop.pop("default", None)
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
    edit["anyOf"] = [{"required": [name]} for name in changeable]


def openapi_route(routes: list[Route], version: str, *, metrics: bool = False) -> Route:
    document = build(routes, version, metrics=metrics)

    async def openapi(_call: Call) -> web.Response:
        return json_answer(document)

    return Route("GET", "/api/openapi.json", openapi, "This document")
