"""Answers as points: a list, the measures or the reasons a document enumerates, each point its own
words with its citation.

The documents write their lists out (一是…二是…, 一要…二要…, （一）…（二）…). A list question is
answered by the enumeration whose introduction (the heading above it, the sentences before its
first item) and items hold the question's words, near what retrieval found, all of its items in
order; a question that counts ("哪三个") takes only an enumeration of that many. Each point is the
item's first sentence, quoted as it stands, so a point is never a paraphrase; what decides is
whether the enumeration is the one asked about (CHOOSE_COVER), and when none is, the question
takes the ordinary path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.citations import citation_of
from assistant.answer.claims import has, terms
from assistant.answer.context import BigramIdf
from assistant.core.records import Chunk, Citation, Hit, Quote, Statement
from assistant.text.chinese import normalize
from assistant.text.enumerations import MARKER, OUTLINE_STYLES, Enumeration, Item, enumerations, is_outline
from assistant.text.injection import suspect_spans
from assistant.text.names import home_compatible, mentioned, names_in, places_in, titles_in
from assistant.text.questions import CAUSE_WORDS, LIST_WORDS, Kind, count_asked
from assistant.text.sentences import Span, paragraphs, sentences

CHOOSE_COVER = 0.7  # share of the question's words (bigrams, by idf) its introduction must hold
LEAD_MAX = 80  # a point longer than this is cut at a clause break: the item's head, not its paragraph
ITEM_NAMED = 0.8  # share of an item's head the question repeats when it asks about that item
POINTS_HITS = 12  # passages searched for the enumeration that answers a list question
HITS_READ = POINTS_HITS  # the leading hits whose documents' enumerations are considered


@dataclass(frozen=True)
class Points:
    text: str  # the reply as shown: one point a line, each with its [n]
    statements: list[Statement]
    citations: list[Citation]
    passages: list[Hit]  # [n] is passages[n-1]
    source: str
    complete: bool = True  # every item of the enumeration is a point


@dataclass(frozen=True)
class _Choice:
    cover: float
    rank: int
    source: str
    enumeration: Enumeration
    text: str


def _about(question: str) -> tuple[str, ...]:
    """The question's own words, less the words that only ask for a list ("措施", "方面")."""
    return tuple(t for t in terms(LIST_WORDS.sub("，", question)) if not LIST_WORDS.fullmatch(t))


def _cover(words: tuple[str, ...], text: str, idf: BigramIdf) -> float:
    """Share of the words found in the text, each weighted by its rarest bigram (数字经济 counts less
    than 不够强 in a corpus about the digital economy); a missing word is credited by half its bigrams."""
    total = got = 0.0
    for w in words:
        grams = [w[i:i + 2] for i in range(len(w) - 1)] or [w]
        weight = max(idf(g) for g in grams)
        total += weight
        got += weight if has(w, text) else weight * 0.5 * sum(g in text for g in grams) / len(grams)
    return got / total if total else 0.0


def _frame(words: tuple[str, ...], e: Enumeration, text: str) -> list[str]:
    """The words every item repeats ("…取得新突破", "国家高新区成为…"): the enumeration's own frame,
    which speaks for the whole of it as its introduction does."""
    leads = [normalize(i.lead(text)) for i in e.items]
    return [w for w in words if all(has(w, lead) for lead in leads)]


def _named_item(question: str, e: Enumeration, text: str) -> Item | None:
    """The item the question names ("创新不够强的原因是什么" names 三是创新不够强): it asks about that
    item, not for the list."""
    q = normalize(question)
    for item in e.items:
        head = re.split(r"[，,：:]", MARKER.sub("", normalize(item.lead(text)), count=1), maxsplit=1)[0]
        grams = {head[i:i + 2] for i in range(len(head) - 1)}
        if len(grams) >= 2 and sum(g in q for g in grams) >= ITEM_NAMED * len(grams):
            return item
    return None


def _named_ok(question: str, text: str, home: str) -> bool:
    """Every name and place the question names stands in the text, or is where the document speaks
    from ("我市" in a speech about 宁波): 九龙坡区's way is not 宁波's."""
    q = normalize(question)
    places = places_in(q)
    return all(mentioned(n, text) for n in names_in(q) if not any(p in n for p in places)) and \
        all(mentioned(p, text) or (home and home_compatible(home, p)) for p in places)


def choose(question: str, kind: Kind, hits: Sequence[Hit], doc_text: Callable[[str], str],
           idf: BigramIdf, home_at: Callable[[str, int], str], scoped: bool = False) -> _Choice | None:
    """The enumeration that answers a list question, or None when no enumeration clearly does.
    `scoped`: the hits are one document's, the one the question is about."""
    words = _about(question)
    titled = titles_in(question)
    whole = kind == Kind.SUMMARY and (scoped or bool(titled))  # a question about one named document
    if not words and not whole:
        return None
    wanted = count_asked(question)
    best: _Choice | None = None
    texts: dict[str, str] = {}
    for rank, hit in enumerate(hits[:HITS_READ]):
        c = hit.chunk
        if titled and not any(normalize(t) in normalize(f"{c.title} {c.source}") for t in titled):
            continue  # a question about 《某文件》 is answered from that document alone
        if c.source not in texts:
            texts[c.source] = doc_text(c.source)
        text = texts[c.source]
        for e in enumerations(text):
            if kind == Kind.SUMMARY and not is_outline(e, text):
                continue
            if kind != Kind.SUMMARY and (e.end <= c.start or e.start - len(e.intro) >= c.end):
                continue  # neither it nor its introduction is what retrieval found
            if wanted and len(e.items) != wanted:
                continue
            leads = normalize(" ".join(i.lead(text) for i in e.items))
            around = normalize(" ".join((e.intro, c.title, *_frame(words, e, text))))
            if kind == Kind.SUMMARY:
                around += leads  # a question about a whole document is about all its parts
            cover = _cover(words, around, idf)
            if kind != Kind.SUMMARY and _named_item(question, e, text):
                continue
            if whole:
                cover = max(cover, CHOOSE_COVER)
            if cover >= CHOOSE_COVER and _named_ok(question, around + leads, home_at(c.source, e.start)) \
                    and (best is None or _better(_Choice(cover, rank, c.source, e, text), best)):
                best = _Choice(cover, rank, c.source, e, text)
    return best


def _better(new: _Choice, old: _Choice) -> bool:
    """Better cover first. At equal cover within one document, a heading's own parts ((一)…(五)) come
    before a list inside one of them or beside them under the same heading; otherwise the better
    retrieved."""
    if round(new.cover, 3) != round(old.cover, 3):
        return new.cover > old.cover
    a, b = new.enumeration, old.enumeration
    nested = a.start <= b.start < a.end or b.start <= a.start < b.end
    if new.source == old.source and (nested or a.heading and a.heading == b.heading):
        return a.style in OUTLINE_STYLES and b.style not in OUTLINE_STYLES
    return new.rank < old.rank


def _point_span(text: str, start: int, lead_end: int) -> tuple[int, int]:
    """The item's head: its first sentence, cut at a clause break when it runs long."""
    if lead_end - start <= LEAD_MAX:
        return start, lead_end
    for i in range(start + 12, start + LEAD_MAX):
        if text[i] in "，,：:":
            return start, i
    return start, start + LEAD_MAX


def points_answer(question: str, kind: Kind, hits: Sequence[Hit], doc_text: Callable[[str], str],
                  chunks_of: Callable[[str], list[Chunk]], idf: BigramIdf,
                  home_at: Callable[[str, int], str], scoped: bool = False) -> Points | None:
    """The enumeration that answers the question, as points with quotes, or None. `home_at(source,
    offset)` is the place the document speaks of there ("我市" -> 宁波)."""
    chosen = choose(question, kind, hits, doc_text, idf, home_at, scoped)
    if chosen is None:
        return None
    spans = [_point_span(chosen.text, i.start, i.lead_end) for i in chosen.enumeration.items]
    hidden = suspect_spans(chosen.text)
    if any(a < e and s < b for s, e in spans for a, b in hidden):
        return None  # an item written to a program: the ordinary path hides it from the model
    return as_points(chosen.source, spans, chunks_of(chosen.source))


BODY_POINTS = 4  # the sentences of an item's own text given for a question about that item
BODY_KINDS = (Kind.REASONS, Kind.MEASURES)


def item_answer(question: str, kind: Kind, hits: Sequence[Hit], doc_text: Callable[[str], str],
                chunks_of: Callable[[str], list[Chunk]], home_at: Callable[[str, int], str]) -> Points | None:
    """A why or a how asked of one item a document enumerates ("创新不够强的原因是什么？" names 三是
    创新不够强) is answered by that item's own text after its head, a sentence a point, each quoted:
    the head restates what was asked ("原因是…创新不够强" answers nothing), the text under it says why
    or how. None when no retrieved enumeration has the item, or the item has no text of its own."""
    if kind not in BODY_KINDS:
        return None
    for hit in hits[:HITS_READ]:
        c = hit.chunk
        text = doc_text(c.source)
        for e in enumerations(text):
            if e.end <= c.start or e.start >= c.end:
                continue
            item = _named_item(question, e, text)
            if item is None or not _named_ok(question, normalize(e.intro + text[item.start:item.end]),
                                             home_at(c.source, item.start)):
                continue
            body = [s for p in paragraphs(text[:item.end]) if p.end > item.lead_end
                    for s in sentences(text, Span(max(p.start, item.lead_end), p.end), LEAD_MAX * 3)]
            if kind == Kind.REASONS:  # the text under a problem says why from its first causal sentence on
                body = body[next((i for i, s in enumerate(body) if CAUSE_WORDS.search(text[s.start:s.end])),
                                 len(body)):]
            spans = [(s.start, s.end) for s in body if len(text[s.start:s.end].strip("。；;，, ")) >= 6][:BODY_POINTS]
            if spans and not any(a < e2 and s0 < b for s0, e2 in spans for a, b in suspect_spans(text)):
                return as_points(c.source, spans, chunks_of(c.source))
    return None


def as_points(source: str, spans: Sequence[tuple[int, int]], chunks: Sequence[Chunk],
              labels: Sequence[str] = ()) -> Points | None:
    """Spans of one document's text as numbered points, each quoted from the chunk that holds it;
    `labels` (a summary's part titles) stand before their points."""
    chunks = sorted(chunks, key=lambda ch: ch.start)
    passages: list[Hit] = []
    statements: list[Statement] = []
    citations: list[Citation] = []
    lines: list[str] = []
    for no, (start, end) in enumerate(spans, 1):
        home = next((ch for ch in chunks if ch.start <= start and end <= ch.end), None) \
            or next((ch for ch in chunks if ch.start <= start < ch.end), None)
        if home is None:
            return None  # the index does not hold this part of the document: no partial list as if whole
        end = min(end, home.end)
        at = next((i for i, p in enumerate(passages) if p.chunk.chunk_id == home.chunk_id), None)
        if at is None:
            passages.append(Hit(home, 0.0))
            at = len(passages) - 1
        n = at + 1
        quote = Quote(n, start - home.start, end - home.start, home.text[start - home.start:end - home.start],
                      chosen_by_program=True)
        statements.append(Statement(quote.text, (n,), True, quote=quote))
        citations.append(citation_of(n, passages[at], False, quote))
        label = labels[no - 1] if no <= len(labels) and labels[no - 1] else ""
        lines.append(f"{no}. {'【' + label + '】' if label else ''}{quote.text.rstrip('。；;，,')}[{n}]")
    if not lines:
        return None
    return Points("\n".join([f"共{len(lines)}点：", *lines]), statements, citations, passages, source)
