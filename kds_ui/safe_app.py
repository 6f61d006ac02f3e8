"""What neither app may put on screen: secrets in a crash report, markup from a till; and
the clock both read.

Textual's own crash report shows every frame's local variables, and a token is one of them
(in the client's headers); on a kitchen screen or in a support ticket it would be out for
anyone to read. And Textual reads a notice as markup by default, while the words in the
apps' notices come from tills and servers: a notice is plain text unless its caller says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.notifications import SeverityLevel

from kds_ui.compat.textual import FramesOnlyCrashReport

Clock = Callable[[], datetime]
"""Now, as an aware datetime in the zone the app shows times in."""


def local_now() -> datetime:
    """The wall clock, in the machine's time zone."""
    return datetime.now().astimezone()


class SafeApp(FramesOnlyCrashReport[None]):
    """An App whose crash report leaves the local variables out and whose notices are text."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        if not self.show_notice(message, title=title, severity=severity, timeout=timeout):
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def show_notice(
        self, message: str, *, title: str, severity: SeverityLevel, timeout: float | None
    ) -> bool:
        """Show a notice (plain text) the app's own way; False leaves it to Textual's toast."""
        return False
