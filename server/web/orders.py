"""The REST endpoints of SPEC: thin views over the order service."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

from aiohttp import web

from kds_contract import ItemDoneIn, OrderCreate, OrderEdit, Role, StatusMoveIn
from kds_contract.period import Period, PeriodError
from kds_contract.search import parse_search
from server import __version__, stats
from server.db.repo import OrderQuery, StoredEvent, dumps, events_json
from server.service import Changed, Created, Replayed, Unchanged
from server.web import schemas
from server.web.errors import ApiError
from server.web.keys import REALTIME, SERVICE, SETTINGS
from server.web.routes import ALL_STAFF, Call, Route, json_answer

MAX_IDEMPOTENCY_KEY = 255
IDEMPOTENCY_KEY_RULE = r"[ -~]*[!#-~][ -~]*"
"""Printable ASCII, with at least one character that is not a space or a quote."""
IDEMPOTENCY_KEY_PATTERN = re.compile(IDEMPOTENCY_KEY_RULE)

VERSION = __version__


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def health(call: Call) -> web.Response:
    """This process: 503 when it cannot reach the database (it cannot serve); "degraded"
    with 200 when Redis is unreachable (it serves, but the other processes' clients hear
    of its changes from the event log)."""
    redis = call.app[REALTIME].redis_health
    body: dict[str, object] = {
        "status": "ok",
        "database": "ok",
        "redis": "off" if redis is None else redis.describe(),
        "seq": None,
        "epoch": None,
        "version": VERSION,
        "public_url": call.app[SETTINGS].link_base,
    }
    if redis is not None and not redis.reachable:
        body["status"] = "degraded"
    try:
        body["seq"], body["epoch"] = await call.app[SERVICE].position()
    except Exception as exc:  # any failure to reach the database is what health reports
        body.update(status="degraded", database=f"unreachable: {type(exc).__name__}")
        return web.json_response(body, status=503)
    return web.json_response(body)


def _idempotency_key(call: Call) -> str | None:
    keys = call.request.headers.getall("Idempotency-Key", [])
    if not keys:
        return None
    if len(keys) > 1:
        raise ApiError(
            400,
            "bad_idempotency_key",
            f"send one Idempotency-Key header, not {len(keys)}: the server cannot tell which "
            "one a retry would carry",
        )
    key = keys[0]
    # The IETF draft's key is a structured-field string: printable ASCII (a UUID, say).
    # The rule is checked on the header as sent, as the OpenAPI document states it.
    if len(key) > MAX_IDEMPOTENCY_KEY or not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise ApiError(
            400,
            "bad_idempotency_key",
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters, "
            "for example a UUID",
        )
    return key.strip().strip('"')


def write_answer(result: Created | Changed | Unchanged | Replayed) -> web.Response:
    """A write's answer: the event's payload (201 for a new order), the first answer again
    for a replay, the order as it is when nothing changed."""
    match result:
        case Created(change=change):
            return json_answer(change.event.data, 201)
        case Changed(change=change):
            return json_answer(change.event.data)
        case Unchanged(order=order):
            return json_answer(dumps({"order": order.wire()}))
        case Replayed(payload=payload):
            response = json_answer(payload, 201)
            response.headers["Idempotent-Replayed"] = "true"
            return response


async def create_order(call: Call) -> web.Response:
    key = _idempotency_key(call)
    request_hash = ""
    if key is not None:  # only a retry is compared with the first request
        canonical = json.dumps(json.loads(call.raw), sort_keys=True, separators=(",", ":"))
        request_hash = hashlib.sha256(canonical.encode()).hexdigest()
    actor = call.actor
    result = await call.app[SERVICE].create(
        call.body, actor, scope=str(actor.token_id), key=key, request_hash=request_hash
    )
    return write_answer(result)


def period(since: datetime | None, until: datetime | None) -> Period:
    """The period a query asks for (kds_contract.period: a missing bound is no bound)."""
    try:
        return Period(_aware(since), _aware(until))
    except PeriodError as error:
        raise ApiError(422, "invalid", str(error), {"field": error.field}) from None


async def list_orders(call: Call) -> web.Response:
    q: schemas.ListQuery = call.query
    query = OrderQuery(
        statuses=[str(s) for s in q.status],
        station=q.station,
        search=parse_search(q.q or ""),
        period=period(q.since, q.until),
        max_id=q.max_id,
        page=q.page,
        per_page=q.per_page,
        skip=q.skip,
        sort=q.sort,
    )
    if q.skip >= q.per_page:
        raise ApiError(422, "invalid", "skip: must be less than per_page", {"field": "skip"})
    found, total, position, newest = await call.app[SERVICE].list_orders(query)
    # Each order is written once; the page is cut at MAX_ANSWER_BYTES (never below one
    # order), and the rest of the page is one `next` away.
    size, parts = 0, list[str]()
    for order in found:
        part = json.dumps(order.wire(), separators=(",", ":"))  # ASCII: a char is a byte
        size += len(part) + 1
        if parts and size > schemas.MAX_ANSWER_BYTES:
            break
        parts.append(part)
    fields: dict[str, object] = {
        "total": total,
        "page": q.page,
        "per_page": q.per_page,
        "seq": position.seq,
        "epoch": position.epoch,
        "max_id": newest,
    }
    if len(parts) < len(found):
        rest = call.request.rel_url.update_query(skip=str(q.skip + len(parts)))
        fields["next"] = str(rest)
    tail = json.dumps(fields, separators=(",", ":"))
    return json_answer('{"orders":[' + ",".join(parts) + "]," + tail[1:])


async def get_order(call: Call) -> web.Response:
    order_id, principal = call.path_int("id"), call.principal
    if principal is not None and principal.role is Role.POS:
        order = await call.app[SERVICE].get_own(order_id, principal.token_id)
    else:
        order = await call.app[SERVICE].get(order_id)
    return json_answer({"order": order.wire()})


async def move_order(call: Call) -> web.Response:
    body: StatusMoveIn = call.body
    service = call.app[SERVICE]
    return write_answer(
        await service.move(call.path_int("id"), body.status, body.version, call.actor)
    )


async def mark_item(call: Call) -> web.Response:
    body: ItemDoneIn = call.body
    service = call.app[SERVICE]
    return write_answer(
        await service.mark_item(
            call.path_int("id"), call.path_int("item_id"), body.done, call.actor
        )
    )


async def edit_order(call: Call) -> web.Response:
    return write_answer(await call.app[SERVICE].edit(call.path_int("id"), call.body, call.actor))


async def delete_order(call: Call) -> web.Response:
    return write_answer(await call.app[SERVICE].delete(call.path_int("id"), call.actor))


def _with_actor(event: StoredEvent) -> dict[str, object]:
    return {**event.wire(), "actor": json.loads(event.actor) if event.actor else None}


async def order_history(call: Call) -> web.Response:
    found = await call.app[SERVICE].history(call.path_int("id"))
    return json_answer({"events": [_with_actor(e) for e in found]})


async def events(call: Call) -> web.Response:
    """A page of the log, cut at ``schemas.MAX_ANSWER_BYTES`` (never below one event): a cut
    page says where to go on in ``next``."""
    q: schemas.EventsQuery = call.query
    found, last = await call.app[SERVICE].events_after(q.after, q.limit)
    size, kept = 0, 0
    for event in found:
        size += len(event.data.encode()) + EVENT_OVERHEAD_BYTES
        if kept and size > schemas.MAX_ANSWER_BYTES:
            break
        kept += 1
    fields: dict[str, object] = {"last_seq": last.seq, "epoch": last.epoch}
    if kept < len(found):
        fields["next"] = f"/api/events?after={found[kept - 1].seq}&limit={q.limit}"
    return json_answer(events_json(found[:kept], **fields))


EVENT_OVERHEAD_BYTES = 160
"""An event's fields around its payload, at most (seq, type, order id, time)."""


async def day_stats(call: Call) -> web.Response:
    q: schemas.StatsQuery = call.query
    asked = period(q.since, q.until)
    found = await call.app[SERVICE].figures(asked)
    try:
        return json_answer(stats.figures(asked, found, datetime.now(UTC)))
    except stats.PeriodTooLong as error:
        raise ApiError(422, "invalid", f"since: {error}", {"field": "since"}) from None


async def reports(call: Call) -> web.Response:
    q: schemas.ReportQuery = call.query
    asked = period(q.since, q.until)
    now = datetime.now(UTC)
    zone, zone_name = schemas.time_zone(q.tz)
    before = stats.previous_week(asked, now)
    service = call.app[SERVICE]
    found_now, found_before = await service.reports(asked, before, q.target_s)
    return json_answer(
        stats.report(
            asked,
            before,
            found_now,
            found_before,
            target_s=q.target_s,
            zone=zone,
            zone_name=zone_name,
        )
    )


ORDER_ID = r"/api/orders/{id:[0-9]+}"  # ASCII digits: \d would take full-width ones

ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/health",
        health,
        "Liveness and database reachability",
        answer=schemas.Health,
        own_answers={503: schemas.Health},
    ),
    Route(
        "POST",
        "/api/orders",
        create_order,
        "Create an order",
        roles=frozenset({Role.POS, Role.ADMIN}),
        body=OrderCreate,
        answer=schemas.OrderCreated,
        status=201,
        errors=(409,),
        answer_headers={201: {"Idempotent-Replayed": False}, 409: {"Retry-After": True}},
        headers={
            "Idempotency-Key": {
                "description": "a retry with the same key and body gets the first answer",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_IDEMPOTENCY_KEY,
                    "pattern": f"^{IDEMPOTENCY_KEY_RULE}$",
                },
            }
        },
    ),
    Route(
        "GET",
        "/api/orders",
        list_orders,
        "List orders: filter, search, page, sort",
        roles=ALL_STAFF,
        query=schemas.ListQuery,
        answer=schemas.OrderList,
    ),
    Route(
        "GET",
        ORDER_ID,
        get_order,
        "One order (a pos token: only the orders it created)",
        roles=frozenset({*ALL_STAFF, Role.POS}),
        answer=schemas.OrderAnswer,
    ),
    Route(
        "PATCH",
        ORDER_ID + "/status",
        move_order,
        "Move an order to another status",
        roles=ALL_STAFF,
        body=StatusMoveIn,
        answer=schemas.StatusAnswer,
        errors=(409,),
    ),
    Route(
        "PATCH",
        ORDER_ID + r"/items/{item_id:[0-9]+}",
        mark_item,
        "Mark one item done (or not)",
        roles=ALL_STAFF,
        body=ItemDoneIn,
        answer=schemas.OrderChanged,
        errors=(409,),
    ),
    Route(
        "PATCH",
        ORDER_ID,
        edit_order,
        "Edit notes, priority, items, table, customer",
        roles=frozenset({Role.ADMIN}),
        body=OrderEdit,
        answer=schemas.OrderChanged,
        errors=(409,),
    ),
    Route(
        "DELETE",
        ORDER_ID,
        delete_order,
        "Delete an order",
        roles=frozenset({Role.ADMIN}),
        answer=schemas.DeleteAnswer,
    ),
    Route(
        "GET",
        ORDER_ID + "/events",
        order_history,
        "An order's history",
        roles=frozenset({Role.ADMIN}),
        answer=schemas.OrderEventList,
    ),
    Route(
        "GET",
        "/api/events",
        events,
        "Every change after a seq, in order",
        roles=ALL_STAFF,
        query=schemas.EventsQuery,
        answer=schemas.EventList,
    ),
    Route(
        "GET",
        "/api/stats",
        day_stats,
        "Figures for a period: counts, times, orders per hour",
        roles=frozenset({Role.ADMIN}),
        query=schemas.StatsQuery,
        answer=schemas.Stats,
    ),
    Route(
        "GET",
        "/api/reports",
        reports,
        "A report for a period, beside the same period a week before",
        roles=frozenset({Role.ADMIN}),
        query=schemas.ReportQuery,
        answer=schemas.Report,
    ),
]
