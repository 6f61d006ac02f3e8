"""Calls to a real server whose every answer is checked against the server's own OpenAPI
document with schemathesis' response checks: the status is one the operation lists, the
content type and the body are the ones it documents, and the headers it says are always
sent are there and well formed. What was seen is kept, to compare with what is documented.
"""

from __future__ import annotations

import json
import re
from typing import Any

import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("admin", "kitchen", "pos", "customer")
NO_BODY = object()

Operation = tuple[str, str]
"""(method, path template) as the document writes them: ``("GET", "/api/orders/{id}")``."""


class Conformance:
    """One server, its document, its tokens (by role), and the answers seen so far."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens
        self.http = requests.Session()
        self.doc: dict[str, Any] = self.http.get(f"{url}/api/openapi.json", timeout=30).json()
        self.schema = schemathesis.openapi.from_dict(self.doc)
        self.seen: set[tuple[str, str, int]] = set()

    # --- what the document says ------------------------------------------------------------

    def operations(self) -> list[Operation]:
        return [(m.upper(), p) for p, ops in self.doc["paths"].items() for m in ops]

    def operation(self, op: Operation) -> dict[str, Any]:
        method, template = op
        return self.doc["paths"][template][method.lower()]  # type: ignore[no-any-return]

    def documented(self) -> set[tuple[str, str, int]]:
        return {
            (method, template, int(status))
            for method, template in self.operations()
            for status in self.operation((method, template))["responses"]
        }

    def roles(self, op: Operation) -> list[str]:
        """Who may call it (the operation's "Roles: ..." line); [] for anyone."""
        found = re.match(r"Roles: (.*)", self.operation(op).get("description", ""))
        return found.group(1).split(", ") if found else []

    def takes_body(self, op: Operation) -> bool:
        return "requestBody" in self.operation(op)

    def query_names(self, op: Operation) -> list[str]:
        return [p["name"] for p in self.operation(op).get("parameters", []) if p["in"] == "query"]

    # --- calls -----------------------------------------------------------------------------

    def call(
        self,
        op: Operation,
        expect: int | None,
        *,
        as_: str | None = None,
        token: str | None = None,
        path: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        body: Any = NO_BODY,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request for ``op``, check its answer against the document, and expect
        ``expect`` as its status (None: any status the document lists)."""
        method, template = op
        sent = dict(headers or {})
        if as_ is not None:
            token = self.tokens[as_]
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not NO_BODY:
            data = json.dumps(body)
            sent.setdefault("Content-Type", "application/json")
        url = self.url + template.format(**(path or {}))
        response = self.http.request(
            method, url, params=params, data=data, headers=sent, timeout=60
        )
        self.check(op, response, path)
        assert expect is None or response.status_code == expect, (
            f"{method} {template} answered {response.status_code}, not {expect}: "
            f"{response.text[:600]}"
        )
        return response

    def check(
        self, op: Operation, response: requests.Response, path: dict[str, Any] | None = None
    ) -> None:
        """Compare one real answer with the document (raises with what differs)."""
        method, template = op
        operation = self.schema[template][method]
        case = operation.Case(path_parameters={k: str(v) for k, v in (path or {}).items()})
        # A 503 the document lists is an answer like another (the database is away); a 500
        # never is.
        unavailable = response.status_code == 503
        case.validate_response(response, checks=CHECKS[1:] if unavailable else CHECKS)
        assert response.status_code < 500 or unavailable, response.text[:600]
        self.seen.add((method, template, response.status_code))
