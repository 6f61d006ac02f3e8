"""The server's clock from the ``Date`` headers of its answers (kds_client.server_clock)."""

from __future__ import annotations

from email.utils import formatdate

from hypothesis import given
from hypothesis import strategies as st

from kds_client.server_clock import ServerClock

T0 = 1_800_000_000.0


def answer(clock: ServerClock, skew: float, sent: float, delay: float) -> None:
    """One answer from a server whose clock is ``skew`` seconds ahead, written ``delay``
    seconds after this machine sent the request at ``sent``; it comes back as soon."""
    written = sent + delay + skew
    clock.heard(formatdate(written, usegmt=True), sent, sent + 2 * delay)


@given(
    skew=st.floats(-3600, 3600),
    delays=st.lists(st.floats(0, 0.5), min_size=1, max_size=20),
)
def test_the_offset_is_within_a_second_and_a_round_trip_of_the_truth(skew, delays) -> None:
    clock = ServerClock()
    sent = T0
    for delay in delays:
        answer(clock, skew, sent, delay)
        sent += 7.3
    assert abs(clock.offset - skew) <= 1 + 2 * max(delays)
    assert clock.offset <= skew + 1e-6, "never ahead of the server: nothing shown fired early"
    assert clock.low <= skew + 1e-6 and skew <= clock.high + 1e-6, "the truth stays in bounds"


def test_more_answers_narrow_it_down_to_well_under_a_second() -> None:
    clock = ServerClock()
    for n in range(40):
        answer(clock, 421.37, T0 + n * 1.13, 0.01)
    assert abs(clock.offset - 421.37) < 0.1


def test_a_clock_set_again_starts_over_and_no_header_changes_nothing() -> None:
    clock = ServerClock()
    assert clock.offset == 0, "nothing heard: this machine's clock"
    answer(clock, 600, T0, 0.01)
    clock.heard(None, T0, T0 + 1)
    clock.heard("not a date", T0, T0 + 1)
    assert abs(clock.offset - 600) <= 1
    answer(clock, -30, T0 + 10, 0.01)  # this machine's clock was moved 630 s on
    assert abs(clock.offset + 30) <= 1


def test_now_is_the_servers_time_in_this_machines_zone() -> None:
    clock = ServerClock(local=lambda: T0)
    answer(clock, 600.5, T0 - 1, 0)
    assert abs(clock.now().timestamp() - (T0 + 600.5)) <= 1
    assert clock.now().utcoffset() is not None


def test_a_time_the_server_wrote_raises_the_low_bound_so_a_dish_fired_at_once_is_not_held():
    clock = ServerClock(local=lambda: T0 + 0.2)
    # The server's clock is 0.9 s ahead; its Date header says so only to the second.
    answer(clock, 0.9, T0 - 0.05, 0.01)
    written = T0 + 0.15 + 0.9  # an order made just now, stamped to the millisecond
    assert clock.now().timestamp() < written, "the header alone leaves it in the future"
    clock.passed(written, T0 + 0.2)
    assert clock.now().timestamp() >= written - 1e-6  # a datetime holds microseconds
    assert clock.low <= 0.9 <= clock.high, "the truth stays in bounds"


def test_only_a_low_bound_moves_this_machines_clock_no_further_than_it_says():
    clock = ServerClock(local=lambda: T0)
    clock.passed(T0 - 3600, T0)  # an order last changed an hour ago
    assert clock.offset == 0.0
    clock.passed(T0 + 5, T0)  # the server is at least 5 s ahead
    assert clock.offset == 5.0
