"""The outbox's cost and speed (issue 13): order creation with 3 webhook endpoints and email
on, beside the same server without them, in the same run; and the delay from a change's
commit to the receiver's 200 at 20 orders/s.

Every receiver is local (bench.outbox_receiver, its own process). Runs alternate off and on,
so both see the same machine.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    Server,
    children_cpu_seconds,
    cpu_seconds,
    free_port,
    latency_summary,
    median_of,
    print_table,
    start_kds,
)
from bench.procs import load

CONCURRENCY = 32
LATENCY_RATE = 20.0
ENDPOINTS = 3


def _post(url: str, token: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _counts(hook_port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{hook_port}/counts", timeout=5) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def _start(outbox: bool, hook_port: int, smtp_port: int) -> Server:
    env = {}
    if outbox:
        env = {"KDS_SMTP": f"smtp://127.0.0.1:{smtp_port}", "KDS_MAIL_FROM": "bench@example.com"}
    server = start_kds("outbox-on" if outbox else "outbox-off", rate_limit=0, env=env)
    if outbox:
        for n in range(ENDPOINTS):
            _post(
                f"{server.url}/api/webhooks",
                server.tokens["admin"],
                {"url": f"http://127.0.0.1:{hook_port}/hook/{n}"},
            )
    return server


def _since(now: dict[int, float], before: dict[int, float]) -> float:
    """CPU seconds the processes of ``now`` used since ``before`` (0 for any new one)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())


def _drain(hook_port: int, webhooks: int, emails: int, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        counts = _counts(hook_port)
        if counts["webhooks"] >= webhooks and counts["emails"] >= emails:
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"deliveries not drained in {timeout} s: {_counts(hook_port)}")


def outbox(*, full: bool = False, runs: int | None = None, **_: Any) -> dict[str, Any]:
    duration = 15.0 if full else 5.0
    runs = runs or (5 if full else 3)
    hook_port, smtp_port = free_port(), free_port()
    out = Path(tempfile.mkdtemp(prefix="kds-bench-outbox-")) / "receiver.json"
    receiver = subprocess.Popen(
        [sys.executable, "-m", "bench.outbox_receiver", str(hook_port), str(smtp_port), str(out)],
        cwd=REPO,
    )
    windows: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    latency: dict[str, Any] = {}
    try:
        time.sleep(1.0)
        servers = {flag: _start(flag, hook_port, smtp_port) for flag in (False, True)}
        try:
            sent_total = 0
            for run in range(runs):
                for flag in (False, True):
                    server = servers[flag]
                    cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
                    kids0 = children_cpu_seconds(server.pid)
                    closed = load(
                        server.url,
                        server.tokens["admin"],
                        concurrency=CONCURRENCY,
                        duration=duration,
                        first=run * 1_000_000,
                        email=1,
                    )
                    cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
                    kids_cpu = _since(children_cpu_seconds(server.pid), kids0)
                    orders_per_s = len(closed["sent"]) / closed["elapsed"]
                    row = {
                        "orders_per_s": round(orders_per_s, 1),
                        **latency_summary(closed["latencies"]),
                        "server_cpu_pct": round(100 * cpu, 1),
                        # The outbox's sender process (server.outbox.sending), if any.
                        "sender_cpu_pct": round(100 * kids_cpu / (time.monotonic() - t0), 1),
                        # The steadier figure on a shared machine: the server's CPU per order.
                        "cpu_ms_per_order": round(1000 * cpu / orders_per_s, 3)
                        if orders_per_s
                        else None,
                    }
                    if flag:
                        sent_total += len(closed["sent"])
                        row["drain_s"] = round(
                            _drain(hook_port, sent_total * ENDPOINTS, sent_total), 2
                        )
                        # With every delivery of the window's orders made: what an order
                        # and its four deliveries cost the server in all.
                        row["cpu_ms_per_order_all"] = round(
                            1000 * (cpu_seconds(server.pid) - cpu0) / len(closed["sent"]), 3
                        )
                        row["sender_cpu_ms_per_order_all"] = round(
                            1000
                            * _since(children_cpu_seconds(server.pid), kids0)
                            / len(closed["sent"]),
                            3,
                        )
                    else:
                        row["cpu_ms_per_order_all"] = row["cpu_ms_per_order"]
                    windows[flag].append(row)
            # Delay from commit to the receiver's 200, at a steady 20 orders/s.
            before = _counts(hook_port)["webhooks"]
            opened = load(
                servers[True].url,
                servers[True].tokens["admin"],
                rate=LATENCY_RATE,
                duration=duration * 2,
                first=90_000_000,
                email=1,
            )
            n = len(opened["sent"])
            _drain(hook_port, (sent_total + n) * ENDPOINTS, sent_total + n)
            latency = {"orders": n, "first_webhook": before}
        finally:
            for server in servers.values():
                server.stop()
    finally:
        receiver.send_signal(signal.SIGTERM)
        receiver.wait(30)
    delays = json.loads(out.read_text())["delays"][latency.get("first_webhook", 0) :]
    summary = latency_summary(delays)
    rows = [
        {
            "variant": "outbox off" if not flag else f"{ENDPOINTS} webhooks + email",
            "orders_per_s": median_of(windows[flag], "orders_per_s"),
            "p50_ms": median_of(windows[flag], "p50_ms"),
            "p99_ms": median_of(windows[flag], "p99_ms"),
            "cpu_pct": median_of(windows[flag], "server_cpu_pct"),
            "cpu_ms_per_order": median_of(windows[flag], "cpu_ms_per_order"),
            "cpu_ms_per_order_all": median_of(windows[flag], "cpu_ms_per_order_all"),
            "sender_cpu_pct": median_of(windows[flag], "sender_cpu_pct"),
            "sender_ms_all": median_of(windows[flag], "sender_cpu_ms_per_order_all")
            if flag
            else None,
            "drain_s": median_of(windows[flag], "drain_s") if flag else None,
            "runs": windows[flag],
        }
        for flag in (False, True)
    ]
    off, on = rows[0]["orders_per_s"], rows[1]["orders_per_s"]
    ratio = round(100 * on / off, 1) if off and on else None
    print_table(
        f"create-order, {CONCURRENCY} concurrent POSTs, {runs} alternating runs of "
        f"{duration:.0f} s (medians); with the outbox: {ratio} % of without",
        rows,
        [
            "variant",
            "orders_per_s",
            "p50_ms",
            "p99_ms",
            "cpu_pct",
            "cpu_ms_per_order",
            "cpu_ms_per_order_all",
            "sender_cpu_pct",
            "sender_ms_all",
            "drain_s",
        ],
    )
    print(
        f"commit -> receiver 200 at {LATENCY_RATE:.0f} orders/s ({len(delays)} webhooks): "
        f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms"
    )
    return {
        "concurrency": CONCURRENCY,
        "duration_s": duration,
        "runs": runs,
        "rows": rows,
        "throughput_with_outbox_pct": ratio,
        "delivery_latency": {"rate": LATENCY_RATE, **summary},
    }
