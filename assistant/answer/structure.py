"""The clause structure of a passage sentence, read for the check: whose figure each clause states,
which indicator it counts, and when.

"2023年，甲县粮食产量为52.3万吨，乙县为48.1万吨" says the indicator once: the later clause has a
subject of its own (乙县) and no indicator, so it inherits the first one's (粮食产量), and its
figure is 乙县's, not 甲县's. A clause's time is its own year or time word, else the nearest one
before it in the sentence: in "2023年产量为18.6万辆，计划到2025年增加到30万辆", 18.6万辆 is 2023's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.figures import Figure, years
from assistant.text.names import places_in
from assistant.text.sentences import CLAUSE_BREAK

# words between a clause's subject and its figure: "乙县为48.1万吨", "B公司下降4%"
_VERB_TAIL = re.compile(r"(约为|约|为|是|达到|达|增长|增加|下降|减少|提高到|提升至|提升到|提高至|突破|超过|共有|共|有|实现|累计)+$")
# the last character of a name that can be a subject: a place, a body, a group of people
_SUBJECT_END = "县区市镇省州村乡民司团国局厅委院校园"
_DEICTIC = re.compile(r"^(我|本|全)(市|区|县|省|镇|州)")
_SHORT_SUBJECT = 8

# time words: a clause's own, or the nearest before it in the sentence
TIME_WORDS: dict[str, str] = {
    "今年": "this_year", "本年": "this_year", "当年": "this_year",
    "去年": "last_year", "上年": "last_year", "上一年": "last_year",
    "明年": "next_year",
    "目前": "now", "当前": "now", "现阶段": "now", "截至目前": "now", "现有": "now",
    # what has been reached is the present, not a target: "增加值达到了多少" is not "到2027年将达到"
    "已经": "now", "达到了": "now", "实现了": "now", "突破了": "now",
}
_TIME_WORD = re.compile("|".join(sorted(TIME_WORDS, key=len, reverse=True)))
_TARGET_YEAR = re.compile(r"(到|至|力争|争取|预计|计划)\s*((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Clause:
    start: int  # in the passage's normalized text
    end: int
    text: str
    subject: str = ""  # the subject it names of its own, when it inherits the indicator of the first
    inherited: str = ""  # the indicator it inherits ("粮食产量"), "" when it has its own


@dataclass(frozen=True)
class When:
    years: frozenset[int]
    words: frozenset[str]  # this_year, last_year, next_year, now
    target: bool  # "到2030年": the year of a target, not of a fact


def clauses(norm: str, a: int, b: int) -> list[tuple[int, int]]:
    out, pos = [], a
    for m in list(CLAUSE_BREAK.finditer(norm, a, b)) + [None]:
        end = m.start() if m else b
        if end > pos:
            out.append((pos, end))
        if m:
            pos = m.end()
    return out


def _pre(norm: str, span: tuple[int, int], fig: Figure | None) -> str:
    """A clause's words before its figure, without the verb that leads to the figure."""
    end = fig.start if fig and span[0] <= fig.start < span[1] else span[1]
    return _VERB_TAIL.sub("", norm[span[0]:end].strip())


def is_subject(words: str) -> bool:
    """Words that can only be a subject, not an indicator: a place, a body, a group of people.

    is_subject("乙县") -> True; is_subject("农村居民") -> True; is_subject("高新技术企业") -> False
    """
    return words[-1] in _SUBJECT_END or bool(_DEICTIC.match(words)) or places_in(words) == [words]


def _split_first(first_pre: str, subject: str) -> tuple[str, str]:
    """The first clause's (subject, indicator), read against a later clause's subject.

    _split_first("甲县粮食产量", "乙县") -> ("甲县", "粮食产量"); _split_first("苏州工业总产值", "我市") -> ("苏州", "工业总产值")
    """
    end = subject[-1]
    i = first_pre.find(end)
    if end in _SUBJECT_END and 0 < i < len(first_pre) - 1:
        return first_pre[:i + 1], first_pre[i + 1:]
    lead = _DEICTIC.match(first_pre)
    if lead:
        return lead.group(0), first_pre[lead.end():]
    places = places_in(first_pre)
    if places and first_pre.startswith(places[0]):
        return places[0], first_pre[len(places[0]):]
    return "", ""


def read_sentence(norm: str, a: int, b: int, figs: list[Figure]) -> list[Clause]:
    """The clauses of the sentence norm[a:b], later members of a list reading the first one's indicator."""
    spans = clauses(norm, a, b)
    fig_of = {s: next((f for f in figs if s[0] <= f.start < s[1] and not f.is_year), None) for s in spans}
    out: list[Clause] = []
    first: tuple[int, int] | None = None
    for s in spans:
        fig = fig_of[s]
        text = norm[s[0]:s[1]]
        if fig is None:
            out.append(Clause(s[0], s[1], text))
            continue
        if first is None or not _same_kind(fig_of[first], fig):
            first = s
            out.append(Clause(s[0], s[1], text))
            continue
        pre = _pre(norm, s, fig)
        if not pre or len(pre) > _SHORT_SUBJECT or not is_subject(pre):
            out.append(Clause(s[0], s[1], text))
            continue
        subject, indicator = _split_first(_pre(norm, first, fig_of[first]), pre)
        if indicator and indicator not in text:
            out.append(Clause(s[0], s[1], text, pre, indicator))
        else:
            out.append(Clause(s[0], s[1], text))
    return out


def _same_kind(a: Figure | None, b: Figure) -> bool:
    """Two figures a list can hold side by side: both ratios, or units that agree (万吨 and 吨, % and %)."""
    if a is None or a.unit.startswith(":") != b.unit.startswith(":"):
        return False
    return a.unit.startswith(":") or a.unit == b.unit or not a.unit or not b.unit or a.unit[-1:] == b.unit[-1:]


def subject_of_first(norm: str, sentence: list[Clause], figs: list[Figure]) -> dict[int, str]:
    """The subject each list member names (clause start -> subject), the first one's included."""
    out: dict[int, str] = {}
    for i, c in enumerate(sentence):
        if not c.inherited:
            continue
        out[c.start] = c.subject
        first = next((p for p in reversed(sentence[:i]) if not p.inherited and _has_fig(p, figs)), None)
        if first is not None and first.start not in out:
            fig = next((f for f in figs if first.start <= f.start < first.end and not f.is_year), None)
            subj, _ = _split_first(_pre(norm, (first.start, first.end), fig), c.subject)
            if subj:
                out[first.start] = subj
    return out


def _has_fig(c: Clause, figs: list[Figure]) -> bool:
    return any(c.start <= f.start < c.end and not f.is_year for f in figs)


def when(text: str) -> When:
    """The time a text names: when("力争到2027年提高到70%") -> years {2027}, target."""
    return When(frozenset(years(text)),
                frozenset(TIME_WORDS[w] for w in _TIME_WORD.findall(text)), bool(_TARGET_YEAR.search(text)))


def clause_when(sentence: list[Clause], pos: int) -> When | None:
    """The time of the clause holding pos: its own, else the nearest before it in the sentence."""
    idx = next((i for i, c in enumerate(sentence) if c.start <= pos < c.end), None)
    if idx is None:
        return None
    for c in reversed(sentence[:idx + 1]):
        w = when(c.text)
        if w.years or w.words:
            return w
    return None
