"""The kitchen display against a real server: keys, bell, offline, stations, recall, remaps."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kds_client import KdsRest
from kds_contract import Status
from kds_contract.menu import Menu
from kds_tui.cli import parser, settings_from
from kds_tui.messages import MoveRequested
from kds_tui.widgets.allday import AllDayPanel
from kds_tui.widgets.header import ConnectionBadge
from kds_tui.widgets.notice import Notice
from kds_tui.widgets.recall import RecallScreen
from tests.kds_tui.helpers import board_of, card_lines, kitchen_app, live, screen_lines, shown_ids
from tests.support.client import TcpProxy, wait_for
from tests.support.server import ServerProcess, free_port
from tests.support.ui import crash_report

SIZE = (120, 40)


def counts(panel: AllDayPanel) -> list[tuple[str, int]]:
    return [(row.name, row.count) for row in panel.rows]


def items_done_on_server(rest: KdsRest, order_id: int, done: list[bool]):
    """The server's done marks, awaited: a screen can show an undo before its last
    write has been answered."""

    async def check() -> bool:
        return [i.done for i in (await rest.get_order(order_id)).items] == done

    return check


def status_on_server(rest: KdsRest, order_id: int, status: str):
    async def check() -> bool:
        return (await rest.get_order(order_id)).status == status

    return check


async def test_orders_appear_and_a_new_one_rings_the_bell(server: ServerProcess, pos: KdsRest):
    first = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE):
        await wait_for(lambda: shown_ids(app) == [first.id], message="the first order")
        assert app.bell.calls == [], "orders already there when the display starts do not ring"

        rush = await pos.create_order({"items": [{"name": "Fries"}], "priority": "rush"})
        await wait_for(lambda: shown_ids(app) == [rush.id, first.id], message="rush first")
        await wait_for(lambda: len(app.bell.calls) == 1, message="the bell")
        card = board_of(app).card(rush.id)
        assert card is not None and card.highlighted
        await wait_for(lambda: "RUSH" in card_lines(board_of(app), rush.id)[0], message="RUSH")
        assert card.view.meta[0].text.startswith("‼ ")


async def test_keys_move_tickets_and_the_server_agrees(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    a = await pos.create_order({"items": [{"name": "Burger"}]})
    b = await pos.create_order({"items": [{"name": "Salad"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE) as pilot:
        board = board_of(app)
        await wait_for(lambda: shown_ids(app) == [a.id, b.id], message="both orders")
        assert board.selected_id == a.id, "the oldest ticket is selected at start"
        await wait_for(live(app), message="live")  # a key is refused (Not sent) until then

        for status in ("preparing", "ready"):
            await pilot.press("enter")
            await wait_for(status_on_server(admin, a.id, status), message=f"#{a.id} {status}")
            await wait_for(lambda s=status: board.get(a.id).status == s, message="the ticket")

        await pilot.press("2")
        await wait_for(status_on_server(admin, b.id, "preparing"), message="ticket 2 started")
        assert board.selected_id == b.id

        await pilot.press("left", "space")
        await wait_for(status_on_server(admin, a.id, "completed"), message="bumped")
        await wait_for(lambda: shown_ids(app) == [b.id], message="a bumped ticket leaves")


async def test_a_refused_move_shows_the_servers_reason(server: ServerProcess, pos: KdsRest):
    order = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE):
        await wait_for(live(app), message="live")
        await wait_for(lambda: shown_ids(app) == [order.id], message="the order")
        board_of(app).post_message(MoveRequested(order, Status.COMPLETED))
        await wait_for(
            lambda: any(sev == "error" and "pending" in msg for msg, sev in app.notified),
            message="the refusal",
        )


async def test_offline_then_back_online_and_the_board_converges(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    a = await pos.create_order({"items": [{"name": "Burger"}]})
    gone = await pos.create_order({"items": [{"name": "Toast"}]})
    proxy = await TcpProxy(server.port).start()
    app = kitchen_app(server, url=proxy.url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            board, badge = board_of(app), app.query_one(ConnectionBadge)
            await wait_for(live(app), message="live")
            await wait_for(lambda: shown_ids(app) == [a.id, gone.id], message="the orders")

            proxy.cut()
            await wait_for(lambda: badge.word != "LIVE" and board.stale, message="offline shown")
            assert shown_ids(app) == [a.id, gone.id], "the board keeps its last known state"
            await pilot.press("enter")
            await wait_for(
                lambda: any(sev == "error" and "offline" in msg for msg, sev in app.notified),
                message="the action refused while offline",
            )

            # Changes the display cannot see while the network is down.
            b = await pos.create_order({"items": [{"name": "Soup"}]})
            await admin.move(a.id, "preparing")
            await admin.move(gone.id, "cancelled")
            c = await pos.create_order({"items": [{"name": "Cake"}]})
            await admin.delete_order(c.id)
            assert (await admin.get_order(a.id)).status == Status.PREPARING

            proxy.heal()
            await wait_for(live(app), message="back online")
            await wait_for(lambda: shown_ids(app) == [a.id, b.id], message="the board converged")
            assert not board.stale
            assert board.get(a.id).status == Status.PREPARING
            said = [msg for msg, _ in app.notified]
            assert any(m.startswith("Connection lost") for m in said)
            assert any(m.startswith("Back online") for m in said)
    finally:
        await proxy.stop()


async def test_a_server_restart_is_shown_and_survived(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    a = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE):
        board, badge = board_of(app), app.query_one(ConnectionBadge)
        await wait_for(live(app), message="live")
        await asyncio.to_thread(server.stop)
        await wait_for(lambda: badge.word != "LIVE" and board.stale, message="offline shown")
        await asyncio.to_thread(server.start)
        b = await pos.create_order({"items": [{"name": "Soup"}]})
        await admin.move(a.id, "preparing")
        await wait_for(live(app), timeout=20, message="back online after the restart")
        await wait_for(
            lambda: shown_ids(app) == [a.id, b.id] and board.get(a.id).status == "preparing",
            message="the board converged",
        )
        assert not board.stale


async def test_a_station_sees_its_items_and_marks_them_done(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    mixed = await pos.create_order(
        {
            "items": [
                {"name": "Burger", "station": "grill"},
                {"name": "Steak", "station": "grill"},
                {"name": "Fries", "station": "fry"},
            ]
        }
    )
    await pos.create_order({"items": [{"name": "Onion rings", "station": "fry"}]})
    app = kitchen_app(server, station="grill")
    async with app.run_test(size=SIZE) as pilot:
        board = board_of(app)
        await wait_for(lambda: shown_ids(app) == [mixed.id], message="only the grill's ticket")
        card = board.card(mixed.id)
        assert card is not None
        assert [line.text.split()[-1] for line in card.view.body] == ["Burger", "Steak"]

        await pilot.press("d")
        await wait_for(
            lambda: board.get(mixed.id).items[0].done, message="the burger done on the board"
        )
        assert (await admin.get_order(mixed.id)).items[0].done
        assert board.card(mixed.id).view.body[0].pieces[-1][1] == "done"
        await pilot.press("D")
        await wait_for(lambda: not board.get(mixed.id).items[0].done, message="undone")
        assert not (await admin.get_order(mixed.id)).items[0].done

        await pilot.press("d")
        await wait_for(lambda: board.get(mixed.id).items[0].done, message="the burger again")
        await pilot.press("d")  # the grill's last item: its part is finished
        await wait_for(lambda: shown_ids(app) == [], message="the ticket off the grill's screen")
        assert [i.done for i in (await admin.get_order(mixed.id)).items] == [True, True, False]
        await pilot.press("u")  # the last item back: so is the ticket
        await wait_for(lambda: shown_ids(app) == [mixed.id], message="back after undo")
        assert [i.done for i in (await admin.get_order(mixed.id)).items] == [True, False, False]


async def test_a_mistyped_station_is_told_from_the_menu_with_no_order_open(
    server: ServerProcess, admin: KdsRest
):
    menu = [{"name": "Ribeye", "station": "grill"}, {"name": "Fries", "station": "fry"}]
    await admin.put_menu(Menu.model_validate({"items": menu}))
    app = kitchen_app(server, station="grilll")
    async with app.run_test(size=SIZE) as pilot:
        note = board_of(app).query_one(".station-note")
        await wait_for(lambda: note.display, message="the warning, from the menu alone")
        await pilot.pause()
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "NO STATION CALLED 'grilll'" in text and "know fry, grill." in text
        assert "Did you mean grill?" in text and "No open tickets" not in text


async def test_a_station_finishes_its_part_and_never_bumps_an_order(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    order = await pos.create_order(
        {"items": [{"name": "Steak", "station": "grill"}, {"name": "Salad", "station": "cold"}]}
    )
    grill = kitchen_app(server, station="grill")
    async with grill.run_test(size=SIZE) as pilot:
        await wait_for(lambda: shown_ids(grill) == [order.id], message="the grill's ticket")
        await pilot.press("enter")  # start
        await wait_for(status_on_server(admin, order.id, "preparing"), message="started")
        await wait_for(lambda: grill.board.get(order.id).status == "preparing", message="shown")
        await pilot.press("enter")  # the steak is done: the grill's part
        await wait_for(lambda: shown_ids(grill) == [], message="off the grill's screen")
        after = await admin.get_order(order.id)
        assert after.status == Status.PREPARING, "the salad is still to make"
        assert [i.done for i in after.items] == [True, False]
        await pilot.press("u")  # a slip: back on the grill's screen, steak not done
        await wait_for(lambda: shown_ids(grill) == [order.id], message="back after undo")
        await wait_for(items_done_on_server(admin, order.id, [False, False]), message="undone")
        await pilot.press("enter")
        await wait_for(lambda: shown_ids(grill) == [], message="finished again")

    cold = kitchen_app(server, station="cold")
    async with cold.run_test(size=SIZE) as pilot:
        await wait_for(lambda: shown_ids(cold) == [order.id], message="the cold station's")
        await pilot.press("enter")  # the last part: the order is ready for the expo
        await wait_for(status_on_server(admin, order.id, "ready"), message="ready")
        await wait_for(lambda: shown_ids(cold) == [], message="off the cold station's screen")
        await pilot.press("u")
        await wait_for(status_on_server(admin, order.id, "preparing"), message="undone")
        await wait_for(items_done_on_server(admin, order.id, [True, False]), message="salad")


async def test_undo_takes_back_only_what_this_display_did(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    order = await pos.create_order({"items": [{"name": "Soup"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: shown_ids(app) == [order.id], message="the ticket")
        await pilot.press("enter")
        await wait_for(status_on_server(admin, order.id, "preparing"), message="started")
        # The display has the server's answer, so it knows the move as its own (the answer
        # can come after the events of this move and the next on a busy machine).
        await wait_for(lambda: not app._in_flight, message="the display's answer")
        await admin.move(order.id, "ready")  # another screen moves it on
        await wait_for(lambda: app.board.get(order.id).status == "ready", message="ready here")
        await pilot.press("u")
        await wait_for(lambda: any("moved on since" in m for m, _ in app.notified), message="")
        assert (await admin.get_order(order.id)).status == Status.READY, "nothing undone"


async def test_all_day_counts(server: ServerProcess, pos: KdsRest):
    await pos.create_order({"items": [{"name": "Burger", "quantity": 2}, {"name": "Fries"}]})
    second = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(AllDayPanel)
        await wait_for(lambda: len(shown_ids(app)) == 2, message="both orders")
        assert not panel.display
        await pilot.press("a")
        await wait_for(lambda: counts(panel) == [("Burger", 3), ("Fries", 1)], message="counts")
        assert panel.display

        await pos.create_order({"items": [{"name": "Fries", "quantity": 4}]})
        await wait_for(lambda: counts(panel) == [("Fries", 5), ("Burger", 3)], message="more")
        await pilot.press("2", "2")  # ticket 2 to ready: its burger is no longer to make
        await wait_for(lambda: board_of(app).get(second.id).status == "ready", message="ready")
        await wait_for(lambda: counts(panel) == [("Fries", 5), ("Burger", 2)], message="less")


async def test_undo_and_recall(server: ServerProcess, pos: KdsRest, admin: KdsRest):
    order = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE) as pilot:
        board = board_of(app)
        await wait_for(lambda: shown_ids(app) == [order.id], message="the order")
        await pilot.press("enter")
        await wait_for(lambda: board.get(order.id).status == "preparing", message="started")
        await pilot.press("u")
        await wait_for(status_on_server(admin, order.id, "pending"), message="undone")
        await wait_for(lambda: board.get(order.id).status == "pending", message="undone here")

        for status in ("preparing", "ready", "completed"):
            await pilot.press("enter")
            await wait_for(status_on_server(admin, order.id, status), message=status)
            await wait_for(
                lambda s=status: board.get(order.id) is None or board.get(order.id).status == s,
                message=f"{status} here",
            )
        await wait_for(lambda: shown_ids(app) == [], message="bumped off the board")

        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, RecallScreen), message="the recall list")
        await pilot.press("enter")
        await wait_for(status_on_server(admin, order.id, "ready"), message="recalled")
        await wait_for(lambda: shown_ids(app) == [order.id], message="back on the board")
        assert board.card(order.id).view.head[0].text.endswith("READY")
        await wait_for(
            lambda: any(
                f"#{order.id} recalled: ● READY, page 1 of 1" in m for m, _ in app.notified
            ),
            message="where it went",
        )


async def test_a_recalled_order_on_another_page_is_shown_and_said(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    first = await pos.create_order({"items": [{"name": "Soup"}]})
    for status in ("preparing", "ready", "completed"):
        await admin.move(first.id, status)
    for n in range(24):  # enough open tickets for a few pages at 80x24
        await pos.create_order({"items": [{"name": f"Dish {n}"}]})
    app = kitchen_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await wait_for(lambda: len(shown_ids(app)) == 24, message="the open orders")
        await pilot.press("end")
        await wait_for(lambda: board.page == len(board._pages) - 1, message="the last page")
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, RecallScreen), message="the recall list")
        assert [o.id for o in app.screen.orders] == [first.id]
        await pilot.press("1")
        await wait_for(status_on_server(admin, first.id, "ready"), message="recalled")
        # Ready, and the oldest: its ticket is on the first page, selected, and it is said.
        await wait_for(lambda: board.selected_id == first.id and board.page == 0, message="shown")
        await wait_for(
            lambda: any(f"#{first.id} recalled: ● READY, page 1 of" in m for m, _ in app.notified),
            message="where it went",
        )


async def test_remapped_keys_from_a_config_file(
    server: ServerProcess, pos: KdsRest, admin: KdsRest, tmp_path: Path
):
    config = tmp_path / "kitchen.toml"
    config.write_text(
        '[keys]\nnext = "b"\nall_day = "z"\n[age]\nwarn_minutes = 1\nlate_minutes = 2\n'
    )
    args = parser().parse_args(["--config", str(config), "--url", server.url, "--no-bell"])
    settings = settings_from(args, {"KDS_TOKEN": server.tokens["kitchen"]})
    assert settings.token == server.tokens["kitchen"] and not settings.bell
    assert settings.thresholds.warn == 60 and settings.thresholds.late == 120
    order = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server, keymap=settings.keymap, thresholds=settings.thresholds)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: shown_ids(app) == [order.id], message="the order")
        await pilot.press("enter")  # no longer bound
        await pilot.press("b")
        await wait_for(status_on_server(admin, order.id, "preparing"), message="b moves it")
        await wait_for(lambda: board_of(app).get(order.id).version == 2, message="one move")
        assert (await admin.get_order(order.id)).version == 2, "enter did nothing"
        await pilot.press("z")
        assert app.query_one(AllDayPanel).display
        assert ("b", "move the selected ticket on: start, ready, bump") in app.key_rows()


async def test_changes_made_elsewhere(server: ServerProcess, pos: KdsRest, admin: KdsRest):
    order = await pos.create_order({"items": [{"name": "Burger"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE):
        board = board_of(app)
        await wait_for(lambda: shown_ids(app) == [order.id], message="the order")
        await admin.move(order.id, "preparing")
        await wait_for(
            lambda: board.card(order.id).order.status == "preparing", message="the move shown"
        )
        await wait_for(lambda: any("COOKING" in m for m, _ in app.notified), message="told")
        assert app.bell.calls == []

        await admin.edit_order(order.id, {"items": [{"name": "Burger"}, {"name": "Fries"}]})
        await wait_for(lambda: len(app.bell.calls) == 1, message="an edit rings")
        assert any("+ 1× Fries" in m for m, _ in app.notified)  # noqa: RUF001

        await admin.move(order.id, "cancelled")
        await wait_for(lambda: len(app.bell.calls) == 2, message="a cancel rings")
        assert any("CANCELLED" in m for m, _ in app.notified)
        await wait_for(
            lambda: "✕ CANCELLED" in card_lines(board, order.id)[1], message="the cancel shown"
        )
        await wait_for(lambda: shown_ids(app) == [], timeout=10, message="then it goes")


async def test_a_crash_report_never_shows_the_token(server: ServerProcess):
    app = kitchen_app(server)

    async def ready(_: object) -> None:
        await wait_for(live(app), message="live")

    report = await crash_report(app, SIZE, ready, lambda: app.feed.rest.token)
    assert server.tokens["kitchen"] not in report, "the crash report showed the kitchen token"


async def test_markup_in_an_edit_from_a_till_is_shown_as_typed(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    order = await pos.create_order({"items": [{"name": "Fish"}]})
    app = kitchen_app(server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(lambda: shown_ids(app) == [order.id], message="the order")
        names = ["Fish [/b] large", "[@click=app.quit]Chips[/]"]
        await admin.edit_order(order.id, {"items": [{"name": n} for n in names]})

        notice = app.query_one(Notice)

        def notice_text() -> str:
            return str(notice.render()) if notice.display else ""

        await wait_for(
            lambda: "[/b]" in notice_text(), message=lambda: f"the notice, not {notice_text()!r}"
        )
        assert "[@click=app.quit]Chips[/]" in " ".join(notice_text().split())
        await pilot.click(Notice)  # a click on the notice runs nothing
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_orders_deleted_one_after_another_read_as_one_notice(
    server: ServerProcess, pos: KdsRest, admin: KdsRest
):
    orders = [await pos.create_order({"items": [{"name": f"Dish {n}"}]}) for n in range(3)]
    app = kitchen_app(server)
    async with app.run_test(size=SIZE):
        await wait_for(lambda: len(shown_ids(app)) == 3, message="the orders")
        for order in orders:
            await admin.delete_order(order.id)
        await wait_for(lambda: shown_ids(app) == [], message="all gone")
        await wait_for(lambda: any("deleted" in m for m, _ in app.notified), message="a notice")
        deleted = [m for m, _ in app.notified if "deleted" in m]
    assert deleted == [" · ".join(f"#{o.id} was deleted" for o in orders)]


def banner(app) -> str:
    note = board_of(app).query_one(".stale-note")
    return str(note.content) if note.display and board_of(app).stale else ""


async def test_a_refused_token_or_a_wrong_url_says_what_to_do_for_as_long_as_it_lasts(
    server: ServerProcess,
):
    refused = kitchen_app(server, token="kds_not-a-real-token")
    async with refused.run_test(size=(80, 24)):
        await wait_for(lambda: "NOT ALLOWED" in banner(refused), message="the refusal")
        assert "kds-server token create --role kitchen" in banner(refused)
        assert "revoked" in banner(refused), "the server's reason, in words"
        attempts = refused.feed.status.next_attempt_at
        await wait_for(lambda: refused.feed.status.next_attempt_at != attempts, message="a retry")
        assert "NOT ALLOWED" in banner(refused), "still said after the next attempt"
        assert shown_ids(refused) == []

    nowhere = f"http://127.0.0.1:{free_port()}"
    unreachable = kitchen_app(server, url=nowhere)
    async with unreachable.run_test(size=(120, 40)) as pilot:
        await wait_for(
            lambda: f"NOT CONNECTED YET to {nowhere}" in banner(unreachable),
            message=lambda: f"not connected yet, not {banner(unreachable)!r}",
        )
        assert "No orders shown" in banner(unreachable)
        assert not board_of(unreachable).query_one(".empty").display, "not 'No open tickets'"
        await pilot.pause()
        screen = " ".join(" ".join(screen_lines(unreachable)[:6]).split())
        assert " ".join(banner(unreachable).split()) in screen, "the whole banner, not cut"
        assert "Not connected yet" in screen_lines(unreachable)[0], "the same words above it"
