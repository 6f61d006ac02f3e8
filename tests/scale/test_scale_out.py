"""Several server processes on PostgreSQL and Redis: delivery across processes, failover,
Redis and PostgreSQL going away and coming back."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import socketio

from kds_client import KdsRest, LiveFeed
from server.shared_events import RETRY_MAX_S, TIMEOUT_S
from tests.support.client import TcpProxy, all_orders, differences, wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess
from tests.support.services import PG_PORT, RedisProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def cluster(
    server_factory: Callable[..., ServerProcess], pg_url: str, redis: RedisProcess
) -> list[ServerProcess]:
    """Three server processes sharing one PostgreSQL database and one Redis."""
    first = server_factory(db_url=pg_url, extra_args=("--redis", redis.url))
    others = [server_factory(db_url=pg_url, extra_args=("--redis", redis.url)) for _ in range(2)]
    for other in others:
        other.tokens = first.tokens  # one database: every token works on every process
    return [first, *others]


class Listener:
    """A bare Socket.IO client (no catch-up): what it records came through the broadcast."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.client = socketio.AsyncClient(reconnection=False)
        self.created: list[int] = []
        self.client.on("order:created", lambda data: self.created.append(data["order"]["id"]))

    async def __aenter__(self) -> Listener:
        await self.client.connect(self.url, auth={"token": self.token}, transports=["websocket"])
        assert (await self.client.call("join:kitchen", timeout=5))["ok"]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()


@pytest.fixture
async def feeds(cluster: list[ServerProcess]) -> AsyncIterator[list[LiveFeed]]:
    """Two live feeds per process, each with the other processes as failover."""
    made = []
    urls = [s.url for s in cluster]
    for index, _ in enumerate(cluster):
        ordered = urls[index:] + urls[:index]
        for _ in range(2):
            feed = LiveFeed(
                ordered,
                cluster[0].tokens["kitchen"],
                check_interval=1.0,
                backoff_base=0.2,
                backoff_max=2.0,
                snapshot_statuses=None,
            )
            await feed.start()
            made.append(feed)
    async with asyncio.timeout(20):
        for feed in made:
            await feed.wait_live()
    yield made
    for feed in made:
        await feed.stop()


async def _converged(feeds: list[LiveFeed], rest: KdsRest, timeout: float = 20) -> None:
    truth: dict[int, Any] = {}

    async def all_equal() -> bool:
        truth.clear()
        truth.update(await all_orders(rest))
        return all(feed.store.orders == truth for feed in feeds)

    await wait_for(
        all_equal,
        timeout,
        interval=0.3,
        message=lambda: "\n".join(
            differences(f.store.orders, truth) for f in feeds if f.store.orders != truth
        ),
    )


async def _crossing_again(api: Api, far: Listener, processes: list[ServerProcess]) -> None:
    """Place orders until one reaches ``far`` (another process) with Redis working again
    on every process (each process's health says so: it published, it listens, it pings;
    without Redis an order would reach ``far`` too, from the event log)."""
    placed: list[int] = []

    async def redis_ok(proc: ServerProcess) -> bool:
        async with Api(proc.url) as anyone:
            return (await anyone.get("/api/health")).body.get("redis") == "ok"

    async def crossed() -> bool:
        placed.append((await api.create())["id"])
        if not any(i in far.created for i in placed):
            return False
        return all([await redis_ok(proc) for proc in processes])

    # Within RETRY_MAX_S and some slack for a busy machine; python-socketio's own manager,
    # after the long outage below, would take 15 s more.
    await wait_for(crossed, RETRY_MAX_S + 8, interval=0.2, message="delivery across Redis")


async def test_an_order_made_on_any_process_reaches_clients_of_every_process(
    cluster: list[ServerProcess],
) -> None:
    token = cluster[0].tokens["kitchen"]
    async with (
        Listener(cluster[0].url, token) as a,
        Listener(cluster[1].url, token) as b,
        Listener(cluster[2].url, token) as c,
    ):
        made = []
        for server in cluster:
            async with Api(server.url, cluster[0].tokens["pos"]) as api:
                made.append((await api.create())["id"])
        await wait_for(
            lambda: all(len(x.created) == 3 for x in (a, b, c)),
            10,
            message="three orders on every process",
        )
    assert a.created == b.created == c.created == made, "the same order everywhere"
    async with Api(cluster[2].url, cluster[0].tokens["admin"]) as api:
        seqs = [e["seq"] for e in (await api.get("/api/events")).body["events"]]
    assert seqs == [1, 2, 3]


async def test_idempotency_keys_hold_across_processes(cluster: list[ServerProcess]) -> None:
    body, headers = {"items": [{"name": "Soup"}]}, {"Idempotency-Key": "till-9-0001"}
    replies = []
    for server in cluster * 3:
        async with Api(server.url, cluster[0].tokens["pos"]) as api:
            replies.append(await api.post("/api/orders", body, headers=headers))
    assert {r.status for r in replies} == {201}
    assert len({r.body["order"]["id"] for r in replies}) == 1


async def test_kill_9_of_a_process_under_load_loses_nothing(
    cluster: list[ServerProcess], feeds: list[LiveFeed]
) -> None:
    victim, *survivors = cluster
    acked: list[int] = []
    stop = asyncio.Event()
    counter = itertools.count()

    async def writer(server: ServerProcess) -> None:
        async with Api(server.url, server.tokens["pos"]) as api:
            while not stop.is_set():
                n = next(counter)
                reply = await api.post(
                    "/api/orders",
                    {"items": [{"name": f"dish {n}"}]},
                    headers={"Idempotency-Key": f"w-{n}"},
                )
                assert reply.status == 201, reply.body
                acked.append(reply.body["order"]["id"])

    writers = [asyncio.create_task(writer(s)) for s in survivors for _ in range(2)]
    await wait_for(lambda: len(acked) >= 20, 20, message="orders flowing")
    victim.kill()
    await wait_for(lambda: len(acked) >= 60, 30, message="orders still flowing")
    stop.set()
    await asyncio.gather(*writers)
    rest = KdsRest([s.url for s in survivors], survivors[0].tokens["admin"])
    try:
        await _converged(feeds, rest)
        on_server = await all_orders(rest)
    finally:
        await rest.close()
    assert set(acked) <= set(on_server), "every acknowledged order is there"
    moved = [f for f in feeds if f.status.url != victim.url]
    assert len(moved) == len(feeds), "every client now talks to a live process"


async def test_redis_restart_delivery_resumes_and_clients_converge(
    cluster: list[ServerProcess], redis: RedisProcess, feeds: list[LiveFeed]
) -> None:
    token = cluster[0].tokens
    async with (
        Api(cluster[0].url, token["pos"]) as api,
        Listener(cluster[1].url, token["kitchen"]) as far,
    ):
        first = await api.create()
        await wait_for(lambda: first["id"] in far.created, 10, message="delivery before")
        redis.stop()
        during = [await api.create() for _ in range(5)]
        assert all(o["id"] for o in during), "orders are still taken while Redis is away"
        await wait_for(
            lambda: "redis: cannot receive" in cluster[1].log_text(), 10, message="the far log"
        )
        # A long outage: python-socketio's manager would by now wait 16 s between tries
        # (tries at 0, 1, 3, 7, 15 and 31 s): back 15 s after Redis.
        await asyncio.sleep(16)  # the outage's length, not a wait for a condition
        redis.start()
        # Listening again within RETRY_MAX_S: keep placing orders until one crosses.
        await _crossing_again(api, far, cluster)
        assert "redis: receiving again after" in cluster[1].log_text()
        assert "redis: publishing again after" in cluster[0].log_text()
    rest = KdsRest(cluster[2].url, token["admin"])
    try:
        await _converged(feeds, rest)
    finally:
        await rest.close()


async def test_a_silent_redis_holds_up_no_request(
    cluster: list[ServerProcess], redis: RedisProcess, feeds: list[LiveFeed]
) -> None:
    token = cluster[0].tokens
    async with (
        Api(cluster[0].url, token["pos"]) as api,
        Listener(cluster[0].url, token["kitchen"]) as near,
        Listener(cluster[1].url, token["kitchen"]) as far,
    ):
        redis.pause()
        try:
            # Each answered at once (python-socketio's manager took 10 s per request here),
            # and live on this process's screens.
            during = [await asyncio.wait_for(api.create(), TIMEOUT_S) for _ in range(3)]
            ids = [order["id"] for order in during]
            await wait_for(lambda: near.created == ids, 5, message="live delivery on the process")
            await wait_for(
                lambda: "redis: cannot publish (no answer within" in cluster[0].log_text(),
                TIMEOUT_S + 5,
                message="one warning in the log",
            )
            # The other processes' screens get them from the event log meanwhile.
            rest = KdsRest(cluster[2].url, token["admin"])
            try:
                await _converged(feeds, rest)
            finally:
                await rest.close()
            # Redis was silent: a bare client of another process hears of them from the
            # event log, which that process reads for what Redis did not bring.
            await wait_for(
                lambda: set(ids) <= set(far.created),
                10,
                message="the other process's bare client to hear them",
            )
        finally:
            redis.resume()
        await _crossing_again(api, far, cluster)
    assert cluster[0].log_text().count("redis: cannot publish") == 1, "one warning, not one each"


async def test_postgres_away_means_503_then_normal_service(
    server_factory: Callable[..., ServerProcess], pg_url: str
) -> None:
    proxy = await TcpProxy(PG_PORT).start()
    try:
        proxied = pg_url.replace(f":{PG_PORT}/", f":{proxy.port}/")
        server = await asyncio.to_thread(server_factory, db_url=proxied)
        async with Api(server.url, server.tokens["pos"]) as api:
            await api.create()
            await proxy.stop()  # PostgreSQL goes away: connections close, new ones are refused
            down = await api.post("/api/orders", {"items": [{"name": "Tea"}]})
            assert down.status == 503, down.body
            assert "database" in down.error["message"] and down.headers.get("Retry-After")
            health = await api.get("/api/health")
            assert health.status == 503 and health.body["status"] == "degraded"
            listing = await api.as_(server.tokens["admin"]).get("/api/orders")
            assert listing.status == 503
            proxy = await TcpProxy(PG_PORT, port=proxy.port).start()  # and comes back

            async def healthy() -> bool:
                return (await api.get("/api/health")).status == 200

            await wait_for(healthy, 20, interval=0.2, message="health back")
            again = await api.post("/api/orders", {"items": [{"name": "Tea"}]})
            assert again.status == 201
            total = (await api.as_(server.tokens["admin"]).get("/api/orders")).body["total"]
        assert total == 2, "the refused order was not half-written"
        assert "Traceback" not in server.log_text()
    finally:
        await proxy.stop()
