"""``kds-order webhooks ...`` and ``kds-order deliveries``: the outbox from a shell (admin)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from kds_client.exit_codes import UsageError
from kds_client.outbox_text import delivery_table, webhook_table, webhook_text
from kds_client.rest import KdsRest
from kds_contract.webhooks import WebhookEvent

Command = Callable[[str, str], argparse.ArgumentParser]
Handler = Callable[[KdsRest, argparse.Namespace], Awaitable[int]]


def add_commands(command: Command) -> None:
    """The ``webhooks`` and ``deliveries`` commands, made with the parser's ``command``."""
    hooks = command("webhooks", "add, list, enable, disable, remove or replay webhooks (admin)")
    actions = hooks.add_subparsers(dest="webhooks_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an endpoint; prints its secret, shown only now")
    add.add_argument("webhook_url", metavar="URL", help="http(s) URL to POST changes to")
    add.add_argument(
        "-e",
        "--event",
        action="append",
        choices=[e.value for e in WebhookEvent],
        help="an event to send (repeat; default: all)",
    )
    add.add_argument("--description", help="what it is, for the list")
    actions.add_parser("list", help="every endpoint with its health")
    for name, what in (
        ("enable", "enable an endpoint (a disabled one resumes)"),
        ("disable", "disable an endpoint (nothing is sent to it until enabled)"),
        ("remove", "stop and forget an endpoint"),
    ):
        actions.add_parser(name, help=what).add_argument("webhook_id", type=int, metavar="ID")
    replay = actions.add_parser("replay", help="send again every matching change after a seq")
    replay.add_argument("webhook_id", type=int, metavar="ID")
    replay.add_argument("--after", type=int, default=0, metavar="SEQ", help="default 0: all")

    deliveries = command("deliveries", "emails and webhook calls, newest first (admin)")
    deliveries.add_argument("--failed", action="store_true", help="only the failed ones")
    deliveries.add_argument("--state", choices=["pending", "sent", "failed"])
    deliveries.add_argument("--order", type=int, dest="order_id", metavar="ID")
    deliveries.add_argument("--kind", choices=["email", "webhook"])
    deliveries.add_argument("--limit", type=int, default=100, help="at most 1000")


async def webhooks(rest: KdsRest, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    action = args.webhooks_action
    if action == "add":
        webhook, secret = await rest.add_webhook(args.webhook_url, args.event, args.description)
        _emit(
            args,
            out,
            {"webhook": webhook.model_dump(mode="json"), "secret": secret},
            webhook_text(webhook),
        )
        if not args.json:
            print(
                "the secret below is shown only now; give it to the receiver to verify "
                "signatures (Standard Webhooks):",
                file=sys.stderr,
            )
            out(secret)
        return 0
    if action == "list":
        found = await rest.webhooks()
        _emit(
            args,
            out,
            {"webhooks": [w.model_dump(mode="json") for w in found]},
            webhook_table(found) if found else "no webhooks; add one with: webhooks add URL",
        )
        return 0
    if action in ("enable", "disable"):
        webhook = await rest.change_webhook(args.webhook_id, enabled=action == "enable")
        _emit(args, out, {"webhook": webhook.model_dump(mode="json")}, webhook_text(webhook))
        return 0
    if action == "remove":
        await rest.remove_webhook(args.webhook_id)
        _emit(
            args,
            out,
            {"webhook_id": args.webhook_id, "removed": True},
            f"webhook {args.webhook_id} removed",
        )
        return 0
    if args.after < 0:
        raise UsageError("--after must be a seq, 0 or more")
    queued = await rest.replay_webhook(args.webhook_id, args.after)
    _emit(
        args,
        out,
        {"webhook_id": args.webhook_id, "queued": queued},
        f"webhook {args.webhook_id}: {queued} change(s) after seq {args.after} queued again",
    )
    return 0


async def deliveries(rest: KdsRest, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    state = "failed" if args.failed else args.state
    found = await rest.deliveries(
        order_id=args.order_id, kind=args.kind, state=state, limit=args.limit
    )
    _emit(
        args,
        out,
        {"deliveries": [d.model_dump(mode="json") for d in found]},
        delivery_table(found) if found else "no deliveries",
    )
    return 0


def _emit(args: argparse.Namespace, out: Callable[[str], None], data: Any, text: str) -> None:
    import json

    out(json.dumps(data, separators=(",", ":"), ensure_ascii=False) if args.json else text)
