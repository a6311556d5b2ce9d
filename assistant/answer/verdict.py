"""Whether a checked reply answers the question: the last word before a reply is shown as answered."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.citations import Checked, normalize
from assistant.answer.claims import coverage, has, terms
from assistant.answer.replies import list_head
from assistant.core.findings import Check, Finding, found
from assistant.core.records import Hit, Kind
from assistant.text.chinese import strip_citations
from assistant.text.figures import DATE, figures, is_money
from assistant.text.names import TITLE, says_where
from assistant.text.questions import (
    LIST_WORDS,
    MONEY,
    Slot,
    asked_slot,
    asks_for_figure,
    count_asked,
    figures_asked,
    items_said,
    kind_of,
)
from assistant.text.sentences import paragraphs

CONTEXT_BEFORE = 80  # characters before a quote read with it: the sentence that leads to it
ABOUT_COVER = 0.5  # share of the question's own words the words a reply stands on must hold


def unanswered(checked: Checked, question: str, passages: Sequence[Hit] = ()) -> Finding | None:
    """Why a checked reply does not answer the question, or None when it does. With `passages` (the
    reply's [n]), the words it stands on must be about what was asked (NOT_ABOUT): a sentence copied
    whole is true, but "各区县要在5月1日前完成公示" is no answer to "对整改时限有什么要求"."""
    if not any(s.supported and s.cites for s in checked.statements):
        return found(Check.UNCHECKED)
    if passages and (off := off_topic(checked, question, passages)):
        return off
    said = [normalize(strip_citations(s.text)) for s in checked.statements if s.supported and s.cites]
    if asks_for_figure(question) and not any(figures(t) for t in said):
        return found(Check.NO_FIGURE)
    q = normalize(question)
    asked = figures_asked(question)
    given = {(f.value, f.unit) for t in said for f in figures(t)} - {(f.value, f.unit) for f in figures(q)}
    if asked > 1 and len(given) < asked:
        return found(Check.FEW_FIGURES, asked=str(asked), shown=str(len(given)))
    wanted = count_asked(question) if kind_of(question) == Kind.LIST else None
    if wanted and sum(items_said(t) for t in said) < wanted:  # "四条工作原则是振聋发聩"
        return found(Check.FEW_ITEMS, asked=str(wanted))
    if MONEY.search(question) and not any(is_money(f, t) for t in said for f in figures(t)):
        return found(Check.NO_MONEY)
    if asked_slot(question) == Slot.DATE and not any(m.group(0) not in q for t in said for m in DATE.finditer(t)):
        return found(Check.NO_DATE)
    if asked_slot(question) == Slot.PLACE and not any(says_where(t, q) for t in said):
        return found(Check.NO_PLACE)
    head = list_head(question)
    if head and not any(has(head, normalize(" ".join((*c.headings, c.quote)))) for c in checked.citations):
        return found(Check.LIST_HEAD, asked=head)
    return None


def off_topic(checked: Checked, question: str, passages: Sequence[Hit]) -> Finding | None:
    """No quote the reply stands on, read in its paragraph with the sentence before it and its
    headings, holds half of the question's own words (a title in 《》 and the words that only ask
    are not its own)."""
    own = terms(LIST_WORDS.sub("，", TITLE.sub("", question)))
    if not own:
        return None
    for s in checked.statements:
        if s.supported and s.quote and 1 <= s.quote.n <= len(passages):
            c = passages[s.quote.n - 1].chunk
            paragraph = [p for p in paragraphs(c.text) if p.start < s.quote.end and s.quote.start < p.end]
            start = max(0, min([s.quote.start - CONTEXT_BEFORE, *(p.start for p in paragraph)]))
            end = max([s.quote.end, *(p.end for p in paragraph)])
            read = " ".join((*c.headings, c.title, c.text[start:end]))
            if coverage(own, normalize(read)) >= ABOUT_COVER:
                return None
    return found(Check.NOT_ABOUT, asked="、".join(own[:3]))
