"""The Redis manager's publishing, against a real Redis: in order, off the caller's path,
and what is queued at a stop still goes out."""

from __future__ import annotations

import asyncio
import json

import pytest
from redis import asyncio as aioredis

from server.shared_events import RedisSharedManager
from tests.support.client import wait_for
from tests.support.services import RedisProcess

pytestmark = pytest.mark.redis


async def test_messages_go_out_in_order_and_a_stop_publishes_what_is_queued(
    redis: RedisProcess,
) -> None:
    other = aioredis.Redis.from_url(redis.url)
    pubsub = other.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("socketio")
    manager = RedisSharedManager(redis.url)
    for n in range(500):
        await manager.publish_to_others({"method": "emit", "n": n})  # returns before it is sent
    assert manager.published < 500, "publishing waited for Redis"
    await manager.close()  # the server stops with messages queued
    received: list[int] = []
    async with asyncio.timeout(10):
        async for message in pubsub.listen():
            received.append(json.loads(message["data"])["n"])
            if len(received) == 500:
                break
    assert received == list(range(500))
    assert (manager.published, manager.dropped) == (500, 0)
    await pubsub.aclose()
    await other.aclose()


async def test_with_redis_away_messages_are_dropped_and_then_flow_again(
    redis: RedisProcess,
) -> None:
    manager = RedisSharedManager(redis.url)
    await manager.publish_to_others({"method": "emit", "n": 0})
    await wait_for(lambda: manager.published == 1, 5, message="the first message out")
    redis.stop()
    for n in range(1, 4):
        await manager.publish_to_others({"method": "emit", "n": n})
    await wait_for(lambda: manager.dropped == 3, 10, message="three messages dropped")
    redis.start()
    await manager.publish_to_others({"method": "emit", "n": 4})
    await wait_for(lambda: manager.published == 2, 10, message="publishing again")
    await manager.close()
