"""The outbox's statements: deliveries recorded with a change, claimed by one worker at a
time, finished; webhook endpoints and their health.

A webhook delivery's body is its event's row (``events.data``, with its seq), so recording
one is a row that points at the event, and every retry and replay sends the same body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from kds_contract.webhooks import DeliveriesQuery
from server.db.tables import DeliveryRow, EventRow, WebhookRow

deliveries = typing_cast(Table, DeliveryRow.__table__)
webhooks = typing_cast(Table, WebhookRow.__table__)
events = typing_cast(Table, EventRow.__table__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
EMAIL, WEBHOOK = "email", "webhook"


def events_column(names: Iterable[str]) -> str:
    """Event names as stored in ``webhooks.events``: ``|a|b|``."""
    return "|" + "|".join(names) + "|"


def webhook_message_id(key: str, seq: int) -> str:
    """The ``webhook-id`` of one change to one endpoint (the same in SQL below)."""
    return f"msg_{key}_{seq}"


# --- recording, in the change's own transaction ------------------------------------------

_WEBHOOK_DELIVERY_COLUMNS = [
    "kind",
    "order_id",
    "seq",
    "event",
    "target",
    "webhook_id",
    "message_id",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
    "updated_at",
]


def _pending_webhook_deliveries(
    *,
    order_id: ColumnElement[Any],
    seq: ColumnElement[Any],
    seq_text: ColumnElement[Any],
    event: ColumnElement[Any],
    webhook_id: ColumnElement[Any],
    key: ColumnElement[Any],
    now: ColumnElement[Any],
) -> Select[Any]:
    """A pending delivery of ``_WEBHOOK_DELIVERY_COLUMNS`` for each row selected, its
    ``webhook-id`` as ``webhook_message_id`` makes it; the caller adds the FROM and WHERE."""
    return select(
        literal(WEBHOOK),
        order_id,
        seq,
        event,
        cast(webhook_id, deliveries.c.target.type),
        webhook_id,
        literal("msg_") + key + literal("_") + seq_text,
        literal(PENDING),
        literal(0),
        now,
        now,
        now,
    )


_RECORD_WEBHOOKS = insert(deliveries).from_select(
    _WEBHOOK_DELIVERY_COLUMNS,
    _pending_webhook_deliveries(
        order_id=bindparam("order_id"),
        seq=bindparam("seq"),
        seq_text=bindparam("seq_text"),
        event=bindparam("event"),
        webhook_id=webhooks.c.id,
        key=webhooks.c.key,
        now=bindparam("now", type_=deliveries.c.created_at.type),
    ).where(and_(webhooks.c.enabled.is_(True), webhooks.c.events.like(bindparam("pattern")))),
)


async def record_webhooks(
    conn: AsyncConnection, *, seq: int, order_id: int, event: str, now: datetime
) -> int:
    """One pending delivery for each enabled endpoint that wants ``event``; how many."""
    result = await conn.execute(
        _RECORD_WEBHOOKS,
        {
            "order_id": order_id,
            "seq": seq,
            "seq_text": str(seq),
            "event": event,
            "now": now,
            "pattern": f"%|{event}|%",
        },
    )
    return int(result.rowcount or 0)


_ONCE = select(deliveries.c.id).where(deliveries.c.once == bindparam("once"))
_INSERT_DELIVERY = insert(deliveries)


async def record_email(
    conn: AsyncConnection,
    *,
    seq: int,
    order_id: int,
    kind: str,
    address: str,
    message_id: str,
    now: datetime,
) -> bool:
    """One pending email, unless this order's email of this kind was recorded before."""
    once = f"email:{kind}:{order_id}"
    # Writes are serialised (the seq lock), so nothing can come between the look and the insert.
    if (await conn.execute(_ONCE, {"once": once})).first() is not None:
        return False
    await conn.execute(
        _INSERT_DELIVERY,
        {
            "kind": EMAIL,
            "order_id": order_id,
            "seq": seq,
            "event": kind,
            "target": address,
            "webhook_id": None,
            "message_id": message_id,
            "once": once,
            "state": PENDING,
            "attempts": 0,
            "last_error": None,
            "next_attempt_at": now,
            "claim": None,
            "created_at": now,
            "updated_at": now,
            "delivered_at": None,
        },
    )
    return True


RECORDING = (_RECORD_WEBHOOKS, _ONCE, _INSERT_DELIVERY)
"""The statements of every change's transaction (prepared on SQLite, as repo's are)."""


# --- the worker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A delivery held by this worker, with what it needs to make the attempt."""

    id: int
    kind: str
    order_id: int
    seq: int
    event: str
    target: str
    webhook_id: int | None
    message_id: str
    attempts: int
    claim: str
    """The hold this worker claimed it under."""
    created_at: datetime
    event_type: str | None
    event_at: datetime | None
    event_data: str | None
    """The event's stored payload (None if the event is gone)."""
    url: str | None
    secret: str | None


async def claim(
    conn: AsyncConnection,
    *,
    now: datetime,
    hold_until: datetime,
    token: str,
    limit: int,
    emails: bool,
    busy: Sequence[int] = (),
) -> list[Claimed]:
    """Hold up to ``limit`` due deliveries for this worker until ``hold_until``.

    Rows another process holds are skipped (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
    SQLite writes are serialised anyway); so are emails when no SMTP server is set, the
    deliveries of disabled endpoints, and those of the endpoints in ``busy``.
    """
    kinds: list[ColumnElement[bool]] = [
        deliveries.c.webhook_id.in_(select(webhooks.c.id).where(webhooks.c.enabled.is_(True)))
    ]
    if emails:
        kinds.append(deliveries.c.kind == EMAIL)
    due = (
        select(deliveries.c.id)
        .where(
            and_(
                deliveries.c.state == PENDING,
                deliveries.c.next_attempt_at <= now,
                or_(*kinds),
                *([deliveries.c.webhook_id.not_in(list(busy))] if busy else []),
            )
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=deliveries)
    )
    held = await conn.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=hold_until, claim=token)
        .returning(deliveries.c.id)
    )
    ids = [int(row[0]) for row in held]
    if not ids:
        return []
    rows = await conn.execute(
        select(
            deliveries,
            events.c.type.label("event_type"),
            events.c.at.label("event_at"),
            events.c.data.label("event_data"),
            webhooks.c.url,
            webhooks.c.secret,
        )
        .select_from(
            deliveries.outerjoin(events, events.c.seq == deliveries.c.seq).outerjoin(
                webhooks, webhooks.c.id == deliveries.c.webhook_id
            )
        )
        .where(deliveries.c.id.in_(ids))
        .order_by(deliveries.c.id)
    )
    return [
        Claimed(
            id=r.id,
            kind=r.kind,
            order_id=r.order_id,
            seq=r.seq,
            event=r.event,
            target=r.target,
            webhook_id=r.webhook_id,
            message_id=r.message_id,
            attempts=r.attempts,
            claim=r.claim,
            created_at=r.created_at,
            event_type=r.event_type,
            event_at=r.event_at,
            event_data=r.event_data,
            url=r.url,
            secret=r.secret,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Finished:
    """The result of one attempt, to be written under the hold it was made with."""

    id: int
    token: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    at: datetime
    webhook_id: int | None = None
    gone: bool = False
    """The endpoint answered 410 Gone: disable it."""


_FINISH = (
    update(deliveries)
    .where(and_(deliveries.c.id == bindparam("where_id"), deliveries.c.claim == bindparam("token")))
    .values(
        state=bindparam("state"),
        attempts=bindparam("attempts"),
        last_error=bindparam("last_error"),
        next_attempt_at=bindparam("next_attempt_at"),
        delivered_at=bindparam("delivered_at"),
        updated_at=bindparam("at"),
        claim=None,
    )
)


async def finish(conn: AsyncConnection, results: Sequence[Finished], *, disable_after: Any) -> None:
    """Write attempts' results and their endpoints' health. A result whose hold has lapsed
    (another worker took the delivery over) changes nothing."""
    if not results:
        return
    await conn.execute(
        _FINISH,
        [
            {
                "where_id": r.id,
                "token": r.token,
                "state": r.state,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "next_attempt_at": r.next_attempt_at,
                "delivered_at": r.at if r.state == SENT else None,
                "at": r.at,
            }
            for r in results
        ],
    )
    by_endpoint: dict[int, list[Finished]] = {}
    for r in results:
        if r.webhook_id is not None:
            by_endpoint.setdefault(r.webhook_id, []).append(r)
    for webhook_id, its in by_endpoint.items():
        await _endpoint_health(conn, webhook_id, sorted(its, key=lambda r: r.at), disable_after)


async def _endpoint_health(
    conn: AsyncConnection, webhook_id: int, results: list[Finished], disable_after: Any
) -> None:
    """One endpoint's health after these results (oldest first): one UPDATE, and a second
    when it must be disabled (410 Gone, or failing for ``disable_after``)."""
    successes = [r for r in results if r.state == SENT]
    failures = [r for r in results if r.state != SENT]
    values: dict[str, Any] = {}
    if successes:
        values["last_success_at"] = successes[-1].at
    if failures:
        values["last_failure_at"] = failures[-1].at
    last = results[-1]
    if last.state == SENT:
        values.update(failing_since=None, last_error=None)
    else:
        since_success = [r for r in failures if not successes or r.at > successes[-1].at]
        first = since_success[0].at
        values["failing_since"] = (
            first if successes else func.coalesce(webhooks.c.failing_since, first)
        )
        values["last_error"] = last.last_error
    await conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(**values))
    if last.state == SENT and not any(r.gone for r in results):
        return
    reason = None
    if any(r.gone for r in results):
        reason = "the endpoint answered 410 Gone"
    else:
        since = (
            await conn.execute(select(webhooks.c.failing_since).where(webhooks.c.id == webhook_id))
        ).scalar_one_or_none()
        if since is not None and last.at - since >= disable_after:
            reason = f"failing since {since:%Y-%m-%d %H:%M} UTC"
    if reason:
        await conn.execute(
            update(webhooks)
            .where(and_(webhooks.c.id == webhook_id, webhooks.c.enabled.is_(True)))
            .values(enabled=False, disabled_reason=reason, updated_at=last.at)
        )


async def prune(conn: AsyncConnection, before: datetime) -> int:
    """Forget sent and failed deliveries finished before ``before``."""
    result = await conn.execute(
        delete(deliveries).where(
            and_(deliveries.c.state.in_([SENT, FAILED]), deliveries.c.updated_at < before)
        )
    )
    return int(result.rowcount or 0)


# --- webhooks -----------------------------------------------------------------------------


async def insert_webhook(conn: AsyncConnection, **values: Any) -> int:
    result = await conn.execute(insert(webhooks).values(**values).returning(webhooks.c.id))
    return int(result.scalar_one())


async def get_webhook(conn: AsyncConnection, webhook_id: int) -> Any:
    return (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id))).first()


async def list_webhooks(conn: AsyncConnection) -> list[Any]:
    return list(await conn.execute(select(webhooks).order_by(webhooks.c.id)))


async def webhook_counts(conn: AsyncConnection) -> dict[tuple[int, str], int]:
    """How many pending and failed deliveries each endpoint has."""
    result = await conn.execute(
        select(deliveries.c.webhook_id, deliveries.c.state, func.count())
        .where(and_(deliveries.c.webhook_id.is_not(None), deliveries.c.state != SENT))
        .group_by(deliveries.c.webhook_id, deliveries.c.state)
    )
    return {(int(w), str(s)): int(n) for w, s, n in result}


async def update_webhook(conn: AsyncConnection, webhook_id: int, **values: Any) -> None:
    await conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(**values))


async def delete_webhook(conn: AsyncConnection, webhook_id: int) -> int:
    await conn.execute(delete(deliveries).where(deliveries.c.webhook_id == webhook_id))
    result = await conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))
    return int(result.rowcount or 0)


async def replay(
    conn: AsyncConnection,
    *,
    webhook_id: int,
    key: str,
    after_seq: int,
    event_types: Sequence[str],
    event_names: dict[str, str],
    now: datetime,
) -> int:
    """A new pending delivery to one endpoint for every change after ``after_seq`` of the
    given Socket.IO event types; each keeps the ``webhook-id`` its change had."""
    total = 0
    for socket_type in event_types:
        result = await conn.execute(
            insert(deliveries).from_select(
                _WEBHOOK_DELIVERY_COLUMNS,
                _pending_webhook_deliveries(
                    order_id=events.c.order_id,
                    seq=events.c.seq,
                    seq_text=cast(events.c.seq, deliveries.c.target.type),
                    event=literal(event_names[socket_type]),
                    webhook_id=literal(webhook_id),
                    key=literal(key),
                    now=literal(now, deliveries.c.created_at.type),
                ).where(and_(events.c.seq > after_seq, events.c.type == socket_type)),
            )
        )
        total += int(result.rowcount or 0)
    return total


# --- reading deliveries -------------------------------------------------------------------


async def list_deliveries(conn: AsyncConnection, query: DeliveriesQuery) -> list[Any]:
    """The rows ``query`` asks for (each filter given must match), the newest first."""
    filters = query.model_dump(exclude_none=True, exclude={"limit"})
    result = await conn.execute(
        select(deliveries)
        .where(and_(True, *(deliveries.c[name] == value for name, value in filters.items())))
        .order_by(deliveries.c.id.desc())
        .limit(query.limit)
    )
    return list(result)
