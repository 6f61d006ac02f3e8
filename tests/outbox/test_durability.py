"""Nothing is lost or sent twice: kill -9 with deliveries outstanding, several processes on
one PostgreSQL database, and the pruning of old deliveries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.receivers import MailSink, Reply, WebhookReceiver
from tests.support.server import ServerProcess
from tests.support.services import postgres_database

SLOW_RETRIES = {
    "KDS_WEBHOOK_RETRY_SECONDS": ",".join(["0.5"] * 30),
    "KDS_EMAIL_RETRY_SECONDS": ",".join(["0.5"] * 30),
}


async def test_kill_9_with_deliveries_outstanding_loses_none_of_them(
    server_factory: Callable[..., ServerProcess],
    backend_db: str,
    receiver: WebhookReceiver,
    mail_sink: MailSink,
) -> None:
    receiver.reply = Reply(503)
    mail_sink.refuse = {f"guest{i}@example.com": 451 for i in range(10)}
    mail = ("--smtp", mail_sink.url, "--mail-from", "kitchen@example.com")
    server = server_factory(db_url=backend_db, extra_args=mail, env=SLOW_RETRIES)
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.post("/api/webhooks", {"url": receiver.url})
        orders = [await api.create(customer_email=f"guest{i}@example.com") for i in range(10)]

        async def all_tried() -> bool:
            found = await api.deliveries()
            return len(found) == 20 and all(d["attempts"] >= 1 for d in found)

        await wait_for(all_tried, timeout=20, message="every delivery tried and failed once")
    server.kill()
    assert not receiver.ok_calls() and not mail_sink.messages
    receiver.reply = Reply(200)
    mail_sink.refuse = {}
    server.start()
    await receiver.wait_async(lambda r: len(r.delivered_ids()) == 10, timeout=30)
    await mail_sink.wait_async(10, timeout=30)
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.wait_all_sent(20)
    assert set(receiver.delivered_ids().values()) == {1}
    assert sorted(to[0] for to, _ in mail_sink.messages) == sorted(
        o["customer_email"] for o in orders
    )


@pytest.mark.slow
async def test_a_delivery_held_by_a_killed_process_is_made_after_its_hold_lapses(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    receiver.reply = Reply(200, delay=60)  # every attempt is under way at the kill
    server = server_factory()
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.post("/api/webhooks", {"url": receiver.url})
        for _ in range(3):
            await api.create()
        await receiver.wait_async(lambda r: len(r.calls) == 3)
    server.kill()
    receiver.reply = Reply(200)
    server.start()
    # The hold is 30 s: the deliveries are made once it lapses, each exactly once more.
    await receiver.wait_async(lambda r: len(r.delivered_ids()) == 3, timeout=60)
    assert len(receiver.calls) == 6


@pytest.mark.postgres
@pytest.mark.slow
async def test_two_processes_on_postgresql_deliver_a_burst_exactly_once_per_endpoint(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    receivers = [WebhookReceiver().start() for _ in range(2)]
    try:
        with postgres_database() as url:
            first = server_factory(db_url=url, data_dir=tmp_path / "a")
            second = server_factory(db_url=url, data_dir=tmp_path / "b")
            async with Api(first.url, first.tokens["admin"]) as api:
                for receiver in receivers:
                    reply = await api.post("/api/webhooks", {"url": receiver.url})
                    assert reply.status == 201
                pos = [
                    api.as_(first.tokens["pos"]),
                    Api(second.url, second.tokens["admin"]),
                ]
                async with pos[1]:

                    async def create(i: int) -> None:
                        reply = await pos[i % 2].post(
                            "/api/orders", {"items": [{"name": f"Dish {i}"}]}
                        )
                        assert reply.status == 201, reply.body

                    started = time.monotonic()
                    for batch in range(0, 200, 20):
                        await asyncio.gather(*(create(i) for i in range(batch, batch + 20)))
                    for receiver in receivers:
                        await receiver.wait_async(
                            lambda r: len(r.delivered_ids()) == 200, timeout=60
                        )
                    elapsed = time.monotonic() - started
                    for receiver in receivers:
                        counts = receiver.delivered_ids()
                        assert len(counts) == 200 and set(counts.values()) == {1}, (
                            f"some webhook-ids were delivered twice: "
                            f"{[k for k, n in counts.items() if n > 1][:5]}"
                        )
                        assert len(receiver.calls) == 200, "an attempt was made twice"

                    async def settled() -> bool:
                        return not await api.deliveries(state="pending")

                    await wait_for(settled, timeout=20, message="every result recorded")
                    sent = await api.deliveries(state="sent")
                    assert len(sent) == 400 and all(d["attempts"] == 1 for d in sent)
                    print(f"200 orders, 400 webhooks over two processes in {elapsed:.1f} s")
    finally:
        for receiver in receivers:
            receiver.stop()


async def test_old_deliveries_are_pruned_after_the_retention(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver, tmp_path: Path
) -> None:
    server = server_factory(data_dir=tmp_path / "data")
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.post("/api/webhooks", {"url": receiver.url})
        await api.create()
        await receiver.wait_async(lambda r: len(r.ok_calls()) == 1)

        async def sent() -> bool:
            return bool(await api.deliveries(state="sent"))

        await wait_for(sent, message="the delivery recorded as sent")
    server.stop()
    # Half a second is past a retention of 0.000005 days (0.43 s): pruned at the next start.
    await asyncio.sleep(0.5)
    server.extra_args = ("--delivery-retention-days", "0.000005")
    receiver.reply = Reply(500)
    server.start()
    async with Api(server.url, server.tokens["admin"]) as api:
        await wait_for(lambda: _none(api), timeout=10, message="the old delivery pruned")
        assert "forgot 1 deliveries" in server.log_text()


async def _none(api: Api) -> bool:
    return not await api.deliveries()
