"""What operators call: liveness, readiness and the screens online."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from kds_contract import Role
from kds_contract.screens import ScreensAnswer
from server.readiness import failing
from server.web.keys import READINESS, SCREENS
from server.web.routes import Call, Route, json_answer


class Live(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]
    """Each part: ``ok`` or ``unreachable: why``."""
    failing: list[str]
    """The parts that are not ok (``database``, ``redis``)."""


async def livez(_call: Call) -> web.Response:
    return json_answer({"status": "ok"})


async def readyz(call: Call) -> web.Response:
    checks = await call.app[READINESS].check()
    bad = failing(checks)
    body = Ready(status="not ready" if bad else "ready", checks=checks, failing=bad)
    return json_answer(body.model_dump_json(), 503 if bad else 200)


async def screens(call: Call) -> web.Response:
    answer = await call.app[SCREENS].listing()
    return json_answer(answer.model_dump_json())


OPERATING_ROUTES: list[Route] = [
    Route(
        "GET", "/livez", livez, "Liveness: the process answers (checks nothing else)", answer=Live
    ),
    Route(
        "GET",
        "/readyz",
        readyz,
        "Readiness: the database (and Redis, when configured) answer; 503 names what fails",
        answer=Ready,
        own_answers={503: Ready},
    ),
    Route(
        "GET",
        "/api/screens",
        screens,
        "Screens connected now and those seen in the last 24 h; stations and their cover",
        roles=frozenset({Role.ADMIN}),
        answer=ScreensAnswer,
    ),
]
