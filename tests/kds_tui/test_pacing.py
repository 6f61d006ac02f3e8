"""Scheduling and pacing on the kitchen display: the upcoming strip, held items counting down
to their fire time, timers from the fire time, past due, a station told when its item fires,
and the key that fires a scheduled order early (against a real server)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.message import Message

import kds_tui.app
from kds_client import KdsRest
from kds_client.server_clock import ServerClock
from kds_contract import Order
from kds_tui import Settings, make_app
from kds_tui.messages import ItemDoneRequested, ItemsFired
from kds_tui.pacing import countdown
from kds_tui.widgets.upcoming import UpcomingStrip, strip_text
from tests.kds_tui.fakes import FROZEN, FakeFeed, kitchen_orders, order
from tests.kds_tui.helpers import Spy, board_of, card_lines, kitchen_app, screen_lines, shown_ids
from tests.support.client import wait_for
from tests.support.server import ServerProcess

SMALL, LARGE = (80, 24), (160, 48)


def at(seconds: float) -> datetime:
    return FROZEN + timedelta(seconds=seconds)


def paced_orders() -> list[Order]:
    """A steak and a salad paced to finish together, a scheduled order, one past due."""
    return [
        order(
            21,
            age=7200,  # taken two hours ago, fired a minute ago: its timer says 01:00
            fire_at=at(-60),
            items=[
                {"name": "Steak", "station": "grill", "prep_seconds": 720, "fire_at": at(-60)},
                {
                    "name": "Caesar salad",
                    "station": "cold",
                    "modifiers": ["NO anchovies"],
                    "prep_seconds": 240,
                    "fire_at": at(200),  # fires in 3:20
                },
            ],
        ),
        order(
            22,
            age=1500,
            status="preparing",
            due_at=at(-300),
            fire_at=at(-1200),
            items=[{"name": "Pad thai", "station": "wok", "fire_at": at(-1200)}],
        ),
        order(
            23,
            age=300,
            status="scheduled",
            table=None,
            order_type="takeout",
            customer_name="Ana",
            due_at=at(3600),
            fire_at=at(3000),
            items=[{"name": "Steak", "station": "grill", "prep_seconds": 600}],
        ),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> datetime:
        return self.now


def display(orders: list[Order], clock: Any = None, **settings: Any) -> Any:
    return make_app(Settings(**settings), feed=FakeFeed(orders), clock=clock or (lambda: FROZEN))


async def test_held_items_count_down_and_timers_run_from_the_fire_time() -> None:
    app = display(paced_orders())
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        board = board_of(app)
        assert shown_ids(app) == [22, 21], "the scheduled order is not on the board"
        lines = card_lines(board, 21)
        assert lines[1].rstrip(" │").endswith("01:00"), "timed from its fire time, not creation"
        text = "\n".join(lines)
        assert "◷ 1 Caesar salad" in text and "⚠ NO anchovies" in text, "held: every word"
        assert "fires in 3:20" in text
        held = [line for line in board.card(21).view.body if "Caesar" in line.text]
        assert {role for _, role in held[0].pieces} == {"held"}, "greyed"
        assert "⏰ PAST DUE" in "\n".join(card_lines(board, 22))
        assert "PAST DUE" not in text

        strip = app.query_one(UpcomingStrip)
        assert strip.display and strip.orders[0].id == 23
        assert "◷ UPCOMING ▸#23 Ana in 50:00" in "\n".join(screen_lines(app))


async def test_a_station_hears_its_held_item_fire_and_it_counts_down_to_it() -> None:
    clock = Clock()
    app = display(paced_orders(), clock=clock, station="cold")
    fired: list[ItemsFired] = []

    def hook(message: Message) -> None:
        if isinstance(message, ItemsFired):
            fired.append(message)

    async with app.run_test(size=SMALL, message_hook=hook) as pilot:
        app.bell = Spy()  # type: ignore[method-assign]
        await pilot.pause()
        board = board_of(app)
        assert "fires in 3:20" in "\n".join(card_lines(board, 21))
        clock.now = at(100)
        app._tick()
        await wait_for(
            lambda: "fires in 1:40" in "\n".join(card_lines(board, 21)), message="the countdown"
        )
        assert fired == []
        clock.now = at(201)
        app._tick()
        await wait_for(lambda: bool(fired), message="the salad to fire")
        assert [i.name for i in fired[0].items] == ["Caesar salad"]
        await wait_for(lambda: bool(app.bell.calls), message="the bell")
        text = "\n".join(card_lines(board, 21))
        assert "fires in" not in text and "Caesar salad" in text


async def test_d_marks_the_next_item_not_held() -> None:
    asked: list[ItemDoneRequested] = []

    def hook(message: Message) -> None:
        if isinstance(message, ItemDoneRequested):
            asked.append(message)

    orders = paced_orders()
    steak_done = orders[0].model_copy(
        update={"items": [orders[0].items[0].model_copy(update={"done": True}), orders[0].items[1]]}
    )
    app = display([steak_done], station="cold")
    async with app.run_test(size=SMALL, message_hook=hook) as pilot:
        await pilot.pause()
        assert board_of(app).selected_id == 21
        await pilot.press("d")
        await pilot.pause()
        assert asked == [], "the salad is held: nothing to mark yet"
        assert "held until their fire time" in app._notice.message


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])
def test_paced_board(snap_compare: Any, size: tuple[int, int]) -> None:
    orders = [*paced_orders(), *kitchen_orders()[:3]]
    assert snap_compare(display(orders), terminal_size=size)


def test_the_strip_lists_what_fits_and_says_how_many_more() -> None:
    orders = [
        order(n, status="scheduled", fire_at=at(60 * n), customer_name=f"Guest {n}")
        for n in range(1, 30)
    ]
    text = strip_text(orders, FROZEN, 1, 80)
    assert text.startswith("◷ UPCOMING ▸#1 T2 in 1:00  #2 T3 in 2:00")
    assert text.endswith(" more") and len(text) <= 80
    assert countdown(3723) == "1:02:03" and countdown(0.2) == "0:01" and countdown(-5) == "0:00"


async def test_the_fire_key_sends_the_selected_scheduled_order_now(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
) -> None:
    app = kitchen_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.feed.live, message="the feed")
        due = datetime.now(UTC) + timedelta(hours=2)
        later = await pos.create_order({"items": [{"name": "Pie"}], "due_at": due.isoformat()})
        sooner = await pos.create_order(
            {"items": [{"name": "Tart"}], "due_at": (due - timedelta(hours=1)).isoformat()}
        )
        strip = app.query_one(UpcomingStrip)
        await wait_for(lambda: [o.id for o in strip.orders] == [sooner.id, later.id], 10)
        assert strip.selected == sooner.id, "the next to fire is picked first"
        await pilot.press("t")
        assert strip.selected == later.id
        await pilot.press("f")

        async def fired() -> bool:
            return (await admin.get_order(later.id)).status == "pending"

        await wait_for(fired, message="the order fired on the server")
        await wait_for(lambda: later.id in shown_ids(app), message="its ticket")
        assert [o.id for o in strip.orders] == [sooner.id]


async def test_next_on_a_station_finishes_only_what_has_fired(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
) -> None:
    """Enter on a station's screen marks its fired items done, never one still held: the
    ticket stays, saying what is to come and when; with only held items left, nothing."""
    made = await pos.create_order(
        {
            "items": [
                {"name": "Steak", "station": "grill", "prep_seconds": 720},
                {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
                {"name": "Bread", "station": "cold"},
            ]
        }
    )
    app = kitchen_app(server, station="cold")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(lambda: shown_ids(app) == [made.id], message="the ticket")
        await pilot.press("enter")  # start it
        await wait_for(lambda: board_of(app).get(made.id).status == "preparing", 10)
        await wait_for(lambda: not app._in_flight, message="the server's answer")

        await pilot.press("enter")  # the bread is done; the salad fires in about 8 minutes

        async def bread_done() -> bool:
            return (await admin.get_order(made.id)).items[2].done

        await wait_for(bread_done, message="the bread marked done")
        await wait_for(lambda: any("still to come" in m for m, _ in app.notified), 10)
        said = next(m for m, _ in app.notified if "still to come" in m)
        assert re.fullmatch(rf"#{made.id}: still to come: Caesar salad fires in [78]:\d\d", said)
        assert made.id in shown_ids(app), "the salad is still to make here"
        assert re.search(r"fires in [78]:\d\d", "\n".join(card_lines(board_of(app), made.id)))

        await pilot.press("enter")  # only the held salad is left
        await wait_for(lambda: any("nothing marked done" in m for m, _ in app.notified), 10)
        on_server = await admin.get_order(made.id)
        assert [i.done for i in on_server.items] == [False, False, True], "the salad: not done"
        assert on_server.status == "preparing"


@pytest.mark.parametrize("size", [SMALL, (120, 40), LARGE], ids=["80x24", "120x40", "160x48"])
async def test_a_held_items_countdown_stays_with_it_when_a_long_ticket_carries_on(
    size: tuple[int, int],
) -> None:
    """A ticket too long for a column carries on in the next; a held item's ``fires in``
    line is never the first line of a part, away from the dish it is about."""
    items = [
        {
            "name": f"Dish {n}",
            "modifiers": [f"side {m}" for m in range(n % 3)],
            "prep_seconds": 600 - 60 * (n % 4),
            "fire_at": at(60 * (n % 4)),  # one in four fired, the others held
        }
        for n in range(1, 41)
    ]
    app = display([order(31, fire_at=at(-10), items=items)])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        board = board_of(app)
        starts: list[str] = []
        while True:
            for column in board.columns():
                for card in column.cards:
                    body = card.view.body
                    assert card.start < len(body)
                    starts.append(body[card.start].text)
                    if card.start:  # a later part: it begins where the ticket allows
                        assert not body[card.start].attached
            if board.page >= len(board._pages) - 1:
                break
            page = board.page
            await pilot.press("n")
            await wait_for(lambda p=page: board.page == p + 1, message="the next page")
        assert len(starts) > 2, "the ticket carries on"
        assert not [s for s in starts if "fires in" in s], "a countdown begins a part"
        text = "\n".join(line.text for line in board.card(31).view.body)
        assert text.count("fires in") == 30


async def test_the_expo_does_not_send_out_an_order_with_a_dish_not_fired(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
) -> None:
    """Enter on the expo view starts an order, then would make it ready: not while one of
    its dishes is held until its fire time (the salad not even started)."""
    made = await pos.create_order(
        {
            "items": [
                {"name": "Steak", "station": "grill", "prep_seconds": 720},
                {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
            ]
        }
    )
    app = kitchen_app(server)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(lambda: shown_ids(app) == [made.id], message="the ticket")
        await pilot.press("enter")
        await wait_for(lambda: board_of(app).get(made.id).status == "preparing", 10)
        await wait_for(lambda: not app._in_flight, message="the server's answer")
        await pilot.press("enter")
        await wait_for(lambda: any("not ready" in m for m, _ in app.notified), 10)
        said = next(m for m, _ in app.notified if "not ready" in m)
        assert re.fullmatch(rf"#{made.id} not ready: Caesar salad fires in [78]:\d\d", said)
        await pilot.press("1")  # the bump key asks the same
        await wait_for(lambda: sum("not ready" in m for m, _ in app.notified) == 2, 10)
        assert (await admin.get_order(made.id)).status == "preparing"


@pytest.mark.parametrize("skew", [600, -600], ids=["10 min fast", "10 min slow"])
async def test_a_display_whose_clock_is_off_holds_and_counts_down_with_the_server(
    server: ServerProcess, pos: KdsRest, skew: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fire times are the server's: a kitchen machine whose clock is ten minutes off shows
    the salad held for as long as the server holds it (fast, it would show it fired and a
    cook would start it; slow, it would keep it back ten minutes too long)."""
    made = await pos.create_order(
        {
            "items": [
                {"name": "Steak", "station": "grill", "prep_seconds": 720},
                {"name": "Caesar salad", "station": "cold", "prep_seconds": 240},
            ]
        }
    )
    # This machine's clock, ten minutes off, wherever the display could read it.
    monkeypatch.setattr(
        kds_tui.app, "local_now", lambda: datetime.fromtimestamp(time.time() + skew).astimezone()
    )
    app = kitchen_app(server, station="cold")
    app.feed.rest.server_clock = ServerClock(local=lambda: time.time() + skew)
    async with app.run_test(size=SMALL):
        await wait_for(lambda: shown_ids(app) == [made.id], message="the ticket")
        await wait_for(
            lambda: re.search(r"fires in [78]:\d\d", "\n".join(card_lines(board_of(app), made.id))),
            message=lambda: f"the server's countdown, not {screen_lines(app)}",
        )
        assert abs((app.clock() - datetime.now(UTC)).total_seconds()) < 2, "the server's time"
