"""The menu's endpoints (SPEC: Scheduling and pacing): each item's station and prep time."""

from __future__ import annotations

from aiohttp import web

from kds_contract import Role
from kds_contract.menu import Menu
from server.web.keys import SERVICE
from server.web.routes import ALL_STAFF, Call, Route, json_answer


async def get_menu(call: Call) -> web.Response:
    menu = await call.app[SERVICE].menu()
    return json_answer(menu.model_dump_json())


async def put_menu(call: Call) -> web.Response:
    menu = await call.app[SERVICE].put_menu(call.body)
    return json_answer(menu.model_dump_json())


MENU_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/menu",
        get_menu,
        "The menu: each item's station and prep time (the defaults of items that do not say)",
        roles=frozenset({*ALL_STAFF, Role.POS}),
        answer=Menu,
    ),
    Route(
        "PUT",
        "/api/menu",
        put_menu,
        "Replace the menu (names unique, case-insensitive); orders made before keep theirs",
        roles=frozenset({Role.ADMIN}),
        body=Menu,
        answer=Menu,
    ),
]
