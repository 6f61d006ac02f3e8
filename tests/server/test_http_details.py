"""The HTTP details a client acts on: challenges, retry hints, one key per request, and who
the client is behind a proxy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
from multidict import CIMultiDict

from kds_client import KdsRest
from server.service import RetryInFlight
from server.web.errors import from_domain
from server.web.schemas import MAX_ANSWER_BYTES
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import REPO, ServerProcess


async def test_a_401_carries_a_bearer_challenge(server: ServerProcess) -> None:
    async with Api(server.url) as api:
        missing = await api.get("/api/orders")
        wrong = await api.as_("kds_not_a_token").get("/api/orders")
    assert missing.status == wrong.status == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="kds"'
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="kds", error="invalid_token"'


def test_a_retry_in_flight_says_when_to_ask_again() -> None:
    refusal = from_domain(RetryInFlight("still being handled", key="k"))
    assert (refusal.status, refusal.headers) == (409, {"Retry-After": "1"})


async def test_two_idempotency_keys_are_refused(server: ServerProcess) -> None:
    headers = CIMultiDict(
        [
            ("Authorization", f"Bearer {server.tokens['pos']}"),
            ("Idempotency-Key", "first"),
            ("Idempotency-Key", "second"),
        ]
    )
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.url}/api/orders", json={"items": [{"name": "Tea"}]}, headers=headers
        ) as reply,
    ):
        body = await reply.json()
    assert reply.status == 400 and body["error"]["code"] == "bad_idempotency_key"
    assert "send one Idempotency-Key header, not 2" in body["error"]["message"]
    async with Api(server.url, server.tokens["admin"]) as api:
        assert (await api.get("/api/orders")).body["total"] == 0, "no order was made"


async def test_the_client_address_comes_from_a_trusted_proxy_only(
    server_factory: Callable[..., ServerProcess],
) -> None:
    behind = server_factory(extra_args=("--trusted-proxy", "127.0.0.0/8"))
    direct = server_factory()
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    async with aiohttp.ClientSession() as http:
        for proc in (behind, direct):
            async with http.get(f"{proc.url}/api/health?from=proxy", headers=forwarded):
                pass
    await wait_for(lambda: '"GET /api/health?from=proxy' in behind.log_text(), timeout=10)
    await wait_for(lambda: '"GET /api/health?from=proxy' in direct.log_text(), timeout=10)
    line = next(li for li in behind.log_text().splitlines() if "from=proxy" in li)
    assert ' 198.51.100.7 "GET /api/health?from=proxy HTTP/1.1" 200 ' in line, line
    line = next(li for li in direct.log_text().splitlines() if "from=proxy" in li)
    assert ' 127.0.0.1 "GET /api/health?from=proxy HTTP/1.1" 200 ' in line, line
    assert "198.51.100.7" not in direct.log_text(), "an untrusted peer's claim is ignored"


def test_a_bad_trusted_proxy_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(tmp_path), "--trusted-proxy", "nginx"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "kds-server: --trusted-proxy: 'nginx' is not an IP address or network "
        "(such as 127.0.0.1 or 10.0.0.0/24)"
    )


async def test_a_till_reads_back_its_own_orders(server: ServerProcess) -> None:
    other_till = server.token("pos", name="till-2")
    async with Api(server.url, server.tokens["pos"]) as till:
        mine = await till.create(table="5")
        theirs = await till.as_(other_till).create(table="6")
        by_admin = await till.as_(server.tokens["admin"]).create(table="7")
        read = await till.get(f"/api/orders/{mine['id']}")
        refused = [await till.get(f"/api/orders/{o['id']}") for o in (theirs, by_admin)]
        listing = await till.get("/api/orders")
    assert read.status == 200 and read.body["order"] == mine
    for reply in refused:
        assert reply.status == 404 and reply.error["code"] == "not_found"
        assert "was not made with this token" in reply.error["message"]
    assert listing.status == 403, "a till lists nothing: it reads its own orders one by one"


async def test_times_out_of_range_are_refused_not_moved(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        early = await api.get("/api/stats", params={"since": "0001-01-01T00:00:00Z"})
        late = await api.get("/api/orders", params={"until": "9999-12-31T00:00:00Z"})
        fine = await api.get("/api/orders", params={"since": "1970-01-01T00:00:00Z"})
    for reply, field in ((early, "since"), (late, "until")):
        assert reply.status == 422, reply.body
        assert reply.error["details"]["field"] == field
        assert "out of range" in reply.error["message"]
    assert fine.status == 200


def _largest_order(n: int) -> dict[str, object]:
    words = " ".join(["allergy"] * 124)[:990]
    item = {
        "name": f"{n} " + "x" * 190,
        "quantity": 99,
        "modifiers": ["m" * 200] * 20,
        "notes": words,
        "station": "grill",
    }
    return {"items": [item] * 100, "notes": words, "table": str(n)}


async def test_a_page_of_events_is_cut_by_bytes_and_says_where_it_goes_on(
    server: ServerProcess,
) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        for n in range(10):
            reply = await api.post("/api/orders", _largest_order(n))
            assert reply.status == 201, reply.body
        pages, path = [], "/api/events?after=0&limit=5000"
        while path:
            async with api._session.get(  # type: ignore[union-attr]
                server.url + path, headers={"Authorization": f"Bearer {server.tokens['admin']}"}
            ) as raw:
                text = await raw.text()
            body = json.loads(text)
            pages.append((len(text.encode()), body))
            path = body.get("next")
    assert len(pages) > 1, "ten of the largest orders do not fit one answer"
    seqs = [e["seq"] for _, body in pages for e in body["events"]]
    assert seqs == list(range(1, 11)), "nothing lost or repeated across the cut"
    for size, body in pages[:-1]:
        assert size <= MAX_ANSWER_BYTES
        assert body["next"] == f"/api/events?after={body['events'][-1]['seq']}&limit=5000"
    assert "next" not in pages[-1][1]


async def test_a_page_of_orders_is_cut_by_bytes_and_its_rest_is_one_link_away(
    server: ServerProcess,
) -> None:
    admin = {"Authorization": f"Bearer {server.tokens['admin']}"}
    async with Api(server.url, server.tokens["admin"]) as api:
        made = []
        for n in range(10):
            reply = await api.post("/api/orders", _largest_order(n))
            assert reply.status == 201, reply.body
            made.append(reply.body["order"]["id"])
        query = f"/api/orders?per_page=200&max_id={made[-1]}&station=grill"
        whole = await api.get("/api/orders", params={"per_page": "1", "max_id": str(made[-1])})
        parts, path = [], query
        while path:
            async with api._session.get(server.url + path, headers=admin) as raw:  # type: ignore[union-attr]
                text = await raw.text()
            assert raw.status == 200, text
            body = json.loads(text)
            parts.append((len(text.encode()), body))
            path = body.get("next")
        bad_skip = await api.get("/api/orders", params={"per_page": "5", "skip": "5"})
    assert len(parts) > 1, "ten of the largest orders do not fit one answer"
    ids = [o["id"] for _, body in parts for o in body["orders"]]
    assert ids[: len(made)] == made[::-1], "newest first, nothing lost or repeated at a cut"
    assert len(ids) == len(set(ids)) == parts[0][1]["total"] <= whole.body["total"]
    given = 0
    for size, body in parts[:-1]:
        given += len(body["orders"])
        assert size <= MAX_ANSWER_BYTES and body["orders"], "cut at 4 MiB, never empty"
        assert f"skip={given}" in body["next"] and f"max_id={made[-1]}" in body["next"]
        assert (body["page"], body["per_page"]) == (1, 200)
    assert "next" not in parts[-1][1]
    assert bad_skip.status == 422 and bad_skip.error["details"]["field"] == "skip"

    client = KdsRest(server.url, server.tokens["admin"])
    try:
        page = await client.list_orders(per_page=200, max_id=made[-1], station="grill")
    finally:
        await client.close()
    assert [o.id for o in page.orders] == ids, "the client puts a cut page together again"
