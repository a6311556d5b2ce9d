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


def drop_running_lines(pages: list[list[str]], edge: int = 2) -> list[list[str]]:
    """Drop page numbers at a page's top or bottom, and lines among the first or last `edge` that recur
    (digits aside) on at least 60% of the pages when there are three pages or more."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(t) for t in lines[:edge] + lines[-edge:]})
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    out = []
    for lines in pages:
        kept = []
        for i, t in enumerate(lines):
            at_edge = i < edge or i >= len(lines) - edge
            if at_edge and (_PAGE_NUMBER.match(t) or _key(t) in repeated):
                continue
            kept.append(t)
        out.append(kept)
    return out


ENDS = tuple("。！？；：”’…）)")


def reflow(lines: list[Placed]) -> list[str]:
    """Lines back into paragraphs: a line that runs to its column's right edge and does not end a sentence
    goes on in the next line (a scan breaks paragraphs at the margin; the chunker wants them whole)."""
    if not lines:
        return []
    width = max(p.x1 for p in lines) - min(p.x0 for p in lines) or 1.0
    out: list[str] = []
    current = ""
    for line in lines:
        column = [p for p in lines if abs(p.x0 - line.x0) < 0.1 * width]
        right = max(p.x1 for p in column)
        current += line.text
        runs_on = line.x1 >= right - 0.04 * width and not line.text.rstrip().endswith(ENDS) and len(column) > 1
        if not runs_on:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
