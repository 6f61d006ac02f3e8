"""The webhook and delivery endpoints (SPEC: Webhooks, Delivery is durable)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from kds_contract import Role
from kds_contract.webhooks import (
    DeliveriesQuery,
    Delivery,
    ReplayIn,
    Webhook,
    WebhookCreated,
    WebhookEdit,
    WebhookIn,
)
from server.outbox.admin import WebhookAdmin
from server.outbox.setup import Outbox
from server.web.routes import Call, Route, json_answer

WEBHOOKS = web.AppKey("webhooks", WebhookAdmin)
OUTBOX = web.AppKey("outbox", Outbox)
ADMIN = frozenset({Role.ADMIN})


class WebhookAnswer(BaseModel):
    webhook: Webhook


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class ReplayAnswer(BaseModel):
    webhook_id: int
    queued: int = Field(description="how many changes were queued to be sent again")


class DeliveryList(BaseModel):
    deliveries: list[Delivery]


def _dump(model: BaseModel) -> str:
    return model.model_dump_json()


async def add_webhook(call: Call) -> web.Response:
    webhook, secret = await call.app[WEBHOOKS].create(call.body)
    return json_answer(_dump(WebhookCreated(webhook=webhook, secret=secret)), 201)


async def list_webhooks(call: Call) -> web.Response:
    return json_answer(_dump(WebhookList(webhooks=await call.app[WEBHOOKS].endpoints())))


async def get_webhook(call: Call) -> web.Response:
    webhook = await call.app[WEBHOOKS].get(call.path_int("webhook_id"))
    return json_answer(_dump(WebhookAnswer(webhook=webhook)))


async def change_webhook(call: Call) -> web.Response:
    change: WebhookEdit = call.body
    webhook = await call.app[WEBHOOKS].edit(call.path_int("webhook_id"), change)
    return json_answer(_dump(WebhookAnswer(webhook=webhook)))


async def remove_webhook(call: Call) -> web.Response:
    webhook_id = call.path_int("webhook_id")
    await call.app[WEBHOOKS].remove(webhook_id)
    return json_answer({"webhook_id": webhook_id, "removed": True})


async def replay_webhook(call: Call) -> web.Response:
    body: ReplayIn = call.body
    webhook_id = call.path_int("webhook_id")
    queued = await call.app[WEBHOOKS].replay(webhook_id, body.after_seq)
    return json_answer(_dump(ReplayAnswer(webhook_id=webhook_id, queued=queued)), 202)


async def list_deliveries(call: Call) -> web.Response:
    q: DeliveriesQuery = call.query
    found = await call.app[WEBHOOKS].deliveries(q)
    return json_answer(_dump(DeliveryList(deliveries=found)))


class Removed(BaseModel):
    webhook_id: int
    removed: bool


WEBHOOK_ID = r"/api/webhooks/{webhook_id:[0-9]+}"

OUTBOX_ROUTES: list[Route] = [
    Route(
        "POST",
        "/api/webhooks",
        add_webhook,
        "Add a webhook endpoint (its secret is shown only in this answer)",
        roles=ADMIN,
        body=WebhookIn,
        answer=WebhookCreated,
        status=201,
    ),
    Route(
        "GET",
        "/api/webhooks",
        list_webhooks,
        "Webhook endpoints with their health",
        roles=ADMIN,
        answer=WebhookList,
    ),
    Route(
        "GET",
        WEBHOOK_ID,
        get_webhook,
        "One webhook endpoint with its health",
        roles=ADMIN,
        answer=WebhookAnswer,
    ),
    Route(
        "PATCH",
        WEBHOOK_ID,
        change_webhook,
        "Change a webhook endpoint; enabling a disabled one resumes it",
        roles=ADMIN,
        body=WebhookEdit,
        answer=WebhookAnswer,
    ),
    Route(
        "DELETE",
        WEBHOOK_ID,
        remove_webhook,
        "Stop and forget a webhook endpoint",
        roles=ADMIN,
        answer=Removed,
    ),
    Route(
        "POST",
        WEBHOOK_ID + "/replay",
        replay_webhook,
        "Send again every matching change after a seq",
        roles=ADMIN,
        body=ReplayIn,
        answer=ReplayAnswer,
        status=202,
    ),
    Route(
        "GET",
        "/api/deliveries",
        list_deliveries,
        "Emails and webhook calls of the outbox, newest first",
        roles=ADMIN,
        query=DeliveriesQuery,
        answer=DeliveryList,
    ),
]
