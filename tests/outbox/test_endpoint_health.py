"""An endpoint's health as attempts' results are written, on a real database: failing since
its first failure, cleared by a success, disabled after 5 days of failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.db import outbox_repo
from server.db.engine import Database
from server.db.migrate import migrate
from server.db.outbox_repo import FAILED, PENDING, SENT, Finished

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FIVE_DAYS = timedelta(days=5)


async def _endpoint(db: Database) -> int:
    async with db.writing() as conn:
        return await outbox_repo.insert_webhook(
            conn,
            url="http://127.0.0.1:9/hook",
            events="|order.created|",
            description=None,
            secret="whsec_AAAA",
            key="k",
            enabled=True,
            disabled_reason=None,
            created_at=T0,
            updated_at=T0,
        )


async def _result(db: Database, webhook_id: int, state: str, at: datetime) -> None:
    finished = Finished(
        1, "none", state, 1, None if state == SENT else "HTTP 500", None, at, webhook_id
    )
    async with db.writing() as conn:
        await outbox_repo.finish(conn, [finished], disable_after=FIVE_DAYS)


async def _row(db: Database, webhook_id: int) -> object:
    async with db.reading() as conn:
        return await outbox_repo.get_webhook(conn, webhook_id)


async def test_five_days_of_failing_disable_an_endpoint_and_a_success_clears_it(
    backend_db: str,
) -> None:
    db = Database(backend_db)
    try:
        await migrate(db)
        hook = await _endpoint(db)
        await _result(db, hook, PENDING, T0)
        row = await _row(db, hook)
        assert row.failing_since == T0 and row.enabled  # type: ignore[attr-defined]
        await _result(db, hook, FAILED, T0 + timedelta(days=4))
        row = await _row(db, hook)
        assert row.failing_since == T0 and row.enabled  # type: ignore[attr-defined]
        await _result(db, hook, SENT, T0 + timedelta(days=4, hours=1))
        row = await _row(db, hook)
        assert row.failing_since is None and row.last_error is None  # type: ignore[attr-defined]

        later = T0 + timedelta(days=10)
        await _result(db, hook, PENDING, later)
        await _result(db, hook, PENDING, later + FIVE_DAYS - timedelta(minutes=1))
        assert (await _row(db, hook)).enabled  # type: ignore[attr-defined]
        await _result(db, hook, PENDING, later + FIVE_DAYS)
        row = await _row(db, hook)
        assert not row.enabled  # type: ignore[attr-defined]
        assert row.disabled_reason.startswith("failing since 2026-11-11")  # type: ignore[attr-defined]
    finally:
        await db.dispose()
