"""Customer emails: the SMTP setting, the templates, the message, and one attempt to send.

Templates are Jinja2 files: the built-in ones beside this module, each overridable by a
file of the same name in ``<data folder>/templates/email/``. Every template is compiled and
tried on a sample order when the server starts, so a bad one is refused then, with its file
and line, and never fails an email later.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import traceback
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

import aiosmtplib
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kds_contract.contact import Email
from server.outbox.attempt import ATTEMPT_TIMEOUT_S, DELIVERED, Outcome, failed

RECEIVED, READY = "received", "ready"
KINDS = (RECEIVED, READY)
PARTS = ("subject.txt", "txt", "html")
BUILT_IN = Path(__file__).resolve().parent / "templates"
OVERRIDES = Path("templates") / "email"
"""Where, in the data folder, templates that replace the built-in ones are looked for."""


class ConfigError(ValueError):
    """A setting or a template the server cannot start with; the message says which."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where emails go: ``smtp://[user:password@]host[:port][?starttls=true]`` or
    ``smtps://...`` (TLS from the first byte). Certificates are always checked."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    starttls: bool = False

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                f"--smtp: '{redact(url)}' is not an SMTP URL; give smtp://HOST[:PORT], "
                "smtp://USER:PASSWORD@HOST:587?starttls=true or smtps://HOST:465"
            )
        query = urllib.parse.parse_qs(parts.query)
        unknown = set(query) - {"starttls"}
        if unknown:
            raise ConfigError(f"--smtp: unknown option {sorted(unknown)[0]!r}; only starttls")
        starttls_text = (query.get("starttls") or ["false"])[-1].lower()
        if starttls_text not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigError("--smtp: starttls must be true or false")
        starttls = starttls_text in ("true", "1", "yes")
        tls = parts.scheme == "smtps"
        if tls and starttls:
            raise ConfigError("--smtp: smtps:// is TLS already; leave out starttls")
        try:
            port = parts.port or (465 if tls else 587 if starttls else 25)
        except ValueError as exc:
            raise ConfigError(f"--smtp: {exc}") from None
        unquote = urllib.parse.unquote
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            starttls=starttls,
        )

    def describe(self) -> str:
        how = "TLS" if self.tls else "STARTTLS" if self.starttls else "plain"
        user = f"{self.username}@" if self.username else ""
        return f"smtp {user}{self.host}:{self.port} ({how})"


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


def mail_from(address: str) -> str:
    """The sender address, checked as a customer's address is."""
    from pydantic import TypeAdapter, ValidationError

    try:
        return str(TypeAdapter(Email).validate_python(address))
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise ConfigError(f"--mail-from: '{address}' is {reason}") from None


SAMPLE_ORDER: dict[str, Any] = {
    "id": 42,
    "status": "ready",
    "order_type": "takeout",
    "table": None,
    "customer_name": "Sample Customer",
    "customer_email": "sample@example.com",
    "priority": "normal",
    "notes": None,
    "items": [{"id": 1, "name": "Burger", "quantity": 2, "modifiers": ["no onions"]}],
    "total_cents": 1850,
    "version": 3,
    "created_at": "2026-01-31T12:00:00.000Z",
    "updated_at": "2026-01-31T12:10:00.000Z",
    "tracking_code": "sample-tracking-code-0000000",
}


class Templates:
    """The subject, text and HTML templates of each kind of email, checked at start."""

    def __init__(self, data_dir: Path) -> None:
        self.override_dir = data_dir / OVERRIDES
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(self.override_dir), str(BUILT_IN)]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
        )
        self._templates: dict[str, jinja2.Template] = {}
        for kind in KINDS:
            for part in PARTS:
                name = f"{kind}.{part}"
                try:
                    self._templates[name] = self.env.get_template(name)
                except jinja2.TemplateSyntaxError as exc:
                    raise ConfigError(
                        f"email template {exc.filename}, line {exc.lineno}: {exc.message}"
                    ) from None
        for kind in KINDS:
            context = self.context(SAMPLE_ORDER, "Sample Restaurant", "https://example.com/t/x")
            try:
                self.render(kind, context)
            except Exception as exc:  # any error a template can raise, reported at start
                raise ConfigError(f"email template {_where(exc)}: {exc}") from None

    def overridden(self) -> list[str]:
        """The names of the templates read from the data folder."""
        return sorted(
            name
            for name, template in self._templates.items()
            if template.filename and Path(template.filename).parent == self.override_dir
        )

    @staticmethod
    def context(
        order: Mapping[str, Any], restaurant_name: str, tracking_url: str | None
    ) -> dict[str, Any]:
        return {"order": order, "restaurant_name": restaurant_name, "tracking_url": tracking_url}

    def render(self, kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """Subject (one line), plain text and HTML."""
        subject = self._templates[f"{kind}.subject.txt"].render(context)
        text = self._templates[f"{kind}.txt"].render(context)
        html = self._templates[f"{kind}.html"].render(context)
        return one_line(subject), text.strip() + "\n", html


def _where(exc: BaseException) -> str:
    """The template file and line an error was raised at (Jinja puts them in the traceback)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".txt", ".html")):
            return f"{frame.filename}, line {frame.lineno}"
    return "(unknown place)"


def one_line(text: str) -> str:
    """A header value: every run of whitespace or control characters is one space, so no
    text can start a header of its own."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", " ", text).strip()


def message_id(order_id: int, kind: str, sender: str) -> str:
    """The same for every attempt at one order's email of one kind."""
    domain = sender.rpartition("@")[2] or "kds.invalid"
    return f"<kds-order-{order_id}-{kind}@{domain}>"


class _Headers(HeaderRegistry):
    """The standard library's header registry, with less made again for every email.

    ``HeaderRegistry`` builds a new class (``type(...)``) each time a header is set, then
    parses its value: for the headers of one email, more of the server's CPU than taking
    the order (docs/PERFORMANCE.md). Here each header's class is made once, and the headers
    every email carries with the same value (the sender, the parts' content types and
    encodings) are parsed once: header objects are immutable strings, so one can be in many
    messages.
    """

    SAME_EVERY_TIME = frozenset(
        {"from", "auto-submitted", "mime-version", "content-type", "content-transfer-encoding"}
    )
    KEPT_MAX = 64

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._kept: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        key = (name, value)  # the name as written too: a header object carries it
        header = self._kept.get(key)
        if header is None:
            header = super().__call__(name, value)
            # A multipart's content type names its own boundary: not the same every time.
            if name.lower() in self.SAME_EVERY_TIME and len(self._kept) < self.KEPT_MAX:
                if "boundary=" not in value:
                    self._kept[key] = header
        return header


POLICY = SMTP.clone(header_factory=_Headers())
"""``email.policy.SMTP`` (CRLF line ends), with ``_Headers``."""


def build_message(
    *,
    sender: str,
    sender_name: str,
    to: str,
    message_id: str,
    subject: str,
    text: str,
    html: str,
    now: datetime,
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = formataddr((one_line(sender_name), sender)) if sender_name else sender
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """Renders and sends one email per attempt."""

    def __init__(
        self,
        smtp: SmtpSettings,
        sender: str,
        templates: Templates,
        *,
        restaurant_name: str,
        timeout: float = ATTEMPT_TIMEOUT_S,
    ) -> None:
        self.smtp = smtp
        self.sender = sender
        self.templates = templates
        self.restaurant_name = restaurant_name
        self.timeout = timeout
        self._tls = ssl.create_default_context()
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    def message(
        self, kind: str, order: Mapping[str, Any], to: str, tracking_url: str | None, now: datetime
    ) -> EmailMessage:
        subject, text, html = self.templates.render(
            kind, self.templates.context(order, self.restaurant_name, tracking_url)
        )
        return build_message(
            sender=self.sender,
            sender_name=self.restaurant_name,
            to=to,
            message_id=message_id(int(order["id"]), kind, self.sender),
            subject=subject,
            text=text,
            html=html,
            now=now,
        )

    async def send(self, message: EmailMessage) -> Outcome:
        """One attempt, over the connection kept open from the last one (one message at a
        time; a connection the server closed meanwhile is opened again once)."""
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    await self._send(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await self._drop()
                codes = [r.code for r in exc.recipients]
                detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
                return failed(
                    f"recipient refused: {detail}", permanent=all(c >= 500 for c in codes)
                )
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop()
                return failed(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500)
            except TimeoutError:
                await self._drop()
                return failed(f"the SMTP server did not answer in {self.timeout:g} s")
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._drop()
                return failed(f"could not send through {self.smtp.describe()}: {exc}")
        return DELIVERED

    async def _send(self, message: EmailMessage) -> None:
        for tries_left in (1, 0):
            client = await self._connected()
            try:
                await client.send_message(message)
                return
            except aiosmtplib.SMTPServerDisconnected:
                await self._drop()
                if not tries_left:
                    raise

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        smtp = self.smtp
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.tls,
            start_tls=smtp.starttls,
            validate_certs=True,
            tls_context=self._tls,
            timeout=self.timeout,
        )
        await client.connect()  # and STARTTLS, and the login, as the settings say
        self._client = client
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            client.close()

    async def close(self) -> None:
        """Say goodbye to the SMTP server, if a connection is open."""
        async with self._lock:
            client, self._client = self._client, None
            if client is not None and client.is_connected:
                try:
                    async with asyncio.timeout(5):
                        await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()
