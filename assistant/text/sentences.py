"""Paragraphs and sentences of Chinese text, as spans of the original: one copy for every layer.

Paragraphs are split on newlines and on runs of full-width spaces (U+3000), sentences on
。！？；… (closing quotes stay with their sentence); a sentence longer than a limit is cut at
a comma.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the one home of sentence and clause punctuation: every layer that cuts text builds on these
SENTENCE_STOPS = "。！？!?；;…"
CLAUSE_STOPS = "，,、：:"
# words left out: a search result's digest ("共计划招 ... 面试内容") is not a whole sentence
ELISION = re.compile(r"\.{3}|…|⋯")
_PARA_SPLIT = re.compile(r"\n|\u3000{2,}")
SENT_END = re.compile(f"[{SENTENCE_STOPS}]+[”’」』）)\"']*")
_SOFT_BREAK = re.compile(f"[{CLAUSE_STOPS}]")
# cuts in normalized text: a sentence ends at a stop or a line break, a clause also at a comma
SENTENCE_BREAK = re.compile(f"[{SENTENCE_STOPS}\n]+|\\s{{2,}}")
CLAUSE_BREAK = re.compile(f"[{SENTENCE_STOPS}{CLAUSE_STOPS}\n]+|\\s{{2,}}")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def paragraphs(text: str) -> list[Span]:
    """Non-blank paragraph spans, trimmed of surrounding white space.

    paragraphs("甲。\\n\\n乙。") -> [Span(0, 2), Span(4, 6)]
    """
    spans: list[Span] = []
    pos = 0
    for m in list(_PARA_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s = _trim(text, pos, end)
        if s:
            spans.append(s)
        if m:
            pos = m.end()
    return spans


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def sentences(text: str, span: Span, max_len: int) -> list[Span]:
    """Sentence spans inside a paragraph; a sentence longer than max_len is cut at commas.

    sentences("一。二！", Span(0, 4), 100) -> [Span(0, 2), Span(2, 4)]
    """
    out: list[Span] = []
    pos = span.start
    for m in SENT_END.finditer(text, span.start, span.end):
        out.extend(_cut_long(text, pos, m.end(), max_len))
        pos = m.end()
    if pos < span.end:
        out.extend(_cut_long(text, pos, span.end, max_len))
    return [s for s in (_trim(text, s.start, s.end) for s in out) if s]


def sentence_spans(text: str) -> list[Span]:
    """Every sentence of a text, across its paragraphs."""
    return [s for p in paragraphs(text) for s in sentences(text, p, 10_000)]


def _cut_long(text: str, start: int, end: int, max_len: int) -> list[Span]:
    spans: list[Span] = []
    while end - start > max_len:
        window_end = start + max_len
        cut = None
        for m in _SOFT_BREAK.finditer(text, start + max_len // 3, window_end):
            cut = m.end()
        cut = cut or window_end
        spans.append(Span(start, cut))
        start = cut
    spans.append(Span(start, end))
    return spans
