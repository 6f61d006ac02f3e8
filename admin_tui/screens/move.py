"""Pick a status to move an order to, from the moves the contract allows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from admin_tui.formatting import identity, move_label
from kds_contract import TRANSITIONS, Order, Status, forward, undo


def allowed_moves(status: Status) -> list[Status]:
    """The statuses ``status`` may move to (``kds_contract.TRANSITIONS``): forward first,
    then back, cancel last, the order a kitchen thinks in."""
    preferred = [forward(status), undo(status), Status.CANCELLED]
    allowed = TRANSITIONS[status]
    return [s for s in preferred if s in allowed] + sorted(allowed - set(preferred))


class MoveScreen(ModalScreen[Status | None]):
    """Dismisses with the chosen status, or None. Digits pick an entry directly."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Close", id="move.close"),
        Binding("question_mark,f1", "app.keys", "Keys", id="move.keys"),
        *(
            Binding(str(n), f"pick({n - 1})", f"Pick {n}", show=False, id=f"move.pick{n}")
            for n in range(1, 5)
        ),
    ]

    def __init__(self, order: Order) -> None:
        super().__init__(classes="dialog")
        self.order = order
        self.moves = allowed_moves(order.status)

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(
                f"Move {identity(self.order)}, {self.order.status.value}, to:",
                classes="question",
            )
            yield OptionList(
                *(
                    Option(f"{n}  {move_label(self.order.status, target)}", id=target.value)
                    for n, target in enumerate(self.moves, start=1)
                ),
                id="moves",
            )
            yield Static("digit or enter: move   esc: close", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.moves[event.option_index])

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.moves):
            self.dismiss(self.moves[index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
