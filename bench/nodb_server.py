"""The KDS server with a create-order that does no database work: the ceiling for
bench/throughput. Same app, routes, validation and broadcast; the order gets its id and seq
from a counter in memory, and tokens are looked up once and then remembered.

    python -m bench.nodb_server [kds-server flags]
"""

from __future__ import annotations

import itertools
from typing import Any

import server.app
import server.web.routes
from kds_contract import ORDER_CREATED, OrderCreate
from server import cli, domain
from server.db.repo import StoredEvent, dumps
from server.domain import Actor
from server.service import Created, OrderService, Recorded, event_payload
from server.tokens import Principal, authenticate


class NoDbOrderService(OrderService):
    _ids = itertools.count(1)

    async def create(self, data: OrderCreate, actor: Actor, **_: Any) -> Created:
        seq = next(self._ids)
        now = self._clock()
        order = domain.new_order(data, seq, now)
        payload = event_payload(ORDER_CREATED, None, order, seq)
        event = StoredEvent(seq, ORDER_CREATED, order.id, now, dumps(payload), dumps(actor.wire()))
        change = Recorded(event, payload, None, order, actor)
        await self._announce(change)
        return Created(order, change)


_known: dict[str, Principal | None] = {}


async def remembered(db: Any, token: str | None) -> Principal | None:
    if token not in _known:
        _known[token or ""] = await authenticate(db, token)
    return _known[token or ""]


def main() -> int:
    server.app.OrderService = NoDbOrderService  # type: ignore[misc]
    server.web.routes.authenticate = remembered  # type: ignore[assignment]
    return cli.main()


if __name__ == "__main__":
    raise SystemExit(main())
