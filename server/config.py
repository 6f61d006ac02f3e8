"""Server settings: flags, then ``KDS_*`` environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kds_contract.local import DEFAULT_HOST, DEFAULT_PORT, default_data_dir
from server.outbox.schedule import EMAIL_RETRY_SECONDS, WEBHOOK_RETRY_SECONDS

DB_FILE = "kds.db"


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to start; built once by the command line."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    db_url: str | None = None
    redis_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of proxies whose ``X-Forwarded-For`` names the client."""
    rate_limit: float = 100.0
    """Requests per second one token may make (bursts of twice that); 0 turns the limit off."""
    log_level: str = "INFO"
    log_format: str = "text"
    """``text`` for people, ``json`` for a log collector (one object per line)."""
    metrics: str = "on"
    """Where ``/metrics`` is served: ``on`` (this port), ``off``, or ``[HOST:]PORT``."""
    revoke_check_seconds: float = 2.0
    public_url: str | None = None
    """The base of links sent to customers (``--public-url``); None: this server's own
    address (see ``link_base``)."""
    restaurant_name: str = ""
    """Shown on the customer's pages and in what is sent to customers."""
    pickup_names: bool = False
    """Whether the pickup board shows customers' names (``--pickup-names``)."""
    track_misses_per_minute: float = 10.0
    """Unknown tracking codes one address may try per minute (bursts of twice that) before
    its lookups are refused for a while; 0 turns the limit off."""
    smtp_url: str | None = None
    """Where customer emails go (server.outbox.email.SmtpSettings); None: no emails."""
    mail_from: str | None = None
    webhook_hosts: tuple[str, ...] = ()
    """The only hosts webhooks may be sent to (``KDS_WEBHOOK_HOSTS``); empty: any."""
    max_due_days: float = 7.0
    """How many days ahead an order may be due (``--max-due-days``)."""
    delivery_retention_days: float = 7.0
    email_retry_seconds: tuple[float, ...] = EMAIL_RETRY_SECONDS
    webhook_retry_seconds: tuple[float, ...] = WEBHOOK_RETRY_SECONDS

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``--db``, else a SQLite file in the data folder."""
        return self.db_url or f"sqlite+aiosqlite:///{self.data_dir / DB_FILE}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def link_base(self) -> str:
        """The base of customers' links: ``--public-url``, else ``http://<host>:<port>``."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def tracking_link(self, code: str) -> str:
        """The customer's link to an order's tracking page."""
        return f"{self.link_base}/track/{code}"


def env(name: str, default: str | None = None) -> str | None:
    """A ``KDS_<NAME>`` environment variable, or the default."""
    value = os.environ.get(f"KDS_{name}")
    return value if value not in (None, "") else default


def redact_url(url: str) -> str:
    """A database or Redis URL with its password hidden, for logs."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


@dataclass(frozen=True)
class MetricsPlace:
    """Where ``/metrics`` is served: off, on the server's port, or on a port of its own."""

    enabled: bool = True
    port: int | None = None
    host: str | None = None

    @classmethod
    def parse(cls, text: str) -> MetricsPlace:
        value = text.strip().lower()
        if value in ("on", ""):
            return cls()
        if value == "off":
            return cls(enabled=False)
        host, _, port = value.rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(
                f"--metrics: '{text}' is not on, off, PORT or HOST:PORT (e.g. 9100 or "
                "127.0.0.1:9100)"
            )
        return cls(port=int(port), host=host.strip("[]") or None)
