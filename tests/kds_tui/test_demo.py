"""``kds-demo``: a server, demo orders and the display, all stopped when the display quits."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from kds_client import KdsRest
from kds_tui import demo
from kds_tui.cli import parser, settings_from


class FakeDisplay:
    """Stands in for the display: looks at what the demo started, then 'quits'."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.seen: dict[str, Any] = {}

    def exit(self) -> None:
        return None

    def run(self) -> None:
        async def look() -> None:
            async with KdsRest(self.settings.urls[0], self.settings.token) as rest:
                self.seen["health"] = await rest.health()
                page = await rest.list_orders(status=["pending", "preparing", "ready"])
                self.seen["open"] = page.total

        asyncio.run(look())


@pytest.mark.slow
def test_the_demo_starts_everything_and_stops_it_on_quit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    displays: list[FakeDisplay] = []

    def fake_make_app(settings: Any) -> FakeDisplay:
        displays.append(FakeDisplay(settings))
        return displays[-1]

    started: list[demo.Child] = []
    real_init = demo.Child.__init__

    def track(self: demo.Child, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr("kds_tui.app.make_app", fake_make_app)
    monkeypatch.setattr(demo.Child, "__init__", track)
    data = tmp_path / "demo"
    code = demo.main(
        ["--data-dir", str(data), "--seed-orders", "4", "--no-bell", "--station", "grill"]
    )

    assert code == 0
    (display,) = displays
    assert display.settings.station == "grill" and not display.settings.bell
    assert display.settings.token == json.loads((data / "local-tokens.json").read_text())["kitchen"]
    assert display.seen["open"] >= 4
    assert [child.name for child in started] == ["server", "orders"]
    assert all(child.proc.poll() is not None for child in started), "everything was stopped"

    said = capsys.readouterr().out
    url = display.settings.urls[0]
    assert f"the server is at {url}, its data and tokens in {data}" in said
    assert f"kds-kitchen --data-dir {data}" in said and f"kds-order --data-dir {data}" in said


def test_a_port_in_use_is_said_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = demo.main(["--port", str(port), "--data-dir", str(tmp_path / "demo")])
    assert code == 1
    err = capsys.readouterr().err
    assert f"port {port} is in use" in err and "--port" in err
    assert "token" not in err


def test_the_kitchen_display_finds_the_demos_server_with_data_dir(tmp_path: Path):
    (tmp_path / "local-tokens.json").write_text(
        '{"admin": "a", "kitchen": "k", "url": "http://127.0.0.1:5999"}'
    )
    args = parser().parse_args(["--data-dir", str(tmp_path)])
    settings = settings_from(args, {})
    assert settings.urls == ("http://127.0.0.1:5999",) and settings.token == "k"
