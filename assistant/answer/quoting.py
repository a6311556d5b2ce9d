"""A quote instead of a refusal: when the model's draft fails the check, the retrieved sentence that
holds what was asked is shown as it stands ("资料原文：…"), with its citation.

A sentence is quoted only when it holds the asked slot (a figure, a date, a person or a place
the question does not already name), covers the question's own words (with the headings above
it), and would pass the same check a model's statement passes if it were written word for word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answer.citations import check_answer, citation_of, support
from assistant.answer.claims import coverage, has, terms
from assistant.answer.numbering import Sentences
from assistant.answer.people import asserted_names
from assistant.answer.replies import list_head
from assistant.core.records import Citation, Hit, Kind, Quote, Statement
from assistant.text.chinese import normalize
from assistant.text.figures import DATE, DATELINE, Figure, figures, is_money, years
from assistant.text.names import TITLE, mentioned, names_in, places_in
from assistant.text.questions import (
    LIST_WORDS,
    MONEY,
    YES_NO_WORDS,
    Slot,
    asked_slot,
    asks_ratio,
    count_asked,
    counted,
    items_said,
    kind_of,
    roles_asked,
)
from assistant.text.sentences import ELISION

QUOTE_PREFIX = "资料原文："
MIN_COVER = 0.8  # share of the question's own words the sentence (and its headings) must hold
CANDIDATES = 3  # the best sentences by the question's words, among those holding the slot, tried in order
SAID_ON = re.compile(r"\s*((电|讯)(?=[，,\s])|(电|讯)?(称|说|表示|报道|指出|援引))")  # after a date: when it was said
LIST_RUN_CHARS = 200  # the longest run of sentences quoted whole for a counted list



@dataclass(frozen=True)
class Quoted:
    text: str  # the reply as shown: 资料原文：“…”[n]
    statement: Statement
    citation: Citation


def holds_slot(slot: Slot, sentence: str, question: str) -> bool:
    """The sentence names what the question asks for, beyond what the question itself names."""
    norm, q = normalize(sentence), normalize(question)
    if slot == Slot.FIGURE:
        asked = figures(q)
        titles = [m.span() for m in TITLE.finditer(norm)]  # 《壮志凌云2》: a name, not a figure
        new = [f for f in figures(norm) if not f.is_year and not any(f.same_quantity(a) for a in asked)
               and (not f.is_ratio or asks_ratio(q))  # "之比为1∶3" does not say how much 增加值 reached
               and not any(a <= f.start < b for a, b in titles)]
        units = counted(q)  # "多少支球队" is not answered by "29天"
        new = [f for f in new if not units or _counts(f, norm, units)]
        return any(is_money(f, norm) for f in new) if MONEY.search(q) else bool(new)
    if slot == Slot.DATE:  # "韩联社6日称": the day it was said, not of the event
        return any(m.group(0) not in q and not SAID_ON.match(norm, m.end()) for m in DATE.finditer(norm))
    if slot == Slot.PERSON:
        roles = roles_asked(q)  # without a role asked ("谁向…扔炸弹"), a name in a sentence is no answer
        if not roles or not all(has(r, norm) for r in roles):
            return False  # 导演 is not 主演
        return bool(asserted_names(norm, q, terms(q)))
    if slot == Slot.PLACE:
        return any(p not in q for p in places_in(norm))
    return False


def _counts(f: Figure, norm: str, units: tuple[str, ...]) -> bool:
    """The figure counts in a unit asked: "48支" or "32队" for 多少支球队, "2.5万人" or "300名" for 多少人."""
    written = f.unit or norm[f.end:f.end + 2]
    return written[:1] in units


def whole_and_about(sentence: str, hit: Hit, question: str) -> bool:
    """The sentence is whole (no words left out, not a digest's timestamp) and speaks of what the question
    names: every name in it (美加墨世界杯) and every year (a 2023 figure does not answer for 2022)."""
    if ELISION.search(sentence) or DATELINE.match(sentence):
        return False
    around = normalize(" ".join((sentence, *hit.chunk.headings, hit.chunk.title)))
    q = normalize(question)
    return all(mentioned(n, around) for n in names_in(q)) and years(q) <= years(around)


def quote_instead(question: str, passages: list[Hit], numbered: Sentences,
                  homes: Mapping[str, str] | None = None) -> Quoted | None:
    """The retrieved sentence to show in place of a refusal, or None when none holds the answer.

    A yes/no question ("是否已经建立…？") has no slot: the sentence that holds all its words is what
    decides it, and is quoted for the reader to judge ("没有建立健全…")."""
    slot, kind = asked_slot(question), kind_of(question)
    yes_no = kind == Kind.YES_NO
    wanted = count_asked(question) if kind == Kind.LIST else None
    if wanted:
        return counted_run(question, wanted, passages, numbered)
    if slot == Slot.OTHER and not yes_no:
        return None
    need = tuple(t for t in terms(question) if not (yes_no and YES_NO_WORDS.match(t)))
    scored = []
    for s in numbered.items:
        hit = passages[s.n - 1]
        text = hit.chunk.text[s.start:s.end]
        around = " ".join((*hit.chunk.headings, hit.chunk.title))
        cover = coverage(need, normalize(text + around)) if need else 0.0
        scored.append((cover, support(question, text), s, text))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2].k))
    holding = [(s, text) for cover, _, s, text in scored
               if cover >= MIN_COVER and whole_and_about(text, passages[s.n - 1], question)
               and (yes_no and slot == Slot.OTHER or holds_slot(slot, text, question))]
    for s, text in holding[:CANDIDATES]:  # "耶伦这次访华时间比较长" covers the words better and holds no date
        checked = check_answer(f"{text}[{s.k}]", question, passages, homes, numbered)
        stmt = next((x for x in checked.statements if x.supported and x.cites), None)
        if stmt is None or len(checked.statements) != 1 or [c.n for c in checked.citations] != [s.n]:
            continue
        return _quoted(passages, Quote(s.n, s.start, s.end, text), checked.citations[0].added_by_program)
    return None


def _quoted(passages: list[Hit], quote: Quote, added: bool) -> Quoted:
    """The reply that shows `quote` as it stands: 资料原文：“…”[n], its statement and citation."""
    n = quote.n
    return Quoted(f"{QUOTE_PREFIX}“{quote.text.strip()}”[{n}]", Statement(quote.text, (n,), True, None, quote),
                  citation_of(n, passages[n - 1], added, quote))


def counted_run(question: str, wanted: int, passages: list[Hit], numbered: Sentences) -> Quoted | None:
    """A question that counts its items ("四项工作方针是什么") is answered by a run of sentences of one
    paragraph that names the thing counted and, in its other sentences (or the same one), that many
    items ("稳字当头！改革破题！创新驱动！民生为本！全会确定的四项工作方针……"), quoted whole, when its
    document as read covers the question's own words."""
    need = terms(LIST_WORDS.sub("，", question))
    head = list_head(question, counted=True)
    best: tuple[float, int, int, int] | None = None
    for n, run in _runs(numbered, passages):
        hit = passages[n - 1]
        start, end = run[0][0], run[-1][1]
        text = hit.chunk.text[start:end]
        said = [hit.chunk.text[a:b] for a, b in run]
        named = [t for t in said if head and has(head, normalize(t))]
        others = [t for t in said if t not in named]
        items = sum(items_said(t) for t in others) if others else sum(items_said(t) - 1 for t in named)
        if len(text) > LIST_RUN_CHARS or not named or items < wanted or not whole_and_about(text, hit, question):
            continue
        same = [p.chunk.text for p in passages if p.chunk.source == hit.chunk.source]
        cover = coverage(need, normalize(" ".join((*hit.chunk.headings, hit.chunk.title, *same))))
        if cover >= MIN_COVER and (best is None or cover > best[0]):
            best = (cover, n, start, end)
    if best is None:
        return None
    _, n, start, end = best
    return _quoted(passages, Quote(n, start, end, passages[n - 1].chunk.text[start:end], chosen_by_program=True), True)


def _runs(numbered: Sentences, passages: list[Hit]) -> list[tuple[int, list[tuple[int, int]]]]:
    """The numbered sentences grouped into runs: sentences of one passage that follow each other with
    nothing left out and no line break between them (a paragraph as the model read it)."""
    out: list[tuple[int, list[tuple[int, int]]]] = []
    for s in numbered.items:
        if out and out[-1][0] == s.n and s.start >= out[-1][1][-1][1]:
            gap = passages[s.n - 1].chunk.text[out[-1][1][-1][1]:s.start]
            if not gap.strip() and "\n" not in gap:
                out[-1][1].append((s.start, s.end))
                continue
        out.append((s.n, [(s.start, s.end)]))
    return out
