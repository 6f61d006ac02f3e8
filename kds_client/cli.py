"""kds-order: the KDS from a shell script.

Every command takes --url (repeat it, or separate with commas, for failover) and
--token (or KDS_TOKEN; by default the admin token the local server wrote in its data
folder). Results go to stdout, messages to stderr, and the exit code says what happened:

    0  done
    1  the server failed or answered something unexpected (a --url that is not a KDS server)
    2  bad usage or invalid input (the message names the field)
    3  not found
    4  conflict: a move the status table forbids, a stale --version, a retry in flight
    5  no token, a token the server refuses, or a role that may not do this
    6  offline: no server could be reached
    7  too many requests
    130 interrupted (Ctrl-C); watch and demo end with 0 on Ctrl-C or SIGTERM
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from kds_client.cli_parser import PROG, build_parser, parse_item
from kds_client.errors import (
    Conflict,
    Forbidden,
    Invalid,
    KdsError,
    NotFound,
    Offline,
    ServerError,
    TooManyRequests,
    Unauthorized,
)
from kds_client.exit_codes import (
    EXIT_AUTH,
    EXIT_CONFLICT,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OFFLINE,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_TOO_MANY,
    EXIT_USAGE,
    UsageError,
)
from kds_client.rest import KdsRest, normalize_urls
from kds_client.text import order_line, order_table, order_text
from kds_contract import Order, Priority
from kds_contract.local import DEFAULT_URL, read_local_tokens
from kds_contract.period import PeriodError, parse_day, period_of


class NotKdsServer(KdsError):
    """A 404 from a server that does not answer as a KDS server: most likely a wrong --url."""


_EXIT_BY_ERROR: tuple[tuple[type[KdsError], int, str], ...] = (
    (NotKdsServer, EXIT_SERVER, "unexpected answer"),
    (Invalid, EXIT_USAGE, "invalid input"),
    (NotFound, EXIT_NOT_FOUND, "not found"),
    (Conflict, EXIT_CONFLICT, "conflict"),
    (Unauthorized, EXIT_AUTH, "unauthorized"),
    (Forbidden, EXIT_AUTH, "forbidden"),
    (Offline, EXIT_OFFLINE, "offline"),
    (TooManyRequests, EXIT_TOO_MANY, "too many requests"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kds-order`` with ``argv`` (default: the command line); return the exit code."""
    parser = build_parser(epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_dispatch(args))
    except KeyboardInterrupt:
        return EXIT_OK if args.command in ("watch", "demo") else EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout went away (`kds-order watch | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except UsageError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except KdsError as exc:
        return _report(exc)


def _report(exc: KdsError) -> int:
    for cls, code, kind in _EXIT_BY_ERROR:
        if isinstance(exc, cls):
            message = exc.message.removeprefix("offline: ")
            field = getattr(exc, "field", None)
            if field and field not in message:
                message = f"{field}: {message}"
            _say(f"{kind}: {message}")
            return code
    _say(f"server error: {exc.message}")
    return EXIT_SERVER


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _out(text: str) -> None:
    print(text, flush=True)


def _json(value: Any) -> None:
    _out(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


# -- running a command --------------------------------------------------------------------


_NEEDS_NO_TOKEN = frozenset({"health"})  # GET /api/health answers anyone


def resolve(args: argparse.Namespace) -> tuple[list[str], str]:
    """The server URLs and token: flags, then environment, then the local token file.

    The token is "" when none is found and the command needs none.
    """
    local = read_local_tokens(Path(args.data_dir) if args.data_dir else None)
    urls = args.url or [os.environ.get("KDS_URL") or local.get("url") or DEFAULT_URL]
    token = args.token or os.environ.get("KDS_TOKEN") or local.get("admin") or local.get("kitchen")
    if not token and args.command not in _NEEDS_NO_TOKEN:
        raise Unauthorized(
            "no token: pass --token or set KDS_TOKEN "
            "(on the server's host: kds-server token create --role pos)"
        )
    try:
        return normalize_urls(urls), token or ""
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


async def _dispatch(args: argparse.Namespace) -> int:
    urls, token = resolve(args)
    async with KdsRest(urls, token, timeout=args.timeout) as rest:
        handler = _HANDLERS[args.command]
        try:
            return await handler(rest, args)
        except NotFound as exc:
            if await _answers_like_kds(rest):
                raise  # the server's own 404: no such order or item
            raise NotKdsServer(
                f"404 not found: is {rest.url} a KDS server? give its base URL, like {DEFAULT_URL}"
            ) from exc


async def _answers_like_kds(rest: KdsRest) -> bool:
    """Whether the server in use answers ``GET /api/health`` as a KDS server does."""
    try:
        health = await rest.health(url=rest.url)
    except NotFound:
        return False
    except ServerError as exc:
        return (exc.status or 0) >= 500  # a KDS server whose database is down answers 503
    except KdsError:
        return True  # no answer now (offline, too many requests): keep the 404 as it came
    return "seq" in health


def _stop_on_sigterm() -> asyncio.Event:
    """An event set by SIGTERM, so that a supervisor's stop ends watch and demo cleanly."""
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    return stop


async def _create(rest: KdsRest, args: argparse.Namespace) -> int:
    body = _read_body(args.file) if args.file else {}
    if args.item:
        body.setdefault("items", [])
        if not isinstance(body["items"], list):
            raise UsageError("items in the file must be a list")
        body["items"].extend(parse_item(spec) for spec in args.item)
    for key in (
        "order_type",
        "table",
        "customer_name",
        "customer_email",
        "user_id",
        "notes",
        "total_cents",
    ):
        value = getattr(args, key)
        if value is not None:
            body[key] = value
    if args.rush:
        body["priority"] = Priority.RUSH.value
    if args.due is not None:
        body["due_at"] = _due(args.due)
    if "items" not in body:
        raise UsageError("an order needs at least one --item (or a --file with items)")
    order = await rest.create_order(body, idempotency_key=args.idempotency_key)
    if args.json:
        _json(order.wire())
    else:
        _say(f"created {order_line(order)}")
        link = await _tracking_link(rest, order)
        if link:
            _say(f"tracking link for the customer: {link}")
        _out(str(order.id))
    return EXIT_OK


async def _tracking_link(rest: KdsRest, order: Order) -> str | None:
    """The customer's link to the order's tracking page, from the server's public URL."""
    if not order.tracking_code:
        return None
    try:
        base = (await rest.health(url=rest.url)).get("public_url") or rest.url
    except KdsError:
        base = rest.url  # the order is made; a link on this server's address is still right
    return f"{str(base).rstrip('/')}/track/{order.tracking_code}"


def _due(text: str) -> str:
    from kds_client.due import DueTimeError, parse_due

    try:
        return parse_due(text, datetime.now().astimezone()).isoformat()
    except DueTimeError as exc:
        raise UsageError(f"--due: {exc}") from None


def _read_body(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise UsageError(f"{path} must hold a JSON object (an order)")
    return body


async def _list(rest: KdsRest, args: argparse.Namespace) -> int:
    statuses = [s.strip() for value in args.status for s in value.split(",") if s.strip()]
    if args.open:
        statuses += ["pending", "preparing", "ready"]
    filters: dict[str, Any] = {
        "status": statuses or None,
        "station": args.station,
        "q": args.q,
        "sort": args.sort,
        "since": args.since,
        "until": args.until,
    }
    if args.csv:
        from kds_client.csv_export import write_orders

        count = await write_orders(rest, sys.stdout, **filters)
        _say(f"{count} order{'' if count == 1 else 's'} written as CSV")
        return EXIT_OK
    page = await rest.list_orders(page=args.page, per_page=args.per_page, **filters)
    if args.json:
        _json(
            {
                "orders": [o.wire() for o in page.orders],
                "total": page.total,
                "page": page.page,
                "per_page": page.per_page,
            }
        )
    else:
        _out(order_table(page.orders))
        _say(
            f"page {page.page} of {page.pages}, {page.total} order{'' if page.total == 1 else 's'}"
        )
    return EXIT_OK


async def _show(rest: KdsRest, args: argparse.Namespace) -> int:
    order = await rest.get_order(args.order_id)
    history = await rest.order_events(args.order_id) if args.history else []
    if args.json:
        _json(
            {"order": order.wire(), "events": [e.wire() for e in history]}
            if args.history
            else order.wire()
        )
        return EXIT_OK
    _out(order_text(order, await _tracking_link(rest, order)))
    for event in history:
        data = event.data
        what = (
            f"{data.get('oldStatus')} -> {data.get('newStatus')}"
            if "newStatus" in data
            else event.type
        )
        _out(f"  #{event.seq}  {event.at}  {what}")
    return EXIT_OK


async def _move(rest: KdsRest, args: argparse.Namespace) -> int:
    before = None if args.json else await rest.get_order(args.order_id)
    order = await rest.move(args.order_id, args.status, version=args.version)
    if args.json:
        _json(order.wire())
    else:
        _out(f"order {order.id}: {before.status if before else '?'} -> {order.status}")
    return EXIT_OK


async def _done(rest: KdsRest, args: argparse.Namespace) -> int:
    order = await rest.mark_item(args.order_id, args.item_id, not args.undo)
    if args.json:
        _json(order.wire())
    else:
        item = next((i for i in order.items if i.id == args.item_id), None)
        name = item.name if item else f"item {args.item_id}"
        _out(f"order {order.id}: {name} {'not done' if args.undo else 'done'}")
    return EXIT_OK


async def _edit(rest: KdsRest, args: argparse.Namespace) -> int:
    changes = {
        key: getattr(args, key)
        for key in ("notes", "priority", "table", "customer_name", "customer_email", "version")
        if getattr(args, key) is not None
    }
    if args.due is not None:
        changes["due_at"] = _due(args.due)
    if not set(changes) - {"version"}:
        raise UsageError(
            "nothing to change: give --notes, --priority, --table, --customer, --email or --due"
        )
    order = await rest.edit_order(args.order_id, changes)
    if args.json:
        _json(order.wire())
    else:
        _out(f"edited {order_line(order)}")
    return EXIT_OK


async def _delete(rest: KdsRest, args: argparse.Namespace) -> int:
    await rest.delete_order(args.order_id)
    if args.json:
        _json({"orderId": args.order_id})
    else:
        _out(f"order {args.order_id} deleted")
    return EXIT_OK


def _period(args: argparse.Namespace) -> dict[str, Any]:
    """``since`` and ``until`` from the flags: a day is a whole local day; ``--until``
    defaults to the ``--since`` day (or now, after a time)."""
    now = datetime.now().astimezone()
    until = args.until
    if until is None and args.since:
        try:
            until = args.since if parse_day(args.since, now.date()) else None
        except ValueError:
            until = None
    try:
        period = period_of(args.since, until, now)
    except PeriodError as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    return {"since": period.since, "until": period.until}


async def _stats(rest: KdsRest, args: argparse.Namespace) -> int:
    _json(await rest.stats(**_period(args)))
    return EXIT_OK


async def _report_period(rest: KdsRest, args: argparse.Namespace) -> int:
    now = datetime.now().astimezone()
    tz = args.tz or now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:]
    report = await rest.report(**_period(args), target_s=round(args.target * 60), tz=tz)
    if args.csv:
        from kds_client.csv_export import write_report

        write_report(report, sys.stdout)
    elif args.json:
        _json(report)
    else:
        from kds_client.report_text import report_text

        _out(report_text(report))
    return EXIT_OK


async def _health(rest: KdsRest, args: argparse.Namespace) -> int:
    _json(await rest.health())
    return EXIT_OK


async def _screens(rest: KdsRest, args: argparse.Namespace) -> int:
    from kds_client.screens import screens_text

    answer = await rest.screens()
    if args.json:
        _out(answer.model_dump_json())
    else:
        _out(screens_text(answer))
    return EXIT_OK


async def _watch(rest: KdsRest, args: argparse.Namespace) -> int:
    from kds_client.watch import watch

    return await watch(
        rest,
        after=args.after,
        room=args.room,
        count=args.count,
        say=_say,
        stop_event=_stop_on_sigterm(),
    )


async def _demo(rest: KdsRest, args: argparse.Namespace) -> int:
    import random

    from kds_client.demo import run_demo

    made = await run_demo(
        rest,
        args.rate,
        _stop_on_sigterm(),
        count=args.count,
        advance=args.advance,
        rng=random.Random(args.seed) if args.seed is not None else None,
        on_order=lambda order: _json(order.wire()) if args.json else _out(order_line(order)),
        on_warning=lambda message: _say(f"warning: {message}"),
    )
    _say(f"{made} demo orders created")
    return EXIT_OK


async def _webhooks(rest: KdsRest, args: argparse.Namespace) -> int:
    from kds_client import cli_outbox

    return await cli_outbox.webhooks(rest, args, _out)


async def _menu(rest: KdsRest, args: argparse.Namespace) -> int:
    from kds_client import cli_menu

    return await cli_menu.menu(rest, args, _out)


async def _deliveries(rest: KdsRest, args: argparse.Namespace) -> int:
    from kds_client import cli_outbox

    return await cli_outbox.deliveries(rest, args, _out)


_HANDLERS = {
    "create": _create,
    "list": _list,
    "show": _show,
    "move": _move,
    "done": _done,
    "edit": _edit,
    "delete": _delete,
    "stats": _stats,
    "report": _report_period,
    "health": _health,
    "screens": _screens,
    "watch": _watch,
    "demo": _demo,
    "webhooks": _webhooks,
    "deliveries": _deliveries,
    "menu": _menu,
}
