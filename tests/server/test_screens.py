"""Screens online: what a screen says when it joins is listed by GET /api/screens (admin),
connected while it is, and as gone, with when it was last seen, once it has left."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from kds_contract.screens import ScreenHello, ScreenKind
from tests.support.client import wait_for
from tests.support.http import Api
from tests.support.server import ServerProcess
from tests.support.services import postgres_database


async def _screen(server: ServerProcess, token: str, join: str, data: Any) -> tuple[Any, Any]:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(server.url, auth={"token": token}, transports=["websocket"])
    ack = await client.call(join, data, timeout=5)
    return client, ack


def _find(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in body["screens"] if s["name"] == name), None)


async def test_a_screen_is_listed_while_connected_and_as_gone_after(
    any_server: ServerProcess,
) -> None:
    hello = ScreenHello(
        kind=ScreenKind.KITCHEN_BOARD, station="Grill", name="tablet-by-the-grill", version="1.2"
    )
    async with Api(any_server.url, any_server.tokens["admin"]) as api:
        await api.create(items=[{"name": "Steak", "station": "grill"}])
        await api.create(items=[{"name": "Fries", "station": "fry"}])
        client, ack = await _screen(
            any_server, any_server.tokens["kitchen"], "join:kitchen", hello.payload()
        )
        assert ack == {"ok": True, "room": "kitchen"}

        async def listed(connected: bool) -> bool:
            found = _find((await api.get("/api/screens")).body, hello.name)
            return found is not None and found["connected"] is connected

        await wait_for(lambda: listed(True), message="the tablet listed as connected")
        body = (await api.get("/api/screens")).body
        tablet = _find(body, hello.name)
        assert tablet is not None
        assert tablet["kind"] == "kitchen_board" and tablet["station"] == "Grill"
        assert tablet["version"] == "1.2" and tablet["last_seen_at"].endswith("Z")
        stations = {s["station"]: s for s in body["stations"]}
        assert stations["grill"]["screens_online"] == 1 and stations["grill"]["seen"]
        assert stations["fry"]["open_tickets"] == 1 and not stations["fry"]["seen"]

        await client.disconnect()
        await wait_for(lambda: listed(False), message="the tablet listed as gone")
        stations = {s["station"]: s for s in (await api.get("/api/screens")).body["stations"]}
        assert stations["grill"]["open_tickets"] == 1 and not stations["grill"]["seen"]


async def test_a_hello_that_cannot_be_read_is_ignored_and_the_join_stands(
    server: ServerProcess,
) -> None:
    client, ack = await _screen(
        server, server.tokens["kitchen"], "join:kitchen", {"screen": {"kind": "toaster"}}
    )
    try:
        assert ack["ok"] is True and ack["room"] == "kitchen"
        assert ack["screen_error"].startswith("screen.kind")
    finally:
        await client.disconnect()
    async with Api(server.url, server.tokens["admin"]) as api:
        assert (await api.get("/api/screens")).body["screens"] == []


async def test_only_an_admin_lists_screens(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["kitchen"]) as api:
        reply = await api.get("/api/screens")
        assert reply.status == 403 and reply.error["code"] == "forbidden"
        assert (await api.as_(None).get("/api/screens")).status == 401


async def test_a_public_pickup_board_is_listed_and_may_claim_nothing_else(
    server: ServerProcess,
) -> None:
    board = socketio.AsyncClient(reconnection=False)
    await board.connect(server.url, namespaces=["/public"], transports=["websocket"])
    tv = ScreenHello(kind=ScreenKind.PICKUP_BOARD, name="counter-tv", version="1")
    impostor = ScreenHello(kind=ScreenKind.KITCHEN, station="grill", name="not-a-kitchen")
    try:
        ack = await board.call("join:pickup", impostor.payload(), namespace="/public", timeout=5)
        assert ack["ok"] is True and "only pickup_board" in ack["screen_error"]
        ack = await board.call("join:pickup", tv.payload(), namespace="/public", timeout=5)
        assert ack["ok"] is True and "screen_error" not in ack
        async with Api(server.url, server.tokens["admin"]) as api:

            async def listed() -> bool:
                return _find((await api.get("/api/screens")).body, "counter-tv") is not None

            await wait_for(listed, message="the pickup TV listed")
            body = (await api.get("/api/screens")).body
            assert _find(body, "not-a-kitchen") is None
            assert _find(body, "counter-tv")["kind"] == "pickup_board"  # type: ignore[index]
    finally:
        await board.disconnect()


@pytest.mark.postgres
async def test_every_process_lists_the_screens_of_every_other(
    server_factory: Callable[..., ServerProcess],
) -> None:
    with postgres_database() as url:
        first = await asyncio.to_thread(server_factory, db_url=url)
        second = await asyncio.to_thread(
            server_factory, db_url=url, data_dir=first.data_dir.parent / "second"
        )  # one after the other: both would migrate the new database at once
        hello = ScreenHello(kind=ScreenKind.KITCHEN, station="fry", name="fry-1")
        client, ack = await _screen(first, first.tokens["kitchen"], "join:kitchen", hello.payload())
        assert ack["ok"]
        async with Api(second.url, first.tokens["admin"]) as api:

            async def listed(connected: bool) -> bool:
                found = _find((await api.get("/api/screens")).body, "fry-1")
                return found is not None and found["connected"] is connected

            await wait_for(lambda: listed(True), message="the other process lists it")
            await client.disconnect()
            await wait_for(lambda: listed(False), message="and sees it go")
