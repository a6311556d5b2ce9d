"""Enumerations a document writes out, in one place: 一是…二是…三是…, 一要…二要…, 第一，…第二，…,
（一）…（二）…, 一、…二、…, 1.…2.…, （1）…（2）…

A list question is answered by the items of the enumeration that answers it, all of them; each item
is found with the words that introduce it (the heading above it, the sentences before its first
item) so the question can be matched to the enumeration, not to one item.

enumerations("短板有三：一是结构不够优。二是转型不够快。三是创新不够强。") finds one enumeration of
three items, introduced by "短板有三：".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十"
_VALUE = {c: i for i, c in enumerate(_CN, 1)}

# (style, pattern): the ordinal is group "n"; a style's items are one enumeration only in order 1, 2, 3…
# Inline markers stand at the start of a sentence or clause; heading markers at the start of a line.
_AFTER_BREAK = r"(?:(?<=^)|(?<=[。；;！？\n\u3000：:，,]))\s*"
STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("是", re.compile(_AFTER_BREAK + rf"(?P<n>[{_CN}])是(?![否不非])")),
    ("要", re.compile(_AFTER_BREAK + rf"(?P<n>[{_CN}])要(?!求)")),
    ("第", re.compile(_AFTER_BREAK + rf"第(?P<n>[{_CN}])[，,、：:]")),
    ("（）", re.compile(rf"(?m)^\s*[（(](?P<n>[{_CN}])[）)]")),
    ("、", re.compile(rf"(?m)^\s*#*\s*(?P<n>[{_CN}])、")),
    ("1.", re.compile(r"(?m)^\s*(?P<n>[1-9])(?:[、．]|\.(?!\d))")),
    ("(1)", re.compile(r"(?m)^\s*[（(](?P<n>[1-9])[）)]")),
)
# an item's marker, with the verb that joins it to the item: "一是", "二要", "（三）", "第四，", "5."
MARKER = re.compile(rf"^\s*#*\s*(第?[{_CN}]+[是要]|第[{_CN}]+[，,、：:]|[（(][{_CN}\d]+[）)]|[{_CN}]+、|\d+[、．.])")
_LEAD_END = re.compile(r"[。；;！？\n]")
_HEADING_LINE = re.compile(rf"(?m)^\s*(#+\s+.+|[{_CN}]+、.+|[（(][{_CN}]+[）)].{{0,40}}|第[{_CN}\d]+[章节].*)$")
INTRO_CHARS = 160
OUTLINE_STYLES = ("、", "（）", "第")  # headings that divide a document: 一、…, （一）…, 第一，…
OUTLINE_SHARE = 0.6  # an outline divides at least this share of its document  # how far before the first item its introduction is read


@dataclass(frozen=True)
class Item:
    start: int  # the marker's first character
    end: int  # before the next item, or the end of the last item's paragraph
    lead_end: int  # end of the item's first sentence: "一要建强“平台+人才”的支撑体系"

    def lead(self, text: str) -> str:
        return text[self.start:self.lead_end].strip()


@dataclass(frozen=True)
class Enumeration:
    style: str
    items: tuple[Item, ...]
    intro: str  # the heading above it and the words just before its first item
    heading: str = ""  # the heading line nearest above its first item

    @property
    def start(self) -> int:
        return self.items[0].start

    @property
    def end(self) -> int:
        return self.items[-1].end


def _ordinal(m: re.Match) -> int:
    n = m.group("n")
    return int(n) if n.isdigit() else _VALUE[n]


def _marker_start(m: re.Match) -> int:
    return m.start("n") - (1 if m.group(0).lstrip().startswith(("第", "（", "(")) else 0)


def enumerations(text: str) -> list[Enumeration]:
    """Every enumeration of two or more items in order, in the order they start."""
    found: list[Enumeration] = []
    for style, pattern in STYLES:
        chain: list[int] = []
        for m in pattern.finditer(text):
            n, at = _ordinal(m), _marker_start(m)
            if n == len(chain) + 1:
                chain.append(at)
            elif n == 1:
                _close(text, style, chain, found)
                chain = [at]
        _close(text, style, chain, found)
    return sorted(found, key=lambda e: e.start)


def _close(text: str, style: str, starts: list[int], found: list[Enumeration]) -> None:
    if len(starts) < 2:
        return
    heading = style in ("（）", "、", "1.", "(1)")
    items = []
    for i, at in enumerate(starts):
        if i + 1 < len(starts):
            end = starts[i + 1]
        else:
            end = _last_end(text, at, heading)
        lead = _LEAD_END.search(text, at, end)
        items.append(Item(at, end, lead.start() if lead else end))
    found.append(Enumeration(style, tuple(items), intro_of(text, starts[0]), heading_above(text, starts[0])))


def _last_end(text: str, at: int, heading: bool) -> int:
    """Where the last item ends: its paragraph (inline markers) or the next heading line (headings)."""
    if not heading:
        nl = text.find("\n", at)
        return len(text) if nl < 0 else nl
    nxt = _HEADING_LINE.search(text, text.find("\n", at) + 1 if "\n" in text[at:] else len(text))
    return nxt.start() if nxt else len(text)


def heading_above(text: str, at: int) -> str:
    """The heading line nearest above the paragraph that holds `at` ("" when none)."""
    para = max(text.rfind("\n", 0, at), text.rfind("\u3000", 0, at)) + 1
    heads = [m.group(0).strip() for m in _HEADING_LINE.finditer(text, 0, para)]
    return heads[-1] if heads else ""


def intro_of(text: str, at: int) -> str:
    """What introduces an item at `at`: the heading line nearest above it, the first sentence of its
    paragraph ("（一）创新生态要全面提级。"), and up to INTRO_CHARS of the text just before it."""
    before = text[max(0, at - INTRO_CHARS):at]
    para = max(text.rfind("\n", 0, at), text.rfind("\u3000", 0, at)) + 1
    first = _LEAD_END.search(text, para, at)
    parts = [text[para:first.end()].strip() if first else ""]
    parts.insert(0, heading_above(text, at))
    return "\n".join([*(p for p in parts if p and p not in before), before])


def is_outline(e: Enumeration, text: str) -> bool:
    """The document's own outline: headings that divide most of it (一、…二、…, （一）…, 第一…)."""
    return e.style in OUTLINE_STYLES and (e.end - e.start) >= OUTLINE_SHARE * (len(text.strip()) or 1)
