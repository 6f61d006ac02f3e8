"""Reading and writing orders, events, idempotency keys and tokens on one connection.

Plain SQLAlchemy Core statements: the order is one row with its items as JSON, so a read
is one query and a write one statement; the items are also written as rows of their own
(``order_items``, what the reports group and add up) when they change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract import Item, Order, Status
from kds_contract.models import utc_z
from kds_contract.period import Period
from kds_contract.search import Search, search_words
from server.db import outbox_repo
from server.db.prepared import PreparedStatements
from server.db.tables import (
    EventRow,
    IdempotencyRow,
    OrderItemRow,
    OrderRow,
    SeqCounter,
    TokenRow,
)

orders = cast(Table, OrderRow.__table__)
events = cast(Table, EventRow.__table__)
order_items = cast(Table, OrderItemRow.__table__)
seq_counter = cast(Table, SeqCounter.__table__)
idempotency = cast(Table, IdempotencyRow.__table__)
tokens = cast(Table, TokenRow.__table__)

ORDER_COLUMNS = [c for c in orders.c if c.key not in ("search_text", "stations")]
"""An order's columns as ``row_order`` reads them (not the ones kept for searching)."""

# The statements of every write are built once, never per call (building one costs more
# than running it); values are passed as parameters when they run.
_NEXT_SEQ = (
    update(seq_counter)
    .where(seq_counter.c.id == 1)
    .values(value=seq_counter.c.value + 1)
    .returning(seq_counter.c.value, seq_counter.c.epoch, seq_counter.c.menu_version)
)
_INSERT_ORDER = insert(orders).returning(orders.c.id)
_UPDATE_ORDER = update(orders).where(orders.c.id == bindparam("where_id"))
_INSERT_ITEMS = insert(order_items)
_DELETE_ITEMS = delete(order_items).where(order_items.c.order_id == bindparam("where_id"))
_GET_ORDER = select(*ORDER_COLUMNS).where(orders.c.id == bindparam("order_id"))
_INSERT_EVENT = insert(events)
_GET_IDEMPOTENT = select(idempotency).where(
    and_(idempotency.c.scope == bindparam("scope"), idempotency.c.key == bindparam("key"))
)
_INSERT_IDEMPOTENT = insert(idempotency)
_FIND_TOKEN = select(tokens).where(tokens.c.token_hash == bindparam("token_hash"))

PREPARED = PreparedStatements(
    [
        _NEXT_SEQ,
        _INSERT_ORDER,
        _UPDATE_ORDER,
        _INSERT_ITEMS,
        _DELETE_ITEMS,
        _GET_ORDER,
        _INSERT_EVENT,
        _GET_IDEMPOTENT,
        _INSERT_IDEMPOTENT,
        _FIND_TOKEN,
        *outbox_repo.RECORDING,
    ]
)
"""The statements above (and the outbox's, recorded with each change), run on SQLite's
driver directly by the inline connections."""


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_ITEMS = TypeAdapter(list[Item])
"""An order's items as stored: compact JSON, as ``dumps`` writes it (pydantic's encoder)."""


def dumps(data: Any) -> str:
    """Compact JSON, as stored and as sent (one encoder for all: ``json.dumps`` with options
    builds a new one per call)."""
    return _COMPACT.encode(data)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order_values(order: Order) -> dict[str, Any]:
    items = _ITEMS.dump_json(order.items).decode()
    stations = sorted({(i.station or "").lower() for i in order.items if i.station})
    return {
        "status": str(order.status),
        "order_type": str(order.order_type),
        "table_name": order.table,
        "customer_name": order.customer_name,
        "customer_email": order.customer_email,
        "user_id": order.user_id,
        "priority": str(order.priority),
        "notes": order.notes,
        "items": items,
        "total_cents": order.total_cents,
        "version": order.version,
        "tracking_code": order.tracking_code,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "due_at": order.due_at,
        "fire_at": order.fire_at,
        **{f"{s}_at": getattr(order, f"{s}_at") for s in Status},
        "search_text": search_words(order),
        "stations": "|" + "|".join(stations) + "|" if stations else "",
    }


def row_order(row: Any) -> Order:
    """The order a row of ``ORDER_COLUMNS`` holds."""
    data = dict(row._mapping)
    data["table"] = data.pop("table_name")
    data["items"] = [Item(**item) for item in json.loads(data["items"])]
    return Order(**data)


# --- seq --------------------------------------------------------------------------------


async def next_seq(conn: AsyncConnection) -> int:
    """Take the next seq. Its row lock is held until commit: writers queue here."""
    return (await next_position(conn))[0]


async def next_position(conn: AsyncConnection) -> tuple[int, str | None]:
    """Take the next seq, with the event log's epoch (see ``log_position``)."""
    seq, epoch, _menu = await next_write(conn)
    return seq, epoch


async def next_write(conn: AsyncConnection) -> tuple[int, str | None, int]:
    """Take the next seq, with the event log's epoch and the menu's version."""
    result = await conn.execute(_NEXT_SEQ)
    row = result.first()
    assert row is not None, "the seq counter has its one row"
    return int(row[0]), row[1], int(row[2] or 0)


async def current_seq(conn: AsyncConnection) -> int:
    return (await log_position(conn))[0]


async def log_position(conn: AsyncConnection) -> tuple[int, str | None]:
    """The last seq handed out and the event log's epoch: the identity of its history,
    renewed whenever that may have diverged (``renew_epoch``, by a restore)."""
    result = await conn.execute(
        select(seq_counter.c.value, seq_counter.c.epoch).where(seq_counter.c.id == 1)
    )
    row = result.first()
    return (int(row[0]), row[1]) if row is not None else (0, None)


async def renew_epoch(conn: AsyncConnection, epoch: str) -> None:
    await conn.execute(update(seq_counter).where(seq_counter.c.id == 1).values(epoch=epoch))


# --- orders -----------------------------------------------------------------------------


def item_rows(order_id: int, items: Sequence[Item]) -> list[dict[str, Any]]:
    """An order's ``order_items`` rows: each item's name, station ('' for none) and
    quantity by its position, and whether it is the order's first of its name and of its
    station (the reports count an order once for each)."""
    names: set[str] = set()
    stations: set[str] = set()
    rows = []
    for position, item in enumerate(items):
        station = item.station or ""
        rows.append(
            {
                "order_id": order_id,
                "position": position,
                "name": item.name,
                "station": station,
                "quantity": item.quantity,
                "first_of_name": item.name not in names,
                "first_of_station": station not in stations,
            }
        )
        names.add(item.name)
        stations.add(station)
    return rows


def _reported(items: Sequence[Item]) -> list[tuple[str, str, int]]:
    return [(i.name, i.station or "", i.quantity) for i in items]


async def _insert_items(conn: AsyncConnection, order_id: int, items: Sequence[Item]) -> None:
    if items:
        await conn.execute(_INSERT_ITEMS, item_rows(order_id, items))


_ITEM_FIELDS = ("position", "name", "station", "quantity", "first_of_name", "first_of_station")


def _insert_order_with_items() -> Any:
    """PostgreSQL: the order and its item rows in one statement (the rows' fields as arrays),
    whose answer is the order's id. A statement more costs the write ~100 us of the server's
    CPU and a round trip while the write holds the seq's lock."""
    new = (
        insert(orders)
        .values({c.key: bindparam(c.key, type_=c.type) for c in orders.c if c.key != "id"})
        .returning(orders.c.id)
        .cte("new_order")
    )
    # Cast in the SQL, not typed in Python: the arrays go to the driver as they are
    # (SQLAlchemy's array type processed each element, ~40 us a write).
    fields = func.unnest(
        *(sql_cast(bindparam(f"items_{f}"), ARRAY(order_items.c[f].type)) for f in _ITEM_FIELDS)
    )
    rows = fields.table_valued(*_ITEM_FIELDS).render_derived()
    items = (
        insert(order_items)
        .from_select(
            ["order_id", *_ITEM_FIELDS],
            select(new.c.id, *rows.c).select_from(new.join(rows, true())),
        )
        .returning(order_items.c.order_id)
        .cte("new_items")
    )
    return select(new.c.id).add_cte(items)


_INSERT_ORDER_WITH_ITEMS = _insert_order_with_items()


async def insert_order(conn: AsyncConnection, order: Order) -> int:
    """Write a new order and its item rows; its id."""
    values = _order_values(order)
    if getattr(conn, "dialect", None) is not None and conn.dialect.name == "postgresql":
        rows = item_rows(0, order.items)
        values |= {f"items_{f}": [row[f] for row in rows] for f in _ITEM_FIELDS}
        return int((await conn.execute(_INSERT_ORDER_WITH_ITEMS, values)).scalar_one())
    order_id = int((await conn.execute(_INSERT_ORDER, values)).scalar_one())
    await _insert_items(conn, order_id, order.items)
    return order_id


async def update_order(conn: AsyncConnection, order: Order, before: Order | None = None) -> None:
    """Write ``order``; its item rows too unless ``before`` (the order as stored) has the
    same names, stations and quantities (a status change or an item marked done)."""
    await conn.execute(_UPDATE_ORDER, {**_order_values(order), "where_id": order.id})
    if before is None or _reported(before.items) != _reported(order.items):
        await conn.execute(_DELETE_ITEMS, {"where_id": order.id})
        await _insert_items(conn, order.id, order.items)


async def delete_order(conn: AsyncConnection, order_id: int) -> None:
    await conn.execute(_DELETE_ITEMS, {"where_id": order_id})
    await conn.execute(delete(orders).where(orders.c.id == order_id))


async def get_order(conn: AsyncConnection, order_id: int) -> Order | None:
    result = await conn.execute(_GET_ORDER, {"order_id": order_id})
    row = result.first()
    return row_order(row) if row else None


async def get_order_by_tracking_code(conn: AsyncConnection, code: str) -> Order | None:
    result = await conn.execute(select(*ORDER_COLUMNS).where(orders.c.tracking_code == code))
    row = result.first()
    return row_order(row) if row else None


@dataclass(frozen=True)
class OrderQuery:
    """Filters, paging and sorting for a list of orders."""

    statuses: Sequence[str] = ()
    station: str | None = None
    search: Search | None = None
    user_id: str | None = None
    period: Period = field(default_factory=Period)
    max_id: int | None = None
    """Only orders with an id at most this: a list as of its first page."""
    page: int = 1
    per_page: int = 50
    skip: int = 0
    """Orders of the page left out at its start (where a page cut by size goes on)."""
    sort: str = "-id"


_SORTS = {"id": orders.c.id, "created_at": orders.c.created_at, "updated_at": orders.c.updated_at}


async def list_orders(conn: AsyncConnection, query: OrderQuery) -> tuple[list[Order], int]:
    conditions: list[ColumnElement[bool]] = []
    if query.statuses:
        conditions.append(orders.c.status.in_(list(query.statuses)))
    if query.station:
        pattern = f"%|{_like_escape(query.station.lower())}|%"
        conditions.append(orders.c.stations.like(pattern, escape="\\"))
    if query.search is not None:
        conditions.append(search_condition(query.search))
    if query.user_id is not None:
        conditions.append(orders.c.user_id == query.user_id)
    conditions.extend(period_conditions(query.period))
    if query.max_id is not None:
        conditions.append(orders.c.id <= query.max_id)
    where = and_(True, *conditions)
    total = (await conn.execute(select(func.count()).select_from(orders).where(where))).scalar_one()
    column = _SORTS[query.sort.lstrip("-")]
    order_by = (
        [column.desc(), orders.c.id.desc()]
        if query.sort.startswith("-")
        else [
            column.asc(),
            orders.c.id.asc(),
        ]
    )
    result = await conn.execute(
        select(*ORDER_COLUMNS)
        .where(where)
        .order_by(*order_by)
        .limit(query.per_page - query.skip)
        .offset((query.page - 1) * query.per_page + query.skip)
    )
    return [row_order(row) for row in result], int(total)


async def newest_id(conn: AsyncConnection) -> int | None:
    """The highest order id (None: no order yet)."""
    return (await conn.execute(select(func.max(orders.c.id)))).scalar()


def period_conditions(period: Period) -> list[ColumnElement[bool]]:
    """Orders created in ``period`` (kds_contract.period: a missing bound is no bound)."""
    conditions: list[ColumnElement[bool]] = []
    if period.since is not None:
        conditions.append(orders.c.created_at >= period.since)
    if period.until is not None:
        conditions.append(orders.c.created_at < period.until)
    return conditions


def search_condition(search: Search) -> ColumnElement[bool]:
    """Orders that ``search`` finds (kds_contract.search states the rule)."""
    if search.words is not None:
        pattern = f"%{_like_escape(search.words)}%"
        return orders.c.search_text.like(pattern, escape="\\")
    found: list[ColumnElement[bool]] = []
    if search.order_id is not None:
        found.append(orders.c.id == search.order_id)
    if search.table is not None:
        found.append(func.lower(func.trim(orders.c.table_name)).in_(search.table_forms()))
    return or_(*found)


# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    type: str
    order_id: int
    at: datetime
    data: str
    """The payload as stored JSON text (sent as is)."""
    actor: str | None = None
    """Who made the change, as stored JSON text (``Actor.wire()``); None in events recorded
    before the log kept it, and in pages of ``events_after``, which do not read it."""

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "order_id": self.order_id,
            "at": utc_z(self.at),
            "data": json.loads(self.data),
        }

    def wire_json(self) -> str:
        """``wire()`` as compact JSON text, with the stored payload spliced in unparsed."""
        return (
            f'{{"seq":{self.seq:d},"type":{json.dumps(self.type)},"order_id":{self.order_id:d},'
            f'"at":"{utc_z(self.at)}","data":{self.data}}}'
        )


def events_json(found: Iterable[StoredEvent], **fields: Any) -> str:
    """``{"events": [...], **fields}`` as JSON text, without parsing any stored payload: a
    catch-up page is a thousand events, and parsing each only to encode it again was most
    of the page's time."""
    rest = "".join(f",{json.dumps(k)}:{json.dumps(v)}" for k, v in fields.items())
    return '{"events":[' + ",".join(e.wire_json() for e in found) + "]" + rest + "}"


async def insert_event(conn: AsyncConnection, event: StoredEvent) -> None:
    await conn.execute(
        _INSERT_EVENT,
        {
            "seq": event.seq,
            "type": event.type,
            "order_id": event.order_id,
            "at": event.at,
            "data": event.data,
            "actor": event.actor,
        },
    )


_FEED_COLUMNS = [events.c.seq, events.c.type, events.c.order_id, events.c.at, events.c.data]


async def events_after(conn: AsyncConnection, after: int, limit: int) -> list[StoredEvent]:
    """A page of the log for catching up: without the actor, which the feed does not send."""
    result = await conn.execute(
        select(*_FEED_COLUMNS).where(events.c.seq > after).order_by(events.c.seq).limit(limit)
    )
    return [StoredEvent(r.seq, r.type, r.order_id, r.at, r.data) for r in result]


async def order_events(conn: AsyncConnection, order_id: int) -> list[StoredEvent]:
    result = await conn.execute(
        select(events).where(events.c.order_id == order_id).order_by(events.c.seq)
    )
    return [StoredEvent(r.seq, r.type, r.order_id, r.at, r.data, r.actor) for r in result]


async def creator_token(conn: AsyncConnection, order_id: int) -> int | None:
    """The id of the token that created this order (None: the server, or not recorded)."""
    result = await conn.execute(
        select(events.c.actor)
        .where(and_(events.c.order_id == order_id, events.c.type == "order:created"))
        .limit(1)
    )
    actor = result.scalar_one_or_none()
    if not actor:
        return None
    token_id = json.loads(actor).get("token_id")
    return int(token_id) if isinstance(token_id, int) else None


# --- idempotency ------------------------------------------------------------------------


async def get_idempotent(conn: AsyncConnection, scope: str, key: str) -> Any:
    result = await conn.execute(_GET_IDEMPOTENT, {"scope": scope, "key": key})
    return result.first()


CREATED_STATUS = 201
"""The ``status_code`` of every stored answer: only a created order's answer is kept."""


async def put_idempotent(
    conn: AsyncConnection, scope: str, key: str, request_hash: str, response: str, now: datetime
) -> None:
    """Keep a created order's answer under its Idempotency-Key, for a retry to get again."""
    await conn.execute(
        _INSERT_IDEMPOTENT,
        {
            "scope": scope,
            "key": key,
            "request_hash": request_hash,
            "status_code": CREATED_STATUS,
            "response": response,
            "created_at": now,
        },
    )


async def expire_idempotent(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(idempotency).where(idempotency.c.created_at < before))
    return int(result.rowcount or 0)


# --- tokens -----------------------------------------------------------------------------


async def insert_token(conn: AsyncConnection, **values: Any) -> int:
    result = await conn.execute(insert(tokens).values(**values).returning(tokens.c.id))
    return int(result.scalar_one())


async def find_token(conn: AsyncConnection, token_hash: str) -> Any:
    result = await conn.execute(_FIND_TOKEN, {"token_hash": token_hash})
    return result.first()


async def get_token(conn: AsyncConnection, token_id: int) -> Any:
    return (await conn.execute(select(tokens).where(tokens.c.id == token_id))).first()


async def list_tokens(conn: AsyncConnection) -> list[Any]:
    return list(await conn.execute(select(tokens).order_by(tokens.c.id)))


async def active_tokens_matching(conn: AsyncConnection, ident: str) -> list[Any]:
    """The unrevoked tokens whose id, name or prefix is ``ident``."""
    match = or_(tokens.c.name == ident, tokens.c.prefix == ident)
    if ident.isascii() and ident.isdigit() and len(ident) < 19:
        match = or_(match, tokens.c.id == int(ident))
    result = await conn.execute(
        select(tokens).where(and_(match, tokens.c.revoked_at.is_(None))).order_by(tokens.c.id)
    )
    return list(result)


async def revoke_token(conn: AsyncConnection, token_id: int, now: datetime) -> None:
    await conn.execute(update(tokens).where(tokens.c.id == token_id).values(revoked_at=now))


async def revoked_among(conn: AsyncConnection, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    result = await conn.execute(
        select(tokens.c.id).where(and_(tokens.c.id.in_(ids), tokens.c.revoked_at.is_not(None)))
    )
    return {int(r[0]) for r in result}
