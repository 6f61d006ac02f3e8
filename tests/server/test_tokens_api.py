"""Tokens from the API (admin): made and shown once, listed without the token, revoked."""

from __future__ import annotations

from tests.support.http import Api
from tests.support.server import ServerProcess


async def test_make_list_and_revoke_a_token(server: ServerProcess) -> None:
    async with Api(server.url, server.tokens["admin"]) as api:
        made = await api.post("/api/tokens", {"role": "pos", "name": "till-2"})
        assert made.status == 201, made.body
        secret, token = made.body["secret"], made.body["token"]
        assert token["role"] == "pos" and token["name"] == "till-2"
        assert secret.startswith(token["prefix"]) and token["revoked_at"] is None

        till = api.as_(secret)
        order = await till.create(table="3")
        listed = await api.get("/api/tokens")
        assert secret not in str(listed.body), "the token is never listed"
        assert token["id"] in [t["id"] for t in listed.body["tokens"]]

        revoked = await api.delete(f"/api/tokens/{token['id']}")
        assert revoked.status == 200 and revoked.body["token"]["revoked_at"]
        refused = await till.get(f"/api/orders/{order['id']}")
        assert refused.status == 401
        again = await api.delete(f"/api/tokens/{token['id']}")
        assert again.body["token"]["revoked_at"] == revoked.body["token"]["revoked_at"]

        as_kitchen = await api.as_(server.tokens["kitchen"]).get("/api/tokens")
        assert as_kitchen.status == 403
        customer = await api.post("/api/tokens", {"role": "customer", "name": "web"})
        assert customer.status == 422 and customer.error["details"]["field"] == "user_id"
        bad = await api.post("/api/tokens", {"role": "pos", "name": "till\x1b[2J"})
        assert bad.status == 422 and bad.error["details"]["field"] == "name"
    listing = server.cli("token", "list", check=True).stdout
    assert "till-2" in listing and "revoked" in listing
