"""Bringing an OrderStore up to date over REST: a snapshot at a known seq, then the events
after it, page by page. The live feed runs it after every connect and every few seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from kds_client.rest import KdsRest
from kds_client.store import Change, OrderStore
from kds_contract import Order, Status

log = logging.getLogger(__name__)

SNAPSHOT_PAGE = 200
SNAPSHOT_TRIES = 3


class StoreSync:
    """Catches ``store`` up with the server through ``rest``; one catch-up at a time.

    Args:
        store: the store to bring up to date.
        rest: the REST client.
        emit: called with the changes each step applied (a snapshot is one ``reset``).
        statuses: which orders a snapshot loads; None for every order.
        page_size: events asked for per request.
        max_catch_up: more missed events than this and a snapshot is quicker.
    """

    def __init__(
        self,
        store: OrderStore,
        rest: KdsRest,
        emit: Callable[[list[Change]], None],
        *,
        statuses: Sequence[Status | str] | None,
        page_size: int = 1000,
        max_catch_up: int = 5000,
    ) -> None:
        self.store = store
        self.rest = rest
        self.emit = emit
        self.statuses = list(statuses) if statuses is not None else None
        self.page_size = page_size
        self.max_catch_up = max_catch_up
        self._lock = asyncio.Lock()
        self._list_has_seq = True

    async def sync(self, url: str | None) -> None:
        """A snapshot if the store never had one, then every event after its seq."""
        async with self._lock:
            if not self.store.loaded:
                await self._snapshot(url)
            await self._catch_up(url)

    async def catch_up(self, url: str | None) -> None:
        """Apply every event after the store's seq (or reload when too far behind)."""
        async with self._lock:
            await self._catch_up(url)

    async def _catch_up(self, url: str | None) -> None:
        reloaded = False
        while True:
            after = self.store.last_seq
            page = await self.rest.event_page(after, self.page_size, url=url)
            latest = page.last_seq
            if self.store.diverged or not self.store.continues(page.epoch):
                # Another history (a restore, another database): our seqs name other changes.
                log.warning(
                    "the server's event log is another history (epoch %s, the store's %s): "
                    "reloading a snapshot",
                    page.epoch,
                    self.store.epoch,
                )
                await self._snapshot(url)
                reloaded = True
                continue
            if not reloaded and latest is not None and not 0 <= latest - after <= self.max_catch_up:
                # Far behind, or the server's history is shorter than ours (a new database).
                log.warning("server at seq %s, store at %s: reloading a snapshot", latest, after)
                await self._snapshot(url)
                reloaded = True
                continue
            self.emit(self.store.catch_up(page.events))
            caught_up = latest is None or self.store.last_seq >= latest
            if not page.events or (caught_up and len(page.events) < self.page_size):
                return

    async def _snapshot(self, url: str | None) -> None:
        for attempt in range(SNAPSHOT_TRIES):
            orders, seq, epoch, consistent = await self._read_orders(url)
            if consistent:
                break
            log.info("orders changed while reading the snapshot (try %s)", attempt + 1)
        self.emit([self.store.reset(orders, seq, epoch)])

    async def _read_orders(self, url: str | None) -> tuple[list[Order], int, str | None, bool]:
        """Every order of the snapshot, the seq (and epoch) it is current at, and whether it
        is consistent.

        The seq of the first page is the one to catch up from: later pages are as new or
        newer, and replaying the events after that seq brings every order to the same point
        (each event carries the whole order). If the seq moved between pages, an order may
        have slipped from one page to another unseen: read again.
        """
        health_seq: int | None = None
        if not self._list_has_seq:
            # A server that does not send seq with a list: take the seq before reading.
            health_seq = int((await self.rest.health(url=url)).get("seq") or 0)
        orders: dict[int, Order] = {}
        seqs: set[int] = set()
        epochs: set[str | None] = set()
        number = 1
        while True:
            page = await self.rest.list_orders(
                status=self.statuses, page=number, per_page=SNAPSHOT_PAGE, sort="id", url=url
            )
            orders.update((o.id, o) for o in page.orders)
            if page.seq is not None:
                seqs.add(page.seq)
            epochs.add(page.epoch)
            if number >= page.pages or not page.orders:
                break
            number += 1
        epoch = next(iter(epochs)) if len(epochs) == 1 else None
        if not seqs:
            if health_seq is None:
                self._list_has_seq = False
                return await self._read_orders(url)
            return list(orders.values()), health_seq, epoch, len(epochs) == 1
        return list(orders.values()), min(seqs), epoch, len(seqs) == 1 and len(epochs) == 1
