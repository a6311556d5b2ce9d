"""Does a passage say the same thing about the same subject as a claim?

A figure is supported only where the passage states it for what the question and the
statement are about: the same unit and scale, the same counted noun (水闸 not 水库), the
clause that holds the asked-for indicator (not a neighbouring figure's), the year asked,
and the place asked ("我市" resolved to the document's own city). A person is supported as
"X of Y" only when the passage names X next to Y.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from assistant.answer.structure import Clause, clause_when, read_sentence, subject_of_first, when
from assistant.core.findings import Check, Finding, found
from assistant.text.figures import Figure, computed, counted_noun, figures, year_spans, years
from assistant.text.judgements import GROUPS
from assistant.text.names import (
    asked_places,
    core,
    home_compatible,
    mentioned,
    place_conflict,
    places_in,
    spoken_of,
    tagged,
    yardsticks,
)
from assistant.text.questions import WHO, asks_rank, asks_rate
from assistant.text.sentences import CLAUSE_BREAK, SENTENCE_BREAK

_SENT = SENTENCE_BREAK
_CLAUSE = CLAUSE_BREAK
# question words, function words and frame words that name no particular thing
GENERIC = frozenset(
    "多少 几 哪些 哪个 哪里 哪 什么 是否 怎么 怎样 如何 为什么 请问 是 有 为 的 了 在 和 与 及 等 要 将 把 被 对 "
    "从 到 达 达到 实现 提升 提高 增长 目标 情况 数量 总量 规模 水平 方面 工作 内容 主要 相关 具体 分别 "
    "一共 共 共有 累计 总共 大约 约 左右 其中 今年 去年 全年 当年 年 个 多 少 排 第几 位居 居 排名 哪年 何时 时候 "
    "时限 期限 时间 日期 "  # a time asked for is the date slot, not a thing the sentence must name
    "什么样 谁 哪位 担任 目前 现在 期间 以来 提出 明确 指出 表示 介绍 报告 通知 文件 资料 文中 里 中 上 下 "
    # targets and changes name no thing either: "力争突破400万人次" is still about the clause before
    "计划 力争 争取 预计 确保 努力 突破 增加 减少 下降 超过 上年 明年 当前 同期 本年".split()
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "地区生产总值": ("GDP", "生产总值"), "GDP": ("地区生产总值", "国内生产总值", "生产总值"),
    "生产总值": ("GDP",), "营收": ("营业收入", "收入"), "营业收入": ("营收",), "增速": ("增长", "增幅", "增长率"),
    "增幅": ("增速", "增长"), "占比": ("比重", "比例", "占"), "比重": ("占比", "比例"), "比例": ("占比", "比重"),
    "企业": ("公司",), "公司": ("企业",), "面积": ("平方米", "平方公里", "亩"),
    "导演": ("执导",), "主演": ("出演", "领衔"), "饰演": ("扮演", "主演", "出演", "演员"),
    "冠军": ("夺冠", "折桂"), "新任": ("新当选", "当选", "新任命", "履新"),
}
CONTRASTS = (({"同比"}, {"环比"}), (set(GROUPS["up"]), set(GROUPS["down"])),
             ({"以上", "超过"}, {"以下", "不足", "低于"}))
_DEICTIC = re.compile(r"(我|本|全)(市|区|县|省|镇|州)")


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    return tuple(w for w, _ in tagged(text) if w.strip())


@lru_cache(maxsize=2048)
def terms(text: str) -> tuple[str, ...]:
    """Content words that say what a text is about: no question words, places, years or figures.

    terms("2027年地区生产总值目标是多少？") -> ("地区", "生产总值")
    """
    out: list[str] = []
    for w, flag in tagged(WHO.sub(" ", text)):  # "谁演" is a question word and a verb
        w = w.strip()
        if (len(w) < 2 or w in GENERIC or w.startswith("哪") or flag == "ns" or flag.startswith("m")
                or not re.search(r"[\u4e00-\u9fffA-Za-z]", w) or w in out):  # 哪几个, 哪一年: question words
            continue
        out.append(w)
    return tuple(out)


def has(term: str, text: str) -> bool:
    return term in text or any(s in text for s in SYNONYMS.get(term, ()))


def coverage(ts: tuple[str, ...], text: str) -> float:
    """Share of the terms' characters found in the text, a missing term credited by its bigrams."""
    total = sum(len(t) for t in ts)
    if not total:
        return 1.0
    got = 0.0
    for t in ts:
        if has(t, text):
            got += len(t)
        elif len(t) > 2:
            grams = [t[i:i + 2] for i in range(len(t) - 1)]
            got += len(t) * sum(g in text for g in grams) / len(grams) * 0.5
    return got / total


@dataclass
class View:
    """One passage prepared for checks: normalized text, sentences, and what surrounds it."""

    norm: str
    around: str = ""  # headings and title: what the passage is under
    home: str = ""  # the document's own place, what "我市" means there
    focus: tuple[tuple[int, int], ...] = ()  # the quoted sentences a figure must stand in (empty: anywhere)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    figs: list[Figure] = field(default_factory=list)
    _readings: dict[tuple[int, int], list[Clause]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.sentences = _spans(_SENT, self.norm)
        self.figs = figures(self.norm)

    def holds(self, pos: int) -> bool:
        """Whether pos is inside the quoted words (anywhere, when nothing is quoted)."""
        return not self.focus or any(a <= pos < b for a, b in self.focus)

    def focused(self, spans: list[tuple[int, int]]) -> View:
        """The same passage with the statement's quote marked: figures count only inside it."""
        return View(self.norm, self.around, self.home, tuple(spans))

    def sentence_at(self, pos: int) -> tuple[int, int]:
        return next((s for s in self.sentences if s[0] <= pos < s[1]), (0, len(self.norm)))

    def clause_at(self, pos: int) -> str:
        """The clause holding pos; a clause with no noun of its own ("增长6.1%") takes the one before,
        a later member of a list ("乙县为48.1万吨") the indicator of the first.

        In "地区生产总值812亿元，增长6.1%", 6.1% is the growth of 地区生产总值.
        """
        a, b = self.sentence_at(pos)
        parts = _spans(_CLAUSE, self.norm[a:b])
        own = next((c for c in self.reading(pos) if c.start <= pos < c.end), None)
        inherited = f"；{own.inherited}" if own is not None and own.inherited else ""
        for i, (s, e) in enumerate(parts):
            if s <= pos - a < e:
                first = i
                while (not inherited and first > 0
                       and not terms(_strip_figures(self.norm[a + parts[first][0]:a + parts[first][1]]))):
                    first -= 1
                return self.norm[a + parts[first][0]:a + e] + inherited
        return self.norm[a:b]

    def reading(self, pos: int) -> list[Clause]:
        """The clauses of the sentence holding pos, as structure.read_sentence reads them."""
        a, b = self.sentence_at(pos)
        if (a, b) not in self._readings:
            self._readings[(a, b)] = read_sentence(self.norm, a, b, self.figs)
        return self._readings[(a, b)]

    def subjects(self, pos: int) -> dict[int, str]:
        """Clause start -> the subject a list member names, in the sentence holding pos."""
        return subject_of_first(self.norm, self.reading(pos), self.figs)

    def context(self, pos: int) -> str:
        """The sentence holding pos, the one before it, and the headings above the passage."""
        a, b = self.sentence_at(pos)
        i = self.sentences.index((a, b)) if (a, b) in self.sentences else 0
        prev = self.norm[self.sentences[i - 1][0]:self.sentences[i - 1][1]] if i > 0 else ""
        return f"{self.around}\n{prev}\n{self.norm[a:b]}"


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in list(pattern.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        if end > pos:
            out.append((pos, end))
        if m:
            pos = m.end()
    return out


def check_figure(fig: Figure, stmt_norm: str, question: str, view: View) -> Finding | None:
    """None when the passage states this figure for what is asked, else what is wrong."""
    same = [f for f in view.figs if f.same_quantity(fig) and view.holds(f.start)]
    if not same:
        near = [f for f in view.figs if abs(f.value - fig.value) < 1e-9 and f.ordinal == fig.ordinal
                and view.holds(f.start)]
        if near:
            written = view.norm[near[0].start:near[0].end]
            return found(Check.FIGURE_WRITTEN, (near[0].start, near[0].end), shown=written,
                         said=stmt_norm[fig.start:fig.end])
        if computed(fig, view.figs):  # arithmetic is never verified: the stated figures are
            return found(Check.ARITHMETIC, said=stmt_norm[fig.start:fig.end])
        return found(Check.FIGURE_ABSENT, figure=fig.text)
    if fig.is_year:
        return None
    stmt_clause = _clause_of(stmt_norm, fig.start)
    # what the figure is said to count: the statement's own words around it, else what was asked
    # (its own words count when the question or the passage uses them: "答案是" says nothing)
    own = tuple(t for t in terms(_strip_figures(stmt_clause)) if t in question or has(t, view.norm))
    frame = own or terms(asked_part(question)) or terms(question)
    problems = [_against(fig, f, stmt_norm, stmt_clause, frame, question, view) for f in same]
    return None if None in problems else problems[0]


@dataclass
class Pair:
    """A statement's figure and a passage figure it may be: the typed facts every figure rule reads."""

    fig: Figure  # in the statement
    f: Figure  # in the passage, the same quantity
    stmt_norm: str
    stmt_clause: str
    frame: tuple[str, ...]  # what the statement says the figure counts
    question: str
    view: View

    @property
    def shown(self) -> str:
        return self.view.norm[self.f.start:self.f.end]

    @property
    def at(self) -> tuple[int, int]:
        return (self.f.start, self.f.end)

    @cached_property
    def clause(self) -> str:
        return self.view.clause_at(self.f.start)


def same_noun(p: Pair) -> Finding | None:
    """The statement's figure counts what the passage's counts (水闸 not 水库)."""
    noun_s, noun_p = counted_noun(p.stmt_norm, p.fig, words), counted_noun(p.view.norm, p.f, words)
    if noun_s and noun_p and noun_s != noun_p and not has(noun_s, p.clause):
        return found(Check.NOUN, p.at, shown=p.shown, passage=noun_p, said=noun_s)
    return None


def asked_noun(p: Pair) -> Finding | None:
    """In a list of counts, the figure counts the thing the question names."""
    noun_p = counted_noun(p.view.norm, p.f, words)
    asked = _asked_noun(p.f, p.view, p.question)
    if noun_p and asked and noun_p != asked and noun_p not in p.question:
        return found(Check.ASKED_NOUN, p.at, shown=p.shown, passage=noun_p, asked=asked)
    return None


def no_contrast(p: Pair) -> Finding | None:
    """Not 增长 for 下降, 同比 for 环比, 以上 for 以下."""
    for a_words, b_words in CONTRASTS:
        for mine, theirs in ((a_words, b_words), (b_words, a_words)):
            said = next((w for w in theirs if w in p.clause), "")
            if any(w in p.stmt_clause for w in mine) and said and not any(w in p.clause for w in mine):
                return found(Check.CONTRAST, p.at, shown=p.shown, passage=said)
    return None


def own_clause(p: Pair) -> Finding | None:
    """No other figure of the sentence stands in a clause that holds more of what is asked."""
    rival = _better_clause(p.f, p.frame, p.clause, p.view, p.question)
    return found(Check.OTHER_CLAUSE, p.at, shown=p.shown, rival=rival) if rival else None


def frame_in_clause(p: Pair) -> Finding | None:
    """The figure's clause is about what the statement says it counts."""
    if p.frame and not any(has(t, p.clause) for t in p.frame):
        return found(Check.FRAME, p.at, shown=p.shown, said="、".join(p.frame[:3]))
    return None


def question_terms(p: Pair) -> Finding | None:
    """The figure's sentence, the one before and the headings are about the question's words."""
    view = p.view
    ctx = view.context(p.f.start)
    missing = [t for t in terms(p.question) if not has(t, ctx) and not has(t, view.norm)]
    if any(len(t) >= 3 and coverage((t,), ctx + view.norm) == 0 for t in missing) or \
            coverage(terms(p.question), ctx + view.norm) < 0.5:
        return found(Check.TERMS, p.at, shown=p.shown, asked="、".join(missing) or p.question)
    return None


def list_subject(p: Pair) -> Finding | None:
    return _other_subject(p.f, p.stmt_clause, p.clause, p.view, p.shown)


def clause_time(p: Pair) -> Finding | None:
    return _time_problem(p.f, p.question, p.stmt_clause, p.view, p.shown)


def asked_year(p: Pair) -> Finding | None:
    asked_years = years(p.question)
    return _year_problem(p.f, asked_years, p.view, p.shown) if asked_years else None


def asked_place(p: Pair) -> Finding | None:
    return subject_problem(p.question, p.stmt_norm, p.f.start, p.view, p.shown)


# The figure rules, in the order they are asked; the first finding is the one reported.
FIGURE_RULES: tuple[Callable[[Pair], Finding | None], ...] = (
    same_noun, asked_noun, no_contrast, own_clause, frame_in_clause, question_terms,
    list_subject, clause_time, asked_year, asked_place,
)


def _against(fig: Figure, f: Figure, stmt_norm: str, stmt_clause: str, frame: tuple[str, ...],
             question: str, view: View) -> Finding | None:
    pair = Pair(fig, f, stmt_norm, stmt_clause, frame, question, view)
    return next((x for rule in FIGURE_RULES if (x := rule(pair)) is not None), None)


def _other_subject(f: Figure, stmt_clause: str, clause: str, view: View, shown: str) -> Finding | None:
    """The statement names the subject of another member of the list the figure stands in:
    in "甲县粮食产量为52.3万吨，乙县为48.1万吨", 52.3万吨 is not 乙县's."""
    subjects = view.subjects(f.start)
    for start, subject in subjects.items():
        if subject in stmt_clause and subject not in clause:
            rival = next((g for g in view.figs if g.start >= start and not g.is_year), None)
            return found(Check.OTHER_CLAUSE, (f.start, f.end), shown=shown,
                         rival=view.norm[rival.start:rival.end] if rival else subject)
    return None


def _time_problem(f: Figure, question: str, stmt_clause: str, view: View, shown: str) -> Finding | None:
    """The figure's clause is of another time than the question and statement say (its own year or
    time word, else the nearest before it in the sentence): 2023's 18.6万辆 is not the 2025 target."""
    clause_time = clause_when(view.reading(f.start), f.start)
    if clause_time is None:
        return None
    asked = when(f"{question}，{stmt_clause}")
    at = (f.start, f.end)
    if asked.years and clause_time.years and not asked.years <= clause_time.years:
        return found(Check.YEAR, at, shown=shown, stated="、".join(map(str, sorted(clause_time.years))),
                     asked="、".join(map(str, sorted(asked.years))))
    said = next(iter(sorted(clause_time.words)), "")
    if asked.words and clause_time.words and asked.words.isdisjoint(clause_time.words):
        return found(Check.TIME, at, shown=shown, stated=said, asked=next(iter(sorted(asked.words))))
    if asked.target and asked.years and "now" in clause_time.words and not clause_time.years:
        return found(Check.TIME, at, shown=shown, stated="now", asked="、".join(map(str, sorted(asked.years))))
    if "now" in asked.words and clause_time.target:
        return found(Check.TIME, at, shown=shown, stated="、".join(map(str, sorted(clause_time.years))), asked="now")
    return None


_ASKING = re.compile(r"(多少|几|什么|谁|哪)")
_COMPARE = frozenset("超过 超出 高于 低于 快于 慢于 多于 少于 相比 比 较".split())


def asked_part(question: str) -> str:
    """What a question asks the figure of: after a comparison, the part compared against.

    asked_part("A增速超过B增速多少？") -> "B增速多少？" (the answer is the gap, stated with B)
    """
    tokens = [w for w, _ in tagged(question)]
    last = max((i for i, w in enumerate(tokens) if w in _COMPARE), default=-1)
    tail = "".join(tokens[last + 1:])
    part = tail if last >= 0 and len(tail) > 2 else question
    clauses = [c for c in re.split(r"[，,、；;：:]", part) if c.strip()]
    asking = [c for c in clauses if _ASKING.search(c)]
    return asking[-1] if asking and terms(asking[-1]) else part


def quoted(fig: Figure, stmt_norm: str, view: View) -> bool:
    """The statement's clause around the figure stands word for word in the passage."""
    clause = re.sub(r"\s+", "", _clause_of(stmt_norm, fig.start))
    return len(clause) >= 4 and any(f.same_quantity(fig) and view.holds(f.start)
                                    and clause in re.sub(r"\s+", "", view.clause_at(f.start)) for f in view.figs)


_LISTED = re.compile(r"^[^，,。；;！!？?]{1,10}[、和及与]$")  # "学校、": one item of a list, then the next


def _listed_with(f: Figure, other: Figure, view: View) -> bool:
    """Two figures side by side in one list ("37所学校、14家医院纳入…"), each followed by what it counts."""
    first, second = (f, other) if f.start < other.start else (other, f)
    return bool(_LISTED.match(view.norm[first.end:second.start]))


def _asked_noun(f: Figure, view: View, question: str) -> str:
    """What the figure listed beside this one counts, when the question names it ("学校" in
    "37所学校、14家医院纳入…" asked "学校有多少所"); "" when none does."""
    for other in view.figs:
        if other is not f and not other.is_year and _listed_with(f, other, view):
            noun = counted_noun(view.norm, other, words)
            if noun and noun in question:
                return noun
    return ""


def _better_clause(f: Figure, frame: tuple[str, ...], clause: str, view: View, question: str = "") -> str:
    """Another figure's clause in the same sentence that holds more of what is asked.

    A figure that counts what the question names is not beaten by one that counts something else: in
    "37所学校、14家医院纳入重点检查范围", the schools' 37 is the answer to how many schools."""
    mine = sum(len(t) for t in frame if has(t, clause))
    a, b = view.sentence_at(f.start)
    noun = counted_noun(view.norm, f, words)
    named = bool(noun) and noun in question
    rank = f.ordinal and asks_rank(question)  # "占比为3.4%……仅居全省第九": asked the rank, 3.4% is no rival
    rate = f.is_percent and asks_rate(question)  # "GDP284997亿元，同比增长4.5%": asked the rate, 亿元 is no rival
    for other in view.figs:
        if (not (a <= other.start < b) or other.is_year or other.same_quantity(f) or rank and not other.ordinal
                or rate and not other.is_percent):
            continue
        theirs_noun = counted_noun(view.norm, other, words)
        if named and theirs_noun and theirs_noun != noun and theirs_noun not in question and _listed_with(f, other, view):
            continue
        theirs_clause = view.clause_at(other.start)
        if theirs_clause == clause:
            continue
        theirs = sum(len(t) for t in frame if has(t, theirs_clause))
        if theirs > mine:
            return view.norm[other.start:other.end]
    return ""


def _year_problem(f: Figure, asked: set[int], view: View, shown: str) -> Finding | None:
    a, b = view.sentence_at(f.start)
    own = next((c for c in view.reading(f.start) if c.start <= f.start < c.end), None)
    stated = years(view.norm[a:own.end if own else b])  # a year named after the figure's clause is not its year
    asked_words = "、".join(map(str, sorted(asked)))
    if stated and not asked <= stated:
        return found(Check.YEAR, (f.start, f.end), shown=shown, stated="、".join(map(str, sorted(stated))),
                     asked=asked_words)
    if stated:
        return None
    before = sorted((s, e) for s, e in year_spans(view.norm) if s < f.start)
    nearest = years(view.norm[before[-1][0]:before[-1][1]]) if before else set()
    if nearest and not asked <= nearest:
        return found(Check.YEAR, (f.start, f.end), shown=shown, stated="、".join(map(str, sorted(nearest))),
                     asked=asked_words)
    if not nearest and not asked <= years(view.around):
        return found(Check.YEAR_UNSTATED, (f.start, f.end), shown=shown, asked=asked_words)
    return None


def subject_problem(question: str, statement: str, pos: int, view: View, shown: str) -> Finding | None:
    """The passage speaks of another place than the one asked ("我市" resolved to its city)."""
    for place in asked_places(question) + yardsticks(question, view.norm):
        if spoken_of(place, view.norm) or mentioned(place, view.around):
            continue
        inside = [p for p in places_in(f"{statement}，{view.norm}") if p != core(place) and home_compatible(p, place)]
        if inside and all(mentioned(p, view.norm) for p in inside):
            continue  # the passage names a county or district of the asked city
        ctx = view.context(pos)
        deictic = _DEICTIC.search(ctx)
        if view.home and home_compatible(view.home, place):
            continue
        if view.home:
            said = deictic.group(0) if deictic else "这份资料"
            return found(Check.PLACE_HOME, (pos, pos + len(shown)), shown=shown, said=said, home=view.home, asked=place)
        other = place_conflict(question, view.norm, statement)[1]
        if other:
            return found(Check.PLACE_OTHER, (pos, pos + len(shown)), shown=shown, passage=other, asked=place)
        return found(Check.PLACE_UNSTATED, (pos, pos + len(shown)), shown=shown, asked=place)
    return None


def _clause_of(text: str, pos: int) -> str:
    for s, e in _spans(_CLAUSE, text):
        if s <= pos < e:
            return text[s:e]
    return text


def _strip_figures(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", " ", text)
