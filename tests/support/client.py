"""Helpers for client tests: waiting for a condition, a TCP proxy that can cut the network
(re-exported from tests.support.proxy), random order changes, the server's full state to
compare a store with, and waiting for a feed's store to equal it."""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Awaitable, Callable

from kds_client import Conflict, KdsRest, LiveFeed, NotFound
from kds_contract import TRANSITIONS, Order, Status
from tests.support.proxy import TcpProxy

__all__ = ["TcpProxy", "all_orders", "converged", "differences", "make_changes", "wait_for"]


async def wait_for(
    predicate: Callable[[], bool | Awaitable[bool]],
    timeout: float = 10.0,
    *,
    interval: float = 0.02,
    message: str | Callable[[], str] = "condition",
) -> None:
    """Wait until ``predicate()`` is true (it may be async); fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:g} s waiting for {text}")
        await asyncio.sleep(interval)


async def all_orders(rest: KdsRest) -> dict[int, Order]:
    """Every order on the server, by id."""
    orders: dict[int, Order] = {}
    page = 1
    while True:
        found = await rest.list_orders(page=page, per_page=200, sort="id")
        orders.update((o.id, o) for o in found.orders)
        if page >= found.pages or not found.orders:
            return orders
        page += 1


def differences(store: dict[int, Order], server: dict[int, Order]) -> str:
    """A readable account of how a store differs from the server, order by order."""
    lines = []
    for order_id in sorted(set(store) | set(server)):
        mine, theirs = store.get(order_id), server.get(order_id)
        if mine != theirs:
            lines.append(
                f"order {order_id}: store has "
                f"{mine and (mine.status, mine.version)}, server has "
                f"{theirs and (theirs.status, theirs.version)}"
            )
    return "\n".join(lines) or "no difference"


async def converged(feed: LiveFeed, rest: KdsRest, within: float = 15.0) -> float:
    """Wait until ``feed`` is live and its store equals the server's orders; seconds taken."""
    start = time.monotonic()
    server: dict[int, Order] = {}

    async def equal() -> bool:
        nonlocal server
        if not feed.live:
            return False
        server = await all_orders(rest)
        return feed.store.orders == server

    await wait_for(
        equal,
        within,
        interval=0.05,
        message=lambda: (
            f"the store to equal the server ({feed.status})\n"
            + differences(feed.store.orders, server)
        ),
    )
    return time.monotonic() - start


async def make_changes(
    rest: KdsRest, count: int, rng: random.Random, *, concurrency: int = 4
) -> int:
    """Make ``count`` random changes (create, move, mark an item, edit, delete).

    Changes run a few at a time so that events reach the clients interleaved. Returns how
    many the server accepted (a move raced by another may be refused: that is fine).
    """
    known: list[int] = [o.id for o in (await rest.list_orders(per_page=200)).orders]
    accepted = 0

    async def one() -> bool:
        action = rng.choice(["create", "create", "move", "move", "mark", "edit", "delete"])
        if action == "create" or not known:
            order = await rest.create_order(
                {"items": [{"name": "Burger", "quantity": rng.randint(1, 3)}, {"name": "Fries"}]}
            )
            known.append(order.id)
            return True
        order_id = rng.choice(known)
        try:
            if action == "delete":
                if order_id in known:
                    known.remove(order_id)
                await rest.delete_order(order_id)
                return True
            order = await rest.get_order(order_id)
            if action == "move":
                targets = sorted(TRANSITIONS[order.status])
                if not targets:
                    return False
                if Status.CANCELLED in targets and len(targets) > 1 and rng.random() < 0.8:
                    targets.remove(Status.CANCELLED)
                await rest.move(order_id, rng.choice(targets))
            elif action == "mark":
                item = rng.choice(order.items)
                await rest.mark_item(order_id, item.id, not item.done)
            else:
                await rest.edit_order(order_id, {"notes": f"note {rng.random():.6f}"})
            return True
        except (Conflict, NotFound):
            return False

    remaining = count
    while remaining > 0:
        batch = min(concurrency, remaining)
        results = await asyncio.gather(*(one() for _ in range(batch)))
        accepted += sum(results)
        remaining -= batch
    return accepted
