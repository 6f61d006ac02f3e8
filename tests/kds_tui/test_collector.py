"""The display runs full garbage collections itself, at quiet moments only."""

from __future__ import annotations

import gc
import weakref

import pytest

from kds_tui import collector
from kds_tui.collector import EVERY_SECONDS, FULL_AFTER, QUIET_SECONDS, Collector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_settle_freezes_once_and_release_gives_everything_back(
    monkeypatch: pytest.MonkeyPatch,
):
    before = gc.get_threshold()
    clock = Clock()
    keeper = Collector(clock)
    keeper.settle()
    try:
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] == FULL_AFTER
        collections: list[int] = []
        monkeypatch.setattr(collector.gc, "collect", lambda *a: collections.append(1))

        clock.now += EVERY_SECONDS - 1
        keeper.tick()
        assert collections == [], "not due yet"

        clock.now += 1
        keeper.changed()
        keeper.tick()
        assert collections == [], "due, but an order just changed"

        clock.now += QUIET_SECONDS
        keeper.tick()
        keeper.tick()
        assert collections == [1], "due and quiet: once"
    finally:
        keeper.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_begin_freezes_what_the_imports_made_and_settle_still_collects_what_start_made():
    before = gc.get_threshold()
    keeper = Collector(Clock())
    keeper.begin()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert gc.get_threshold()[2] == FULL_AFTER
        made = [[n] for n in range(1000)]  # what a start makes, after the freeze
        cycle = Cycle()
        gone = weakref.ref(cycle)
        del cycle  # garbage made by the start: collected by settle, not frozen for good
        keeper.settle()
        assert gone() is None
        assert gc.get_freeze_count() >= frozen + len(made)
        assert gc.get_threshold()[2] == FULL_AFTER
    finally:
        keeper.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
