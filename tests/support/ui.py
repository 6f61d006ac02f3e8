"""Helpers for the tests of both Textual apps: waiting through the pilot, a renderable or a
widget's content as text, and a crash report as the terminal shows it."""

from __future__ import annotations

import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

WAIT_SECONDS = 10.0


async def wait_for(
    pilot: Pilot, condition: Callable[[], Any], what: str, *, timeout: float = WAIT_SECONDS
) -> Any:
    """Let the app run until ``condition()`` is truthy and return it; fail after
    ``timeout`` seconds, saying ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def plain(renderable: Any, width: int = 120) -> str:
    """A Rich renderable as plain text."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def text_of(screen: Screen[Any], widget_id: str) -> str:
    """What the ``Static`` with that id on ``screen`` shows, as plain text."""
    return plain(screen.query_one(f"#{widget_id}", Static).content)


async def crash_report(
    app: App[Any],
    size: tuple[int, int],
    ready: Callable[[Pilot], Awaitable[Any]],
    secret: Callable[[], str],
) -> str:
    """What the terminal shows when ``app``, once ``ready``, meets a bug in a frame that
    holds ``secret()`` in a local variable, as a token is held in real life."""
    app.error_console = Console(record=True, width=120, file=io.StringIO())  # the terminal

    def broken_handler() -> None:
        held = secret()
        raise RuntimeError(f"a bug with {len(held)} characters in hand")

    with pytest.raises(RuntimeError, match="a bug with"):
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            app.call_later(broken_handler)
            await app._exception_event.wait()
    assert app.return_code == 1
    report = app.error_console.export_text()
    assert "RuntimeError: a bug with" in report and "broken_handler" in report
    return report
