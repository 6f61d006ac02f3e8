"""The OpenAPI 3 document, built from the route table and its pydantic models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from server.domain import can_clear
from server.web.errors import _HTTP_CODES
from server.web.routes import Call, Route, json_answer
from server.web.schemas import ErrorBody

_REF = "#/components/schemas/{model}"
_REASONS = {
    400: "Malformed request (bad JSON, bad header)",
    401: "No token, or a token that is not valid",
    403: "The token's role may not do this",
    404: "No such order or item",
    409: "Conflict: a move the table does not allow, a stale version, or a retry in flight",
    413: "The body is over 1 MiB",
    415: "The body is not JSON",
    422: "Invalid fields: details.field names the first",
    429: "Too many requests with this token",
    503: "The database is unreachable; try again",
}


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


def build(routes: list[Route], version: str) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Any]] = [(ErrorBody, "serialization")]
    for route in routes:
        if route.body is not None:
            models.append((route.body, "validation"))
        if route.answer is not None:
            models.append((route.answer, "serialization"))
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
                "content": {"application/json": {"schema": refs[(route.answer, "serialization")]}},
            }
        error_ref = refs[(ErrorBody, "serialization")]
        for status in sorted(set(route.errors) | {404, 405}):
            operation["responses"][str(status)] = {
                "description": _REASONS.get(status, _HTTP_CODES.get(status, ("", "error"))[1]),
                "content": {"application/json": {"schema": error_ref}},
            }
        paths.setdefault(path, {})[route.method.lower()] = operation
    paths["/api/openapi.json"] = {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {
                    "description": "OpenAPI 3 document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
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


def openapi_route(routes: list[Route], version: str) -> Route:
    document = build(routes, version)

    async def openapi(_call: Call) -> web.Response:
        return json_answer(document)

    return Route("GET", "/api/openapi.json", openapi, "This document")
