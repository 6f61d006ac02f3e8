"""The help screen's frame and its key rows, for both apps.

A key row is one action: the keys that do it as the footer shows them (the app's
``get_key_display``), with the keys a config file gave it in place of the defaults, and
what it does. Each app lays the rows out its own way: the kitchen display in one column,
wrapped, never cut; the console in two columns of a dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

KeyDisplay = Callable[[Binding], str]
"""How the app shows a key (``App.get_key_display``)."""


@dataclass
class KeyRow:
    """One action's keys, as shown, and what it does."""

    id: str | None
    """The binding's id (the name a config file remaps it by), if it has one."""
    description: str
    keys: list[str] = field(default_factory=list)


def shown_keys(
    binding: Binding, key_display: KeyDisplay, keymap: Mapping[str, str] | None = None
) -> list[str]:
    """The keys that do ``binding``'s action, as the app shows them: the ones ``keymap``
    gives its id if any (Textual's keymap: id -> comma-separated keys), else its own."""
    keys = (keymap or {}).get(binding.id, binding.key) if binding.id else binding.key
    shown: list[str] = []
    for key in keys.split(","):
        display = key_display(Binding(key.strip(), ""))
        if display not in shown:
            shown.append(display)
    return shown


def key_rows(
    bindings: Iterable[BindingType],
    key_display: KeyDisplay,
    keymap: Mapping[str, str] | None = None,
) -> list[KeyRow]:
    """A row per action, in the order they are first bound; the keys of two bindings of
    one action on one row."""
    rows: dict[str, KeyRow] = {}
    for binding in bindings:
        if isinstance(binding, tuple):
            binding = Binding(*binding)
        row = rows.setdefault(binding.action, KeyRow(binding.id, binding.description))
        row.keys += [k for k in shown_keys(binding, key_display, keymap) if k not in row.keys]
    return list(rows.values())


class KeysScreen(ModalScreen[None]):
    """A screen of keys over the one it explains: escape, F1, q or the key that opened it
    (``?``, or what the app's keymap puts in its place) closes it."""

    BINDINGS = [
        Binding("escape,f1,q", "close_help", "Close", id="help.close"),
        # The id of the apps' own help binding, so that a keymap moving one moves both.
        Binding("question_mark", "close_help", "Close", show=False, id="help"),
    ]

    def action_close_help(self) -> None:
        self.dismiss(None)
