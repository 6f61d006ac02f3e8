"""The public REST endpoints, no token: one order by its tracking code, and the pickup
board. Both answer public fields only (kds_contract.tracking)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from kds_contract.tracking import PICKUP_STATUSES, PublicOrder, is_tracking_code, public_order
from server.db.repo import OrderQuery
from server.public import GuessLimiter
from server.service import LogPosition
from server.web.errors import ApiError, too_many
from server.web.keys import SERVICE, SETTINGS
from server.web.routes import Call, Route, json_answer

GUESSES = web.AppKey("guesses", GuessLimiter)
PICKUP_MAX = 500
"""Open orders the pickup board is sent at most (a TV shows far fewer)."""


class TrackAnswer(BaseModel):
    order: PublicOrder
    seq: int = Field(description="the last committed seq when the order was read")
    epoch: str | None = Field(description="the event log's epoch (renewed by a restore)")


class PickupAnswer(BaseModel):
    orders: list[PublicOrder]
    seq: int = Field(description="the last committed seq when the board was read")
    epoch: str | None = Field(description="the event log's epoch (renewed by a restore)")
    names: bool = Field(description="whether customers' names are shown (--pickup-names)")
    restaurant_name: str


def remote_address(request: web.Request) -> str:
    return request.remote or "?"


async def track_lookup(request: web.Request, code: str) -> tuple[dict[str, object], LogPosition]:
    """The public fields of the order with this code and the seq they are at; a refusal
    (429) while this address has guessed too often, a 404 for an unknown code."""
    guesses = request.app[GUESSES]
    address = remote_address(request)
    wait = guesses.retry_after(address)
    if wait:
        raise too_many(
            wait, "too many unknown tracking codes from this address; try again in {retry} s"
        )
    order, position = None, LogPosition(0, None)
    if is_tracking_code(code):
        order, position = await request.app[SERVICE].tracked(code)
    if order is None:
        guesses.miss(address)
        raise ApiError(404, "not_found", "no order has this tracking code; check the link")
    return public_order(order.wire()), position


async def track(call: Call) -> web.Response:
    public, position = await track_lookup(call.request, call.request.match_info["code"])
    return json_answer({"order": public, "seq": position.seq, "epoch": position.epoch})


async def pickup(call: Call) -> web.Response:
    settings = call.app[SETTINGS]
    query = OrderQuery(statuses=[str(s) for s in PICKUP_STATUSES], per_page=PICKUP_MAX, sort="id")
    found, _total, position, _newest = await call.app[SERVICE].list_orders(query)
    return json_answer(
        {
            "orders": [public_order(o.wire(), names=settings.pickup_names) for o in found],
            "seq": position.seq,
            "epoch": position.epoch,
            "names": settings.pickup_names,
            "restaurant_name": settings.restaurant_name,
        }
    )


PUBLIC_ROUTES: list[Route] = [
    Route(
        "GET",
        "/api/track/{code}",
        track,
        "One order's public fields, by its tracking code (no token; guessing is rate-limited)",
        answer=TrackAnswer,
        errors=(429, 503),
    ),
    Route(
        "GET",
        "/api/pickup",
        pickup,
        "The pickup board: open orders' public fields (no token; names only with --pickup-names)",
        answer=PickupAnswer,
        errors=(503,),
    ),
]
