"""What a text search for orders finds: one rule for the server's query and a client's
live matching.

- ``#1709`` is order 1709, and only it.
- ``T5`` (or ``t 5``) is table 5 exactly: a table written ``5`` or ``T5``, never T35 or T15.
- A bare number, ``5``, is order 5 or table 5, exactly.
- Anything else is words, found anywhere (case does not matter) in the customer's name, the
  table, the items (names, modifiers and notes) and the order's notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kds_contract.models import Order

_ORDER = re.compile(r"#\s*(\d{1,18})")
_TABLE = re.compile(r"[Tt]\s?(\d{1,18})")
_NUMBER = re.compile(r"\d{1,18}")


@dataclass(frozen=True)
class Search:
    """A search as the server runs it: an order number, a table, or words."""

    order_id: int | None = None
    """``#N`` or a bare number: this order."""
    table: str | None = None
    """``T5`` or a bare number: this table, exactly (digits only)."""
    words: str | None = None
    """Lower-cased text found anywhere in :func:`search_words`."""

    def table_forms(self) -> tuple[str, ...]:
        """The ways a table matching :attr:`table` is written, lower-cased (``5``, ``t5``)."""
        if self.table is None:
            return ()
        return (self.table, f"t{self.table}", f"t {self.table}")

    def matches(self, order: Order) -> bool:
        """Whether the server would find ``order`` with this search."""
        if self.words is not None:
            return self.words in search_words(order)
        if self.order_id is not None and order.id == self.order_id:
            return True
        return order.table is not None and order.table.strip().lower() in self.table_forms()


def parse_search(text: str) -> Search | None:
    """The search ``text`` asks for; None for blank text."""
    text = text.strip()
    if not text:
        return None
    if match := _ORDER.fullmatch(text):
        return Search(order_id=int(match.group(1)))
    if match := _TABLE.fullmatch(text):
        return Search(table=str(int(match.group(1))))
    if _NUMBER.fullmatch(text):
        return Search(order_id=int(text), table=str(int(text)))
    return Search(words=text.lower())


def search_words(order: Order) -> str:
    """The lower-cased text that words are found in, one field a line."""
    words = [order.customer_name or "", order.table or ""]
    for item in order.items:
        words.append(item.name)
        words.extend(item.modifiers)
        words.append(item.notes or "")
    words.append(order.notes or "")
    return "\n".join(w.lower() for w in words if w)
