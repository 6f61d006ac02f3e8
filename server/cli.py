"""``kds-server``: run the server, apply migrations, manage tokens."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import errno
import logging
import socket
import sys
import urllib.parse
from pathlib import Path

from aiohttp import web

from kds_contract import Role
from kds_contract.local import DEFAULT_HOST, DEFAULT_PORT, default_data_dir
from kds_contract.models import MAX_NAME
from server import __version__, logs
from server.commands import backup_sqlite, migrate_command, restore_command, token_command
from server.config import MetricsPlace, Settings, env, redact_url
from server.db.migrate import schema_head
from server.exits import CommandError, Exit
from server.outbox.config import add_arguments as add_outbox_arguments
from server.outbox.config import outbox_settings
from server.web.remote import trusted_networks

log = logging.getLogger("server")


def _common(parser: argparse.ArgumentParser, *, sub: bool = True) -> None:
    # A subcommand's copy must not reset what was given before the subcommand's name.
    default = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="data folder (env KDS_DATA_DIR; default: the user's data folder)",
    )
    parser.add_argument(
        "--db",
        default=default,
        help="database URL, e.g. postgresql+asyncpg://user@host/kds "
        "(env KDS_DB; default: SQLite in the data folder)",
    )


class _Version(argparse.Action):
    """``--version``: the package's version and the newest database schema it knows."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"kds-server {__version__} (database schema {schema_head()})")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kds-server",
        description="The KDS order server: REST API and Socket.IO on one port.",
    )
    _common(parser, sub=False)
    parser.add_argument(
        "--host", default=None, help=f"address to listen on (env KDS_HOST; default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=None, help=f"port (env KDS_PORT; default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--redis",
        default=None,
        help="Redis URL to share events between server processes (env KDS_REDIS)",
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=None,
        help="an origin allowed to connect from a browser "
        "(repeatable; env KDS_CORS_ORIGIN, comma-separated)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=None,
        help="a proxy (address or network) whose X-Forwarded-For names the client "
        "(repeatable; env KDS_TRUSTED_PROXY, comma-separated)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="requests per second one token may make, bursts of twice that; 0 = no limit "
        "(env KDS_RATE_LIMIT; default 100)",
    )
    parser.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING, ERROR (env KDS_LOG_LEVEL)"
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="the base of links sent to customers, e.g. https://orders.example.com "
        "(env KDS_PUBLIC_URL; default http://HOST:PORT)",
    )
    parser.add_argument(
        "--restaurant-name",
        default=None,
        help="the name customers see on their pages (env KDS_RESTAURANT_NAME)",
    )
    parser.add_argument(
        "--pickup-names",
        action="store_true",
        default=None,
        help="show customers' names on the pickup board (env KDS_PICKUP_NAMES=1; "
        "default: numbers only)",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument(
        "--log-format",
        default=None,
        choices=logs.FORMATS,
        help="text for people, json for a log collector: one object per line "
        "(env KDS_LOG_FORMAT; default text)",
    )
    parser.add_argument(
        "--metrics",
        default=None,
        help="where GET /metrics is served: on (this port), off, or [HOST:]PORT for a "
        "listener of its own (env KDS_METRICS; default on)",
    )
    parser.add_argument(
        "--max-due-days",
        type=float,
        default=None,
        help="how many days ahead an order may be due (a later due_at is refused) "
        "(env KDS_MAX_DUE_DAYS; default 7)",
    )
    add_outbox_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _common(sub.add_parser("serve", help="run the server (the default)"))
    _common(sub.add_parser("migrate", help="create or upgrade the database schema, then exit"))
    backup = sub.add_parser("backup", help="copy a SQLite database while the server runs")
    _common(backup)
    backup.add_argument("target", type=Path, help="the file to write the copy to")
    restore = sub.add_parser(
        "restore",
        help="put a backup in place of the SQLite database (servers stopped), or with "
        "PostgreSQL (after pg_restore) only renew the event log's epoch; clients reload",
    )
    _common(restore)
    restore.add_argument(
        "backup", type=Path, nargs="?", help="the file `kds-server backup` made (SQLite)"
    )
    token = sub.add_parser("token", help="create, list or revoke API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create", help="make a token; it is printed once, on the last line"
    )
    _common(create)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name", default=None, help="a name to recognise it by")
    create.add_argument("--user-id", default=None, help="the customer account (role customer)")
    _common(token_sub.add_parser("list", help="list tokens (never the tokens themselves)"))
    revoke = token_sub.add_parser("revoke", help="revoke a token by id, name or prefix")
    _common(revoke)
    revoke.add_argument("ident", help="the token's id, name or prefix (from `token list`)")
    return parser


_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def _database_url(url: str | None) -> str | None:
    """The URL with this server's async driver; a clear error for anything else."""
    if url is None:
        return None
    scheme, sep, rest = url.partition("://")
    scheme = _DRIVERS.get(scheme, scheme)
    if not sep or scheme not in _DRIVERS.values():
        raise ValueError(
            f"--db: cannot use '{redact_url(url)}'; give sqlite+aiosqlite:///PATH/kds.db or "
            "postgresql+asyncpg://USER:PASSWORD@HOST/DATABASE"
        )
    return f"{scheme}://{rest}"


def _port(flag: int | None) -> int:
    if flag is not None:
        return flag
    return int(env("PORT", str(DEFAULT_PORT)) or DEFAULT_PORT)


def _public_url(url: str | None) -> str | None:
    """An http(s) base URL without query or fragment; a clear error for anything else."""
    if not url:
        return None
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(
            f"--public-url: '{url}' is not an http(s) URL; give the address customers open, "
            "like https://orders.example.com"
        )
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise ValueError(
            f"--public-url: '{url}' may not have a query, a fragment or credentials; "
            "give only the base, like https://orders.example.com/kds"
        )
    return url.rstrip("/")


def _restaurant_name(name: str | None) -> str:
    name = (name or "").strip()
    if len(name) > MAX_NAME or any(not ch.isprintable() for ch in name):
        raise ValueError(f"--restaurant-name: at most {MAX_NAME} printable characters on one line")
    return name


def _flag(value: bool | None, name: str) -> bool:
    if value is not None:
        return value
    return (env(name, "") or "").strip().lower() in ("1", "true", "yes", "on")


def settings_from(args: argparse.Namespace) -> Settings:
    """Flags, then KDS_* environment variables, then defaults."""
    data_dir = args.data_dir or default_data_dir()
    cors = getattr(args, "cors_origin", None) or [
        o.strip() for o in (env("CORS_ORIGIN") or "").split(",") if o.strip()
    ]
    proxies = getattr(args, "trusted_proxy", None) or [
        p.strip() for p in (env("TRUSTED_PROXY") or "").split(",") if p.strip()
    ]
    trusted_networks(proxies)  # a bad one is a usage error now, not at the first request
    rate = getattr(args, "rate_limit", None)
    db_url = _database_url(args.db or env("DB"))
    return Settings(
        host=getattr(args, "host", None) or env("HOST", DEFAULT_HOST) or DEFAULT_HOST,
        port=_port(getattr(args, "port", None)),
        data_dir=data_dir,
        db_url=db_url,
        redis_url=getattr(args, "redis", None) or env("REDIS"),
        cors_origins=tuple(cors),
        trusted_proxies=tuple(proxies),
        rate_limit=rate if rate is not None else float(env("RATE_LIMIT", "100") or 100),
        log_level=_log_level(getattr(args, "log_level", None)),
        public_url=_public_url(getattr(args, "public_url", None) or env("PUBLIC_URL")),
        restaurant_name=_restaurant_name(
            getattr(args, "restaurant_name", None) or env("RESTAURANT_NAME")
        ),
        pickup_names=_flag(getattr(args, "pickup_names", None), "PICKUP_NAMES"),
        track_misses_per_minute=float(env("TRACK_MISSES_PER_MINUTE", "10") or 10),
        log_format=(getattr(args, "log_format", None) or env("LOG_FORMAT", "text") or "text"),
        metrics=_metrics(getattr(args, "metrics", None) or env("METRICS", "on") or "on"),
        max_due_days=_max_due_days(getattr(args, "max_due_days", None)),
        **outbox_settings(args),
    )


def _max_due_days(flag: float | None) -> float:
    text = str(flag) if flag is not None else env("MAX_DUE_DAYS", "7") or "7"
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 < days <= 366:
        raise ValueError(
            f"--max-due-days: '{text}' is not a number of days from more than 0 to 366 (default 7)"
        )
    return days


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _metrics(text: str) -> str:
    MetricsPlace.parse(text)  # a mistyped setting is refused at start, naming it
    return text


def _log_level(flag: str | None) -> str:
    level = (flag or env("LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"--log-level: '{level.lower()}' is not one of {', '.join(LOG_LEVELS)}")
    return level


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and an exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"kds-server: {exc}", file=sys.stderr)
        return Exit.USAGE
    try:
        logs.configure(settings.log_level, settings.log_format)
    except ValueError as exc:
        print(f"kds-server: {exc}", file=sys.stderr)
        return Exit.USAGE
    if args.command in ("token", "backup", "restore"):
        # A command's output is its answer; the schema check it runs first says nothing.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(_run(args, settings))
    except CommandError as exc:
        print(f"kds-server: {exc}", file=sys.stderr)
        return exc.code
    except ValueError as exc:
        print(f"kds-server: {exc}", file=sys.stderr)
        return Exit.USAGE
    except OSError as exc:
        code, hint = Exit.FAILED, ""
        if exc.errno == errno.EADDRINUSE:
            code = Exit.IN_USE
            hint = "; is another kds-server running? Choose another one with --port"
        elif exc.errno == errno.EACCES and args.command in (None, "serve"):
            hint = "; ports below 1024 need privileges: choose another one with --port"
        print(f"kds-server: {exc}{hint}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.debug("unexpected failure", exc_info=True)
        print(
            f"kds-server: failed: {type(exc).__name__}: {exc} (--log-level DEBUG shows where)",
            file=sys.stderr,
        )
        return Exit.FAILED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "token":
        return asyncio.run(token_command(args, settings))
    if args.command == "backup":
        return backup_sqlite(settings, args.target)
    if args.command == "migrate":
        return asyncio.run(migrate_command(settings))
    if args.command == "restore":
        return asyncio.run(restore_command(settings, args.backup))
    return serve(settings)


def serve(settings: Settings) -> int:
    from server.app import init_app, local_url

    loop: asyncio.AbstractEventLoop | None = None
    try:
        import uvloop  # a dependency but on Windows, where asyncio's own loop runs

        loop = uvloop.new_event_loop()
    except ImportError:
        pass
    # Bind first: a taken port is reported before the database is touched.
    sock = _bind(settings.host, settings.port)
    settings = dataclasses.replace(settings, port=sock.getsockname()[1])  # --port 0: any port
    app = init_app(settings)
    web.run_app(
        app,
        sock=sock,
        print=lambda _banner: log.info("listening on %s", local_url(settings)),
        access_log_class=logs.access_log(trusted_networks(settings.trusted_proxies)),
        shutdown_timeout=10,
        loop=loop,
    )
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock
