"""``kds-admin``: the admin console's command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kds_client.rest import normalize_urls
from kds_contract.local import DEFAULT_URL, read_local_tokens


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Flags first, then ``KDS_*`` environment variables, then the local token file."""
    parser = argparse.ArgumentParser(
        prog="kds-admin",
        description="The KDS admin console: every order live, filters, history, actions, figures.",
    )
    parser.add_argument(
        "--url",
        action="append",
        dest="urls",
        metavar="URL",
        help="server to use; repeat (or separate with commas) for failover (default: KDS_URL, "
        f"the local server's address, else {DEFAULT_URL})",
    )
    parser.add_argument(
        "--token",
        help="admin token (default: KDS_TOKEN, else the local server's token file)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the local server's data folder, for its token file (default: KDS_DATA_DIR, "
        "else the user's data folder)",
    )
    parser.add_argument(
        "--bell",
        action="store_true",
        default=os.environ.get("KDS_ADMIN_BELL", "").lower() in ("1", "true", "yes", "on"),
        help="ring the terminal bell for an order cancelled, a webhook failing and a screen "
        "going offline (default: off, or KDS_ADMIN_BELL=1; b turns it on or off while running)",
    )
    parser.add_argument("--no-bell", action="store_false", dest="bell", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def resolve(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The URLs and token to use."""
    local = read_local_tokens(args.data_dir)
    urls = _split(args.urls or []) or _split([os.environ.get("KDS_URL", "")])
    urls = urls or [local.get("url") or DEFAULT_URL]
    token = args.token or os.environ.get("KDS_TOKEN") or local.get("admin")
    return urls, token


def _split(values: Sequence[str]) -> list[str]:
    """URLs given repeatedly or comma-separated, in order."""
    return [url.strip() for value in values for url in value.split(",") if url.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console until the person quits."""
    from admin_tui.app import make_app

    args = parse_args(argv)
    urls, token = resolve(args)
    try:
        urls = normalize_urls(urls)
    except ValueError as error:
        print(f"kds-admin: {error}", file=sys.stderr)
        return 2
    if not token:
        print(
            "kds-admin: no token. Pass --token, set KDS_TOKEN, or run on the server's host "
            "(its local token file is read).",
            file=sys.stderr,
        )
        return 2
    app = make_app(urls, token, bell=args.bell)
    app.run()
    return app.return_code or 0
