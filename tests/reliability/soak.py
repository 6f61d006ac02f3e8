"""The soak: steady orders with reconnect churn against one server, for an hour by default,
recording the server's RSS and open file descriptors and, at the end, every live client's
lost changes.

    .venv/bin/python -m tests.reliability.soak --minutes 60            # the full soak
    .venv/bin/python -m tests.reliability.soak --minutes 3 --out /tmp/soak

Prints one line per sample and a JSON summary; writes samples.csv and summary.json to
--out. Exits 1 if RSS grew by 10% or more after warm-up, file descriptors grew, or any
client lost a change. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kds_client import Conflict, KdsRest, LiveFeed, NotFound
from kds_contract import Status
from tests.reliability.load import FAST_FEED
from tests.support.client import all_orders, converged, differences, wait_for
from tests.support.server import ServerProcess

WARM_UP = 0.1
"""The share of the run after which RSS is taken as the baseline (caches filled by then)."""


@dataclass
class Sample:
    t_s: float
    rss_kib: int
    fds: int
    seq: int
    orders: int
    live_clients: int
    reconnects: int


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Soak:
    def __init__(self, server: ServerProcess, args: argparse.Namespace) -> None:
        self.server = server
        self.args = args
        self.rng = random.Random(args.seed)
        self.feeds: list[LiveFeed] = []
        self.reconnects = 0
        self.orders_made = 0
        self.samples: list[Sample] = []

    def feed(self, store: object = None) -> LiveFeed:
        return LiveFeed(
            self.server.url,
            self.server.tokens["kitchen"],
            **{**FAST_FEED, "store": store} if store is not None else FAST_FEED,
        )

    async def orders(self, rest: KdsRest, until: float) -> None:
        """About ``rate`` orders a second, each taken through the kitchen's steps."""
        open_ids: list[int] = []
        while time.monotonic() < until:
            tick = time.monotonic()
            for _ in range(self.args.rate):
                order = await rest.create_order(
                    {"items": [{"name": "Burger", "quantity": self.rng.randint(1, 3)}]}
                )
                self.orders_made += 1
                open_ids.append(order.id)
                for _ in range(2):
                    if not open_ids:
                        break
                    order_id = self.rng.choice(open_ids)
                    try:
                        moved = await rest.move(order_id, Status.PREPARING)
                    except Conflict:
                        current = await rest.get_order(order_id)
                        nxt = {Status.PREPARING: Status.READY, Status.READY: Status.COMPLETED}
                        target = nxt.get(current.status)
                        if target is None:
                            open_ids.remove(order_id)
                            continue
                        moved = await rest.move(order_id, target)
                    except NotFound:
                        open_ids.remove(order_id)
                        continue
                    if moved.status is Status.COMPLETED:
                        open_ids.remove(order_id)
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))  # pacing

    async def churn(self, until: float) -> None:
        """Every ``churn`` seconds one client drops its connection and a new one carries on
        from its store (catching up by seq), as a kitchen screen that lost its Wi-Fi does."""
        while time.monotonic() + self.args.churn < until:
            await asyncio.sleep(self.args.churn)  # pacing
            index = self.rng.randrange(len(self.feeds))
            old = self.feeds[index]
            await old.stop()
            self.feeds[index] = self.feed(old.store)
            await self.feeds[index].start()
            self.reconnects += 1

    async def sample(self, rest: KdsRest, until: float, started: float) -> None:
        assert self.server.proc is not None
        pid = self.server.proc.pid
        while True:
            health = await rest.health()
            sample = Sample(
                t_s=round(time.monotonic() - started, 1),
                rss_kib=rss_kib(pid),
                fds=fds(pid),
                seq=int(health["seq"]),
                orders=self.orders_made,
                live_clients=sum(f.live for f in self.feeds),
                reconnects=self.reconnects,
            )
            self.samples.append(sample)
            print(json.dumps(asdict(sample)), flush=True)
            if time.monotonic() >= until:
                return
            await asyncio.sleep(min(self.args.sample, max(0.0, until - time.monotonic())))

    async def run(self) -> dict[str, object]:
        async with KdsRest(self.server.url, self.server.tokens["admin"]) as rest:
            self.feeds = [self.feed() for _ in range(self.args.clients)]
            for feed in self.feeds:
                await feed.start()
            try:
                await wait_for(lambda: all(f.live for f in self.feeds), 30, message="clients")
                started = time.monotonic()
                until = started + self.args.minutes * 60
                await asyncio.gather(
                    self.orders(rest, until), self.churn(until), self.sample(rest, until, started)
                )
                lost = 0
                server_state = await all_orders(rest)
                for feed in self.feeds:
                    try:
                        await converged(feed, rest, within=30)
                    except AssertionError:
                        lost += len(differences(feed.store.orders, server_state).splitlines())
                final = await rest.health()
                assert self.server.proc is not None
                end = (rss_kib(self.server.proc.pid), fds(self.server.proc.pid))
            finally:
                for feed in self.feeds:
                    await feed.stop()
        return self.summary(lost, int(final["seq"]), end)

    def summary(self, lost: int, seq: int, end: tuple[int, int]) -> dict[str, object]:
        base = self.samples[min(len(self.samples) - 1, int(len(self.samples) * WARM_UP))]
        last, first = self.samples[-1], self.samples[0]
        # The last sample is steady state; the end follows the clients' full comparisons
        # (every order listed ten times), which raise RSS for reasons of their own.
        growth = (last.rss_kib - base.rss_kib) / base.rss_kib * 100
        result = {
            "minutes": self.args.minutes,
            "clients": self.args.clients,
            "orders_per_s": self.args.rate,
            "orders": self.orders_made,
            "changes": seq,
            "reconnects": self.reconnects,
            "rss_kib_first": first.rss_kib,
            "rss_kib_after_warm_up": base.rss_kib,
            "rss_kib_last_sample": last.rss_kib,
            "rss_kib_end_after_comparisons": end[0],
            "rss_growth_pct_after_warm_up": round(growth, 1),
            "fds_first": first.fds,
            "fds_after_warm_up": base.fds,
            "fds_last_sample": last.fds,
            "fds_end": end[1],
            "lost_changes": lost,
        }
        # At the end every client is live again, as after the warm-up: the same sockets.
        result["ok"] = growth < 10 and end[1] <= base.fds and lost == 0
        return result


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=int, default=5, help="orders a second")
    parser.add_argument("--clients", type=int, default=10, help="live clients")
    parser.add_argument("--churn", type=float, default=15.0, help="seconds between reconnects")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--db", default=None, help="database URL (default: SQLite)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the results")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def soak(args: argparse.Namespace) -> dict[str, object]:
    """Run the soak as ``args`` say; write and print its results; return the summary."""
    out = args.out or Path(tempfile.mkdtemp(prefix="kds-soak-"))
    out.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(out / "server", db_url=args.db).start()
    runner = Soak(server, args)
    try:
        result = asyncio.run(runner.run())
    finally:
        server.stop()
    with open(out / "samples.csv", "w", newline="") as table:
        writer = csv.DictWriter(table, fieldnames=list(asdict(runner.samples[0])))
        writer.writeheader()
        writer.writerows(asdict(s) for s in runner.samples)
    (out / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"results in {out}")
    return result


def main(argv: list[str] | None = None) -> int:
    return 0 if soak(parse(argv))["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
