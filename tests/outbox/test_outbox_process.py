"""The outbox process (a child of the server that expands, claims and sends): a kill -9
between a change's commit and its expansion loses nothing, the process ends with the
server, and one that dies is replaced."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.receivers import MailSink, WebhookReceiver
from tests.support.server import ServerProcess


def _outbox_pid(server: ServerProcess) -> int | None:
    """The server's outbox process, if it runs."""
    assert server.proc is not None
    for task in Path(f"/proc/{server.proc.pid}/task").glob("*/children"):
        for pid in task.read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"server.outbox_main" in cmdline:
                return int(pid)
    return None


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` from the state on (the state is [0], nice [16])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie)."""
    try:
        return _stat(pid)[0] != "Z"
    except FileNotFoundError:
        return False


async def test_kill_9_between_commit_and_expansion_loses_nothing(
    server_factory: Callable[..., ServerProcess],
    backend_db: str,
    receiver: WebhookReceiver,
    mail_sink: MailSink,
) -> None:
    mail = ("--smtp", mail_sink.url, "--mail-from", "kitchen@example.com")
    server = server_factory(db_url=backend_db, extra_args=mail)
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.post("/api/webhooks", {"url": receiver.url})
        await wait_for(lambda: _outbox_pid(server) is not None, message="the outbox process")
        outbox = _outbox_pid(server)
        assert outbox is not None
        # Frozen, it cannot expand: the changes below commit with their outbox rows only.
        os.kill(outbox, signal.SIGSTOP)
        try:
            orders = [await api.create(customer_email=f"guest{i}@example.com") for i in range(5)]
            assert await api.deliveries() == []
        finally:
            server.kill()
            os.kill(outbox, signal.SIGKILL)
    assert not receiver.calls and not mail_sink.messages
    server.start()
    await receiver.wait_async(lambda r: len(r.delivered_ids()) == 5, timeout=30)
    await mail_sink.wait_async(5, timeout=30)
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.wait_all_sent(10)
    assert set(receiver.delivered_ids().values()) == {1}
    assert len(receiver.calls) == 5
    assert sorted(to[0] for to, _ in mail_sink.messages) == sorted(
        o["customer_email"] for o in orders
    )


async def test_the_outbox_process_is_replaced_if_it_dies_and_ends_with_the_server(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory()
    assert server.proc is not None
    async with Api(server.url, server.tokens["admin"]) as api:
        # Nothing to send yet: no process.
        assert _outbox_pid(server) is None
        await api.post("/api/webhooks", {"url": receiver.url})
        await api.create()
        await receiver.wait_async(lambda r: len(r.delivered_ids()) == 1)
        first = _outbox_pid(server)
        assert first is not None
        assert _stat(first)[16] == "10", "it runs niced"
        os.kill(first, signal.SIGKILL)

        def replaced() -> bool:
            pid = _outbox_pid(server)
            return pid is not None and pid != first

        await wait_for(replaced, timeout=10, message="another outbox process")
        assert "the outbox process stopped (exit code -9)" in server.log_text()
        await api.create()
        await receiver.wait_async(lambda r: len(r.delivered_ids()) == 2)
    second = _outbox_pid(server)
    assert second is not None
    server.kill()
    await wait_for(lambda: not _running(second), message="the outbox process to end")
    assert set(receiver.delivered_ids().values()) == {1}
