"""Kitchen text on a terminal: measured in cells, wrapped, never cut. No Textual, no I/O.

A terminal gives a Chinese character or an emoji two cells and a combining accent none, so
every width here is in cells as Rich (and so Textual) measures them. Text is wrapped at
spaces and, for a word wider than a whole line (a long run of Chinese, say), between two
graphemes; nothing is cut or left out, and the lines read in the order it was written.
"""

from __future__ import annotations

from rich.cells import cell_len, split_graphemes

NEGATIONS = frozenset(
    {"no", "not", "without", "hold", "sans", "sin", "senza", "ohne", "zonder", "sem", "pas"}
)
"""Words kept on one line with the word after them: a line never ends in a bare "NO"."""


def one_line(text: str) -> str:
    """``text`` for one line of a terminal: tabs and line breaks as spaces."""
    if "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\r\n", " ").translate(_AS_SPACE)
    return text


_AS_SPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


class _Word:
    """A run of text wrap keeps on one line if it can: ``text[start:end]``, ``cells`` wide."""

    __slots__ = ("cells", "end", "start")

    def __init__(self, start: int, end: int, cells: int) -> None:
        self.start, self.end, self.cells = start, end, cells


def _words(text: str, start: int, end: int) -> list[_Word]:
    """The words of ``text[start:end]`` (one line, no line breaks): the runs between spaces.

    A run of Chinese or Japanese is one word too: a line breaks inside it only when it is
    wider than a whole line, so ``不要葱`` ("no scallion") is not split into ``不`` ("no")
    and ``要葱`` ("scallion") while it fits on a line of its own.
    """
    words: list[_Word] = []
    current: _Word | None = None
    spans, _ = split_graphemes(text[start:end])
    for g_start, g_end, cells in spans:
        g_start, g_end = g_start + start, g_end + start
        if text[g_start:g_end].isspace():
            current = None
        elif current is None:
            current = _Word(g_start, g_end, cells)
            words.append(current)
        else:
            current.end, current.cells = g_end, current.cells + cells
    return words


BREAKS_AFTER = frozenset("-\u2010/")
"""Where a word wider than a line breaks if it can: after a hyphen or a slash, so that
``gluten-free`` reads ``gluten-`` / ``free``, not ``gluten-fr`` / ``ee``."""


def _chunks(text: str, word: _Word, width: int) -> list[tuple[int, int, int]]:
    """A word wider than a line, in pieces of at most ``width`` cells (whole graphemes),
    each ending after its last hyphen or slash where it has one, else where it is full."""
    pieces: list[tuple[int, int, int]] = []
    spans, _ = split_graphemes(text[word.start : word.end])
    start, cells = word.start, 0
    after: tuple[int, int] | None = None  # the piece's last break after a hyphen: at, cells
    for g_start, g_end, g_cells in spans:
        at = word.start + g_start
        if at > start and cells + g_cells > width:
            if after is not None:
                pieces.append((start, after[0], after[1]))
                start, cells = after[0], cells - after[1]
            if at > start and cells + g_cells > width:  # no hyphen, or still too wide
                pieces.append((start, at, cells))
                start, cells = at, 0
            after = None
        cells += g_cells
        if text[at : word.start + g_end] in BREAKS_AFTER and word.start + g_end < word.end:
            after = (word.start + g_end, cells)
    pieces.append((start, word.end, cells))
    return pieces


def _negation(text: str, word: _Word) -> bool:
    return text[word.start : word.end].strip(".,:;!-").casefold() in NEGATIONS


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where each line of ``text`` wrapped to ``width`` cells starts and ends in ``text``.

    Every line is a slice of ``text`` at most ``width`` cells wide (a line holds at least
    one grapheme, so a character wider than ``width`` overflows it); between two lines
    there is only whitespace, where the text was broken. A line break in ``text`` always
    breaks the line.
    """
    width = max(1, width)
    if "\n" not in text and text == text.strip() and cell_len(text) <= width:
        return [(0, len(text))]  # most kitchen text: one line as it is
    lines: list[tuple[int, int]] = []
    paragraph_start = 0
    for paragraph in text.split("\n"):
        paragraph_end = paragraph_start + len(paragraph)
        words = _words(text, paragraph_start, paragraph_end)
        if not words:
            lines.append((paragraph_start, paragraph_start))
        line: list[_Word] = []
        cells = 0
        for word in words:
            gap = cell_len(text[line[-1].end : word.start]) if line else 0
            if line and cells + gap + word.cells <= width:
                line.append(word)
                cells += gap + word.cells
                continue
            if len(line) > 1 and _negation(text, line[-1]):
                # "NO" goes to the next line with the word it belongs to, if both fit there.
                last = line[-1]
                joined = cell_len(text[last.start : word.start]) + word.cells
                if joined <= width:
                    lines.append((line[0].start, line[-2].end))
                    line, cells = [last, word], joined
                    continue
            if line:
                lines.append((line[0].start, line[-1].end))
            line, cells = [word], word.cells
            if word.cells > width:
                *whole, (start, end, cells) = _chunks(text, word, width)
                lines += [(s, e) for s, e, _ in whole]
                line = [_Word(start, end, cells)]
        if line:
            lines.append((line[0].start, line[-1].end))
        paragraph_start = paragraph_end + 1
    return lines


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to lines of at most ``width`` cells; nothing is cut or reordered."""
    return [text[start:end] for start, end in wrap_spans(text, width)]
