"""``--log-format json``: every line a real server writes is one JSON object with the fields
a log collector needs, and no line holds a token or an e-mail address."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp

from server.logs import redact
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess

EMAIL = "alice.smith@example.com"


def _lines(server: ServerProcess) -> list[dict[str, Any]]:
    found = []
    for line in server.log_text().splitlines():
        record = json.loads(line)  # every line is one JSON object, or this fails
        assert isinstance(record, dict), line
        found.append(record)
    return found


async def test_json_lines_carry_request_order_and_seq_and_no_secret(
    server_factory: Callable[..., ServerProcess],
) -> None:
    server = server_factory(extra_args=("--log-format", "json"))
    async with Api(server.url, server.tokens["admin"]) as api:
        order = await api.create(customer_name="Alice")
        moved = await api.patch(
            f"/api/orders/{order['id']}/status",
            {"status": "preparing"},
            headers={"X-Request-ID": "till-7-0042"},
        )
        assert moved.headers["X-Request-ID"] == "till-7-0042"
        await api.get("/api/orders", params={"q": EMAIL})
        token = server.tokens["kitchen"]
        async with aiohttp.ClientSession() as session:
            for path in (f"/track/SECRETCODE123?token={token}", f"/socket.io/?token={token}"):
                async with session.get(server.url + path) as resp:
                    await resp.read()
    server.stop()
    records = _lines(server)
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        assert record["time"].endswith("Z")
    access = [r for r in records if r["logger"] == "aiohttp.access"]
    move = next(r for r in access if r.get("request_id") == "till-7-0042")
    assert move["method"] == "PATCH" and move["status"] == 200
    assert move["order_id"] == order["id"] and move["seq"] == 2
    create = next(r for r in access if r["method"] == "POST" and r["path"] == "/api/orders")
    assert create["order_id"] == order["id"] and create["seq"] == 1
    assert all(r.get("request_id") for r in access)
    text = server.log_text()
    for secret in (EMAIL, "SECRETCODE123", *server.tokens.values()):
        assert secret not in text, secret
    assert any("/track/***" in r["message"] for r in access)


async def test_text_stays_the_default_and_is_redacted(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.get("/api/orders", params={"q": EMAIL})
    # The access log line is written just after the answer is sent.
    await wait_for(lambda: "GET /api/orders?q=" in server.log_text(), message="the line")
    text = server.log_text()
    assert text.splitlines()[-1][:4].isdigit(), "a date first, as people read it"
    assert EMAIL not in text and "<email>" in text


def test_redact_replaces_each_kind_of_secret() -> None:
    token = "kds_" + "A1b2" * 11
    line = (
        f"token {token} secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw to bob@mail.example.org "
        "GET /track/abcDEF123_-x?token=zzz&page=2 /api/track/Q1w2E3"
    )
    assert redact(line) == (
        "token kds_*** secret whsec_*** to <email> GET /track/***?token=***&page=2 /api/track/***"
    )
