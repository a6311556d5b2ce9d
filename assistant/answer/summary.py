"""A summary of one document: map over its parts, then reduce; every point a sentence of the document.

Map: the document is cut into its parts (its own outline, else its headings and title lines, else
windows of about SECTION_CHARS at paragraph ends), and each part gives the sentence that stands
for it best — the one that shares the most rare words with the rest of the part, the topic
sentence first when it is as good. Reduce: at most MAX_POINTS parts keep their point (the longest
parts when there are more), in the document's order. A sentence written to a program (an
instruction, text.injection) is never a point.

The result is a list of spans, cached per document version (the sha256 of its text) under the
index folder: the second asker waits for nothing, and an edited document is summarised again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.context import BigramIdf
from assistant.ingest.chunking import heading_of
from assistant.text.enumerations import enumerations, is_outline
from assistant.text.injection import suspect_spans
from assistant.text.sentences import Span, paragraphs, sentences

SECTION_CHARS = 1500  # a stretch without headings is cut into parts of about this size
MIN_PART = 80  # a part shorter than this joins the next one
MAX_POINTS = 8
SENTENCE_CHARS = (12, 150)  # a point is a whole sentence of this length
TOPIC_BONUS = 1.15  # the first sentence of a part states its topic in official writing
_TITLE_LINE = re.compile(r"^[^。！？；;!?]{4,30}$")  # "创新驱动，培育数字新业态": a part's title with no sentence end
_BYLINE = re.compile(r"(记者|通讯员|摄影?$|制图|编辑|责编|来源[:：])")
CACHE_VERSION = 2


@dataclass(frozen=True)
class Part:
    start: int
    end: int


def outline(text: str):
    """The document's own outline (一、…二、…, （一）…, 第一…) when it divides most of it, else None."""
    return next((e for e in enumerations(text) if is_outline(e, text)), None)


def parts_of(text: str) -> list[Part]:
    """The parts a summary maps over, in order."""
    e = outline(text)
    if e is not None:
        cuts = [i.start for i in e.items]
    else:
        paras = paragraphs(text)
        cuts = [p.start for k, p in enumerate(paras) if _titles(text, paras, k)]
    cuts = sorted({0, *cuts})
    raw = [Part(a, b) for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    parts: list[Part] = []
    for p in raw:
        parts.extend(_windows(text, p))
    merged: list[Part] = []
    for p in parts:
        if merged and (merged[-1].end - merged[-1].start) < MIN_PART:
            merged[-1] = Part(merged[-1].start, p.end)
        else:
            merged.append(p)
    return [p for p in merged if text[p.start:p.end].strip()]


def _title_line(text: str, para: Span) -> bool:
    p = text[para.start:para.end].strip()
    head = heading_of(p)
    return bool(head is not None and head[2] or _TITLE_LINE.match(p))


def _titles(text: str, paras: list[Span], k: int) -> bool:
    """Paragraph k opens a part: the first of a run of up to three heading or title lines
    ("深度融合，释放数据要素价值", then its speaker) that a longer paragraph follows."""
    if not _title_line(text, paras[k]) or k and _title_line(text, paras[k - 1]):
        return False
    j = k
    while j < len(paras) and j - k < 3 and _title_line(text, paras[j]):
        j += 1
    return j < len(paras) and (paras[j].end - paras[j].start) > 2 * (paras[k].end - paras[k].start)


def _windows(text: str, part: Part) -> list[Part]:
    """A part longer than SECTION_CHARS, cut at paragraph ends."""
    if part.end - part.start <= SECTION_CHARS * 1.5:
        return [part]
    out, start = [], part.start
    for p in paragraphs(text[part.start:part.end]):
        end = part.start + p.end
        if end - start >= SECTION_CHARS:
            out.append(Part(start, end))
            start = end
    if start < part.end:
        out.append(Part(start, part.end))
    return out


def _grams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1) if not re.search(r"[\s\d，。、；：“”（）,.;:()]", s[i:i + 2])}


def point_of(text: str, part: Part, idf: BigramIdf, hidden: list[tuple[int, int]]) -> Span | None:
    """The sentence that stands for the part best, or None when the part has no whole sentence."""
    lo, hi = SENTENCE_CHARS
    spans = [s for p in paragraphs(text[part.start:part.end])
             for s in sentences(text, Span(part.start + p.start, part.start + p.end), 10_000)]
    grams = [_grams(text[s.start:s.end]) for s in spans]
    best, best_score = None, 0.0
    for i, s in enumerate(spans):
        n = s.end - s.start
        if not lo <= n <= hi or any(a < s.end and s.start < b for a, b in hidden):
            continue
        if not re.search(r"[。！？；;!?]$", text[s.start:s.end].strip()):
            continue  # a title line, not a sentence
        shared = sum(idf(g) for j, other in enumerate(grams) if j != i for g in grams[i] & other)
        score = shared / math.sqrt(n) * (TOPIC_BONUS if i < 2 else 1.0)
        if best is None or score > best_score:
            best, best_score = s, score
    return best


def summarize(text: str, idf: BigramIdf) -> Iterator[tuple[int, int, Span | None]]:
    """(part number, parts, its point) for each part, as the map goes: a caller shows progress and
    may stop between parts."""
    parts = parts_of(text)
    hidden = suspect_spans(text)
    for k, part in enumerate(parts, 1):
        yield k, len(parts), point_of(text, part, idf, hidden)


def title_of(text: str, start: int, parts: list[Part]) -> str:
    """The title of the part a point stands in: its heading or title lines ("深度融合，释放数据要素价值 ·
    中国信息通信研究院副院长 王志勤"), "" when it has none; a byline is no title. Shown as the point's
    label, so the reader sees what part it sums up."""
    for part in parts:
        if part.start <= start < part.end:
            lines = []
            for para in paragraphs(text[part.start:part.end]):
                span = Span(part.start + para.start, part.start + para.end)
                if span.end > start or not _title_line(text, span) or len(lines) == 3:
                    break
                line = " ".join(text[span.start:span.end].lstrip("#").split())
                if not _BYLINE.search(line):
                    lines.append(line)
            return " · ".join(lines)
    return ""


def reduce(text: str, points: list[Span | None]) -> list[Span]:
    """At most MAX_POINTS points, from the longest parts, in the document's order."""
    parts = parts_of(text)
    have = [(p, s) for p, s in zip(parts, points, strict=True) if s is not None]
    if len(have) > MAX_POINTS:
        keep = sorted(have, key=lambda ps: ps[0].end - ps[0].start, reverse=True)[:MAX_POINTS]
        have = sorted(keep, key=lambda ps: ps[0].start)
    return [s for _, s in have]


class SummaryCache:
    """Summaries by document version, as spans, in one JSON file each under `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, text: str) -> Path:
        key = hashlib.sha256(f"{CACHE_VERSION}\0{text}".encode()).hexdigest()[:24]
        return self.folder / f"{key}.json"

    def get(self, text: str) -> list[Span] | None:
        try:
            data = json.loads(self._path(text).read_text("utf-8"))
            return [Span(int(a), int(b)) for a, b in data["points"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, text: str, points: list[Span]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self._path(text)
            tmp = path.with_suffix(".part")
            tmp.write_text(json.dumps({"points": [[s.start, s.end] for s in points]}), "utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only index folder: the summary is made again next time


def summary_points(text: str, idf: BigramIdf, cache: SummaryCache | None,
                   progress: Callable[[int, int], None] | None = None,
                   stop: Callable[[], bool] = lambda: False) -> list[Span] | None:
    """The summary's points of a document (cached), None when stopped before the end."""
    cached = cache.get(text) if cache is not None else None
    if cached is not None:
        return cached
    found: list[Span | None] = []
    for k, n, point in summarize(text, idf):
        found.append(point)
        if progress is not None:
            progress(k, n)
        if stop():
            return None
    points = reduce(text, found)
    if cache is not None:
        cache.put(text, points)
    return points
