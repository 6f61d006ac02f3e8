"""What the display prints if it ever crashes: the traceback without local variables.

Textual's own crash report shows every frame's local variables, and the kitchen token is one
of them (in the client's headers); on a kitchen screen or in a support ticket it would be
out for anyone to read.
"""

from __future__ import annotations

from rich.segment import Segments
from rich.traceback import Traceback
from textual.app import App


class CrashWithoutSecrets(App[None]):
    """An App whose crash report leaves the local variables (and so the token) out."""

    def _fatal_error(self) -> None:
        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()
