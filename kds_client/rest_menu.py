"""The menu's endpoints of the REST API, for :class:`KdsRest`."""

from __future__ import annotations

from kds_client.rest_outbox import OutboxCalls
from kds_contract.menu import Menu, PrepSuggestions


class MenuCalls(OutboxCalls):
    """The menu and its learned prep times; mixed into ``KdsRest`` (the request machinery
    is ``OutboxCalls``' stand-ins for ``KdsRest``'s own)."""

    async def menu(self) -> Menu:
        """Each item's station and prep time."""
        body = await self._request("GET", "/api/menu")
        return self._parse(lambda: Menu.model_validate(body))  # type: ignore[no-any-return]

    async def put_menu(self, menu: Menu) -> Menu:
        """Replace the menu (admin); orders made before keep their items as they are."""
        body = await self._request("PUT", "/api/menu", json=menu.model_dump(mode="json"))
        return self._parse(lambda: Menu.model_validate(body))  # type: ignore[no-any-return]

    async def prep_suggestions(self, days: int = 14) -> PrepSuggestions:
        """How long each item really took over the last ``days`` days (admin)."""
        body = await self._request("GET", "/api/menu/suggestions", params={"days": str(days)})
        return self._parse(lambda: PrepSuggestions.model_validate(body))  # type: ignore[no-any-return]
