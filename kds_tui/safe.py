"""What the display must never put on screen: secrets in a crash report, markup from a till.

Textual's own crash report shows every frame's local variables, and the kitchen token is one
of them (in the client's headers); on a kitchen screen or in a support ticket it would be
out for anyone to read. And Textual reads a notice as markup by default, while the words in
the display's notices come from tills and servers: ``[/b]`` in an item's name crashed the
display, ``[@click=app.quit]`` made a notice that quits it.
"""

from __future__ import annotations

from textual.notifications import SeverityLevel

from kds_ui.compat.textual import FramesOnlyCrashReport


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
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
