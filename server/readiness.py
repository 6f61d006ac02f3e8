"""Readiness: can this process do its work now? The database answers a query within
``CHECK_TIMEOUT_S``, and Redis (when configured) is reachable as ``server.redis_health``
last found it (its manager pings it every 2 s and reports every publish and receive).

``GET /readyz`` answers from it, and so does the ``kds_ready`` metric. Liveness
(``GET /livez``) checks nothing: the process answers, that is all.
"""

from __future__ import annotations

import asyncio

from server.db import repo
from server.db.engine import Database
from server.redis_health import RedisHealth

CHECK_TIMEOUT_S = 2.0
OK = "ok"

DATABASE = "database"
REDIS = "redis"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"unreachable: no answer within {CHECK_TIMEOUT_S:g} s"
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else ""
    return f"unreachable: {type(exc).__name__}{': ' + text[:200] if text else ''}"


class Readiness:
    """Checks the parts a request needs: the database, and Redis when configured."""

    def __init__(self, db: Database, redis: RedisHealth | None = None) -> None:
        self.db = db
        self.redis = redis

    async def check(self) -> dict[str, str]:
        """Each part's state: ``ok`` or ``unreachable: why``."""
        checks = {DATABASE: await self._database()}
        if self.redis is not None:
            checks[REDIS] = OK if self.redis.reachable else f"unreachable: {self.redis.reason}"
        return checks

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                async with self.db.reading() as conn:
                    await repo.current_seq(conn)
        except Exception as exc:  # any failure to reach it is what readiness reports
            return _reason(exc)
        return OK


def failing(checks: dict[str, str]) -> list[str]:
    """The parts that are not ok."""
    return [part for part, state in checks.items() if state != OK]
