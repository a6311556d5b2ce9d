"""Does a reply answer the question at all: a figure for a how-many question, the listed thing for a
list question, not a heading, not a sentence about something else."""

from __future__ import annotations

import re

from assistant.answer.claims import GENERIC, View, coverage, terms
from assistant.core.findings import Check, Finding, found
from assistant.core.records import Kind
from assistant.ingest.chunking import heading_of
from assistant.text.chinese import normalize
from assistant.text.figures import figures, years
from assistant.text.judgements import denied
from assistant.text.names import tagged, unit_conflict
from assistant.text.questions import COUNT, kind_of

_WHICH = re.compile(r"哪(些|几|[一二两三四五六七八九十\d]+)")


def list_head(question: str, counted: bool = False) -> str:
    """What a list question asks the items of: the noun after "哪三个", else the last one before it.

    list_head("主要短板有哪三个？") -> "短板"; list_head("围绕哪三个关键领域？") -> "领域";
    with `counted`, a count stands for 哪: list_head("四条工作原则是什么？", counted=True) -> "原则";
    "" when none.
    """
    m = _WHICH.search(question) or (COUNT.search(question) if counted else None)
    if not m:
        return ""

    def nouns(text: str) -> list[str]:
        return [w for w, flag in tagged(text) if flag[:1] == "n" and flag not in ("ns", "nr")
                and len(w) >= 2 and w not in GENERIC]

    after = nouns(re.split(r"[，,。？?！!]", question[m.end():])[0])
    before = nouns(question[:m.start()])
    return after[-1] if after else before[-1] if before else ""


def is_title(stmt: str, view: View) -> bool:
    """A heading or a bare title ("二、加强隐患排查") is not an answer to anything."""
    bare = re.sub(r"[\s。.!！?？;；:：]+$", "", stmt.strip())
    if not bare:
        return False
    head = heading_of(bare)
    if head and head[2] and len(bare) <= 30:
        return True
    return any(bare == re.sub(r"^#+\s*", "", h).strip() for h in re.split(r"\s+", view.around) if h)


def check_topic(stmt_norm: str, question: str, view: View, best_sentence: str) -> Finding | None:
    """A statement without figures must come from a passage sentence about what was asked."""
    need = terms(question)
    if not need:
        return None
    if not (set(terms(stmt_norm)) & set(need)) and coverage(need, best_sentence + view.around) < 0.5:
        return found(Check.OFF_TOPIC)
    return None


def year_elsewhere(question: str, view: View, shown: str) -> Finding | None:
    """A question about a year the passage never names, while it names others: "2025年在哪里举办" is not
    answered by a passage about 2019. A passage that names no year at all is left to the other checks."""
    asked = years(normalize(question))
    if not asked or asked <= years(view.norm + view.around):
        return None
    stated = years(view.norm)
    if not stated:
        return None
    return found(Check.YEAR, shown=shown, stated="、".join(map(str, sorted(stated))),
                 asked="、".join(map(str, sorted(asked))))


def denial(stmt_norm: str, question: str, best_sentence: str) -> Finding | None:
    """The sentence the statement stands on denies what was asked: "没拿到票房冠军" for "票房冠军是？".
    A yes/no question asks whether: a denial is its answer ("是否已建立…" -> "没有建立…")."""
    if kind_of(question) == Kind.YES_NO:
        return None
    hit = denied(stmt_norm, terms(question), best_sentence)
    return found(Check.DENIED, said=hit[0], passage=hit[1]) if hit else None


def condition_unstated(question: str, view: View) -> Finding | None:
    """A figure the question names as a condition ("首个票房达到300亿元的演员") must stand in the passage
    that answers it: a passage about 160亿 does not say who reached 300亿."""
    asked = [f for f in figures(normalize(question)) if not f.is_year and not f.ordinal]
    stated = view.figs + figures(view.around)
    for f in asked:
        if not any(f.same_quantity(g) for g in stated):
            return found(Check.CONDITION, shown=f.text + f.scale + f.unit)
    return None


def other_unit(question: str, view: View, shown: str) -> Finding | None:
    """The passage speaks of the same name under another unit: 竹溪开发区's room is not 竹溪社区's."""
    asked, named = unit_conflict(question, view.norm + view.around)
    return found(Check.PLACE_OTHER, shown=shown, passage=named, asked=asked) if asked else None
