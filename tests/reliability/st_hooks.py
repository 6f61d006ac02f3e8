"""Schemathesis hooks for fuzzing the API (loaded through schemathesis.toml).

Schemathesis draws an ``Idempotency-Key`` at random, so two different orders often share a
key ("0"); the server then rightly answers 422 (same key, other body), which the fuzzer
would count as a valid request refused. A real client makes one key per order: so do we,
for every key the server would accept. Keys the server must refuse are left as drawn.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from server.web.orders import IDEMPOTENCY_KEY_PATTERN, MAX_IDEMPOTENCY_KEY


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    # before_call runs in every phase (map_headers does not reach the coverage phase).
    key = (case.headers or {}).get("Idempotency-Key")
    if (
        isinstance(key, str)
        and len(key) <= MAX_IDEMPOTENCY_KEY
        and IDEMPOTENCY_KEY_PATTERN.fullmatch(key)
    ):
        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4().hex}"
    ordinary_email_domain(case.body)


SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")
"""RFC 6761's special-use domain names: an address there cannot receive email, so the
server refuses it as a customer_email (422 naming the field), which ``format: email``
cannot say. A drawn address on one of them gets an ordinary domain; others stay as drawn."""


def ordinary_email_domain(body: Any) -> None:
    if isinstance(body, dict) and isinstance(body.get("customer_email"), str):
        local, at, domain = body["customer_email"].rpartition("@")
        last = domain.lower().rstrip(".").rsplit(".", 1)[-1]
        ordinary = f"{local}@example.com"
        # Only an address the schema allows is changed, into one it allows as well.
        if at and last in SPECIAL_USE and max(len(domain), len(ordinary) - len(local)) < 254:
            if len(body["customer_email"]) <= 254 and len(ordinary) <= 254:
                body["customer_email"] = ordinary
