"""One webhook call, as Standard Webhooks v1 says: the body, its headers and signature,
and what the answer means.

The signature is made by ``standardwebhooks`` itself (the specification's reference
library), so any Standard Webhooks verifier accepts it.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from datetime import datetime

import aiohttp
from standardwebhooks import Webhook

from kds_contract.models import utc_z
from server.outbox.attempt import ATTEMPT_TIMEOUT_S, DELIVERED, Outcome, failed
from server.outbox.schedule import retry_after

MAX_ANSWER_BYTES = 64 * 1024
"""At most this much of an answer is read; a longer one is cut off with its connection."""
MAX_CONNECTIONS = 64
MAX_CONNECTIONS_PER_HOST = 16


def webhook_body(event: str, at: datetime, data: str) -> bytes:
    """``{"type", "timestamp", "data"}`` with the stored payload spliced in as stored."""
    return f'{{"type":{json.dumps(event)},"timestamp":"{utc_z(at)}","data":{data}}}'.encode()


def signed_headers(secret: str, message_id: str, now: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt (and the content type)."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }


class WebhookSender:
    """POSTs signed webhooks over one connection pool; redirects are never followed."""

    def __init__(
        self, user_agent: str, timeout: float = ATTEMPT_TIMEOUT_S, hosts: tuple[str, ...] = ()
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.hosts = hosts
        """The only hosts calls may go to; empty: any."""
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=MAX_CONNECTIONS, limit_per_host=MAX_CONNECTIONS_PER_HOST
                ),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                auto_decompress=False,
                trust_env=False,
                headers={"user-agent": self.user_agent},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, url: str, secret: str, message_id: str, body: bytes, now: datetime
    ) -> Outcome:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        if self.hosts and host not in self.hosts:
            return failed(f"{host} is not among KDS_WEBHOOK_HOSTS; not sent", permanent=True)
        headers = signed_headers(secret, message_id, now, body)
        try:
            async with asyncio.timeout(self.timeout):
                return await self._post(url, headers, body, now)
        except TimeoutError:
            return failed(f"no answer in {self.timeout:g} s")
        except aiohttp.ClientError as exc:
            return failed(f"could not reach the endpoint: {type(exc).__name__}: {exc}")
        except OSError as exc:
            return failed(f"could not reach the endpoint: {exc}")

    async def _post(self, url: str, headers: dict[str, str], body: bytes, now: datetime) -> Outcome:
        session = self._open()
        async with session.post(url, data=body, headers=headers, allow_redirects=False) as answer:
            text = await _read_at_most(answer.content, MAX_ANSWER_BYTES)
            if not answer.content.at_eof():
                answer.close()  # the rest is never read: drop the connection with it
            status = answer.status
            if 200 <= status < 300:
                return DELIVERED
            snippet = text[:200].decode("utf-8", "replace")
            if status == 410:
                return failed(f"HTTP 410 Gone: {snippet}", permanent=True, gone=True)
            if 300 <= status < 400:
                where = answer.headers.get("Location", "")[:200]
                return failed(f"HTTP {status} redirect to {where} (redirects are not followed)")
            wait = None
            if status in (429, 503):
                wait = retry_after(answer.headers.get("Retry-After"), now)
            return failed(f"HTTP {status}: {snippet}", retry_after=wait)


async def _read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
