"""The token endpoints (admin): list, create (the token shown once), revoke; what
``kds-server token`` does on the server's host, for the admin console."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from kds_contract import Role
from kds_contract.tokens import Token, TokenAnswer, TokenCreated, TokenIn, TokenList
from server import tokens
from server.web.errors import ApiError
from server.web.keys import DB
from server.web.routes import Call, Route, json_answer

ADMIN = frozenset({Role.ADMIN})


def _token(row: Any) -> Token:
    return Token(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        user_id=row.user_id,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


async def list_tokens(call: Call) -> web.Response:
    rows = await tokens.token_rows(call.app[DB])
    return json_answer(TokenList(tokens=[_token(r) for r in rows]).model_dump_json())


async def create_token(call: Call) -> web.Response:
    body: TokenIn = call.body
    secret, token_id = await tokens.create_token(call.app[DB], body.role, body.name, body.user_id)
    row = await tokens.token_row(call.app[DB], token_id)
    answer = TokenCreated(token=_token(row), secret=secret)
    return json_answer(answer.model_dump_json(), 201)


async def revoke_token(call: Call) -> web.Response:
    token_id = call.path_int("token_id")
    row = await tokens.revoke(call.app[DB], token_id)
    if row is None:
        raise ApiError(404, "not_found", f"token {token_id} does not exist", {"token_id": token_id})
    return json_answer(TokenAnswer(token=_token(row)).model_dump_json())


TOKEN_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/tokens",
        list_tokens,
        "API tokens (never the tokens themselves)",
        roles=ADMIN,
        answer=TokenList,
    ),
    Route(
        "POST",
        "/api/tokens",
        create_token,
        "Make a token (shown only in this answer)",
        roles=ADMIN,
        body=TokenIn,
        answer=TokenCreated,
        status=201,
    ),
    Route(
        "DELETE",
        r"/api/tokens/{token_id:[0-9]+}",
        revoke_token,
        "Revoke a token: refused from now on, its connections dropped",
        roles=ADMIN,
        answer=TokenAnswer,
    ),
]
