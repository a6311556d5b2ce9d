"""Reading order for text placed on a page (OFD text objects, OCR lines): lines top to bottom, left to right
within a line, and a two-column page column by column; headers, footers and page numbers that repeat on
every page dropped."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Placed:
    """A run of text and its box on the page (x0, y0 top-left, x1, y1 bottom-right, any unit)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def reading_order(items: list[Placed]) -> list[Placed]:
    """Items as lines in reading order; each returned Placed is one line, its runs joined left to right."""
    if not items:
        return []
    lines: list[Placed] = []
    for column in _columns(items):
        column.sort(key=lambda p: ((p.y0 + p.y1) / 2, p.x0))
        current: list[Placed] = []
        for p in column:
            if current and abs(_mid(p) - _mid(current[0])) > 0.5 * max(p.y1 - p.y0, current[0].y1 - current[0].y0):
                lines.append(_join(current))
                current = []
            current.append(p)
        if current:
            lines.append(_join(current))
    return lines


def _mid(p: Placed) -> float:
    return (p.y0 + p.y1) / 2


def _join(runs: list[Placed]) -> Placed:
    runs = sorted(runs, key=lambda p: p.x0)
    return Placed("".join(r.text for r in runs), min(r.x0 for r in runs), min(r.y0 for r in runs),
                  max(r.x1 for r in runs), max(r.y1 for r in runs))


def _columns(items: list[Placed]) -> list[list[Placed]]:
    """Two columns when nothing crosses the page's middle and each half holds at least three runs."""
    left_edge = min(p.x0 for p in items)
    right_edge = max(p.x1 for p in items)
    mid = (left_edge + right_edge) / 2
    left = [p for p in items if p.x1 <= mid]
    right = [p for p in items if p.x0 >= mid]
    if len(left) + len(right) == len(items) and min(len(left), len(right)) >= 3:
        return [left, right]
    return [list(items)]


_PAGE_NUMBER = re.compile(r"^[\s\-—–·•]*(?:第\s*)?[0-9一二三四五六七八九十百]+(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d+\s*页?)?[\s\-—–·•]*$")


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", "".join(text.split()))


def running_mask(pages: list[list[str]], edge: int = 2) -> list[list[bool]]:
    """True for each line to drop: page numbers at a page's top or bottom, and lines among the first or last
    `edge` that recur (digits aside) on at least 60% of the pages when there are three pages or more."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(t) for t in lines[:edge] + lines[-edge:]})
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    return [[(i < edge or i >= len(lines) - edge) and bool(_PAGE_NUMBER.match(t) or _key(t) in repeated)
             for i, t in enumerate(lines)] for lines in pages]


ENDS = tuple("。！？；：”’…）)")
# Characters a Chinese line may not start with (GB/T 15834 line-breaking rules): a line that begins with one
# goes on from the line before it, wherever that line stopped.
NO_START = frozenset("。，、；：？！…％%‰）)]】〕〉》」』”’·.,;:!?")


def reflow(lines: list[Placed]) -> list[str]:
    """Lines back into paragraphs (a scan breaks paragraphs at the margin; the chunker wants them whole).

    A line goes on in the next one when it does not end a sentence and the next line is not indented as a
    paragraph's first line (two characters in GB/T 9704), and either the line runs to within a character
    or so of its column's right edge or the next line starts with a character no line may start with."""
    return ["".join(lines[i].text for i in group) for group in reflow_groups(lines)]


def reflow_groups(lines: list[Placed]) -> list[list[int]]:
    """The paragraphs of reflow() as the indices of their lines."""
    if not lines:
        return []
    width = max(p.x1 for p in lines) - min(p.x0 for p in lines) or 1.0
    out: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        current.append(i)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or not _runs_on(line, nxt, lines, width):
            out.append(current)
            current = []
    return out


def _column(lines: list[Placed], line: Placed) -> list[Placed]:
    """The lines of `line`'s column: those that overlap it side to side (a centred title's column is the
    body's; the other column of a two-column page is not)."""
    return [p for p in lines if p.x0 < line.x1 and p.x1 > line.x0]


def _em(line: Placed) -> float:
    return max(line.y1 - line.y0, 1e-6)


def right_edge(column: list[Placed]) -> float:
    """Where the column's lines end: the median end of the lines that run near the right, since a hung
    punctuation mark sticks out past the margin and a line ending in ， has its ink stop short of it."""
    ends = sorted(p.x1 for p in column)
    span = ends[-1] - min(p.x0 for p in column)
    far = [x for x in ends if x >= ends[-1] - 0.15 * span]
    return far[len(far) // 2]


def _uses_indents(column: list[Placed], left: float, em: float) -> bool:
    """Paragraphs marked by a first-line indent of about two characters (GB/T 9704), not by line ends."""
    return any(1.5 * em <= p.x0 - left <= 4.5 * em for p in column)


def _goes_on(line: Placed, nxt: Placed, above: list[Placed], below: list[Placed]) -> bool:
    """Whether `line` (last of `above`'s column) goes on in `nxt` (first of `below`'s column)."""
    text = line.text.rstrip()
    if not text or not nxt.text or len(above) + len(below) < 3:
        return False
    if nxt.text[0] in NO_START:
        return True
    em = _em(line)
    left, right = min(p.x0 for p in below), right_edge(above)
    if nxt.x0 - left >= 1.5 * em:  # indented: a paragraph's first line
        return False
    if line.x1 < right - 1.5 * em:  # stops short of the margin: a paragraph's last line, or a heading
        return False
    if text.endswith(ENDS):  # a sentence ends at the margin: the paragraph goes on only where indents mark them
        return _uses_indents(above + below, min(left, min(p.x0 for p in above)), em)
    return True


def _runs_on(line: Placed, nxt: Placed, lines: list[Placed], width: float) -> bool:
    if abs(nxt.x0 - line.x0) > 0.1 * width:  # another column, or a centred line
        return False
    column = _column(lines, line)
    return _goes_on(line, nxt, column, column)


def continues(above: list[Placed], below: list[Placed]) -> bool:
    """Whether a page's last line goes on in the next page's first line: a paragraph split by a page break."""
    if not above or not below:
        return False
    return _goes_on(above[-1], below[0], _column(above, above[-1]), _column(below, below[0]))
