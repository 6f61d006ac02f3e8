"""``kds-kitchen``: start the kitchen display from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from kds_client.rest import normalize_urls
from kds_contract.local import DEFAULT_URL, read_local_tokens
from kds_tui.config import ConfigError, Settings, load_config


def default_keys() -> dict[str, str]:
    """Every key binding a config file may remap: its id and its default keys."""
    from textual.binding import Binding

    from kds_tui.app import KitchenApp
    from kds_tui.widgets.board import Board

    return {
        b.id: b.key
        for b in [*Board.BINDINGS, *KitchenApp.BINDINGS]
        if isinstance(b, Binding) and b.id is not None
    }


def parser() -> argparse.ArgumentParser:
    ids = ", ".join(sorted(default_keys()))
    p = argparse.ArgumentParser(
        prog="kds-kitchen",
        description="The kitchen display: live tickets, one key per action.",
        epilog=(
            "Settings come from flags, then KDS_URL / KDS_TOKEN / KDS_STATION, then the config "
            "file, then the server's local token file on this host. Key binding ids for the "
            f"config file's [keys] table: {ids}."
        ),
    )
    p.add_argument(
        "--url",
        action="append",
        help="server URL; repeat for failover (default: KDS_URL, else the local server, else "
        + DEFAULT_URL
        + ")",
    )
    p.add_argument("--token", help="kitchen API token (default: KDS_TOKEN, else the local file)")
    p.add_argument(
        "--data-dir",
        type=Path,
        help="the local server's data folder, for its address and token file (default: "
        "KDS_DATA_DIR, else the user's data folder; kds-demo prints its own)",
    )
    p.add_argument("--station", help="show only this station's items (default: the expo view)")
    p.add_argument("--no-bell", action="store_true", help="do not ring the terminal bell")
    p.add_argument(
        "--config", type=Path, help="TOML file: key remaps, age colours, station, allergen words"
    )
    p.add_argument(
        "--pickup", action="store_true", help="customer-facing board: Preparing and Ready numbers"
    )
    p.add_argument(
        "--name",
        help="this screen's name in the admin's list of screens online "
        "(default: KDS_SCREEN_NAME, else the host name)",
    )
    return p


def settings_from(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """Settings from parsed flags, then the environment, then the config file and defaults."""
    settings = Settings()
    if args.config is not None:
        settings = replace(settings, **load_config(args.config, default_keys()))
    local = read_local_tokens(args.data_dir)
    urls = (
        args.url
        or [u for u in env.get("KDS_URL", "").split(",") if u]
        or [local.get("url") or DEFAULT_URL]
    )
    token = args.token or env.get("KDS_TOKEN") or local.get("kitchen", "")
    station = args.station or env.get("KDS_STATION") or settings.station
    try:
        urls = normalize_urls(urls)
    except ValueError as error:
        raise ConfigError(str(error)) from error
    return replace(
        settings,
        urls=tuple(urls),
        token=token,
        station=station or None,
        bell=settings.bell and not args.no_bell,
        pickup=args.pickup,
        screen_name=args.name or env.get("KDS_SCREEN_NAME") or None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the display until the cook presses q."""
    args = parser().parse_args(argv)
    try:
        settings = settings_from(args, dict(os.environ))
    except ConfigError as error:
        print(f"kds-kitchen: {error}", file=sys.stderr)
        return 2
    if not settings.token:
        print(
            "kds-kitchen: no token. Pass --token or set KDS_TOKEN "
            "(on the server's host the local token file is used).",
            file=sys.stderr,
        )
        return 2
    from kds_tui.app import make_app

    app = make_app(settings)
    app.run()
    return app.return_code or 0
