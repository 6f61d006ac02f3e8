"""Real receivers for the outbox's tests: an aiohttp webhook receiver and an aiosmtpd mail
sink, each on a free port in a thread of its own (so a test that blocks its own loop, on
a subprocess say, never keeps them from answering)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.server import free_port


@dataclass
class Call:
    """One request the receiver got; ``status`` is -1 until its answer is sent."""

    headers: dict[str, str]
    body: bytes
    at: float
    status: int


@dataclass
class Reply:
    """How the receiver answers: status, headers, after a delay, with a body of some size;
    ``hang`` sends the headers and then never finishes the body."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body_bytes: int = 2
    hang: bool = False
    hold: threading.Event | None = None
    """Answer only once this is set (or after 60 s)."""


class WebhookReceiver:
    """An HTTP server that records every POST and answers as it is told."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.calls: list[Call] = []
        self.reply = Reply()
        self.script: list[Reply] = []
        """Replies used first, one per request, before ``reply``."""
        self._lock = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> WebhookReceiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        with self._lock:
            reply = self.script.pop(0) if self.script else self.reply
            # Until its answer is sent a call has no status (a hung one never gets one).
            call = Call(dict(request.headers), body, time.monotonic(), -1)
            self.calls.append(call)
            self._lock.notify_all()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.hold is not None:
            await asyncio.to_thread(reply.hold.wait, 60)
        if not reply.hang:
            with self._lock:
                call.status = reply.status
                self._lock.notify_all()
        if reply.hang:
            response = web.StreamResponse(status=reply.status, headers=reply.headers)
            response.content_length = 10_000_000
            await response.prepare(request)
            await response.write(b"x" * 10)
            await asyncio.sleep(120)
            return response
        return web.Response(
            status=reply.status, headers=reply.headers, body=b"x" * reply.body_bytes
        )

    # --- looking at what came ------------------------------------------------------------

    def ok_calls(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if 200 <= c.status < 300]

    def delivered_ids(self) -> Counter[str]:
        """How many times each webhook-id was answered with a 2xx."""
        return Counter(c.headers.get("webhook-id", "") for c in self.ok_calls())

    def wait(self, predicate: Callable[[WebhookReceiver], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"webhook receiver: condition not met in {timeout} s; "
                        f"{len(self.calls)} calls: {[c.status for c in self.calls][-20:]}"
                    )
                self._lock.wait(min(left, 0.2))

    async def wait_async(
        self, predicate: Callable[[WebhookReceiver], bool], timeout: float = 20.0
    ) -> None:
        await asyncio.to_thread(self.wait, predicate, timeout)


class _Sink:
    def __init__(self, owner: MailSink) -> None:
        self.owner = owner

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        code = self.owner.refuse.get(address)
        if code:
            return f"{code} refused by the test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.owner.lock:
            self.owner.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.owner.lock.notify_all()
        return "250 Message accepted"


class MailSink:
    """An SMTP server (aiosmtpd) that keeps every message it accepts; ``refuse`` maps an
    address to the code its RCPT gets (550: permanent, 450: try again)."""

    def __init__(self, **controller: Any) -> None:
        self.port = free_port()
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: dict[str, int] = {}
        self.lock = threading.Condition()
        self.controller = Controller(
            _Sink(self), hostname="127.0.0.1", port=self.port, **controller
        )
        self.url = f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait(self, count: int, timeout: float = 20.0) -> list[tuple[list[str], EmailMessage]]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"mail sink: {len(self.messages)} messages after {timeout} s, "
                        f"expected {count}"
                    )
                self.lock.wait(min(left, 0.2))
            return list(self.messages)

    async def wait_async(
        self, count: int, timeout: float = 20.0
    ) -> list[tuple[list[str], EmailMessage]]:
        return await asyncio.to_thread(self.wait, count, timeout)
