"""Keys typed before a dialog is ready reach it, in order: none is dropped.

Over SSH, or from a paste, ``/Henderson`` arrives in one burst: every key is sent on to the
table before the search dialog exists, let alone has a focused field. The screen that opens
a dialog hands such keys to it (:meth:`TypeAhead.type_ahead`); the dialog keeps them until
its field has focus, then gives them to the field in the order they were typed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual import events
from textual.screen import ModalScreen
from textual.widget import Widget

from kds_ui.compat.textual import forwarded_key

T = TypeVar("T")


class TypeAhead(ModalScreen[T], Generic[T]):
    """A dialog that takes the keys typed for it before it had focus."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._early: list[events.Key] = []
        self._ready = False

    def type_ahead(self, event: events.Key) -> None:
        """A key typed for this dialog before it was ready (or while it was getting so)."""
        self._early.append(forwarded_key(event))
        if self._ready:
            self._deliver()

    def focus_first(self, target: Widget) -> None:
        """Focus ``target`` now (call from ``on_mount``), then give it the keys typed ahead."""
        self.set_focus(target)  # at once: later keys are forwarded to the focused widget
        self._ready = True
        self._deliver()

    def _deliver(self) -> None:
        keys, self._early = self._early, []
        target = self.focused or self
        for key in keys:
            target.post_message(key)
