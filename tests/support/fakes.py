"""A stand-in for ``kds_client.LiveFeed``, for the apps' tests that need no server
(snapshots, layout): their pictures depend on nothing but the data they are given."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kds_client.errors import Offline
from kds_client.feed import ConnectionState, FeedStatus
from kds_client.store import Change, Event, OrderStore
from kds_contract import Order

URL = "http://127.0.0.1:5000"


class FakeFeed:
    """Just enough of ``LiveFeed`` for an app: a store, a status, and the callbacks the app
    registers, told of each change and each new status."""

    def __init__(
        self,
        orders: Iterable[Order] = (),
        *,
        state: str = "live",
        last_seq: int | None = None,
        last_event_at: float | None = None,
    ) -> None:
        orders = list(orders)
        self.store = OrderStore()
        self.store.reset(orders, seq=len(orders))
        self.status = FeedStatus(
            ConnectionState(state),
            url=URL,
            last_event_at=last_event_at,
            last_seq=len(orders) if last_seq is None else last_seq,
        )
        self.rest: Any = None
        self._changes: list[Callable[[Change], None]] = []
        self._statuses: list[Callable[[FeedStatus], None]] = []

    def on_change(self, callback: Callable[[Change], None]) -> None:
        self._changes.append(callback)

    def on_status(self, callback: Callable[[FeedStatus], None]) -> None:
        self._statuses.append(callback)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def require_live(self) -> None:
        if self.status.state is not ConnectionState.LIVE:
            raise Offline("offline: not connected to the server")

    def emit(self, event_type: str, changed: Order) -> None:
        """Apply one event to the store and tell the app, as the real feed does."""
        seq = self.store.last_seq + 1
        event = Event(seq, event_type, changed.id, "", {"order": changed.wire(), "seq": seq})
        change = self.store.apply(event)
        assert change is not None
        for callback in self._changes:
            callback(change)

    def set_state(self, state: str) -> None:
        """Change the connection state and tell the app."""
        self.status = FeedStatus(
            ConnectionState(state), url=self.status.url, last_event_at=self.status.last_event_at
        )
        self.announce()

    def announce(self) -> None:
        """Tell the app the status as it is."""
        for callback in self._statuses:
            callback(self.status)
