"""The OpenAPI document matches the server: a real answer for every operation and every
status it lists (errors included), each checked against the document by schemathesis'
response checks (status, content type, headers, body), and nothing listed that the server
never answers.

A new endpoint needs its answers here: a valid request in ``VALID`` (the refusals every
endpoint shares are made from the document: no token, a bad token, a role it refuses, a
query it does not take, bad bodies, an unknown id, too many requests, the database away),
and its happy path and own errors in ``test_every_answer_matches_the_document``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import pytest
import requests

from kds_contract.models import MAX_BODY_BYTES
from tests.support.conformance import ROLES, Conformance, Operation
from tests.support.proxy import TcpProxy
from tests.support.server import ServerProcess
from tests.support.services import PG_PORT

UNKNOWN_ID = 2**62
UNKNOWN_CODE = "A" * 22
"""A tracking code in the right form that no order has."""

VALID: dict[Operation, dict[str, Any]] = {
    ("POST", "/api/orders"): {"body": {"items": [{"name": "Soup"}]}},
    ("PATCH", "/api/orders/{id}/status"): {"body": {"status": "preparing"}},
    ("PATCH", "/api/orders/{id}/items/{item_id}"): {"body": {"done": True}},
    ("PATCH", "/api/orders/{id}"): {"body": {"notes": "no onions"}},
    ("POST", "/api/webhooks"): {"body": {"url": "http://127.0.0.1:9/hook"}},
    ("PATCH", "/api/webhooks/{webhook_id}"): {"body": {"description": "till"}},
    ("POST", "/api/webhooks/{webhook_id}/replay"): {"body": {"after_seq": 0}},
    ("GET", "/api/track/{code}"): {"path": {"code": UNKNOWN_CODE}},
    ("PUT", "/api/menu"): {"body": {"items": []}},
}
"""A request each operation would take (but for its ids), where it needs more than none."""


def _request(op: Operation) -> dict[str, Any]:
    """``VALID``'s request for ``op``, with unknown ids for its path."""
    given = dict(VALID.get(op, {}))
    names = ("id", "item_id", "webhook_id", "token_id")
    path = {name: UNKNOWN_ID for name in names if f"{{{name}}}" in op[1]}
    given["path"] = {**path, **given.get("path", {})}
    return given


@pytest.fixture
def tokens_of() -> Callable[[ServerProcess], dict[str, str]]:
    def make(server: ServerProcess) -> dict[str, str]:
        return {**server.tokens, "customer": server.token("customer", user_id="guest-1")}

    return make


def _shared_refusals(api: Conformance) -> None:
    """What every endpoint refuses the same way, made from the document."""
    for op in api.operations():
        roles = api.roles(op)
        request = _request(op)
        if roles:
            api.call(op, 401, **request)
            api.call(op, 401, token="not-a-token", **request)
            refused = [role for role in ROLES if role not in roles]
            if refused:
                api.call(op, 403, as_=refused[0], **request)
            api.call(op, 422, as_=roles[0], **{**request, "params": {"zz_unknown": "1"}})
        user = roles[0] if roles else None
        if api.takes_body(op):
            path = request["path"]
            api.call(op, 400, as_=user, path=path, data="{", headers=_json())
            api.call(op, 400, as_=user, path=path, data="", headers=_json())
            api.call(op, 413, as_=user, path=path, data=b" " * (MAX_BODY_BYTES + 1))
            api.call(
                op, 415, as_=user, path=path, data="hi", headers={"Content-Type": "text/plain"}
            )
            api.call(op, 422, as_=user, path=path, body=[])
        if "{" in op[1]:
            api.call(op, 404, as_=user, **request)


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def _orders(api: Conformance) -> None:
    """Every order endpoint's answers, and their own errors."""
    create, one = ("POST", "/api/orders"), ("GET", "/api/orders/{id}")
    move, item = ("PATCH", "/api/orders/{id}/status"), ("PATCH", "/api/orders/{id}/items/{item_id}")
    edit, delete = ("PATCH", "/api/orders/{id}"), ("DELETE", "/api/orders/{id}")
    order_body = {
        "items": [{"name": "Soup", "station": "grill"}, {"name": "Tea"}],
        "table": "T5",
        "notes": "nut allergy",
        "total_cents": 1250,
        "customer_email": "guest@example.com",
    }
    key = {"Idempotency-Key": "conformance-1"}
    first = api.call(create, 201, as_="pos", body=order_body, headers=key).json()
    again = api.call(create, 201, as_="pos", body=order_body, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first
    assert {"seq", "epoch"} <= set(first), "a created order's answer carries seq and epoch"
    api.call(create, 422, as_="pos", body={"items": [{"name": "Tea"}]}, headers=key)
    api.call(create, 400, as_="pos", body=order_body, headers={"Idempotency-Key": ""})
    order_id = first["order"]["id"]
    ids = {"id": order_id}

    api.call(("GET", "/api/orders"), 200, as_="kitchen", params={"status": "pending"})
    api.call(("GET", "/api/orders"), 422, as_="admin", params={"per_page": "0"})
    api.call(one, 200, as_="pos", path=ids)
    api.call(one, 200, as_="kitchen", path=ids)
    done = api.call(item, 200, as_="kitchen", path={**ids, "item_id": 1}, body={"done": True})
    assert "seq" in done.json()
    same = api.call(item, 200, as_="kitchen", path={**ids, "item_id": 1}, body={"done": True})
    assert "seq" not in same.json(), "nothing changed: no seq"
    api.call(item, 404, as_="kitchen", path={**ids, "item_id": 9}, body={"done": True})
    edited = api.call(edit, 200, as_="admin", path=ids, body={"notes": "nut allergy, no salt"})
    stale = {"notes": "x", "version": 1}
    api.call(edit, 409, as_="admin", path=ids, body=stale)
    api.call(edit, 422, as_="admin", path=ids, body={"priority": "soon"})
    assert edited.json()["seq"] > done.json()["seq"]
    for status in ("preparing", "ready", "completed"):
        api.call(move, 200, as_="kitchen", path=ids, body={"status": status})
    api.call(move, 409, as_="kitchen", path=ids, body={"status": "pending"})
    api.call(move, 422, as_="kitchen", path=ids, body={"status": "gone"})
    api.call(item, 409, as_="kitchen", path={**ids, "item_id": 2}, body={"done": True})
    api.call(move, 200, as_="kitchen", path=ids, body={"status": "ready"})  # a recall

    api.call(("GET", "/api/orders/{id}/events"), 200, as_="admin", path=ids)
    api.call(("GET", "/api/events"), 200, as_="kitchen", params={"after": 0})
    api.call(("GET", "/api/events"), 422, as_="kitchen", params={"after": -1})
    open_one = api.call(create, 201, as_="admin", body={"items": [{"name": "Pie"}]}).json()
    stats = api.call(("GET", "/api/stats"), 200, as_="admin").json()
    assert stats["slowest_open"], "an open order to show"
    api.call(("GET", "/api/stats"), 422, as_="admin", params={"since": "0001-01-01T00:00:00Z"})
    report = api.call(("GET", "/api/reports"), 200, as_="admin", params={"tz": "+01:00"}).json()
    assert report["product_mix"] and report["by_hour"], "something sold, in some hour"
    api.call(("GET", "/api/reports"), 422, as_="admin", params={"tz": "Mars/Olympus"})
    tokens, token = ("POST", "/api/tokens"), ("DELETE", "/api/tokens/{token_id}")
    made = api.call(tokens, 201, as_="admin", body={"role": "kitchen", "name": "pass"}).json()
    api.call(tokens, 422, as_="admin", body={"role": "customer"})
    api.call(("GET", "/api/tokens"), 200, as_="admin")
    api.call(token, 200, as_="admin", path={"token_id": made["token"]["id"]})
    code = open_one["order"]["tracking_code"]
    api.call(("GET", "/api/track/{code}"), 200, path={"code": code})
    api.call(("GET", "/api/pickup"), 200)
    api.call(delete, 200, as_="admin", path={"id": open_one["order"]["id"]})


def _retry_in_flight(api: Conformance, database: Path) -> None:
    """Two requests with one Idempotency-Key at once: while the first waits for the
    database's write lock (held here), the second is told to retry (409, Retry-After)."""
    create = ("POST", "/api/orders")
    headers = {
        "Idempotency-Key": "conformance-in-flight",
        "Authorization": f"Bearer {api.tokens['pos']}",
    }

    def send() -> requests.Response:
        url = api.url + "/api/orders"
        return requests.post(url, json={"items": [{"name": "Stew"}]}, headers=headers, timeout=60)

    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(2) as pool:
            sent = [pool.submit(send) for _ in range(2)]
            wait(sent, timeout=60, return_when=FIRST_COMPLETED)  # the refused one, at once
            holder.execute("ROLLBACK")
            answers = [future.result() for future in sent]
    finally:
        holder.close()
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    for answer in answers:
        api.check(create, answer)
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["error"]["code"] == "retry_in_flight"


def _webhooks(api: Conformance) -> None:
    hooks, hook = ("POST", "/api/webhooks"), "/api/webhooks/{webhook_id}"
    made = api.call(hooks, 201, as_="admin", body={"url": "http://127.0.0.1:9/hook"}).json()
    api.call(hooks, 422, as_="admin", body={"url": "ftp://127.0.0.1/x"})
    ids = {"webhook_id": made["webhook"]["id"]}
    api.call(("GET", "/api/webhooks"), 200, as_="admin")
    api.call(("GET", hook), 200, as_="admin", path=ids)
    api.call(("PATCH", hook), 200, as_="admin", path=ids, body={"enabled": False})
    api.call(("PATCH", hook), 422, as_="admin", path=ids, body={"enabled": "no"})
    replay = ("POST", "/api/webhooks/{webhook_id}/replay")
    api.call(replay, 202, as_="admin", path=ids, body={"after_seq": 0})
    api.call(replay, 422, as_="admin", path=ids, body={"after_seq": -1})
    api.call(("GET", "/api/deliveries"), 200, as_="admin", params={"kind": "webhook"})
    api.call(("GET", "/api/deliveries"), 422, as_="admin", params={"state": "lost"})
    api.call(("DELETE", hook), 200, as_="admin", path=ids)


def _menu(api: Conformance) -> None:
    menu = ("PUT", "/api/menu")
    dishes = {"items": [{"name": "Steak", "station": "grill", "prep_seconds": 720}]}
    api.call(menu, 200, as_="admin", body=dishes)
    twice = {"items": [{"name": "Tea"}, {"name": " TEA"}]}
    assert api.call(menu, 422, as_="admin", body=twice).json()["error"]["details"]["field"] == (
        "items.1.name"
    )
    assert api.call(("GET", "/api/menu"), 200, as_="pos").json() == dishes
    learned = ("GET", "/api/menu/suggestions")
    found = api.call(learned, 200, as_="admin", params={"days": "30"}).json()
    assert found["items"][0]["name"] == "Steak" and found["days"] == 30
    api.call(learned, 422, as_="admin", params={"days": "0"})


def _operating(api: Conformance) -> None:
    api.call(("GET", "/api/health"), 200)
    api.call(("GET", "/livez"), 200)
    api.call(("GET", "/readyz"), 200)
    api.call(("GET", "/api/screens"), 200, as_="admin")
    api.call(("GET", "/api/openapi.json"), 200)
    api.call(("GET", "/metrics"), 200)


def _too_many(api: Conformance) -> None:
    """On a server allowing one request per token every two seconds, and two unknown
    tracking codes a minute: each operation's 429, with its Retry-After."""
    for op in api.operations():
        roles = api.roles(op)
        if not roles and op != ("GET", "/api/track/{code}"):
            continue
        request = _request(op)
        for _attempt in range(5):
            answer = api.call(op, None, as_=roles[0] if roles else None, **request)
            if answer.status_code == 429:
                assert int(answer.headers["Retry-After"]) >= 1
                break
        else:
            pytest.fail(f"{op}: never refused for too many requests")


def test_every_answer_matches_the_document(
    server_factory: Callable[..., ServerProcess],
    tokens_of: Callable[[ServerProcess], dict[str, str]],
) -> None:
    server = server_factory()
    api = Conformance(server.url, tokens_of(server))
    _operating(api)
    _orders(api)
    _menu(api)
    _webhooks(api)
    _retry_in_flight(api, server.data_dir / "kds.db")
    _shared_refusals(api)

    limited = server_factory(env={"KDS_RATE_LIMIT": "0.5", "KDS_TRACK_MISSES_PER_MINUTE": "1"})
    slow = Conformance(limited.url, tokens_of(limited))
    _too_many(slow)

    seen = api.seen | slow.seen
    documented = {answer for answer in api.documented() if answer[2] != 503}
    assert not seen - api.documented(), "answered but not documented (the checks say so too)"
    missing = sorted(documented - seen)
    assert not missing, (
        f"documented but never answered here: {missing}; make the server answer them in "
        "this test, or the document stop listing them"
    )


@pytest.mark.postgres
async def test_every_503_matches_the_document(
    server_factory: Callable[..., ServerProcess],
    tokens_of: Callable[[ServerProcess], dict[str, str]],
    pg_url: str,
) -> None:
    """With the database away, every operation that lists a 503 answers one as documented
    (the error envelope with Retry-After; health and readiness their own shape)."""
    proxy = await TcpProxy(PG_PORT).start()
    try:
        proxied = pg_url.replace(f":{PG_PORT}/", f":{proxy.port}/")
        server = await asyncio.to_thread(server_factory, db_url=proxied)
        tokens = await asyncio.to_thread(tokens_of, server)
        api = await asyncio.to_thread(Conformance, server.url, tokens)
        await proxy.stop()  # the database goes away

        def every_operation() -> None:
            for op in api.operations():
                roles = api.roles(op)
                documented = str(503) in api.operation(op)["responses"]
                answer = api.call(
                    op, 503 if documented else 200, as_=roles[0] if roles else None, **_request(op)
                )
                if documented and op not in {("GET", "/api/health"), ("GET", "/readyz")}:
                    assert int(answer.headers["Retry-After"]) >= 1
            health = api.call(("GET", "/api/health"), 503).json()
            assert health["status"] == "degraded" and health["database"].startswith("unreachable")

        await asyncio.to_thread(every_operation)
    finally:
        await proxy.stop()
    missing = sorted(a for a in api.documented() if a[2] == 503 and a not in api.seen)
    assert not missing, f"documented 503s never answered: {missing}"


ABSENT_WHEN_NOT_APPLICABLE = {
    ("OrderChanged", "seq"),
    ("OrderChanged", "epoch"),
    ("EventList", "next"),
    ("OrderList", "next"),
}
"""Answer fields the server leaves out when they do not apply (each said in its description)."""
TIMESTAMP_NAMES = ("at", "since", "until", "hour", "timestamp", "failing_since")


def _answer_schemas(doc: dict[str, Any]) -> set[str]:
    """The component schemas used by answers (and those they use in turn)."""
    schemas = doc["components"]["schemas"]
    found: set[str] = set()
    todo = [
        media["schema"]
        for ops in doc["paths"].values()
        for op in ops.values()
        for answer in op["responses"].values()
        for media in answer.get("content", {}).values()
    ]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def test_the_document_says_what_every_answer_always_carries(server: ServerProcess) -> None:
    """Fields always sent are required (``seq`` and ``epoch`` wherever they are sent but a
    change that changed nothing); every timestamp is ``format: date-time``; the headers a
    client acts on are listed where they are sent."""
    doc = Conformance(server.url, server.tokens).doc
    schemas = doc["components"]["schemas"]
    answers = _answer_schemas(doc)
    optional = {
        (name, field)
        for name in answers
        for field in schemas[name].get("properties", {})
        if field not in schemas[name].get("required", [])
    }
    assert optional == ABSENT_WHEN_NOT_APPLICABLE
    assert {"OrderCreated", "StatusAnswer", "DeleteAnswer", "OrderList", "EventList"} <= answers
    untyped = [
        (name, field)
        for name, schema in schemas.items()
        for field, prop in schema.get("properties", {}).items()
        if (field.endswith("_at") or field in TIMESTAMP_NAMES)
        and "date-time" not in {s.get("format") for s in [prop, *prop.get("anyOf", [])]}
    ]
    assert not untyped, f"timestamps without format: date-time: {untyped}"

    def headers(path: str, method: str, status: int) -> dict[str, Any]:
        return doc["paths"][path][method]["responses"][str(status)]["headers"]  # type: ignore[no-any-return]

    create = headers("/api/orders", "post", 201)["Idempotent-Replayed"]
    assert create["required"] is False and create["schema"]["enum"] == ["true"]
    assert headers("/api/orders", "post", 409)["Retry-After"]["required"] is True
    for path, method in (("/api/orders", "get"), ("/api/webhooks", "post")):
        assert headers(path, method, 401)["WWW-Authenticate"]["required"] is True
        assert headers(path, method, 429)["Retry-After"]["required"] is True
        assert headers(path, method, 503)["Retry-After"]["required"] is True
    health = doc["paths"]["/api/health"]["get"]["responses"]["503"]
    assert health["content"]["application/json"]["schema"]["$ref"].endswith("/Health")
    ready = doc["paths"]["/readyz"]["get"]["responses"]["503"]
    assert ready["content"]["application/json"]["schema"]["$ref"].endswith("/Ready")
