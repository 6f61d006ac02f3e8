"""The admin endpoints of the REST API beyond orders (webhooks, deliveries, tokens), for
:class:`KdsRest`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import ValidationError

from kds_client.errors import ServerError
from kds_contract.tokens import Token, TokenAnswer, TokenCreated, TokenList
from kds_contract.webhooks import Delivery, Webhook

Json = dict[str, Any]


class OutboxCalls:
    """Webhook endpoints and deliveries; mixed into ``KdsRest``, whose ``_request`` they use."""

    @property
    def url(self) -> str:
        raise NotImplementedError  # KdsRest's

    _request: Callable[..., Awaitable[Json]]
    """KdsRest's: one request, failing over across the servers."""

    async def webhooks(self) -> list[Webhook]:
        """Every webhook endpoint with its health."""
        body = await self._request("GET", "/api/webhooks")
        return self._parse(lambda: [Webhook.model_validate(w) for w in body["webhooks"]])

    async def add_webhook(
        self, url: str, events: Sequence[str] | None = None, description: str | None = None
    ) -> tuple[Webhook, str]:
        """A new endpoint and its secret (the only time the server shows it)."""
        payload: Json = {"url": url}
        if events:
            payload["events"] = list(events)
        if description is not None:
            payload["description"] = description
        body = await self._request("POST", "/api/webhooks", json=payload)
        return self._parse(lambda: (Webhook.model_validate(body["webhook"]), str(body["secret"])))

    async def change_webhook(self, webhook_id: int, **changes: Any) -> Webhook:
        """Change url, events, enabled or description; enabling resumes a disabled one."""
        body = await self._request("PATCH", f"/api/webhooks/{int(webhook_id)}", json=changes)
        return self._parse(lambda: Webhook.model_validate(body["webhook"]))

    # -- tokens (admin) ---------------------------------------------------------------

    async def tokens(self) -> list[Token]:
        """Every API token, revoked ones too (never the tokens themselves)."""
        body = await self._request("GET", "/api/tokens")
        return self._parse(lambda: TokenList.model_validate(body).tokens)

    async def create_token(
        self, role: str, name: str | None = None, user_id: str | None = None
    ) -> TokenCreated:
        """A new token; its ``secret`` is shown only in this answer."""
        payload: Json = {"role": role}
        if name:
            payload["name"] = name
        if user_id:
            payload["user_id"] = user_id
        body = await self._request("POST", "/api/tokens", json=payload)
        return self._parse(lambda: TokenCreated.model_validate(body))

    async def revoke_token(self, token_id: int) -> Token:
        """Revoke a token: the server refuses it from now on."""
        body = await self._request("DELETE", f"/api/tokens/{int(token_id)}")
        return self._parse(lambda: TokenAnswer.model_validate(body).token)

    async def remove_webhook(self, webhook_id: int) -> None:
        await self._request("DELETE", f"/api/webhooks/{int(webhook_id)}")

    async def replay_webhook(self, webhook_id: int, after_seq: int) -> int:
        """Queue again every matching change after ``after_seq``; how many were queued."""
        body = await self._request(
            "POST", f"/api/webhooks/{int(webhook_id)}/replay", json={"after_seq": int(after_seq)}
        )
        return self._parse(lambda: int(body["queued"]))

    async def deliveries(
        self,
        *,
        order_id: int | None = None,
        kind: str | None = None,
        state: str | None = None,
        webhook_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Emails and webhook calls, newest first."""
        params = {
            key: str(value)
            for key, value in (
                ("order_id", order_id),
                ("kind", kind),
                ("state", state),
                ("webhook_id", webhook_id),
                ("limit", limit),
            )
            if value is not None
        }
        body = await self._request("GET", "/api/deliveries", params=params)
        return self._parse(lambda: [Delivery.model_validate(d) for d in body["deliveries"]])

    def _parse(self, read: Any) -> Any:
        try:
            return read()
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise ServerError(f"unexpected answer from {self.url}: {exc}") from exc
