"""Wrapping in terminal cells: nothing lost, nothing reordered, no line too wide."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from kds_tui.text import one_line, wrap, wrap_spans

KITCHEN_CHARS = [
    *"abcXYZ09-,.!",
    *"宫保鸡丁少辣不要葱花生严重过敏",  # Chinese: two cells each
    *"ピーナッツ",  # Japanese
    *"🍔🌶🥜",  # emoji: two cells
    "👨\u200d🍳",  # a ZWJ sequence: one grapheme
    "e\u0301",  # e and a combining acute accent: one cell
    "\u0301",  # a combining mark on its own
    *"שלום",  # Hebrew
    *"حساسية",  # Arabic
    " ",
    " ",
    "  ",
    "\n",
]
texts = st.lists(st.sampled_from(KITCHEN_CHARS), max_size=80).map("".join)
any_texts = st.text(max_size=80)


def check(text: str, width: int) -> None:
    spans = wrap_spans(text, width)
    assert spans, "at least one line"
    boundaries, at = set(), 0
    for paragraph in text.split("\n"):  # a line break always breaks the line
        boundaries |= {at, at + len(paragraph)}
        for g_start, g_end, _ in split_graphemes(paragraph)[0]:
            boundaries |= {at + g_start, at + g_end}
        at += len(paragraph) + 1
    at = 0
    for start, end in spans:
        assert at <= start <= end, "lines are in order and do not overlap"
        gap = text[at:start]
        assert gap == "" or gap.isspace(), f"only whitespace is left out: {gap!r}"
        line = text[start:end]
        assert start in boundaries and end in boundaries, "no grapheme is split"
        one_grapheme = len(split_graphemes(line)[0]) <= 1
        assert cell_len(line) <= width or one_grapheme, f"{line!r} is wider than {width}"
        at = end
    assert text[at:] == "" or text[at:].isspace()
    kept = "".join(text[s:e] for s, e in spans)
    assert "".join(kept.split()) == "".join(text.split()), "every character, in order"
    assert wrap(text, width) == [text[s:e] for s, e in spans]


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=1, max_value=40))
def test_wrap_keeps_every_character_in_order_within_the_width(text: str, width: int):
    check(text, width)


@settings(max_examples=200, deadline=None)
@given(any_texts, st.integers(min_value=2, max_value=30))
def test_wrap_of_any_text(text: str, width: int):
    check(text, width)


def test_wrap_breaks_at_spaces_and_keeps_no_with_its_word():
    assert wrap("Burger 🍔🍔🍔🍔🍔 NO CHEESE", 21) == ["Burger 🍔🍔🍔🍔🍔", "NO CHEESE"]
    assert wrap("Fries, NO salt please", 10) == ["Fries,", "NO salt", "please"]
    assert wrap("宫保鸡丁 少辣 不要葱 花生严重过敏", 17) == [
        "宫保鸡丁 少辣",
        "不要葱",
        "花生严重过敏",
    ]
    assert wrap("花生严重过敏花生严重过敏", 10) == ["花生严重过", "敏花生严重", "过敏"]
    assert wrap("Slow-Braised Heritage Pork Belly", 14) == [
        "Slow-Braised",
        "Heritage Pork",
        "Belly",
    ]
    assert wrap("one\n\ntwo", 10) == ["one", "", "two"]


def test_a_word_wider_than_a_line_breaks_after_a_hyphen_or_a_slash_where_it_can():
    assert wrap("gluten-free bun", 9) == ["gluten-", "free bun"]
    assert wrap("extra-extra-extra-long", 8) == ["extra-", "extra-", "extra-", "long"]
    assert wrap("half/half-and-half-sauce", 10) == ["half/half-", "and-half-", "sauce"]
    assert wrap("peppercorn", 9) == ["peppercor", "n"]  # none: where the line is full
    assert wrap("-bb🍔", 3) == ["-", "bb", "🍔"]  # after the hyphen, still too wide


def test_one_line_turns_tabs_and_breaks_into_spaces():
    assert one_line("a\tb\r\nc\nd") == "a b c d"
    assert one_line("plain") == "plain"
