"""Logging: text for people (the default), or one JSON object per line for a log collector
(``--log-format json``), through the standard library's ``logging`` everywhere.

JSON lines are rendered by structlog's ``ProcessorFormatter``: every record, ours, aiohttp's
access log and the libraries', gets ``time`` (UTC), ``level``, ``logger`` and ``message``,
the request's id and the order id and seq where there is one (bound per request in
``request_context``; the fields a call passes with ``extra=`` too), and ``exception`` with
the traceback when there is one.

Nothing secret leaves in a log line, in either format: API tokens, webhook secrets,
tracking codes in paths, ``token=`` in query strings and e-mail addresses are replaced by
``redact`` on the finished line, whatever logged it.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import structlog
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from server.web.errors import Handler
from server.web.remote import Network, client_address

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-ID"
LOG_CONTEXT = "kds_log_context"
"""Where a request keeps its log fields for the access log line written after it."""

_SECRETS = [
    (re.compile(r"\bkds_[A-Za-z0-9_-]{40,}"), "kds_***"),  # API tokens
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_-]+"), "whsec_***"),  # webhook secrets
    (re.compile(r"(/track/)[A-Za-z0-9_-]+"), r"\1***"),  # tracking codes in paths
    (re.compile(r"(?i)([?&](?:token|access_token|code|key)=)[^&\s\"]+"), r"\1***"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "<email>"),
]
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def redact(text: str) -> str:
    """The text with tokens, secrets, tracking codes and e-mail addresses replaced."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class TextFormatter(logging.Formatter):
    """The text format, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _record_time(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    record = event.get("_record")
    created = record.created if record is not None else datetime.now(UTC).timestamp()
    moment = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    event["time"] = moment.replace("+00:00", "Z")
    return event


FIRST_KEYS = ("time", "level", "logger", "message")


def _first_keys(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> dict[str, Any]:
    """time, level, logger and message first; then the fields."""
    ordered = {key: event.pop(key) for key in FIRST_KEYS if key in event}
    ordered.update(event)
    return ordered


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    """One JSON object per line, redacted."""

    def __init__(self) -> None:
        super().__init__(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                _record_time,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.EventRenamer("message"),
                _first_keys,
                structlog.processors.JSONRenderer(sort_keys=False, default=str),
            ],
        )

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Send every logger's records to stderr in ``fmt`` (``text`` or ``json``)."""
    if fmt not in FORMATS:
        raise ValueError(f"--log-format: '{fmt}' is not one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


def bind(**fields: Any) -> None:
    """Add fields (order id, seq) to the log lines of the request being handled, its
    access log line included; outside a request it does nothing."""
    if "request_id" in get_contextvars():
        bind_contextvars(**fields)


def _request_id(request: web.Request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Gives each request an id (the client's ``X-Request-ID`` if it sent a plain one),
    binds it and the path's order id to the request's log lines, and answers with it."""
    request_id = _request_id(request)
    clear_contextvars()  # a kept-alive connection's requests run in one task, one by one
    fields: dict[str, Any] = {"request_id": request_id}
    order_id = request.match_info.get("id", "")
    if order_id.isdigit() and len(order_id) < 19:
        fields["order_id"] = int(order_id)
    bind_contextvars(**fields)
    try:
        response = await handler(request)
    finally:
        request[LOG_CONTEXT] = get_contextvars()
        clear_contextvars()
    if not response.prepared:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def access_log(networks: tuple[Network, ...] = ()) -> type[AbstractAccessLogger]:
    """aiohttp's access log: one line per request, with the client's address (from
    ``X-Forwarded-For`` when the peer is a trusted proxy, ``server.web.remote``) and the
    request's log fields for the JSON format; the path's tracking code and query tokens are
    redacted like everything else."""

    class AccessLog(AbstractAccessLogger):
        def log(self, request: Any, response: web.StreamResponse, time: float) -> None:
            remote = client_address(request, networks) or "-"
            fields = dict(request.get(LOG_CONTEXT) or {})
            fields.update(
                remote=remote,
                method=request.method,
                path=request.path_qs,
                status=response.status,
                bytes=response.body_length,
                duration_s=round(time, 6),
            )
            self.logger.info(
                '%s "%s %s HTTP/%d.%d" %s %s %.6fs',
                remote,
                request.method,
                request.path_qs,
                request.version.major,
                request.version.minor,
                response.status,
                response.body_length,
                time,
                extra=fields,
            )

        @property
        def enabled(self) -> bool:
            return self.logger.isEnabledFor(logging.INFO)

    return AccessLog
