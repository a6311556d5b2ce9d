"""Whether a checked reply answers the question: the last word before a reply is shown as answered."""

from __future__ import annotations

from assistant.answer.citations import Checked, normalize
from assistant.answer.claims import has
from assistant.answer.replies import list_head
from assistant.text.chinese import strip_citations
from assistant.text.figures import figures
from assistant.text.questions import asks_for_figure


def unanswered(checked: Checked, question: str) -> str:
    """Why a checked reply does not answer the question (Chinese), or "" when it does."""
    if not any(s.supported and s.cites for s in checked.statements):
        return "模型给出的回答无法在资料中核实"
    if asks_for_figure(question) and not any(
            s.supported and s.cites and figures(normalize(strip_citations(s.text))) for s in checked.statements):
        return "回答里没有问题所问的数字"
    head = list_head(question)
    if head and not any(has(head, normalize(c.quote)) for c in checked.citations):
        return f"回答没有说到问题所问的“{head}”"
    return ""
