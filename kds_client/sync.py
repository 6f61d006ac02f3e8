"""Bringing an OrderStore up to date over REST: a snapshot at a known seq, then the events
after it, page by page. The live feed runs it after every connect and every few seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

from kds_client.rest import KdsRest, OrderPage
from kds_client.store import Change, OrderStore
from kds_contract import Order, Status

log = logging.getLogger(__name__)

SNAPSHOT_PAGE = 200
SNAPSHOT_TRIES = 3
TELL_SNAPSHOT_WITHIN = 0.25
"""Seconds a first snapshot may wait to be told with the changes after it (see ``sync``)."""


class Snapshot(NamedTuple):
    """Every order of a snapshot and the seq (and epoch) it is current at."""

    orders: list[Order]
    seq: int
    epoch: str | None


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
        self._untold: list[Change] = []
        """A snapshot loaded but not yet told (see ``sync``)."""

    async def sync(self, url: str | None, snapshot: asyncio.Future[Snapshot] | None = None) -> None:
        """A snapshot if the store never had one, then every event after its seq.

        ``snapshot``: one being read already (``read_snapshot``), to load rather than read
        another. It may have been read before the socket joined its rooms: the catch-up
        that follows starts from its seq, so a change made meanwhile is not missed.
        """
        async with self._lock:
            if self.store.loaded:
                if snapshot is not None:
                    snapshot.cancel()
                    await asyncio.gather(snapshot, return_exceptions=True)
                await self._catch_up(url)
                return
            read = await snapshot if snapshot is not None else await self.read_snapshot(url)
            # Told with the first changes after it (a round trip later), so that a screen
            # draws the orders once, as they are now, not as they were and again a moment
            # later; if those are slow to come, told alone (a stale screen shows what it has).
            self._untold = [self.store.reset(*read)]
            timer = asyncio.get_running_loop().call_later(TELL_SNAPSHOT_WITHIN, self._tell)
            try:
                await self._catch_up(url)
            finally:
                timer.cancel()
                self._tell()

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
            self._tell(self.store.catch_up(page.events))
            caught_up = latest is None or self.store.last_seq >= latest
            if not page.events or (caught_up and len(page.events) < self.page_size):
                return

    async def _snapshot(self, url: str | None) -> None:
        self._tell([self.store.reset(*await self.read_snapshot(url))])

    def _tell(self, changes: list[Change] | None = None) -> None:
        """Tell these changes, after a snapshot not yet told if there is one."""
        untold, self._untold = self._untold, []
        if untold or changes is not None:
            self.emit(untold + (changes or []))

    async def read_snapshot(self, url: str | None) -> Snapshot:
        """Read every order of a snapshot (the store is not changed: see ``sync``)."""
        for attempt in range(SNAPSHOT_TRIES):
            orders, seq, epoch, consistent = await self._read_orders(url)
            if consistent:
                break
            log.info("orders changed while reading the snapshot (try %s)", attempt + 1)
        return Snapshot(orders, seq, epoch)

    async def _read_orders(self, url: str | None) -> tuple[list[Order], int, str | None, bool]:
        """Every order of the snapshot, the seq (and epoch) it is current at, and whether it
        is consistent.

        The pages are read at once, so one may be older than another: the lowest seq is the
        one to catch up from, and replaying the events after it brings every order to the
        same point (each event carries the whole order). If the seq moved between pages, an
        order may have slipped from one page to another unseen: read again.
        """
        health_seq: int | None = None
        if not self._list_has_seq:
            # A server that does not send seq with a list: take the seq before reading.
            health_seq = int((await self.rest.health(url=url)).get("seq") or 0)
        orders: dict[int, Order] = {}
        seqs: set[int] = set()
        epochs: set[str | None] = set()
        for page in await self._read_pages(url):
            orders.update((o.id, o) for o in page.orders)
            if page.seq is not None:
                seqs.add(page.seq)
            epochs.add(page.epoch)
        epoch = next(iter(epochs)) if len(epochs) == 1 else None
        if not seqs:
            if health_seq is None:
                self._list_has_seq = False
                return await self._read_orders(url)
            return list(orders.values()), health_seq, epoch, len(epochs) == 1
        return list(orders.values()), min(seqs), epoch, len(seqs) == 1 and len(epochs) == 1

    async def _read_pages(self, url: str | None) -> list[OrderPage]:
        """The pages of the snapshot's list, read at the same time: the first two at once
        (most kitchens' open orders fit in one or two pages; a second page of a list that
        fits in one is empty, and cheap), then the others once the first says how many."""

        def read(number: int) -> asyncio.Task[OrderPage]:
            return asyncio.ensure_future(
                self.rest.list_orders(
                    status=self.statuses, page=number, per_page=SNAPSHOT_PAGE, sort="id", url=url
                )
            )

        reading = [read(1), read(2)]
        try:
            first = await reading[0]
            count = first.pages if first.orders else 1
            reading += [read(number) for number in range(3, count + 1)]
            return [first, *[await task for task in reading[1:count]]]
        finally:
            # Pages not needed (or after a failure): their outcome is of no interest.
            for task in reading:
                task.cancel()
            await asyncio.gather(*reading, return_exceptions=True)
