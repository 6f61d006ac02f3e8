"""The line above the footer where notices appear, so they never cover the table."""

from __future__ import annotations

from rich.text import Text
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from kds_ui.notices import gives_way

STYLE: dict[str, str] = {"information": "", "warning": "bold #ffd700", "error": "bold #ff5f5f"}


class NoticeBar(Widget):
    """One line: the latest notice, for a few seconds (errors longer); empty otherwise.

    A warning or an error stays for its time: a stream of lesser notices (new orders) does
    not push it away."""

    notice: reactive[Text] = reactive(Text, layout=False)
    """What the line says now."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._timer: Timer | None = None
        self._showing: SeverityLevel | None = None

    def say(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float = 5.0,
    ) -> None:
        """Show ``message`` (plain text) until ``timeout`` seconds pass or another at least as
        grave comes."""
        if not gives_way(self._showing, severity):
            return
        self._showing = severity
        text = Text(" ")
        if title:
            text.append(f"{title}: ", style="bold")
        text.append(" ".join(message.split()))
        text.stylize(STYLE.get(severity, ""))
        self.notice = text
        self.set_class(severity == "error", "-error")
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(timeout, self.clear)

    def clear(self) -> None:
        self.notice = Text()
        self._showing = None
        self.remove_class("-error")

    @property
    def text(self) -> str:
        """The notice as plain text (for tests and the log)."""
        return self.notice.plain.strip()

    def render(self) -> Text:
        line = self.notice.copy()
        line.truncate(max(1, self.size.width), overflow="ellipsis")
        return line
