"""Plain-text tables for ``kds-order``, lined up in terminal cells.

A terminal gives a Chinese character or an emoji two cells (``担担面`` is six wide, not
three), so columns are measured as Rich measures them, not by ``len``.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from rich.cells import cell_len


def table(rows: Sequence[Sequence[str]], right: Container[int] = ()) -> list[str]:
    """Each row's cells two spaces apart, every column as wide as its widest cell; the
    columns whose index is in ``right`` aligned to the right; no spaces at the ends."""
    widths = [max(cell_len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for c, (cell, width) in enumerate(zip(row, widths, strict=True)):
            fill = " " * (width - cell_len(cell))
            cells.append(fill + cell if c in right else cell + fill)
        lines.append("  ".join(cells).rstrip())
    return lines
