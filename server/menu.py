"""The menu (each item's station and prep time) and the prep times learned from the log.

Orders read the menu through the order service's write path (``OrderService``: it reloads
its copy when the menu's version moves); this is where the menu is read, replaced and
compared with how long items really took.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kds_contract.menu import Menu, PrepSuggestions
from server.db import schedule_repo
from server.db.engine import Database
from server.prep_times import PrepTimes

EVENTS_PAGE = 5000


def utcnow() -> datetime:
    return datetime.now(UTC)


class MenuService:
    """Reads and replaces the menu; learns prep times from the event log."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def menu(self) -> Menu:
        async with self.db.reading() as conn:
            menu, _version = await schedule_repo.load_menu(conn)
        return menu

    async def put_menu(self, menu: Menu) -> Menu:
        """Replace the menu. Orders made from now on take their defaults from it; those
        made before keep theirs."""
        async with self.db.writing() as conn:
            await schedule_repo.replace_menu(conn, menu)
        return menu

    async def prep_suggestions(self, days: int) -> PrepSuggestions:
        """How long each item took over the last ``days`` days (``server.prep_times``),
        beside the menu's prep time. Read in pages, so a long log is never held at once."""
        since = self.clock() - timedelta(days=days)
        times = PrepTimes()
        after = 0
        while True:
            async with self.db.reading() as conn:
                page = await schedule_repo.events_since(conn, since, after, EVENTS_PAGE)
            for seq, kind, at, data in page:
                times.add(kind, at, json.loads(data))
                after = seq
            if len(page) < EVENTS_PAGE:
                break
        menu = await self.menu()
        return PrepSuggestions(days=days, items=times.suggestions(menu.items))
