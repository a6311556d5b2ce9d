"""Whether a checked reply answers the question: the last word before a reply is shown as answered."""

from __future__ import annotations

from assistant.answer.citations import Checked, normalize
from assistant.answer.claims import has
from assistant.answer.replies import list_head
from assistant.core.findings import Check, Finding, found
from assistant.text.chinese import strip_citations
from assistant.text.figures import DATE, figures, is_money
from assistant.text.names import says_where
from assistant.text.questions import MONEY, Slot, asked_slot, asks_for_figure, figures_asked


def unanswered(checked: Checked, question: str) -> Finding | None:
    """Why a checked reply does not answer the question, or None when it does."""
    if not any(s.supported and s.cites for s in checked.statements):
        return found(Check.UNCHECKED)
    said = [normalize(strip_citations(s.text)) for s in checked.statements if s.supported and s.cites]
    if asks_for_figure(question) and not any(figures(t) for t in said):
        return found(Check.NO_FIGURE)
    q = normalize(question)
    asked = figures_asked(question)
    given = {(f.value, f.unit) for t in said for f in figures(t)} - {(f.value, f.unit) for f in figures(q)}
    if asked > 1 and len(given) < asked:
        return found(Check.FEW_FIGURES, asked=str(asked), shown=str(len(given)))
    if MONEY.search(question) and not any(is_money(f, t) for t in said for f in figures(t)):
        return found(Check.NO_MONEY)
    if asked_slot(question) == Slot.DATE and not any(m.group(0) not in q for t in said for m in DATE.finditer(t)):
        return found(Check.NO_DATE)
    if asked_slot(question) == Slot.PLACE and not any(says_where(t, q) for t in said):
        return found(Check.NO_PLACE)
    head = list_head(question)
    if head and not any(has(head, normalize(c.quote)) for c in checked.citations):
        return found(Check.LIST_HEAD, asked=head)
    return None
