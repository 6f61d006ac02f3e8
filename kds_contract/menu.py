"""The menu: each item's station and prep time, the defaults of items that do not say
(SPEC: Scheduling and pacing, ``GET/PUT /api/menu``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from kds_contract.models import Name, PrepSeconds, ShortText, StrictInput

MAX_MENU_ITEMS = 2000


def menu_key(name: str) -> str:
    """How a name is matched with the menu's: trimmed, case-insensitive."""
    return name.strip().casefold()


class MenuItem(StrictInput):
    """One dish on the menu."""

    name: Name
    station: ShortText | None = None
    prep_seconds: PrepSeconds | None = None


class Menu(StrictInput):
    """The whole menu, as ``GET /api/menu`` answers and ``PUT /api/menu`` replaces it."""

    items: list[MenuItem] = Field(max_length=MAX_MENU_ITEMS)

    @field_validator("items")
    @classmethod
    def _unique_names(cls, items: list[MenuItem]) -> list[MenuItem]:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            key = menu_key(item.name)
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_name",
                    "'{name}' is on the menu twice (item {first} too; names are matched "
                    "case-insensitively): keep one",
                    {"name": item.name, "first": seen[key], "field": f"{index}.name"},
                )
            seen[key] = index
        return items

    def by_key(self) -> dict[str, MenuItem]:
        """The items by ``menu_key`` of their names."""
        return {menu_key(item.name): item for item in self.items}


class PrepSuggestion(BaseModel):
    """How long an item really took over a period, beside the menu's prep time."""

    name: str
    menu_prep_seconds: int | None
    median_s: float | None
    p90_s: float | None
    n: int = Field(description="how many times it was made in the period")


class PrepSuggestions(BaseModel):
    """``GET /api/menu/suggestions``: learned prep times, by item name."""

    days: int
    items: list[PrepSuggestion]
