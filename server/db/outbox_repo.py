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
    Text,
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
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from kds_contract.webhooks import DeliveriesQuery
from server.db.tables import DeliveryRow, EventRow, OutboxRow, WebhookRow

outbox = typing_cast(Table, OutboxRow.__table__)
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


class _joined_ids(FunctionElement[str]):
    """``1|4|7``: a column's values joined (``aggregate_strings`` with its separator written
    in the SQL, not bound after compiling, so the statement can be prepared)."""

    type = Text()
    inherit_cache = True
    name = "joined_ids"


@compiles(_joined_ids, "sqlite")
def _joined_ids_sqlite(element: _joined_ids, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, '|')"


@compiles(_joined_ids, "postgresql")
def _joined_ids_postgresql(element: _joined_ids, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, '|')"


_WANTING = (
    select(_joined_ids(cast(webhooks.c.id, Text)).label("ids"))
    .where(and_(webhooks.c.enabled.is_(True), webhooks.c.events.like(bindparam("pattern"))))
    .subquery()
)
_RECORD_CHANGE = insert(outbox).from_select(
    ["seq", "order_id", "event", "webhooks", "email_kind", "email_to", "email_message_id", "at"],
    select(
        bindparam("seq", type_=outbox.c.seq.type),
        bindparam("order_id", type_=outbox.c.order_id.type),
        bindparam("event", type_=outbox.c.event.type),
        literal("|") + _WANTING.c.ids + literal("|"),
        bindparam("email_kind", type_=outbox.c.email_kind.type),
        bindparam("email_to", type_=outbox.c.email_to.type),
        bindparam("email_message_id", type_=outbox.c.email_message_id.type),
        bindparam("at", type_=outbox.c.at.type),
    )
    .select_from(_WANTING)
    .where(
        or_(
            _WANTING.c.ids.is_not(None),
            bindparam("email_to", type_=outbox.c.email_to.type).is_not(None),
        )
    ),
)


async def record_change(
    conn: AsyncConnection,
    *,
    seq: int,
    order_id: int,
    event: str,
    now: datetime,
    email: tuple[str, str, str] | None,
) -> bool:
    """One outbox row for a change that the enabled endpoints wanting ``event``, or an email
    (kind, address, Message-ID), must be sent for: which endpoints, and the email. False
    (no row) when there is nothing to send."""
    kind, to, message = email or (None, None, None)
    result = await conn.execute(
        _RECORD_CHANGE,
        {
            "seq": seq,
            "order_id": order_id,
            "event": event,
            "pattern": f"%|{event}|%",
            "email_kind": kind,
            "email_to": to,
            "email_message_id": message,
            "at": now,
        },
    )
    return bool(result.rowcount)


RECORDING = (_RECORD_CHANGE,)
"""The statement of every change's transaction (prepared on SQLite, as repo's are)."""


_TO_EXPAND = select(outbox).order_by(outbox.c.seq)


async def expand(conn: AsyncConnection, limit: int) -> int:
    """Turn up to ``limit`` outbox rows, oldest first, into pending deliveries (one per
    endpoint that wanted the change and still exists, and its email unless this order's
    email of that kind was recorded before) and remove them; how many rows. Rows another
    process is expanding are skipped (PostgreSQL); the deliveries and the removal commit
    together, so each change is expanded once."""
    rows = list(await conn.execute(_TO_EXPAND.limit(limit).with_for_update(skip_locked=True)))
    if not rows:
        return 0
    wanted = {int(w) for r in rows for w in (r.webhooks or "").split("|") if w}
    keys: dict[int, str] = {}
    if wanted:
        found = await conn.execute(
            select(webhooks.c.id, webhooks.c.key).where(webhooks.c.id.in_(sorted(wanted)))
        )
        keys = {int(i): k for i, k in found}
    emails = {f"email:{r.email_kind}:{r.order_id}": r for r in rows if r.email_kind}
    if emails:
        sent_before = await conn.execute(
            select(deliveries.c.once).where(deliveries.c.once.in_(list(emails)))
        )
        for (once,) in sent_before:
            emails.pop(once, None)
    new: list[dict[str, Any]] = []
    for r in rows:
        for w in (r.webhooks or "").split("|"):
            if w and int(w) in keys:
                new.append(
                    _delivery(
                        r,
                        kind=WEBHOOK,
                        event=r.event,
                        target=w,
                        webhook_id=int(w),
                        message_id=webhook_message_id(keys[int(w)], r.seq),
                        once=None,
                    )
                )
    for once, r in emails.items():
        new.append(
            _delivery(
                r,
                kind=EMAIL,
                event=r.email_kind,
                target=r.email_to,
                webhook_id=None,
                message_id=r.email_message_id,
                once=once,
            )
        )
    if new:
        await conn.execute(insert(deliveries), new)
    await conn.execute(delete(outbox).where(outbox.c.seq.in_([r.seq for r in rows])))
    return len(rows)


def _delivery(row: Any, **values: Any) -> dict[str, Any]:
    return {
        "order_id": row.order_id,
        "seq": row.seq,
        "state": PENDING,
        "attempts": 0,
        "last_error": None,
        "next_attempt_at": row.at,
        "claim": None,
        "created_at": row.at,
        "updated_at": row.at,
        "delivered_at": None,
        **values,
    }


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


async def anything_stored(conn: AsyncConnection) -> bool:
    """Whether there is an endpoint, a delivery or an outbox row."""
    result = await conn.execute(
        select(
            or_(
                select(webhooks.c.id).exists(),
                select(deliveries.c.id).exists(),
                select(outbox.c.seq).exists(),
            )
        )
    )
    return bool(result.scalar())


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
