"""The menu's endpoints (SPEC: Scheduling and pacing): each item's station and prep time,
and the prep times learned from the event log."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from kds_contract import Role
from kds_contract.menu import Menu, PrepSuggestions
from server.menu import MenuService
from server.web.routes import ALL_STAFF, Call, Route, json_answer

MENU = web.AppKey("menu", MenuService)
MAX_SUGGEST_DAYS = 90


class SuggestQuery(BaseModel):
    """GET /api/menu/suggestions: over how many days back."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(default=14, ge=1, le=MAX_SUGGEST_DAYS)


async def get_menu(call: Call) -> web.Response:
    menu = await call.app[MENU].menu()
    return json_answer(menu.model_dump_json())


async def put_menu(call: Call) -> web.Response:
    menu = await call.app[MENU].put_menu(call.body)
    return json_answer(menu.model_dump_json())


async def suggestions(call: Call) -> web.Response:
    query: SuggestQuery = call.query
    found = await call.app[MENU].prep_suggestions(query.days)
    return json_answer(found.model_dump_json())


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
    Route(
        "GET",
        "/api/menu/suggestions",
        suggestions,
        "How long each item really took (median, p90: from its start to done or ready) over "
        "the last days, beside the menu's prep time; nothing is changed",
        roles=frozenset({Role.ADMIN}),
        query=SuggestQuery,
        answer=PrepSuggestions,
    ),
]
