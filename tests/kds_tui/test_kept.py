"""A ticket's parts hand back their last drawing while nothing changed, and what they hand
back always looks as if drawn the full way."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.widget import Widget

from kds_tui import Settings, make_app
from kds_tui.widgets.board import Board
from kds_tui.widgets.kept import KeptDrawing
from kds_tui.widgets.ticket import TicketCard
from tests.kds_tui.fakes import FakeFeed, kitchen_orders
from tests.support.client import wait_for


def kept_parts(card: TicketCard) -> list[Widget]:
    return [card, *(w for w in card.query("*") if isinstance(w, KeptDrawing))]


def drawings(widgets: list[Widget]) -> list[list[Any]]:
    return [w.render_lines(Region(0, 0, *w.size)) for w in widgets]


def full_drawing(widget: Widget) -> list[Any]:
    widget.refresh()  # forget every drawing kept, Textual's and ours
    return Widget.render_lines(widget, Region(0, 0, *widget.size))


def styled(strips: list[Any]) -> list[Any]:
    return [[(s.text, s.style) for s in strip] for strip in strips]


async def test_ticket_parts_keep_their_drawing_until_something_changes() -> None:
    app = make_app(Settings(), feed=FakeFeed(kitchen_orders()))
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Board)
        await wait_for(lambda: len(board.on_page()) > 1, message="tickets")
        await pilot.pause()
        other = next(o.id for o in board.on_page() if o.id != board.selected_id)
        card = board.card(other)
        assert card is not None
        parts = kept_parts(card)
        assert len(parts) >= 4, parts  # the card, its head row and its text parts
        before = drawings(parts)
        again = drawings(parts)
        assert all(a is b for a, b in zip(before, again, strict=True)), "drawn again unchanged"

        # Selected: new colours, so every part draws again, and what it keeps is what a
        # full drawing gives.
        board.selected_id = other
        await pilot.pause()
        after = drawings(parts)
        assert all(a is not b for a, b in zip(before, after, strict=True))
        assert styled(after[0]) != styled(before[0]), "the selected card looks different"
        for widget, kept in zip(parts, after, strict=True):
            assert styled(kept) == styled(full_drawing(widget)), widget
