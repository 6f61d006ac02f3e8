"""The footer of keys, composed again only when the keys it shows change.

Textual's ``Footer`` composes itself again (its keys unmounted, new ones mounted and
styled) after every request to refresh the bindings: a focus change, the keymap set, the
screen stack changing. Three come as the display starts, and each cost ~20 ms of CPU with
nothing to show that was not already shown. This one composes again only when what it
would show differs: a key, its label, whether it is enabled, its tooltip.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A ``Footer`` that skips composing what it already shows."""

    _shown: tuple[Any, ...] | None = None
    _keys_ready = False
    """Whether the screen's bindings were told (``Footer.compose`` shows none before)."""

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._keys_ready = True
        super().bindings_changed(screen)

    def _keys(self) -> tuple[Any, ...]:
        """What ``Footer.compose`` would show, as a value to compare."""
        if not self._keys_ready:
            return ()
        app = self.app
        return (
            self.compact,
            self.show_command_palette,
            self.combine_groups,
            tuple(
                (
                    binding.key,
                    app.get_key_display(binding),
                    binding.action,
                    binding.description,
                    binding.show,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown and self.is_attached:
            return
        self._shown = keys
        await super().recompose()
