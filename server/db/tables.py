"""The tables (SQLAlchemy 2 declarative). Migrations in server/migrations create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class OrderRow(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    order_type: Mapped[str] = mapped_column(String(16))
    table: Mapped[str | None] = mapped_column("table_name", String(200))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    items: Mapped[str] = mapped_column(Text)
    """The items as JSON (they are always read and written with their order)."""
    total_cents: Mapped[int | None] = mapped_column(BigInteger)
    customer_email: Mapped[str | None] = mapped_column(String(254))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preparing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tracking_code: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    """The customer's tracking code (kds_contract.tracking); unique, looked up by the public
    pages."""
    search_text: Mapped[str] = mapped_column(Text)
    """Lower-cased customer, table and item names, for text search."""
    stations: Mapped[str] = mapped_column(Text)
    """Lower-cased stations of the items as ``|grill|fry|``, for the station filter."""

    __table_args__ = (
        # The scheduler's question: the scheduled orders, by fire time.
        Index("ix_orders_status_fire_at", "status", "fire_at"),
        # SQLite would otherwise hand the id of a deleted newest order to the next one.
        {"sqlite_autoincrement": True},
    )


class OrderItemRow(Base):
    """An order's item as the reports read it, one row per item, written with the order
    in the same transaction (``server.db.repo``): the reports group and add up items
    without reading each order's JSON (docs/PERFORMANCE.md)."""

    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    """The item's place in the order's items, from 0."""
    name: Mapped[str] = mapped_column(Text)
    station: Mapped[str] = mapped_column(Text)
    """As written on the item; '' for none."""
    quantity: Mapped[int] = mapped_column(Integer)
    first_of_name: Mapped[bool] = mapped_column(Boolean)
    """The order's first item of this name: an order counts once for each name it has."""
    first_of_station: Mapped[bool] = mapped_column(Boolean)
    """The order's first item of this station ('' included)."""


class EventRow(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[str] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(Text)
    """Who made the change, as JSON (``server.domain.Actor.wire()``)."""

    __table_args__ = (Index("ix_events_order_id_seq", "order_id", "seq"),)


class SeqCounter(Base):
    """One row: the last seq handed out. Taking its row lock orders every write."""

    __tablename__ = "seq_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[str | None] = mapped_column(String(32))
    """The event log's identity: renewed whenever its history may have diverged (a restore)."""
    menu_version: Mapped[int] = mapped_column(Integer, server_default="0")
    """+1 on every change of the menu: each write reads it with its seq, so a process knows
    when its copy of the menu is out of date without asking for the menu."""


class MenuItemRow(Base):
    """A dish on the menu: its station and prep time, the defaults of items that do not say."""

    __tablename__ = "menu_items"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    """The name trimmed and case-folded (``kds_contract.menu.menu_key``)."""
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    station: Mapped[str | None] = mapped_column(String(200))
    prep_seconds: Mapped[int | None] = mapped_column(Integer)


class IdempotencyRow(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Whose key it is (the token's id): keys of different clients never collide."""
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TokenRow(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScreenRow(Base):
    """A screen that said what it is (kind, station, device name) when it joined."""

    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    station: Mapped[str] = mapped_column(String(200))
    """Lower-cased; '' for none."""
    name: Mapped[str] = mapped_column(String(200))
    shown_station: Mapped[str | None] = mapped_column(String(200))
    """The station as the screen wrote it."""
    version: Mapped[str] = mapped_column(String(200))
    connected: Mapped[bool] = mapped_column(Boolean)
    process: Mapped[str] = mapped_column(String(64))
    """The server process that holds (or last held) its connection."""
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (UniqueConstraint("kind", "station", "name", name="uq_screens_identity"),)


class WebhookRow(Base):
    """An endpoint that is sent every change it subscribed to (Standard Webhooks)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(200))
    """The event names it wants as ``|order.created|order.updated|``, for a LIKE match."""
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(32))
    """Random, part of every ``webhook-id`` sent to it: ids of two servers never collide."""
    enabled: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = {"sqlite_autoincrement": True}


class OutboxRow(Base):
    """What one change must send, recorded in the change's transaction (one row, no index but
    its key); the outbox process turns it into deliveries and removes it, in one
    transaction of its own."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    """The change (its event row holds the payload)."""
    order_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(32))
    """The webhook event name."""
    webhooks: Mapped[str | None] = mapped_column(Text)
    """The endpoints that wanted it when it committed: their ids, ``|1|4|``."""
    email_kind: Mapped[str | None] = mapped_column(String(8))
    email_to: Mapped[str | None] = mapped_column(String(254))
    email_message_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliveryRow(Base):
    """The outbox: one email or one webhook call, recorded with the change that causes it."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    order_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    """The change it tells of: its event row holds the payload."""
    event: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(254))
    webhook_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[str] = mapped_column(String(200))
    """The ``webhook-id`` or ``Message-ID``: the same on every retry and replay."""
    once: Mapped[str | None] = mapped_column(String(64), unique=True)
    """Set for what is sent at most once ever (``email:ready:<order>``); NULLs never clash."""
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When it is due; while a worker holds it, when its hold lapses."""
    claim: Mapped[str | None] = mapped_column(String(32))
    """The hold of the worker trying it now; a result under another hold is not written."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_order_id", "order_id"),
        Index("ix_deliveries_webhook_id", "webhook_id", "state"),
        Index("ix_deliveries_updated_at", "updated_at"),
        {"sqlite_autoincrement": True},
    )
