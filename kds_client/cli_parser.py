"""The argument parser of ``kds-order``, and ``create --item`` read as a usage error."""

from __future__ import annotations

import argparse
from typing import Any

from kds_client.exit_codes import UsageError
from kds_client.item_text import ITEM_SYNTAX, ItemLineError, parse_line, station_in_notes
from kds_contract import OrderType, Priority, Status
from kds_contract.local import DEFAULT_URL

PROG = "kds-order"


def positive(text: str) -> float:
    """An argparse type: a number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def build_parser(epilog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per action; ``epilog`` ends ``--help``."""
    common = _common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Create, list, move and watch kitchen orders from a shell.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(None)],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[common])

    create = command("create", "create an order from flags or a JSON file; prints its id")
    create.add_argument(
        "-i",
        "--item",
        action="append",
        default=[],
        metavar="SPEC",
        help=f'an item: "{ITEM_SYNTAX}", e.g. "2x Cheeseburger +no onion @grill"; '
        r'"1x 7 Up" for a name that starts with a digit, "Fish \+ Chips" for a + @ # in a '
        "name (repeat for more items)",
    )
    create.add_argument("-f", "--file", help="a JSON order body (- for stdin); flags add to it")
    create.add_argument("--type", choices=[t.value for t in OrderType], dest="order_type")
    create.add_argument("--table")
    create.add_argument("--customer", dest="customer_name")
    create.add_argument(
        "--email",
        dest="customer_email",
        metavar="ADDRESS",
        help="the customer's email: told when the order is received and when it is ready",
    )
    create.add_argument("--user-id")
    create.add_argument("--rush", action="store_true", help="priority rush")
    create.add_argument("--notes", help="order notes (allergies go here)")
    create.add_argument("--total", type=int, dest="total_cents", metavar="CENTS")
    create.add_argument("--idempotency-key", help="repeat a create safely with the same key")
    create.add_argument(
        "--due",
        metavar="TIME",
        help="when it must be ready: HH:MM (the next one, this machine's local time) or ISO "
        "8601; the server holds it as scheduled and fires it in time",
    )

    lister = command("list", "list orders, newest first")
    lister.add_argument(
        "-s", "--status", action="append", default=[], help="a status (repeat, or a,b)"
    )
    lister.add_argument("--open", action="store_true", help="pending, preparing and ready")
    lister.add_argument("--station")
    lister.add_argument("-q", "--query", dest="q", help="text to search for")
    lister.add_argument("--page", type=int, default=1)
    lister.add_argument("--per-page", type=int, default=50, help="at most 200")
    lister.add_argument(
        "--sort", help="id, created_at or updated_at; a leading - (--sort=-id) sorts descending"
    )
    lister.add_argument("--since", help="created at or after (ISO 8601)")
    lister.add_argument("--until", help="created before (ISO 8601)")
    lister.add_argument(
        "--csv",
        action="store_true",
        help="every matching order (all pages, each once, as the list was when the first "
        "page was read) as CSV on stdout; --page and --per-page are not used",
    )

    show = command("show", "show one order")
    show.add_argument("order_id", type=int)
    show.add_argument("--history", action="store_true", help="also its history of changes")

    move = command("move", "move an order to another status")
    move.add_argument("order_id", type=int)
    move.add_argument("status", choices=[s.value for s in Status])
    move.add_argument("--version", type=int, help="refuse (exit 4) if the order changed since")

    done = command("done", "mark an item of an order done (or not, with --undo)")
    done.add_argument("order_id", type=int)
    done.add_argument("item_id", type=int)
    done.add_argument("--undo", action="store_true", help="mark it not done")

    edit = command("edit", "edit an order's notes, priority, table, customer or email (admin)")
    edit.add_argument("order_id", type=int)
    edit.add_argument("--notes")
    edit.add_argument("--priority", choices=[p.value for p in Priority])
    edit.add_argument("--table")
    edit.add_argument("--customer", dest="customer_name")
    edit.add_argument("--email", dest="customer_email", metavar="ADDRESS")
    edit.add_argument("--due", metavar="TIME", help="a new due time (only while scheduled)")
    edit.add_argument("--version", type=int)

    delete = command("delete", "delete an order (admin)")
    delete.add_argument("order_id", type=int)

    days = (
        "a day (YYYY-MM-DD, today, yesterday, -N days ago; --until takes the whole day) or an "
        "ISO 8601 time"
    )
    stats = command("stats", "figures for a period (default today), as JSON")
    stats.add_argument("--since", default="today", help=f"from: {days} (default today)")
    stats.add_argument(
        "--until", help=f"to: {days} (default: the same as --since if a day, else now)"
    )
    report = command(
        "report",
        "a report for a period (default today) beside the same period a week before: sales, "
        "by type and hour, ticket times by station and item, items sold, cancellations",
    )
    report.add_argument("--since", default="today", help=f"from: {days} (default today)")
    report.add_argument("--until", help=f"to: {days} (default: as for stats)")
    report.add_argument(
        "--target",
        type=positive,
        default=15.0,
        metavar="MINUTES",
        help="a ticket's target, created to ready, in minutes (default 15)",
    )
    report.add_argument("--tz", help="time zone of the hours (Europe/Paris, +01:00); default here")
    report.add_argument(
        "--csv", action="store_true", help="as CSV rows: section,name,figure,value,week_before"
    )
    command("health", "whether the server and its database answer, as JSON")
    command("screens", "the screens online and seen in the last 24 h, and stations no screen shows")

    watch = command("watch", "print live changes as JSON lines until Ctrl-C")
    watch.add_argument("--after", type=int, help="first replay every change after this seq")
    watch.add_argument("--room", default="kitchen", choices=["kitchen", "admin"])
    watch.add_argument("--count", type=int, help="exit after this many changes")

    demo = command("demo", "create realistic demo orders at a rate until Ctrl-C")
    demo.add_argument("--rate", type=positive, default=6.0, help="orders per minute (default 6)")
    demo.add_argument("--count", type=int, help="stop after this many orders")
    demo.add_argument("--advance", action="store_true", help="also move older orders along")
    demo.add_argument("--seed", type=int, help="for a reproducible demo")

    from kds_client import cli_menu, cli_outbox

    cli_outbox.add_commands(command)
    cli_menu.add_commands(command)
    return parser


def _common_options(default: Any) -> argparse.ArgumentParser:
    """Options accepted before and after the command (``default`` SUPPRESS after it)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--url",
        action="append",
        default=default,
        help="server URL (repeat for failover; default $KDS_URL, the local server, "
        f"or {DEFAULT_URL})",
    )
    parent.add_argument("--token", default=default, help="API token (default $KDS_TOKEN)")
    parent.add_argument("--data-dir", default=default, help="where the local token file is")
    parent.add_argument(
        "--timeout",
        type=positive,
        default=default or 10.0,
        help="seconds to wait for each answer (default 10)",
    )
    parent.add_argument(
        "--json",
        action="store_true",
        default=default or False,
        help="print results as JSON, as the API sends them (stats, health and watch always do)",
    )
    return parent


def parse_item(spec: str) -> dict[str, Any]:
    """An item from ``--item``, written as :mod:`kds_client.item_text` reads it.

    A count of 0 is the server's to refuse (naming the field, as for any invalid order).

    Raises:
        UsageError: the spec is refused as a typo (a negative count, no name, an empty
            modifier, station or note, a second station or note), naming the problem.
    """
    try:
        item = parse_line(spec)
    except ItemLineError as error:
        raise UsageError(
            f"item {spec!r}: {error.problem}; write an item as {ITEM_SYNTAX!r}"
        ) from None
    if stray := station_in_notes(spec):
        raise UsageError(
            f"item {spec!r}: its note has {stray} in it (a note runs to the end of the line: "
            rf"put the station before the #, or write \{stray} to keep it in the note); "
            f"write an item as {ITEM_SYNTAX!r}"
        )
    return item
