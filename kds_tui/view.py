"""The lines of one ticket, worked out from an order: no Textual, no I/O.

Every line is measured in terminal cells and wrapped, never cut (``kds_tui.text``): an item's
name, modifiers and notes, the order's notes and who it is for are always shown whole; a
ticket taller than a column carries on in the next one (``kds_tui.layout``). Allergen words
(``kds_contract.allergens``) carry one mark, ⚠, and a style of their own; every part of a
ticket repeats its number, table and allergens. An edit made since the ticket last moved
shows what it changed: the old text struck (✕), the new marked (✚).

A line is a row of pieces, each a text and a *role* (``item``, ``allergen``, ``removed``...);
the widget gives each role its style, so the look lives in the .tcss file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache

from rich.cells import cell_len

from kds_contract import Item, Order, Priority
from kds_contract.allergens import ALLERGY, ALLERGY_MARK, Allergens, Found
from kds_tui.layout import Box
from kds_tui.model import (
    STATUS_LABELS,
    next_item,
    station_items,
    station_progress,
    where_to,
    who,
)
from kds_tui.pacing import HELD_MARK, clock, held_ids, held_text, past_due
from kds_tui.text import one_line, wrap_spans

TIMER_CELLS = 7
"""Cells kept free on a ticket's first line for its age (``mmm:ss`` and a space)."""
ADDED, REMOVED = "✚", "✕"
"""How an edit's new and old text are marked, with or without colour."""
NOTE_MARK = "✎"
"""An order note that names no allergen (allergens have ⚠)."""

Piece = tuple[str, str]
"""A run of text on a line and its role (see the module's docstring)."""


@dataclass(frozen=True)
class Line:
    """One line of a ticket: pieces of text, each with a role."""

    pieces: tuple[Piece, ...]
    attached: bool = False
    """Kept in the same part as the line before it (an item's modifiers and notes, and its
    name's later lines, stay with its first line when a long ticket carries on)."""

    @property
    def text(self) -> str:
        """The line as plain text."""
        return "".join(text for text, _ in self.pieces)


def plain(text: str, role: str) -> Line:
    """A line of one piece."""
    return Line(((text, role),))


def lines(
    text: str,
    width: int,
    role: str,
    *,
    lead: str = "",
    rest: str | None = None,
    allergens: Allergens | None = None,
    lead_role: str | None = None,
) -> list[Line]:
    """``text`` wrapped to ``width`` cells after ``lead`` (then ``rest``, spaces by default),
    allergen words in it given the role ``allergen``."""
    rest = " " * cell_len(lead) if rest is None else rest
    found = allergens.find(text) if allergens is not None else []
    out = []
    for number, (start, end) in enumerate(
        _spans(text, width - cell_len(lead), width - cell_len(rest))
    ):
        head = lead if number == 0 else rest
        pieces: list[Piece] = [(head, lead_role or role)] if head else []
        pieces += _marked(text, start, end, found, role)
        out.append(Line(tuple(pieces)))
    return out


def _spans(text: str, first: int, rest: int) -> list[tuple[int, int]]:
    """Where each line of ``text`` starts and ends in it: at most ``first`` cells on the
    first line, ``rest`` on the others."""
    first, rest = max(2, first), max(2, rest)
    if first >= rest:
        return wrap_spans(text, min(first, rest))
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    if cell_len(word) > first:
        # A first word wider than the first line starts on the next, wider one.
        return [(0, 0), *wrap_spans(text, rest)]
    start, end = wrap_spans(text, first)[0]
    after = end + (1 if text[end : end + 1] == "\n" else 0)
    while after < len(text) and text[after] in " \t":
        after += 1
    if after >= len(text):
        return [(start, end)]
    return [(start, end), *((after + s, after + e) for s, e in wrap_spans(text[after:], rest))]


def _marked(text: str, start: int, end: int, found: Sequence[Found], role: str) -> list[Piece]:
    """``text[start:end]`` in pieces, the allergen words among them marked."""
    pieces: list[Piece] = []
    at = start
    for match in found:
        lo, hi = max(match.start, start), min(match.end, end)
        if lo >= hi:
            continue
        if lo > at:
            pieces.append((text[at:lo], role))
        pieces.append((text[lo:hi], "allergen"))
        at = hi
    if at < end:
        pieces.append((text[at:end], role))
    return pieces


def allergy_texts(order: Order, station: str | None, allergens: Allergens) -> list[str | None]:
    """The texts of an order that may name an allergen on a station's screen: the order's
    notes, its items' modifiers and notes, and a name that says "allergy" (a dish's name
    alone, "Peanut noodles", is no allergy)."""
    texts: list[str | None] = [order.notes]
    for item in station_items(order, station):
        texts += [*item.modifiers, item.notes]
        if allergens.says_allergy(item.name):
            texts.append(item.name)
    return texts


OTHER_ALLERGY = "OTHER"
"""Said after the allergens named when a text also says "allergy" naming none the list
knows (``⚠ ALLERGY: NUTS, OTHER``): the named ones are not all of it."""


def allergy_lines(words: list[str], width: int, *, other: bool = False) -> list[Line]:
    """The allergy line every part of a ticket carries: ``⚠ ALLERGY: PEANUT, SESAME``.

    ``other``: a text says "allergy" without naming an allergen the list knows.
    """
    shown = [" ".join(word.upper().split()) for word in words]
    names = ", ".join([*shown, OTHER_ALLERGY] if other and shown else shown)
    lead = f"{ALLERGY_MARK} ALLERGY" + (": " if names else "")
    return (
        lines(names, width, "allergy", lead=lead, rest="  ") if names else [plain(lead, "allergy")]
    )


@dataclass(frozen=True, eq=False)
class TicketView:
    """Everything a ticket shows at one width: the widget draws it as it is."""

    head: tuple[Line, ...]
    """Number and status (the age goes on the first line's right)."""
    meta: tuple[Line, ...]
    """Type and table or customer; ‼ for a rush."""
    continued: tuple[Line, ...]
    """The head of a later part: number and table, so every part says whose it is (its
    top border says it is continued)."""
    allergy: tuple[Line, ...]
    """The allergens the ticket names, on every part (none: no allergen word)."""
    body: tuple[Line, ...]
    """Notes, items and (expo) stations: what parts split between them."""
    allergens: tuple[str, ...] = ()
    modified: bool = False
    """An edit changed the order since it last moved: struck old text, marked new."""

    def chrome(self, first: bool) -> int:
        """Lines of a part that are not body lines: borders, head, meta, allergy."""
        head = len(self.head) + len(self.meta) if first else len(self.continued)
        return 2 + head + len(self.allergy)

    @cached_property
    def box(self) -> Box:
        """What the layout needs to know of it: its lines, and where a part may end."""
        breaks = tuple(n for n, line in enumerate(self.body) if n and not line.attached)
        return Box(self.chrome(True), self.chrome(False), len(self.body), breaks)

    @property
    def height(self) -> int:
        """Lines the whole ticket takes in one piece."""
        return self.chrome(True) + len(self.body)


def progress_lines(progress: list[tuple[str, bool]], width: int) -> list[Line]:
    """Each station and whether its part is done (``grill …  fry ✓``), a station never
    broken from its mark."""
    out: list[str] = []
    for name, ok in progress:
        token = f"{name} {'✓' if ok else '…'}"
        if out and cell_len(out[-1]) + 2 + cell_len(token) <= width:
            out[-1] += "  " + token
        else:
            out.append(token)
    shown = [line for text in out for line in lines(text, width, "stations")]
    return [*shown[:1], *(replace(line, attached=True) for line in shown[1:])]  # one block


def item_lines(
    item: Item,
    width: int,
    *,
    marker: str = " ",
    compact: bool = False,
    allergens: Allergens | None = None,
    role: str | None = None,
) -> list[Line]:
    """An item's lines: the item, its modifiers (on one line when compact), its note.

    ``role`` gives every line one role (``removed`` for the old side of an edit).
    """
    text = (item.name, item.quantity, item.done, tuple(item.modifiers), item.notes)
    return list(_item_lines(text, width, marker, compact, allergens, role))


@lru_cache(maxsize=4096)
def _item_lines(
    text: tuple[str, int, bool, tuple[str, ...], str | None],
    width: int,
    marker: str,
    compact: bool,
    allergens: Allergens | None,
    role: str | None,
) -> tuple[Line, ...]:
    """``item_lines`` of an item's text: kept, as the same dish (with the same modifiers
    and note) comes again and again in a service, and its lines (immutable) are the same."""
    name, quantity, done, modifier_texts, notes = text
    kind = role or ("done" if done else ("next" if marker == "▸" else "item"))
    mark = "✓" if done and marker in (" ", "▸") else marker
    name = one_line(name)
    said = allergens if allergens is not None and allergens.says_allergy(name) else None
    out = lines(name, width, kind, lead=f"{mark}{quantity:>2} ", allergens=said)
    modifiers = [one_line(m) for m in modifier_texts]
    groups = [", ".join(modifiers)] if compact and modifiers else modifiers
    for group in groups:
        flagged = allergens is not None and allergens.mentions(group)
        out += lines(
            group,
            width,
            role or "modifier",
            lead=f"    {ALLERGY_MARK if flagged else '+'} ",
            allergens=allergens,
            lead_role=role or ("allergy-mark" if flagged else None),
        )
    if notes:
        note = notes.replace("\t", " ").replace("\r", "")
        flagged = allergens is not None and allergens.mentions(note)
        out += lines(
            note,
            width,
            role or "note",
            lead=f"    {ALLERGY_MARK if flagged else '»'} ",
            allergens=allergens,
            lead_role=role or ("allergy-mark" if flagged else None),
        )
    return (out[0], *(replace(line, attached=True) for line in out[1:])) if out else ()


def _same(a: Item, b: Item) -> bool:
    """Whether an edit left an item as it was (its done mark is not an edit)."""
    return (a.name, a.quantity, a.modifiers, a.notes, a.station) == (
        b.name,
        b.quantity,
        b.modifiers,
        b.notes,
        b.station,
    )


def note_lines(
    notes: str, width: int, allergens: Allergens, *, role: str | None = None
) -> list[Line]:
    """An order's notes: red with ⚠ when they name an allergen, ✎ otherwise."""
    text = notes.replace("\t", " ").replace("\r", "")
    if role is not None:
        return lines(text, width, role, lead=f"{REMOVED} ")
    if allergens.mentions(text):
        return lines(text, width, "allergy", lead=f"{ALLERGY_MARK} ", allergens=allergens)
    return lines(text, width, "order-note", lead=f"{NOTE_MARK} ")


def ticket_view(
    order: Order,
    station: str | None,
    width: int,
    *,
    allergens: Allergens,
    mark_next: bool = False,
    compact: bool = False,
    before: Order | None = None,
    now: datetime | None = None,
) -> TicketView:
    """The lines of one ticket at an inner ``width`` (cells); nothing is left out.

    Args:
        order: the order.
        station: the station whose items are shown (None: the expo view, every item).
        width: cells inside the ticket's borders and padding.
        allergens: the words marked as allergens.
        mark_next: mark the item ``d`` marks done (▸), on the selected ticket.
        compact: each item's modifiers on one line (small screens).
        before: the order as it was before an edit not yet moved on from: what changed is
            shown, the old struck, the new marked.
        now: the time, for what changes with it (``kds_tui.pacing``): an item held until
            its fire time is greyed, with the time until then; a ticket past its due time
            says so. None: no item is held.
    """
    width = max(8, width)
    head = lines(f"#{order.id} {STATUS_LABELS[order.status]}", width - TIMER_CELLS, "head")
    rush = "‼ " if order.priority == Priority.RUSH else ""
    due = f" · due {clock(order.due_at)}" if order.due_at is not None else ""
    meta = lines(rush + who(order) + due, width, "rush" if rush else "meta")
    if now is not None and past_due(order, now) and order.due_at is not None:
        meta += lines(f"⏰ PAST DUE {clock(order.due_at)}", width, "past-due")
    where = where_to(order)
    continued = lines(
        f"#{order.id}" + (f" · {where}" if where else ""), width - TIMER_CELLS, "head"
    )
    texts = allergy_texts(order, station, allergens)
    named = allergens.named(texts)
    other = ALLERGY in named
    allergy = allergy_lines(allergens.words(texts), width, other=other) if named else []

    body: list[Line] = []
    edited = before is not None and before.version != order.version
    if order.notes:
        body += note_lines(order.notes, width, allergens)
    if edited and before is not None:
        if before.notes and before.notes != order.notes:
            body += note_lines(before.notes, width, allergens, role="removed")
        if who(before) != who(order) or before.priority != order.priority:
            old_meta = ("‼ " if before.priority == Priority.RUSH else "") + who(before)
            body += lines(old_meta, width, "removed", lead=f"{REMOVED} ")
    marked = next_item(order, station, now) if mark_next else None
    held = held_ids(order, now) if now is not None else frozenset()
    old = {i.id: i for i in station_items(before, station)} if edited and before else {}
    for item in station_items(order, station):
        was = old.pop(item.id, None)
        changed = edited and (was is None or not _same(was, item))
        if changed and was is not None:
            body += item_lines(was, width, marker=REMOVED, compact=compact, role="removed")
        marker = ADDED if changed else ("▸" if marked is not None and item.id == marked.id else " ")
        if item.id in held and now is not None:
            body += item_lines(
                item, width, marker=HELD_MARK, compact=compact, allergens=allergens, role="held"
            )
            countdown = lines(held_text(order, item.id, now), width, "held", lead="    ")
            body += [replace(line, attached=True) for line in countdown]  # with its item
            continue
        body += item_lines(item, width, marker=marker, compact=compact, allergens=allergens)
    for gone in old.values():
        body += item_lines(gone, width, marker=REMOVED, compact=compact, role="removed")
    if station is None:
        body += progress_lines(station_progress(order), width)
    return TicketView(
        head=tuple(head),
        meta=tuple(meta),
        continued=tuple(continued),
        allergy=tuple(allergy),
        body=tuple(body),
        allergens=tuple(named),
        modified=edited,
    )
