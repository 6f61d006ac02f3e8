"""What a manager must hear of besides orders: a webhook that starts failing, a screen that
goes offline. Compares each look with the one before; the first look only sets the scene."""

from __future__ import annotations

from collections.abc import Iterable

from kds_contract.screens import ScreenInfo, ScreenKind
from kds_contract.webhooks import Webhook


def _screen_name(screen: ScreenInfo) -> str:
    station = f" {screen.station}" if screen.station else ""
    return f"{screen.kind.value}{station} screen '{screen.name}'"


class Watchdog:
    """Turns successive looks at webhooks and screens into alarms, each told once."""

    def __init__(self) -> None:
        self._failing: set[int] | None = None
        self._online: set[tuple[str, str, str]] | None = None

    def check(self, webhooks: Iterable[Webhook], screens: Iterable[ScreenInfo]) -> list[str]:
        """The alarms since the last look: newly failing webhooks, screens gone offline."""
        alarms: list[str] = []
        hooks = {hook.id: hook for hook in webhooks}
        failing = {i for i, hook in hooks.items() if hook.failing_since or not hook.enabled}
        if self._failing is not None:
            for hook_id in sorted(failing - self._failing):
                hook = hooks[hook_id]
                why = hook.disabled_reason if not hook.enabled else hook.last_error
                state = "is disabled" if not hook.enabled else "is failing"
                alarms.append(f"Webhook {hook_id} ({hook.url}) {state}: {why or 'no answer'}")
        self._failing = failing
        shown = {
            (s.kind.value, s.station or "", s.name): s
            for s in screens
            if s.kind != ScreenKind.ADMIN
        }
        online = {key for key, screen in shown.items() if screen.connected}
        if self._online is not None:
            for key in sorted(self._online - online):
                name = _screen_name(shown[key]) if key in shown else f"screen '{key[2]}'"
                alarms.append(f"The {name} went offline.")
        self._online = online
        return alarms
