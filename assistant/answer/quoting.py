"""A quote instead of a refusal: when the model's draft fails the check, the retrieved sentence that
holds what was asked is shown as it stands ("资料原文：…"), with its citation.

A sentence is quoted only when it holds the asked slot (a figure, a date, a person or a place
the question does not already name), covers the question's own words (with the headings above
it), and would pass the same check a model's statement passes if it were written word for word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answer.citations import check_answer, citation_of, support
from assistant.answer.claims import coverage, terms
from assistant.answer.numbering import Sentences
from assistant.answer.people import asserted_names
from assistant.core.records import Citation, Hit, Quote, Statement
from assistant.text.chinese import normalize
from assistant.text.figures import DATE, figures, is_money
from assistant.text.names import places_in
from assistant.text.questions import MONEY, ROLES, Slot, asked_slot

QUOTE_PREFIX = "资料原文："
MIN_COVER = 0.8  # share of the question's own words the sentence (and its headings) must hold
CANDIDATES = 3  # the best sentences by the question's words that are tried, in order



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
        new = [f for f in figures(norm) if not f.is_year and not any(f.same_quantity(a) for a in asked)]
        return any(is_money(f, norm) for f in new) if MONEY.search(q) else bool(new)
    if slot == Slot.DATE:
        return any(m.group(0) not in q for m in DATE.finditer(norm))
    if slot == Slot.PERSON:
        role = ROLES.search(q)
        if role and role.group(0) not in norm:
            return False  # 导演 is not 主演
        return bool(asserted_names(norm, q, terms(q)))
    if slot == Slot.PLACE:
        return any(p not in q for p in places_in(norm))
    return False


def quote_instead(question: str, passages: list[Hit], numbered: Sentences,
                  homes: Mapping[str, str] | None = None) -> Quoted | None:
    """The retrieved sentence to show in place of a refusal, or None when none holds the answer."""
    slot = asked_slot(question)
    if slot == Slot.OTHER:
        return None
    need = terms(question)
    scored = []
    for s in numbered.items:
        hit = passages[s.n - 1]
        text = hit.chunk.text[s.start:s.end]
        around = " ".join((*hit.chunk.headings, hit.chunk.title))
        cover = coverage(need, normalize(text + around)) if need else 0.0
        scored.append((cover, support(question, text), s, text))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2].k))
    for cover, _, s, text in scored[:CANDIDATES]:
        if cover < MIN_COVER or not holds_slot(slot, text, question):
            continue
        checked = check_answer(f"{text}[{s.k}]", question, passages, homes, numbered)
        stmt = next((x for x in checked.statements if x.supported and x.cites), None)
        if stmt is None or len(checked.statements) != 1 or [c.n for c in checked.citations] != [s.n]:
            continue
        n = s.n
        quote = Quote(n, s.start, s.end, text)
        citation = citation_of(n, passages[n - 1], checked.citations[0].added_by_program, quote)
        return Quoted(f"{QUOTE_PREFIX}“{text.strip()}”[{n}]", Statement(text, (n,), True, None, quote), citation)
    return None
