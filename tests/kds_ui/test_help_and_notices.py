"""The key rows and the notice rule both apps take from kds_ui."""

from __future__ import annotations

from textual.binding import Binding

from kds_ui.help import key_rows, shown_keys
from kds_ui.notices import gives_way

BINDINGS = [
    Binding("enter,space", "next", "Next", id="next"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("f1", "help", "Help"),
    ("q", "quit", "Quit"),
]


def test_a_row_per_action_with_every_key_once_and_remaps_in_place_of_the_defaults() -> None:
    def display(binding: Binding) -> str:
        return binding.key.upper()

    rows = key_rows(BINDINGS, display, {"next": "b,b"})
    assert [(r.id, r.keys, r.description) for r in rows] == [
        ("next", ["B"], "Next"),
        ("help", ["QUESTION_MARK", "F1"], "Help"),
        (None, ["Q"], "Quit"),
    ]
    assert shown_keys(Binding("enter,space", "next", id="next"), display) == ["ENTER", "SPACE"]


def test_a_lesser_notice_never_takes_the_place_of_a_graver_one_still_showing() -> None:
    assert gives_way(None, "information")
    assert gives_way("information", "information")
    assert gives_way("warning", "error")
    assert not gives_way("error", "warning")
    assert not gives_way("warning", "information")
