"""Schemathesis hooks for fuzzing the API (loaded through schemathesis.toml).

Schemathesis draws an ``Idempotency-Key`` at random, so two different orders often share a
key ("0"); the server then rightly answers 422 (same key, other body), which the fuzzer
would count as a valid request refused. A real client makes one key per order: so do we,
for every key the server would accept. Keys the server must refuse are left as drawn.

The same for the rules an OpenAPI document cannot state, each changed only where the drawn
value is one the schema allows, into another it allows: a due time in the future (it is
relative to now), menu names unique when case is ignored, a period's until after its
since, a page's skip less than its per_page, and a user_id on a customer token only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
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
    due_in_the_future(case.body)
    unique_menu_names(case.body if case.path == "/api/menu" else None)
    until_after_since(case.query)
    skip_within_the_page(case.query)
    account_only_for_customers(case.body if case.path == "/api/tokens" else None)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def due_in_the_future(body: Any) -> None:
    """A drawn due_at that parses becomes an hour from now (the server refuses a past one,
    and one more than --max-due-days ahead, naming due_at)."""
    if isinstance(body, dict) and _time(body.get("due_at")) is not None:
        body["due_at"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()


def unique_menu_names(body: Any) -> None:
    """Menu names that repeat when case and outer spaces are ignored get a number."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return
    seen: set[str] = set()
    for n, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        if name.strip().casefold() in seen:
            name = f"{name.strip()[:180]} {n}"
            item["name"] = name
        seen.add(name.strip().casefold())


def until_after_since(query: Any) -> None:
    """A period drawn backwards (until at or before since) loses its until."""
    if not isinstance(query, dict):
        return
    since, until = _time(query.get("since")), _time(query.get("until"))
    if since is not None and until is not None and until <= since:
        del query["until"]


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


def skip_within_the_page(query: Any) -> None:
    """A skip of a whole page or more (the server says skip must be less than per_page)
    becomes the page's last order."""
    if not isinstance(query, dict):
        return
    skip, per_page = _int(query.get("skip")), _int(query.get("per_page", 50))
    if skip is not None and per_page is not None and per_page >= 1 and skip >= per_page:
        query["skip"] = per_page - 1


def _int(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def account_only_for_customers(body: Any) -> None:
    """A new token's user_id (its customer account) only with the role customer, and
    always with it (the server says only a customer token belongs to an account, and a
    customer token needs one)."""
    if not isinstance(body, dict):
        return
    if body.get("role") == "customer":
        if not isinstance(body.get("user_id"), str) or not body["user_id"].strip():
            body["user_id"] = "fuzz-customer"
    else:
        body.pop("user_id", None)
