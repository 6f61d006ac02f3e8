"""``kds-order webhooks ...`` and ``kds-order deliveries`` as a script sees them."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable

import pytest
from standardwebhooks import Webhook

from tests.client.test_cli import kds_order
from tests.outbox.conftest import FAST_RETRIES
from tests.support.receivers import Reply, WebhookReceiver
from tests.support.server import ServerProcess


def _wait_failed(server: ServerProcess) -> None:
    deadline = time.monotonic() + 20
    while True:
        request = urllib.request.Request(
            f"{server.url}/api/deliveries?state=failed",
            headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            if json.loads(answer.read())["deliveries"]:
                return
        assert time.monotonic() < deadline, "the delivery never failed for good"
        time.sleep(0.1)


@pytest.mark.timeout(300)  # each kds-order is a new Python process
def test_webhooks_from_the_command_line(
    server_factory: Callable[..., ServerProcess], receiver: WebhookReceiver
) -> None:
    server = server_factory(env=FAST_RETRIES)
    added = kds_order(
        server, "webhooks", "add", receiver.url, "-e", "order.created", "--description", "till"
    )
    assert added.returncode == 0, added.stderr
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and "shown only now" in added.stderr
    assert "webhook 1" in added.stdout and "order.created" in added.stdout

    receiver.reply = Reply(500)
    created = kds_order(server, "create", "-i", "Burger")
    assert created.returncode == 0, created.stderr
    receiver.wait(lambda r: len(r.calls) >= 4)  # the first and three retries

    _wait_failed(server)
    failed = kds_order(server, "deliveries", "--failed")
    assert failed.returncode == 0
    assert "FAILED" in failed.stdout and "HTTP 500" in failed.stdout
    listed = kds_order(server, "webhooks", "list")
    assert "failing since" in listed.stdout and receiver.url in listed.stdout
    assert "whsec_" not in listed.stdout

    disabled = kds_order(server, "webhooks", "disable", "1")
    assert disabled.returncode == 0 and "disabled: disabled by an admin" in disabled.stdout
    enabled = kds_order(server, "webhooks", "enable", "1")
    assert enabled.returncode == 0 and "disabled" not in enabled.stdout

    receiver.reply = Reply(200)
    replayed = kds_order(server, "webhooks", "replay", "1", "--after", "0")
    assert replayed.returncode == 0 and "1 change(s)" in replayed.stdout
    receiver.wait(lambda r: len(r.ok_calls()) == 1)
    Webhook(secret).verify(receiver.ok_calls()[0].body, receiver.ok_calls()[0].headers)

    removed = kds_order(server, "webhooks", "remove", "1")
    assert removed.returncode == 0
    assert "no webhooks" in kds_order(server, "webhooks", "list").stdout
    missing = kds_order(server, "webhooks", "remove", "1")
    assert missing.returncode == 3 and "webhook 1 does not exist" in missing.stderr
    bad = kds_order(server, "webhooks", "add", "ftp://example.com")
    assert bad.returncode == 2 and "url" in bad.stderr
    kitchen = kds_order(server, "deliveries", token=server.tokens["kitchen"])
    assert kitchen.returncode == 5
