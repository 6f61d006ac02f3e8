"""GET /metrics on a real server after a real workload, read with prometheus-client's own
parser: the counts it must show, and no order data in its labels."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import socketio
from prometheus_client.parser import text_string_to_metric_families

from kds_contract.screens import ScreenHello, ScreenKind
from tests.support.http import Api
from tests.support.server import ServerProcess, free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> tuple[Samples, set[str]]:
    """Every sample by (name, labels), and the metric families' names."""
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Type"].startswith("text/plain; version=")
        text = await resp.text()
    samples: Samples = {}
    families = set()
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples, families


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_workload_shows_in_the_metrics(any_server: ServerProcess) -> None:
    kitchen = socketio.AsyncClient(reconnection=False)
    await kitchen.connect(
        any_server.url, auth={"token": any_server.tokens["kitchen"]}, transports=["websocket"]
    )
    hello = ScreenHello(kind=ScreenKind.KITCHEN, station="Grill", name="grill-1", version="9")
    assert (await kitchen.call("join:kitchen", hello.payload(), timeout=5))["ok"]
    try:
        async with Api(any_server.url, any_server.tokens["admin"]) as api:
            grill = {"name": "Steak", "station": "grill"}
            first = await api.create(items=[grill], customer_name="Ada Lovelace")
            await api.create(items=[{"name": "Fries", "station": "fry"}])
            await api.create()
            for status in ("preparing", "ready", "completed"):
                reply = await api.patch(f"/api/orders/{first['id']}/status", {"status": status})
                assert reply.status == 200, reply.body
            assert (await api.get("/api/orders/999999")).status == 404
            assert (await api.post("/api/orders", {"items": []})).status == 422
            samples, families = await scrape(any_server.url + "/metrics")
    finally:
        await kitchen.disconnect()

    def requests(route: str, method: str, status: str) -> float:
        return value(samples, "kds_http_requests_total", route=route, method=method, status=status)

    assert requests("/api/orders", "POST", "201") == 3
    assert requests("/api/orders", "POST", "422") == 1
    assert requests("/api/orders/{id}", "GET", "404") == 1
    assert requests("/api/orders/{id}/status", "PATCH", "200") == 3
    created = value(
        samples, "kds_http_request_duration_seconds_count", route="/api/orders", method="POST"
    )
    assert created == 4
    assert value(samples, "kds_socketio_broadcasts_total", event="order:created") == 3
    assert value(samples, "kds_socketio_broadcasts_total", event="order:statusUpdated") == 3
    assert value(samples, "kds_orders", status="pending") == 2
    assert value(samples, "kds_orders", status="completed") == 1
    assert value(samples, "kds_event_log_seq") == 6
    for stage in ("created_to_started", "started_to_ready", "ready_to_collected"):
        count = value(
            samples, "kds_ticket_stage_duration_seconds_count", stage=stage, station="grill"
        )
        assert count == 1, stage
    assert value(samples, "kds_socketio_clients", room="kitchen", station="grill") == 1
    assert value(samples, "kds_screens_connected", kind="kitchen", station="grill") == 1
    assert value(samples, "kds_station_screens_online", station="grill") == 1
    assert value(samples, "kds_station_open_tickets", station="fry") == 1
    assert value(samples, "kds_station_screens_online", station="fry") == 0
    assert value(samples, "kds_ready") == 1
    assert value(samples, "kds_dependency_up", dependency="database") == 1
    assert value(samples, "kds_order_oldest_in_status_seconds", status="pending") >= 0
    assert ("kds_db_pool_connections_max", frozenset()) in samples
    assert "process_resident_memory_bytes" in families
    labels = {v for name, pairs in samples if name.startswith("kds_") for _, v in pairs}
    assert not any("Ada" in v or re.search(r"/\d", v) for v in labels), "no order data"


async def test_metrics_can_be_off_or_on_a_port_of_their_own(
    server_factory: Callable[..., ServerProcess],
) -> None:
    off = server_factory(extra_args=("--metrics", "off"))
    port = free_port()
    apart = server_factory(extra_args=("--metrics", f"127.0.0.1:{port}"))
    async with aiohttp.ClientSession() as session:
        for server in (off, apart):
            async with session.get(server.url + "/metrics") as resp:
                assert resp.status == 404
        samples, _ = await scrape(f"http://127.0.0.1:{port}/metrics")
        assert value(samples, "kds_ready") == 1


def test_a_mistyped_metrics_setting_is_refused(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "server", "--metrics", "nine", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "--metrics: 'nine'" in refused.stderr
