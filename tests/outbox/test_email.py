"""Customer emails through a real SMTP server (aiosmtpd): what is sent, when, and how a
refusal, an outage, a template and TLS are handled."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.outbox.conftest import FAST_RETRIES
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.receivers import MailSink
from tests.support.server import ServerProcess, free_port

SENDER = "kitchen@example.com"


def _mailing(sink_url: str, *more: str) -> tuple[str, ...]:
    return ("--smtp", sink_url, "--mail-from", SENDER, *more)


def _parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


async def test_received_and_first_ready_emails_with_text_and_html(
    any_server_factory: Callable[..., ServerProcess], mail_sink: MailSink
) -> None:
    server = any_server_factory(extra_args=_mailing(mail_sink.url))
    async with Api(server.url, server.tokens["pos"]) as pos:
        order = await pos.create(customer_name="Ann", customer_email="Ann@Example.COM")
        assert order["customer_email"] == "Ann@example.com"
        await pos.create(customer_name="No Email")
        kitchen = pos.as_(server.tokens["kitchen"])
        path = f"/api/orders/{order['id']}/status"
        for status in ("preparing", "ready", "preparing", "ready", "completed"):
            assert (await kitchen.patch(path, {"status": status})).status == 200
        messages = await mail_sink.wait_async(2)
        admin = pos.as_(server.tokens["admin"])
        await wait_for(
            lambda: _settled(admin, 2), message="every email recorded as sent", timeout=10
        )
        assert len(mail_sink.messages) == 2, "ready again after an undo sends no second email"
        (to1, received), (to2, ready) = messages
        assert to1 == to2 == ["Ann@example.com"]
        assert "received" in received["Subject"] and str(order["id"]) in received["Subject"]
        assert "ready" in ready["Subject"]
        assert received["From"].addresses[0].addr_spec == SENDER
        assert received["Message-ID"] == f"<kds-order-{order['id']}-received@example.com>"
        assert ready["Message-ID"] == f"<kds-order-{order['id']}-ready@example.com>"
        for message in (received, ready):
            parts = _parts(message)
            assert set(parts) == {"text/plain", "text/html"}
            assert "Ann" in parts["text/plain"] and "Ann" in parts["text/html"]
        assert "Burger" in _parts(received)["text/plain"]
        link = f"{server.url}/track/{order['tracking_code']}"
        assert link in _parts(received)["text/plain"] and link in _parts(received)["text/html"]
        emails = await admin.deliveries(kind="email")
        assert sorted((d["event"], d["state"], d["target"]) for d in emails) == [
            ("ready", "sent", "Ann@example.com"),
            ("received", "sent", "Ann@example.com"),
        ]


async def _settled(api: Api, count: int) -> bool:
    """Whether ``count`` deliveries are recorded (a change's outbox row becomes them
    moments after its commit) and none is pending."""
    found = await api.deliveries()
    return len(found) == count and all(d["state"] != "pending" for d in found)


@pytest.fixture
def any_server_factory(
    server_factory: Callable[..., ServerProcess], backend_db: str
) -> Callable[..., ServerProcess]:
    def make(**kwargs: Any) -> ServerProcess:
        return server_factory(db_url=backend_db, **kwargs)

    return make


async def test_without_smtp_no_email_is_sent_or_queued(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.create(customer_email="ann@example.com")
        assert await api.deliveries(kind="email") == []


@pytest.mark.parametrize(
    "email", ["not-an-address", "ann@", "a" * 250 + "@example.com", "ann@example.com\r\nBcc: x@y.z"]
)
async def test_an_invalid_customer_email_is_refused_naming_it(
    shared_server: ServerProcess, email: str
) -> None:
    async with Api(shared_server.url, shared_server.tokens["pos"]) as api:
        reply = await api.post(
            "/api/orders", {"items": [{"name": "Burger"}], "customer_email": email}
        )
        assert reply.status == 422, reply.body
        assert reply.error["details"]["field"] == "customer_email"


async def test_a_permanent_refusal_fails_the_email_and_a_temporary_one_is_retried(
    server_factory: Callable[..., ServerProcess], mail_sink: MailSink
) -> None:
    mail_sink.refuse = {"gone@example.com": 550, "busy@example.com": 450}
    server = server_factory(extra_args=_mailing(mail_sink.url), env=FAST_RETRIES)
    async with Api(server.url, server.tokens["admin"]) as api:
        gone = await api.create(customer_email="gone@example.com")
        busy = await api.create(customer_email="busy@example.com")
        await wait_for(lambda: _settled(api, 2), timeout=15, message="both emails settled")
        [refused] = await api.deliveries(order_id=gone["id"])
        assert refused["state"] == "failed" and refused["attempts"] == 1
        assert "550" in refused["last_error"]
        [retried] = await api.deliveries(order_id=busy["id"])
        assert retried["state"] == "failed" and retried["attempts"] == 3
        assert "450" in retried["last_error"]
        assert "gave up after 3 attempts" in retried["last_error"]
        failed = await api.deliveries(state="failed", kind="email")
        assert {d["order_id"] for d in failed} == {gone["id"], busy["id"]}


async def test_an_smtp_server_that_is_down_is_retried_until_it_is_up(
    server_factory: Callable[..., ServerProcess],
) -> None:
    port = free_port()
    server = server_factory(
        extra_args=_mailing(f"smtp://127.0.0.1:{port}"),
        env={"KDS_EMAIL_RETRY_SECONDS": "0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5"},
    )
    async with Api(server.url, server.tokens["admin"]) as api:
        order = await api.create(customer_email="ann@example.com")

        async def tried_twice() -> bool:
            found = await api.deliveries(order_id=order["id"])
            return bool(found) and found[0]["attempts"] >= 2

        await wait_for(tried_twice, timeout=10, message="two failed attempts")
        [pending] = await api.deliveries(order_id=order["id"])
        assert pending["state"] == "pending" and pending["last_error"]
        sink = MailSink()
        sink.port, sink.url = port, f"smtp://127.0.0.1:{port}"
        sink.controller.port = port
        sink.start()
        try:
            [(to, _message)] = await sink.wait_async(1)
            assert to == ["ann@example.com"]
        finally:
            sink.stop()


async def test_templates_in_the_data_folder_replace_the_built_in_ones(
    server_factory: Callable[..., ServerProcess], mail_sink: MailSink, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (data / "templates" / "email").mkdir(parents=True)
    (data / "templates" / "email" / "received.subject.txt").write_text(
        "Thanks {{ order.customer_name }}, order {{ order.id }} received\n"
    )
    server = server_factory(data_dir=data, extra_args=_mailing(mail_sink.url))
    assert "received.subject.txt" in server.log_text()
    async with Api(server.url, server.tokens["admin"]) as api:
        await api.create(customer_name="Ann", customer_email="ann@example.com")
        [(_to, message)] = await mail_sink.wait_async(1)
        assert message["Subject"] == "Thanks Ann, order 1 received"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("ready.html", "<p>\n{% if order.id %}\nready\n", 2),  # never closed
        ("received.txt", "Hello\n\n{{ order.no_such_field }}\n", 3),
    ],
)
def test_a_bad_template_is_refused_at_start_naming_its_file_and_line(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    data = tmp_path / "data"
    (data / "templates" / "email").mkdir(parents=True)
    (data / "templates" / "email" / name).write_text(text)
    server = ServerProcess(data, extra_args=_mailing("smtp://127.0.0.1:25"))
    with pytest.raises(RuntimeError) as refused:
        server.start(timeout=30)
    log = server.log_text()
    assert f"{name}, line {line}" in log, log
    assert "Traceback" not in log
    assert "server exited with 2" in str(refused.value)  # a setting to fix: USAGE


@pytest.fixture
def tls_sink(tmp_path: Path) -> Iterator[tuple[MailSink, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    sink = MailSink(tls_context=context, require_starttls=True).start()
    yield sink, ca_file
    sink.stop()


async def test_starttls_checks_the_certificate(
    server_factory: Callable[..., ServerProcess], tls_sink: tuple[MailSink, Path]
) -> None:
    sink, ca_file = tls_sink
    url = f"{sink.url}?starttls=true"
    untrusting = server_factory(extra_args=_mailing(url), env=FAST_RETRIES)
    async with Api(untrusting.url, untrusting.tokens["admin"]) as api:
        order = await api.create(customer_email="ann@example.com")

        async def refused() -> bool:
            found = await api.deliveries(order_id=order["id"])
            return bool(found) and found[0]["attempts"] >= 1

        await wait_for(refused, timeout=10, message="an attempt was made")
        [attempt] = await api.deliveries(order_id=order["id"])
        assert "certificate" in attempt["last_error"].lower(), attempt
        assert sink.messages == []
    trusting = server_factory(
        extra_args=_mailing(url), env={**FAST_RETRIES, "SSL_CERT_FILE": str(ca_file)}
    )
    async with Api(trusting.url, trusting.tokens["admin"]) as api:
        await api.create(customer_email="bob@example.com")
        [(to, _message)] = await sink.wait_async(1)
        assert to == ["bob@example.com"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--smtp", "http://mail.example.com"), "not an SMTP URL"),
        (("--smtp", "smtp://mail.example.com"), "needs --mail-from"),
        (("--smtp", "smtp://mail.example.com", "--mail-from", "nobody"), "--mail-from"),
    ],
)
def test_bad_mail_settings_are_refused_with_what_to_do(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    server = ServerProcess(tmp_path, extra_args=args)
    with pytest.raises(RuntimeError) as refused:
        server.start(timeout=30)
    assert message in str(refused.value)


def test_the_kept_headers_make_the_bytes_the_standard_policy_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mailer keeps header classes and repeated headers between emails (a speed-up):
    every email is still byte for byte what the standard library's policy makes."""
    from datetime import UTC, datetime
    from email.policy import SMTP

    import aiosmtplib.email

    from server.outbox import email as mail

    def message(to: str, subject: str) -> bytes:
        built = mail.build_message(
            sender=SENDER,
            sender_name='Chez Léa, "l\'atelier"',
            to=to,
            message_id="<kds-order-7-received@example.com>",
            subject=subject,
            text="Bonjour Zoë,\n\nvotre commande — 2 x crêpe\n" * 40,
            html="<p>Bonjour Zoë</p>\n<p>2 x crêpe, <b>sans noix</b></p>\n",
            now=datetime(2026, 12, 6, 9, 30, tzinfo=UTC),
        )
        built.get_body()  # the parts, as the generator will walk them
        built.set_boundary("b")
        return aiosmtplib.email.flatten_message(built)

    kept = [message(to, subject) for to, subject in [("zoe@example.com", "Reçue")] * 2]
    kept.append(message("ann@example.com", "Order 8 received"))
    monkeypatch.setattr(mail, "POLICY", SMTP)
    standard = [message(to, subject) for to, subject in [("zoe@example.com", "Reçue")] * 2]
    standard.append(message("ann@example.com", "Order 8 received"))
    assert kept == standard
    assert b"From: Chez " in kept[0] and b"Auto-Submitted: auto-generated" in kept[0]
