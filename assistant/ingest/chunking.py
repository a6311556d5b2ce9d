"""Chinese-aware chunking into spans of the original text.

Paragraphs are split on newlines and on runs of full-width spaces (U+3000), sentences on
。！？；… (closing quotes stay with their sentence). Sentences are packed up to a target
size with a sentence-aligned overlap. Every chunk is a real span: text == doc.text[start:end].
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace

from assistant.core.messages import aside_label
from assistant.core.records import ASIDE_KINDS, Chunk, Document
from assistant.text.sentences import SENT_END, Span, paragraphs, sentences

_CN_NUM = "一二三四五六七八九十百零〇"
# (rank, pattern): a smaller rank is a higher level; markdown sits above the Chinese markers.
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (10, re.compile(rf"^第[{_CN_NUM}\d]+[编章]")),
    (11, re.compile(rf"^第[{_CN_NUM}\d]+节")),
    (12, re.compile(rf"^[{_CN_NUM}]+、")),
    (13, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (14, re.compile(rf"^第[{_CN_NUM}\d]+条")),
    (15, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    (16, re.compile(r"^[（(]\d{1,2}[）)]")),
]
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
HEADING_MAX = 40


def heading_of(para: str) -> tuple[int, str, bool] | None:
    """(rank, heading text, whole paragraph is the heading) or None.

    heading_of("一、总体要求") -> (12, "一、总体要求", True)
    heading_of("（二）强化创新。要加快……") -> (13, "（二）强化创新", False)
    """
    m = _MD_HEADING.match(para)
    if m:
        return len(m.group(1)), m.group(2).strip()[:HEADING_MAX], True
    for rank, pat in HEADING_PATTERNS:
        if pat.match(para):
            first = SENT_END.search(para)
            whole = first is None or first.end() >= len(para.rstrip())
            if whole and len(para) <= 80:
                return rank, para.rstrip("。；;：:")[:HEADING_MAX], True
            head = re.split(r"[。！？；：:]", para, maxsplit=1)[0]
            return rank, head[:HEADING_MAX], False
    return None


def chunk_document(doc: Document, size: int = 260, overlap: int = 60) -> list[Chunk]:
    """Chunks of a document, each with its heading path, paragraph number and page."""
    text = doc.text
    # units: (sentence span, paragraph number, heading path, starts a new section)
    units: list[tuple[Span, int, tuple[str, ...], bool]] = []
    stack: list[tuple[int, str]] = []
    for pno, para in enumerate(paragraphs(text), 1):
        ptext = text[para.start:para.end]
        head = heading_of(ptext)
        new_section = head is not None
        if head:
            rank, title, _ = head
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, title))
        path = tuple(t for _, t in stack)
        for i, s in enumerate(sentences(text, para, size)):
            units.append((s, pno, path, new_section and i == 0))

    chunks: list[Chunk] = []
    current: list[int] = []  # indexes into units
    doc_id = hashlib.sha256(f"{doc.source}\0{doc.sha256}".encode()).hexdigest()[:12]

    def flush() -> None:
        if not current:
            return
        first, last = units[current[0]], units[current[-1]]
        start, end = first[0].start, last[0].end
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}-{len(chunks):04d}",
                source=doc.source,
                title=doc.title,
                text=text[start:end],
                start=start,
                end=end,
                paragraph=first[1],
                headings=_content_path(units, current),
                page=_page_of(doc.pages, start),
                page_breaks=tuple(b - start for b in doc.pages if start < b < end),
            )
        )

    for ui, (span, _, _path, new_section) in enumerate(units):
        if current and span.start >= doc.body_end > units[current[0]][0].start:  # body and asides never share
            flush()
            current = []
        if current:
            length = span.end - units[current[0]][0].start
            heading_only = all(units[j][0].end - units[j][0].start <= HEADING_MAX and units[j][3]
                               for j in current)
            if new_section and not heading_only or length > size:
                flush()
                current = [] if new_section else _overlap_tail(units, current, overlap)
        current.append(ui)
    flush()
    return chunks


def with_asides(doc: Document, kinds: Iterable[str]) -> Document:
    """The document with its chosen asides (ASIDE_KINDS names: notes, comments) after the body, each
    under its own label ("# 演讲者备注（第3张幻灯片）"), so every chunk of one says what it is; the kinds
    taken are no longer counted as left out. with_asides(doc, ()) is doc."""
    chosen = {ASIDE_KINDS[k] for k in kinds}
    taken = [a for a in doc.asides if a.kind in chosen and a.text.strip()]
    if not taken:
        return doc
    body = doc.text.rstrip("\n")
    parts = [f"# {aside_label(a.kind, a.place)}\n{' '.join(a.text.split()).lstrip('#').strip()}" for a in taken]
    text = body + "\n\n" + "\n\n".join(parts)
    unseen = tuple((k, n) for k, n in doc.unseen if k not in chosen)
    return replace(doc, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), unseen=unseen,
                   body_end=len(body) + 1)


def _content_path(units, current: list[int]) -> tuple[str, ...]:
    """Heading path of the chunk's first sentence that is not itself a heading."""
    for j in current:
        span, _, path, starts_section = units[j]
        if not (starts_section and span.end - span.start <= HEADING_MAX):
            return path
    return units[current[-1]][2]


def _overlap_tail(units, current: list[int], overlap: int) -> list[int]:
    """Trailing sentences of the finished chunk that fit in `overlap` characters."""
    tail: list[int] = []
    used = 0
    for j in reversed(current[1:]):  # never carry the whole chunk over
        n = units[j][0].end - units[j][0].start
        if used + n > overlap:
            break
        tail.insert(0, j)
        used += n
    return tail


def _page_of(pages: tuple[int, ...], offset: int) -> int | None:
    if not pages:
        return None
    return bisect.bisect_right(pages, offset)
