"""An async client for every endpoint of the KDS REST API, with failover across servers.

Answers come back as kds_contract models; refusals as the typed errors of
:mod:`kds_client.errors`, carrying the server's own message. When a server cannot be
reached the next URL is tried; when none can, :class:`~kds_client.errors.Offline`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from yarl import URL

from kds_client.errors import KdsError, Offline, ServerError, TooManyRequests, error_from_response
from kds_client.rest_menu import MenuCalls
from kds_client.rest_outbox import OutboxCalls
from kds_client.server_clock import ServerClock
from kds_client.store import Event, parse_order
from kds_contract import Order, OrderCreate, OrderEdit, Status
from kds_contract.screens import ScreensAnswer

log = logging.getLogger(__name__)

Json = dict[str, Any]

# Retrying these on another server cannot apply a change twice.
_SAFE_TO_RESEND = frozenset({"GET", "HEAD", "OPTIONS"})
_UNANSWERED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)
"""The server closed the connection (or reset it) before any answer was read: a kept-alive
connection its previous process had closed looks like this on first use."""


@dataclass(frozen=True)
class OrderPage:
    """One page of ``GET /api/orders``. ``seq`` is the last committed seq at the read."""

    orders: list[Order]
    total: int
    page: int
    per_page: int
    seq: int | None = None
    epoch: str | None = None
    """The event log's epoch ``seq`` belongs to (None from a server without epochs)."""
    max_id: int | None = None
    """The highest order id at the read: ``max_id`` for the next pages of the same list."""

    @property
    def pages(self) -> int:
        """How many pages there are at this page size."""
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


@dataclass(frozen=True)
class EventPage:
    """One page of ``GET /api/events``: the events and the server's latest seq."""

    events: list[Event]
    last_seq: int | None
    epoch: str | None = None
    """The event log's epoch (None from a server without epochs)."""


def normalize_urls(urls: Sequence[str] | str) -> list[str]:
    """Server base URLs without trailing slashes; a bare ``host:port`` gets ``http://``."""
    items = [urls] if isinstance(urls, str) else list(urls)
    out: list[str] = []
    for raw in items:
        for part in raw.split(","):
            url = part.strip()
            if not url:
                continue
            if "://" not in url:
                url = f"http://{url}"
            _check_url(url, part.strip())
            url = url.rstrip("/")
            if url not in out:
                out.append(url)
    if not out:
        raise ValueError("no server URL given")
    return out


def _check_url(url: str, given: str) -> None:
    try:
        parsed = URL(url)
        port = parsed.port
        problem = (
            f"it is {parsed.scheme}, not http or https"
            if parsed.scheme not in ("http", "https")
            else "it has no host"
            if not parsed.host
            else "port 0"
            if port == 0
            else None
        )
    except ValueError as exc:
        problem = str(exc).removeprefix("Invalid URL: ").lower()
    if problem:
        raise ValueError(
            f"{given!r} is not a server URL ({problem}); give one like http://127.0.0.1:5000"
        )


def _timestamp(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat().replace("+00:00", "Z")


class KdsRest(MenuCalls, OutboxCalls):
    """REST calls to a KDS server, failing over across ``urls`` on connection errors.

    Create it anywhere; the HTTP session opens on the first call, in the running loop.
    Close it with :meth:`close` (or ``async with``).
    """

    def __init__(self, urls: Sequence[str] | str, token: str, *, timeout: float = 10.0) -> None:
        self.urls = normalize_urls(urls)
        self.token = token
        self.timeout = timeout
        self._index = 0
        self._session: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None
        self.server_clock = ServerClock()
        """The server's clock, from its answers' ``Date`` headers."""

    @property
    def url(self) -> str:
        """The server URL in use; the next one is tried when it cannot be reached."""
        return self.urls[self._index]

    def use(self, url: str) -> None:
        """Prefer this server from now on (the live feed calls it with the server it joined)."""
        url = url.rstrip("/")
        if url not in self.urls:
            self.urls.append(url)
        self._index = self.urls.index(url)

    async def __aenter__(self) -> KdsRest:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def use_token(self, token: str) -> None:
        """Send ``token`` from the next request on."""
        self.token = token
        await self.close()  # the sessions carry the old one in their headers

    async def close(self) -> None:
        """Close the HTTP sessions."""
        for session in (self._session, self._fresh):
            if session is not None and not session.closed:
                await session.close()
        self._session = self._fresh = None

    # -- the endpoints ----------------------------------------------------------------

    async def health(self, *, url: str | None = None) -> Json:
        """Liveness: ``{"status": "ok", "database": "ok", "seq": N, ...}``.

        ``url`` asks that one server only, without failover (so do ``list_orders`` and
        ``event_page``: the live feed checks the server its socket is on).
        """
        return await self._request("GET", "/api/health", url=url)

    async def create_order(
        self, order: OrderCreate | Json, *, idempotency_key: str | None = None
    ) -> Order:
        """Create an order. A key is generated when none is given, so a retry is safe."""
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        body = await self._request(
            "POST", "/api/orders", json=_body(order), headers=headers, resend=True
        )
        return _order(body)

    async def list_orders(
        self,
        *,
        status: Sequence[Status | str] | Status | str | None = None,
        station: str | None = None,
        q: str | None = None,
        page: int = 1,
        per_page: int = 50,
        sort: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        max_id: int | None = None,
        url: str | None = None,
    ) -> OrderPage:
        """One page of orders, filtered and sorted (``sort``: ``id``, ``-created_at``...).

        ``max_id``: only orders with an id at most this, so that the pages of a list stay
        as they were when its first page was read (new orders do not shift them)."""
        if isinstance(status, str):
            statuses = [status]
        else:
            statuses = [str(s) for s in status or ()]
        params: dict[str, str] = {"page": str(page), "per_page": str(per_page)}
        if statuses:
            params["status"] = ",".join(statuses)
        optional = {
            "station": station,
            "q": q,
            "sort": sort,
            "since": _timestamp(since),
            "until": _timestamp(until),
            "max_id": None if max_id is None else str(int(max_id)),
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        body = await self._request("GET", "/api/orders", params=params, url=url)
        try:
            given = list(body["orders"])
            rest = body
            # A page of very large orders comes in parts of at most 4 MiB: the rest of it
            # is at `next`, asked of the server that answered.
            while isinstance(rest.get("next"), str) and rest["orders"]:
                rest = await self._request("GET", rest["next"], url=url or self.url)
                given.extend(rest["orders"])
            return OrderPage(
                orders=[parse_order(o) for o in given],
                total=int(body.get("total", len(body["orders"]))),
                page=int(body.get("page", page)),
                per_page=int(body.get("per_page", per_page)),
                seq=int(body["seq"]) if body.get("seq") is not None else None,
                epoch=_epoch(body),
                max_id=int(body["max_id"]) if body.get("max_id") is not None else None,
            )
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise ServerError(f"unexpected order list from {self.url}: {exc}") from exc

    async def get_order(self, order_id: int) -> Order:
        """One order."""
        return _order(await self._request("GET", f"/api/orders/{int(order_id)}"))

    async def move(
        self, order_id: int, status: Status | str, *, version: int | None = None
    ) -> Order:
        """Move an order to ``status``; with ``version``, only if nobody changed it since."""
        body: Json = {"status": str(status)}  # the server judges; a bad one is Invalid
        if version is not None:
            body["version"] = version
        return _order(
            await self._request("PATCH", f"/api/orders/{int(order_id)}/status", json=body)
        )

    async def mark_item(self, order_id: int, item_id: int, done: bool) -> Order:
        """Mark one item of an order done (or not done)."""
        path = f"/api/orders/{int(order_id)}/items/{int(item_id)}"
        # Setting done to a value twice is setting it once: safe to send again.
        return _order(await self._request("PATCH", path, json={"done": bool(done)}, resend=True))

    async def edit_order(self, order_id: int, changes: OrderEdit | Json) -> Order:
        """Edit notes, priority, items, table, customer... (admin)."""
        path = f"/api/orders/{int(order_id)}"
        return _order(await self._request("PATCH", path, json=_body(changes)))

    async def delete_order(self, order_id: int) -> None:
        """Delete an order (admin)."""
        await self._request("DELETE", f"/api/orders/{int(order_id)}")

    async def order_events(self, order_id: int) -> list[Event]:
        """An order's history, oldest first (admin)."""
        body = await self._request("GET", f"/api/orders/{int(order_id)}/events")
        return _events(body, self.url)

    async def events(self, after: int = 0, limit: int = 1000) -> list[Event]:
        """Every change after seq ``after``, in order, at most ``limit``."""
        return (await self.event_page(after, limit)).events

    async def event_page(
        self, after: int = 0, limit: int = 1000, *, url: str | None = None
    ) -> EventPage:
        """Like :meth:`events`, with the server's latest seq (for catching up)."""
        params = {"after": str(int(after)), "limit": str(int(limit))}
        body = await self._request("GET", "/api/events", params=params, url=url)
        last = body.get("last_seq")
        return EventPage(
            _events(body, self.url), int(last) if last is not None else None, _epoch(body)
        )

    async def screens(self) -> ScreensAnswer:
        """Screens connected now and seen in the last 24 h, and the stations (admin)."""
        return ScreensAnswer.model_validate(await self._request("GET", "/api/screens"))

    async def stats(
        self, *, since: datetime | str | None = None, until: datetime | str | None = None
    ) -> Json:
        """Counts by status, time to ready and to completion, orders per hour (admin), for
        the orders created in the period (a missing bound is no bound)."""
        params = {
            k: v for k, v in (("since", _timestamp(since)), ("until", _timestamp(until))) if v
        }
        return await self._request("GET", "/api/stats", params=params)

    async def report(
        self,
        *,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        target_s: int | None = None,
        tz: str | None = None,
    ) -> Json:
        """Sales, ticket times, items sold and cancellations for the period, each beside
        the same period a week before (admin)."""
        given = {
            "since": _timestamp(since),
            "until": _timestamp(until),
            "target_s": None if target_s is None else str(int(target_s)),
            "tz": tz,
        }
        params = {k: v for k, v in given.items() if v is not None}
        return await self._request("GET", "/api/reports", params=params)

    async def openapi(self) -> Json:
        """The server's OpenAPI document."""
        return await self._request("GET", "/api/openapi.json")

    # -- the transport ----------------------------------------------------------------

    def _http(self, *, fresh: bool = False) -> aiohttp.ClientSession:
        """The session for a request. ``fresh``: one that opens a new connection for each
        request, for a change that must not be sent twice (see ``_request``)."""
        session = self._fresh if fresh else self._session
        if session is None or session.closed:
            headers = {"Accept": "application/json"}
            if self.token:  # none for GET /api/health, which answers anyone
                headers["Authorization"] = f"Bearer {self.token}"
            session = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout, connect=min(self.timeout, 5.0)),
                connector=aiohttp.TCPConnector(force_close=True) if fresh else None,
            )
            if fresh:
                self._fresh = session
            else:
                self._session = session
        return session

    async def _drop_kept_connections(self) -> None:
        """Forget the kept-alive connections: after one was found closed, the others were
        most likely closed by the same server process as it stopped."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        resend: bool = False,
        url: str | None = None,
    ) -> Json:
        """Send one request, trying each server in turn from the one in use.

        A server that refuses the connection is always skipped. A request that was sent and
        then lost (timeout, dropped connection) is sent again only when that is safe: a GET,
        or ``resend`` (a create carrying an idempotency key, an item's done mark). Such a
        request that a server closed or reset before any answer (a kept-alive connection its
        previous process closed) is sent once more to the same server on a new connection.
        Any other change always goes on a connection of its own, never on a kept-alive one
        that the server may have closed already.
        """
        resend = resend or method in _SAFE_TO_RESEND
        if url is not None:
            candidates = [url.rstrip("/")]
        else:
            candidates = self.urls[self._index :] + self.urls[: self._index]
        failures: list[str] = []
        for server in candidates:
            for again in (False, True):
                try:
                    sent_at = self.server_clock.local()
                    async with self._http(fresh=not resend).request(
                        method, server + path, json=json, params=params, headers=headers
                    ) as response:
                        self.server_clock.heard(
                            response.headers.get("Date"), sent_at, self.server_clock.local()
                        )
                        if url is None:
                            self._index = self.urls.index(server)
                        return await _answer(response, method, server + path)
                except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                    failures.append(f"{server}: {_reason(exc)}")  # never sent: try the next
                except _UNANSWERED as exc:
                    if resend and not again:
                        log.info("%s %s: %s; sending it again", method, path, _reason(exc))
                        await self._drop_kept_connections()
                        continue
                    failures.append(f"{server}: {_reason(exc)}")
                    if not resend:
                        raise _lost(method, path, server, exc) from exc
                except (
                    aiohttp.ClientConnectionError,
                    aiohttp.ClientPayloadError,
                    TimeoutError,
                ) as exc:
                    failures.append(f"{server}: {_reason(exc)}")
                    if not resend:
                        raise _lost(method, path, server, exc) from exc
                break
            log.info("%s %s failed on %s", method, path, server)
        raise Offline("offline: cannot reach the server (" + "; ".join(failures) + ")")


def _lost(method: str, path: str, server: str, exc: BaseException) -> Offline:
    return Offline(
        f"offline: lost the connection to {server} during {method} {path} "
        f"({_reason(exc)}); the change may or may not have been made"
    )


async def _answer(response: aiohttp.ClientResponse, method: str, where: str) -> Json:
    if response.status == 204:
        return {}
    raw = await response.read()
    try:
        # pydantic's JSON parser: faster than json.loads on a catch-up page
        # (docs/PERFORMANCE.md).
        body = from_json(raw) if raw.strip() else {}
    except ValueError:
        body = None
    if response.status >= 400:
        error = error_from_response(
            response.status, body, fallback=f"{method} {where}: HTTP {response.status}"
        )
        if isinstance(error, TooManyRequests):
            error.retry_after = _float(response.headers.get("Retry-After"))
        raise error
    if not isinstance(body, dict):
        raise ServerError(
            f"{method} {where}: the answer is not a JSON object", status=response.status
        )
    return body


def _epoch(body: Json) -> str | None:
    epoch = body.get("epoch")
    return epoch if isinstance(epoch, str) else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "no connection in time"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "connection refused"
        return exc.os_error.strerror or str(exc.os_error) or "cannot connect"
    return str(exc) or type(exc).__name__


def _body(value: BaseModel | Json) -> Json:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return value


def _order(body: Json) -> Order:
    try:
        return parse_order(body["order"])
    except (KeyError, TypeError, ValidationError) as exc:
        raise ServerError(f"unexpected answer, not an order: {exc}") from exc


def _events(body: Json, url: str) -> list[Event]:
    try:
        return [Event.from_wire(e) for e in body["events"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerError(f"unexpected event list from {url}: {exc}") from exc


__all__ = ["EventPage", "KdsError", "KdsRest", "OrderPage", "normalize_urls"]
