"""The Prometheus alert rules and the Grafana dashboard in docs/deploy/, tried against real
runs' metrics: every metric they name is one a real server exposes, and (where promtool is
installed) each alert fires on the metrics of a real run in the state it is about, and
not on the others."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
import yaml
from prometheus_client.parser import text_string_to_metric_families

from kds_contract.screens import ScreenHello, ScreenKind
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.proxy import TcpProxy
from tests.support.server import REPO, ServerProcess, free_port
from tests.support.services import redis_url

RULES = REPO / "docs" / "deploy" / "prometheus-alerts.yml"
DASHBOARD = REPO / "docs" / "deploy" / "grafana-dashboard.json"
METRIC = re.compile(r"\b((?:kds|process)_[a-z_]+)\b")
SUFFIXES = ("_total", "_bucket", "_count", "_sum")
STATION_METRICS = {"kds_station_screens_online", "kds_station_open_tickets"}
"""Read from the database: the same on every scrape of the run (kept from one only)."""
ALERTS = {
    "KdsDown",
    "KdsNotReady",
    "KdsStationScreenOffline",
    "KdsTicketsOverTime",
    "KdsDeliveriesFailing",
}


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def _family(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


async def _scrape_text(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url + "/metrics") as resp:
        assert resp.status == 200
        return await resp.text()


async def _busy_kitchen(server: ServerProcess) -> socketio.AsyncClient:
    """Grill's screen online, a fry ticket nobody sees, a ticket pending for 30 minutes."""
    grill = socketio.AsyncClient(reconnection=False)
    await grill.connect(
        server.url, auth={"token": server.tokens["kitchen"]}, transports=["websocket"]
    )
    hello = ScreenHello(kind=ScreenKind.KITCHEN, station="grill", name="grill-1")
    assert (await grill.call("join:kitchen", hello.payload(), timeout=5))["ok"]
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.create(items=[{"name": "Steak", "station": "grill"}])
        late = await api.create(items=[{"name": "Fries", "station": "fry"}])
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=30)
    with sqlite3.connect(server.data_dir / "kds.db", timeout=30) as db:
        db.execute("UPDATE orders SET pending_at = ? WHERE id = ?", (str(long_ago), late["id"]))
    return grill


def test_the_rules_are_well_formed() -> None:
    rules = _rules()
    assert {r["alert"] for r in rules} == ALERTS
    for rule in rules:
        assert rule["expr"] and rule["labels"]["severity"] in ("warning", "critical"), rule
        assert rule["annotations"]["summary"], rule


async def test_rules_and_dashboard_name_only_metrics_a_real_server_exposes(
    server: ServerProcess,
) -> None:
    grill = await _busy_kitchen(server)
    try:
        text = await _scrape_text(server.url)
    finally:
        await grill.disconnect()
    exposed = {family.name for family in text_string_to_metric_families(text)}
    named = {
        _family(name)
        for expr in [*(r["expr"] for r in _rules()), *_dashboard_exprs()]
        for name in METRIC.findall(expr)
    }
    assert named, "the rules and the dashboard name metrics"
    assert named - exposed == set(), "named in docs/deploy but not exposed"


def _promtool() -> str:
    found = shutil.which(os.environ.get("PROMTOOL", "promtool"))
    if found is None:
        reason = (
            "promtool is not installed (Debian's prometheus package has it; set PROMTOOL to "
            "its path): the rules were only parsed and checked against a real scrape"
        )
        if os.environ.get("KDS_REQUIRE_SERVICES") == "1":  # .ci/run installs it
            pytest.fail(f"{reason}, and KDS_REQUIRE_SERVICES=1 says the rules must be run")
        pytest.skip(reason)
    return found


def _series(text: str, instance: str, wanted: set[str]) -> list[dict[str, str]]:
    found = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name not in wanted:
                continue
            labels = {**sample.labels, "job": "kds", "instance": instance}
            pairs = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            found.append({"series": f"{sample.name}{{{pairs}}}", "values": f"{sample.value}x40"})
    return found


def _deliveries(kind: str, result: str, values: str) -> dict[str, str]:
    labels = f'kind="{kind}",result="{result}",instance="busy",job="kds"'
    return {"series": f"kds_deliveries_total{{{labels}}}", "values": values}


def _expected(name: str, labels: dict[str, str]) -> dict[str, Any]:
    rule = next(r for r in _rules() if r["alert"] == name)

    def render(text: str) -> str:
        return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels[m.group(1)], text)

    return {
        "exp_labels": {**labels, "severity": rule["labels"]["severity"]},
        "exp_annotations": {k: render(v) for k, v in rule["annotations"].items()},
    }


@pytest.mark.redis
async def test_each_alert_fires_on_a_real_runs_metrics(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    promtool = _promtool()
    checked = await asyncio.to_thread(subprocess.run, [promtool, "check", "rules", str(RULES)])
    assert checked.returncode == 0
    wanted = {name for r in _rules() for name in METRIC.findall(r["expr"])}
    redis_port = int(redis_url().rsplit(":", 1)[1].split("/")[0])
    proxy = await TcpProxy(redis_port).start()
    try:
        server = await asyncio.to_thread(
            server_factory, extra_args=("--redis", f"redis://127.0.0.1:{proxy.port}/0")
        )
        grill = await _busy_kitchen(server)
        try:
            busy_text = await _scrape_text(server.url)
            await proxy.stop()  # Redis goes away: the process is up, and not ready
            away_text = ""

            async def not_ready() -> bool:
                nonlocal away_text
                away_text = await _scrape_text(server.url)
                return "\nkds_ready 0.0\n" in away_text

            await wait_for(not_ready, 15, interval=0.5, message="kds_ready 0 without Redis")
        finally:
            await grill.disconnect()
    finally:
        await proxy.stop()
    gone = f"http://127.0.0.1:{free_port()}"  # a process that does not answer
    with pytest.raises(aiohttp.ClientConnectionError):
        await _scrape_text(gone)
    series = [
        *_series(busy_text, "busy", wanted),
        *_series(away_text, "redis-away", wanted - STATION_METRICS),
        {"series": 'up{instance="busy",job="kds"}', "values": "1x40"},
        {"series": 'up{instance="redis-away",job="kds"}', "values": "1x40"},
        {"series": 'up{instance="gone",job="kds"}', "values": "0x40"},  # its scrape fails
        # No delivery is made by this server yet: the deliveries rule is tried on series of
        # the shape server.metrics.count_delivery makes, one kind failing, one fine.
        _deliveries("webhook", "retry", "0+1x40"),
        _deliveries("webhook", "sent", "0x40"),
        _deliveries("email", "retry", "0+1x40"),
        _deliveries("email", "sent", "0+1x40"),
    ]
    expected = {
        "KdsDown": [_expected("KdsDown", {"instance": "gone", "job": "kds"})],
        "KdsNotReady": [_expected("KdsNotReady", {"instance": "redis-away", "job": "kds"})],
        "KdsStationScreenOffline": [_expected("KdsStationScreenOffline", {"station": "fry"})],
        "KdsTicketsOverTime": [_expected("KdsTicketsOverTime", {"status": "pending"})],
        "KdsDeliveriesFailing": [_expected("KdsDeliveriesFailing", {"kind": "webhook"})],
    }
    tests = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"eval_time": "20m", "alertname": name, "exp_alerts": alerts}
                    for name, alerts in expected.items()
                ],
            }
        ],
    }
    path = tmp_path / "alerts-test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    run = await asyncio.to_thread(
        subprocess.run, [promtool, "test", "rules", str(path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
