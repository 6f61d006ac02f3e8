"""Webhooks as Standard Webhooks v1 says, checked by its own library against a real receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.outbox.conftest import FAST_RETRIES
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.receivers import Reply, WebhookReceiver
from tests.support.server import ServerProcess


async def _add(api: Api, url: str, **fields: Any) -> tuple[dict[str, Any], str]:
    reply = await api.post("/api/webhooks", {"url": url, **fields})
    assert reply.status == 201, reply.body
    return reply.body["webhook"], reply.body["secret"]


async def test_every_change_is_posted_signed_with_its_seq_and_verifies(
    any_server: ServerProcess, receiver: WebhookReceiver
) -> None:
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        hook, secret = await _add(api, receiver.url, description="till")
        assert secret.startswith("whsec_")
        order = await api.create(customer_name="Ann")
        moved = await api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
        edited = await api.patch(f"/api/orders/{order['id']}", {"notes": "extra napkins"})
        deleted = await api.delete(f"/api/orders/{order['id']}")
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 4)

        verifier = Webhook(secret)
        seen = []
        for call in receiver.ok_calls():
            body = verifier.verify(call.body, call.headers)  # raises unless signed right
            assert call.headers["Content-Type"] == "application/json"
            assert abs(int(call.headers["webhook-timestamp"]) - time.time()) < 60
            assert set(body) == {"type", "timestamp", "data"}
            assert body["timestamp"].endswith("Z")
            seen.append((body["type"], body["data"]["seq"]))
        assert sorted(seen, key=lambda s: s[1]) == [
            ("order.created", 1),
            ("order.status_updated", moved.body["seq"]),
            ("order.updated", edited.body["seq"]),
            ("order.deleted", deleted.body["seq"]),
        ]
        # The data is the Socket.IO payload of the change, exactly as the event log has it.
        events = (await api.get("/api/events")).body["events"]
        by_seq = {e["seq"]: e["data"] for e in events}
        for call in receiver.ok_calls():
            data = json.loads(call.body)["data"]
            assert data == by_seq[data["seq"]]
        # One webhook-id per change, never the same for two changes.
        assert len(receiver.delivered_ids()) == 4
        # The results are written after the receiver answered.
        await wait_for(lambda: _all_settled(api), message="every result recorded")
        # The secret is shown once: never in a list.
        listed = (await api.get("/api/webhooks")).body["webhooks"]
        assert [w["id"] for w in listed] == [hook["id"]]
        assert "secret" not in json.dumps(listed)
        assert listed[0]["last_success_at"] is not None and listed[0]["failing_since"] is None


async def test_an_endpoint_gets_only_the_events_it_asked_for(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        await _add(api, receiver.url, events=["order.status_updated"])
        order = await api.create()
        await api.patch(f"/api/orders/{order['id']}", {"notes": "no ice"})
        await api.patch(f"/api/orders/{order['id']}/status", {"status": "preparing"})
        await receiver.wait_async(lambda r: len(r.ok_calls()) >= 1)
        await wait_for(lambda: _all_settled(api), message="every delivery settled", timeout=10)
        types = [json.loads(c.body)["type"] for c in receiver.ok_calls()]
        assert types == ["order.status_updated"]


async def _all_settled(api: Api) -> bool:
    return not await api.deliveries(state="pending")


async def test_a_failed_call_is_retried_with_the_same_webhook_id_then_succeeds(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    receiver.script = [Reply(500), Reply(502)]
    async with Api(server.url, server.tokens["admin"]) as api:
        _hook, secret = await _add(api, receiver.url)
        await api.create()
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 1)
        ids = {c.headers["webhook-id"] for c in receiver.calls}
        assert len(receiver.calls) == 3 and len(ids) == 1
        signatures = {c.headers["webhook-signature"] for c in receiver.calls}
        for call in receiver.calls:
            Webhook(secret).verify(call.body, call.headers)
        assert len({c.body for c in receiver.calls}) == 1, "every retry sends the same body"
        assert signatures  # each attempt is signed with its own timestamp
        await wait_for(lambda: _all_settled(api), message="the result recorded")
        [delivery] = await api.deliveries()
        assert delivery["state"] == "sent" and delivery["attempts"] == 3


async def test_every_retry_used_is_a_recorded_failure_and_the_endpoint_shows_failing(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    receiver.reply = Reply(500)
    async with Api(server.url, server.tokens["admin"]) as api:
        await _add(api, receiver.url)
        order = await api.create()

        async def failed() -> bool:
            return bool(await api.deliveries(state="failed"))

        await wait_for(failed, timeout=15, message="the delivery failed for good")
        [delivery] = await api.deliveries(order_id=order["id"], kind="webhook")
        assert delivery["attempts"] == 4  # the first and three retries
        assert "gave up after 4 attempts" in delivery["last_error"]
        assert "HTTP 500" in delivery["last_error"]
        assert delivery["next_attempt_at"] is None
        [listed] = (await api.get("/api/webhooks")).body["webhooks"]
        assert listed["failing_since"] is not None and listed["failed"] == 1
        assert listed["enabled"] is True  # five days of failing disable it, not one failure
        assert len(receiver.calls) == 4


async def test_410_gone_disables_the_endpoint_at_once_and_enabling_resumes_it(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    receiver.script = [Reply(410)]
    async with Api(server.url, server.tokens["admin"]) as api:
        hook, _ = await _add(api, receiver.url)
        await api.create()

        async def disabled() -> bool:
            [listed] = (await api.get("/api/webhooks")).body["webhooks"]
            return listed["enabled"] is False

        await wait_for(disabled, timeout=10, message="the endpoint was disabled")
        [listed] = (await api.get("/api/webhooks")).body["webhooks"]
        assert "410" in listed["disabled_reason"]
        [gone] = await api.deliveries()
        assert gone["state"] == "failed" and gone["attempts"] == 1

        # Changes while it is disabled are not sent to it...
        await api.create()
        assert len(receiver.calls) == 1
        # ...until it is enabled again; a replay sends what it missed.
        reply = await api.patch(f"/api/webhooks/{hook['id']}", {"enabled": True})
        assert reply.status == 200 and reply.body["webhook"]["enabled"] is True
        assert reply.body["webhook"]["disabled_reason"] is None
        replay = await api.post(f"/api/webhooks/{hook['id']}/replay", {"after_seq": 0})
        assert replay.status == 202 and replay.body["queued"] == 2
        await receiver.wait_async(lambda r: len(r.delivered_ids()) == 2)
        assert sorted(json.loads(c.body)["data"]["seq"] for c in receiver.ok_calls()) == [1, 2]
        # A replayed change keeps the webhook-id it had: the receiver can tell it saw it.
        assert receiver.calls[0].headers["webhook-id"] in receiver.delivered_ids()


async def test_429_with_retry_after_waits_that_long(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    receiver.script = [Reply(429, headers={"Retry-After": "2"})]
    async with Api(server.url, server.tokens["admin"]) as api:
        await _add(api, receiver.url)
        await api.create()
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 1, timeout=15)
        first, second = receiver.calls
        # The schedule says 0.2 s; Retry-After says 2 s, and wins.
        assert second.at - first.at >= 1.9


async def test_a_receiver_that_hangs_redirects_or_floods_is_a_failed_attempt_never_a_stuck_one(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    receiver.script = [
        Reply(200, hang=True),
        Reply(302, headers={"Location": "http://127.0.0.1:9/elsewhere"}),
        Reply(500, body_bytes=5_000_000),
    ]
    async with Api(server.url, server.tokens["admin"]) as api:
        await _add(api, receiver.url)
        order = await api.create()
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 1, timeout=40)
        statuses = [c.status for c in receiver.calls]
        assert statuses == [-1, 302, 500, 200]
        await wait_for(lambda: _all_settled(api), message="the result recorded")
        [delivery] = await api.deliveries(order_id=order["id"])
        assert delivery["state"] == "sent" and delivery["attempts"] == 4
        # Nothing was sent to where the redirect pointed (port 9 would refuse it anyway).


async def test_a_slow_endpoint_does_not_hold_up_another(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    slow = WebhookReceiver().start()
    release = threading.Event()
    slow.reply = Reply(200, hold=release)  # answers nothing until the fast one has it all
    try:
        async with Api(server.url, server.tokens["admin"]) as api:
            await _add(api, slow.url)
            await _add(api, receiver.url)
            for _ in range(20):
                await api.create()
            await receiver.wait_async(lambda r: len(r.delivered_ids()) == 20, timeout=60)
            assert slow.calls and not slow.ok_calls(), "the slow endpoint was never held up"
            release.set()
            await slow.wait_async(lambda r: len(r.delivered_ids()) == 20, timeout=60)
    finally:
        release.set()
        slow.stop()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "http://user:pw@example.com/hook"}, "url"),
        ({"url": "http://example.com/" + "a" * 2000}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "http://example.com/hook", "events": ["order.eaten"]}, "events.0"),
        ({"url": "http://example.com/hook", "events": []}, "events"),
        ({"url": "http://example.com/hook", "secret": "mine"}, "secret"),
    ],
)
async def test_bad_endpoints_are_refused_naming_the_field(
    shared_server: ServerProcess, body: dict[str, Any], field: str
) -> None:
    async with Api(shared_server.url, shared_server.tokens["admin"]) as api:
        reply = await api.post("/api/webhooks", body)
        assert reply.status == 422, reply.body
        assert reply.error["details"]["field"] == field
        patch = await api.patch("/api/webhooks/1", {k: v for k, v in body.items() if k != "secret"})
        assert patch.status in (404, 422)


async def test_webhooks_are_for_admins_and_unknown_ids_are_404(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["kitchen"]) as api:
        assert (await api.get("/api/webhooks")).status == 403
        assert (await api.get("/api/deliveries")).status == 403
        admin = api.as_(server.tokens["admin"])
        assert (await admin.patch("/api/webhooks/99", {"enabled": False})).status == 404
        assert (await admin.delete("/api/webhooks/99")).status == 404
        assert (await admin.post("/api/webhooks/99/replay", {"after_seq": 0})).status == 404
        bad = await admin.get("/api/deliveries", params={"state": "lost"})
        assert bad.status == 422 and bad.error["details"]["field"] == "state"


async def test_an_endpoint_can_be_changed_disabled_and_removed(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        hook, _ = await _add(api, "http://127.0.0.1:9/nowhere")
        changed = await api.patch(
            f"/api/webhooks/{hook['id']}",
            {"url": receiver.url, "events": ["order.created"], "description": "POS"},
        )
        assert changed.status == 200
        assert changed.body["webhook"]["events"] == ["order.created"]
        await api.create()
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 1)
        off = await api.patch(f"/api/webhooks/{hook['id']}", {"enabled": False})
        assert off.body["webhook"]["disabled_reason"] == "disabled by an admin"
        await api.create()
        removed = await api.delete(f"/api/webhooks/{hook['id']}")
        assert removed.status == 200
        assert (await api.get("/api/webhooks")).body["webhooks"] == []
        assert await api.deliveries(kind="webhook") == []
        assert len(receiver.calls) == 1
