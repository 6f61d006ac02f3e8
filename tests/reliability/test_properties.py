"""Properties of the status machine (the contract's table, the server's rules, the live
server) and of the client's OrderStore under random interleavings.

tests/client/test_store.py already covers shuffled, duplicated and lost events with forward
moves only; here every move of the table is used, catch-up pages of any range arrive in the
middle of live events, and the store is checked after every single step.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from kds_client.store import Event, OrderStore
from kds_contract import (
    ORDER_CREATED,
    ORDER_DELETED,
    ORDER_STATUS_UPDATED,
    ORDER_UPDATED,
    TRANSITIONS,
    Order,
    OrderCreate,
    Status,
    can_move,
    forward,
    undo,
)
from server import domain
from tests.support.server import ServerProcess

STATUSES = list(Status)
T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
PATH = [Status.PENDING, Status.PREPARING, Status.READY, Status.COMPLETED]


# --- the table -------------------------------------------------------------------------


def reachable(start: Status) -> set[Status]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_table_hangs_together() -> None:
    assert reachable(Status.SCHEDULED) == set(Status), "every status can be reached"
    assert reachable(Status.PENDING) == set(Status) - {Status.SCHEDULED}, (
        "nothing moves back to scheduled"
    )
    for status in Status:
        assert status not in TRANSITIONS[status], "no move to itself"
        if status is not Status.CANCELLED:
            assert Status.CANCELLED in reachable(status), "anything open can end cancelled"
        for step in (forward(status), undo(status)):
            assert step is None or can_move(status, step), (status, step)
        if forward(status) is not None and status is not Status.PENDING:
            assert undo(forward(status)) == status, "undo takes back a forward move"
    assert TRANSITIONS[Status.CANCELLED] == frozenset(), "cancelled is final"


@given(st.sampled_from(STATUSES), st.sampled_from(STATUSES))
def test_can_move_is_the_table(current: Status, target: Status) -> None:
    assert can_move(current, target) is (target in TRANSITIONS[current])


# --- the server's rules ----------------------------------------------------------------


class DomainMachine(RuleBasedStateMachine):
    """An order moved at random through server.domain: it takes exactly the table's moves,
    counts each in its version, refuses stale versions, and keeps the first time each status
    was entered (a move back along the path forgets the times of the statuses it undid)."""

    @initialize()
    def create(self) -> None:
        self.now = T0
        self.order = domain.new_order(OrderCreate(items=[{"name": "Soup"}]), 1, self.now)
        self.status, self.version = Status.PENDING, 1
        self.times: dict[Status, datetime] = {Status.PENDING: self.now}

    @rule(to=st.sampled_from(STATUSES), stale=st.booleans())
    def move(self, to: Status, stale: bool) -> None:
        target = to
        self.now += timedelta(seconds=1)
        version = self.version - 1 if stale else self.version
        try:
            moved = domain.move(self.order, target, version, self.now)
        except domain.StaleVersion:
            assert stale
            return
        except domain.MoveRefused:
            assert not stale and not can_move(self.status, target)
            return
        assert not stale and can_move(self.status, target)
        assert moved.updated_at == self.now
        if target in PATH:
            for undone in PATH[PATH.index(target) + 1 :]:
                self.times.pop(undone, None)
        self.times.setdefault(target, self.now)
        self.order, self.status, self.version = moved, target, self.version + 1

    @invariant()
    def agrees(self) -> None:
        assert (self.order.status, self.order.version) == (self.status, self.version)
        assert {s: getattr(self.order, f"{s}_at") for s in STATUSES} == {
            s: self.times.get(s) for s in STATUSES
        }


TestDomainMachine = DomainMachine.TestCase
TestDomainMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)


# --- the live server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("properties")).start()
    yield proc
    proc.kill()


def call(server: ServerProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {server.tokens['admin']}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.tuples(st.sampled_from(STATUSES), st.booleans()), max_size=15))
def test_the_live_server_takes_exactly_the_tables_moves(
    live: ServerProcess, moves: list[tuple[Status, bool]]
) -> None:
    status, body = call(live, "POST", "/api/orders", {"items": [{"name": "Soup"}]})
    assert status == 201
    order_id, current, version = body["order"]["id"], Status.PENDING, 1
    for target, stale in moves:
        sent = version - 1 if stale else version
        status, body = call(
            live, "PATCH", f"/api/orders/{order_id}/status", {"status": target, "version": sent}
        )
        if not stale and can_move(current, target):
            assert status == 200, body
            assert (body["oldStatus"], body["newStatus"]) == (current, target)
            current, version = target, version + 1
        else:
            assert status in (409, 422), body  # 422: version 0 is not a version at all
            code = body["error"]["code"]
            assert code == (
                "invalid" if sent < 1 else "stale_version" if stale else "invalid_transition"
            ), body
    status, body = call(live, "GET", f"/api/orders/{order_id}/events")
    kinds = [e["type"] for e in body["events"]]
    assert kinds == [ORDER_CREATED] + [ORDER_STATUS_UPDATED] * (version - 1)
    _, body = call(live, "GET", f"/api/orders/{order_id}")
    assert (body["order"]["status"], body["order"]["version"]) == (current, version)


# --- the client's store ----------------------------------------------------------------


def wire(order_id: int, status: Status, version: int, notes: str | None) -> dict[str, Any]:
    at = (T0 + timedelta(seconds=order_id)).isoformat().replace("+00:00", "Z")
    return {
        "id": order_id,
        "status": str(status),
        "order_type": "dine_in",
        "notes": notes,
        "items": [{"id": 1, "name": "Soup"}],
        "version": version,
        "created_at": at,
        "updated_at": at,
    }


@st.composite
def server_histories(draw: st.DrawFn) -> list[Event]:
    """What a server commits: creates, any move of the table, edits and deletes, seq 1.."""
    orders: dict[int, dict[str, Any]] = {}
    events: list[Event] = []
    for _ in range(draw(st.integers(1, 50))):
        seq = len(events) + 1
        action = draw(st.sampled_from(["create", "move", "move", "move", "edit", "delete"]))
        if action == "create" or not orders:
            order = wire(seq, Status.PENDING, 1, None)
            orders[order["id"]] = order
            events.append(Event(seq, ORDER_CREATED, order["id"], "", {"order": order, "seq": seq}))
            continue
        order_id = draw(st.sampled_from(sorted(orders)))
        old = orders[order_id]
        if action == "delete":
            del orders[order_id]
            events.append(
                Event(seq, ORDER_DELETED, order_id, "", {"orderId": order_id, "seq": seq})
            )
            continue
        targets = sorted(TRANSITIONS[Status(old["status"])])
        if action == "move" and targets:
            new = {
                **old,
                "status": str(draw(st.sampled_from(targets))),
                "version": old["version"] + 1,
            }
            payload = {
                "order": new,
                "oldStatus": old["status"],
                "newStatus": new["status"],
                "seq": seq,
            }
            events.append(Event(seq, ORDER_STATUS_UPDATED, order_id, "", payload))
        else:
            new = {**old, "notes": f"edit {seq}", "version": old["version"] + 1}
            events.append(Event(seq, ORDER_UPDATED, order_id, "", {"order": new, "seq": seq}))
        orders[order_id] = new
    return events


def states(events: list[Event]) -> list[dict[int, Order]]:
    """The server's orders after each seq: ``states[n]`` is the state at seq n."""
    current: dict[int, Order] = {}
    result = [dict(current)]
    for event in events:
        if event.type == ORDER_DELETED:
            current.pop(event.order_id, None)
        else:
            order = event.order()
            assert order is not None
            current[order.id] = order
        result.append(dict(current))
    return result


Step = tuple[str, int, int]
"""("offer", seq, _) a live event; ("page", after, size) a catch-up page of GET /api/events."""


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Event], list[Step]]:
    events = draw(server_histories())
    n = len(events)
    offers = [("offer", e.seq, 0) for e in events for _ in range(draw(st.integers(0, 2)))]
    pages = draw(st.lists(st.tuples(st.just("page"), st.integers(0, n), st.integers(1, n))))
    steps = draw(st.permutations(offers + pages))
    return events, [*steps, ("page", 0, n)]  # the periodic check, at the end


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_the_store_only_ever_shows_a_state_the_server_had(
    delivery: tuple[list[Event], list[Step]],
) -> None:
    events, steps = delivery
    truth = states(events)
    store = OrderStore()
    store.reset([], 0)
    applied: list[int] = []
    for kind, a, b in steps:
        if kind == "offer":
            changes = store.offer(events[a - 1])
        else:
            # A page answers "after the seq the store had when it asked": that may be any
            # seq up to its current one (the answer arrives after later live events).
            start = min(a, store.last_seq)
            changes = store.catch_up(events[start : start + b])
        applied += [c.seq for c in changes]
        assert store.orders == truth[store.last_seq], f"a state the server never had at {kind}"
    assert applied == sorted(set(applied)), "each change applied once, in seq order"
    assert store.last_seq == len(events) and store.orders == truth[-1]
    assert not store.has_gap
