"""Citation parsing and the program's check of an answer against its passages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answer.claims import View, check_figure, quoted, subject_problem
from assistant.answer.marks import split_statements
from assistant.answer.numbering import Sentences
from assistant.answer.people import check_person
from assistant.answer.replies import check_topic, condition_unstated, denial, is_title, other_unit, year_elsewhere
from assistant.core.findings import Check, Finding, found
from assistant.core.records import Citation, Hit, Quote, Statement
from assistant.text.chinese import char_bigrams, chinese_numeral, normalize, parse_chinese_numeral, strip_citations
from assistant.text.figures import Figure, figures, without_dateline
from assistant.text.injection import blank
from assistant.text.judgements import in_quote_words, turned_round
from assistant.text.names import as_written
from assistant.text.sentences import Span, paragraphs, sentence_spans, sentences

_NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_WORDISH = re.compile(r"[\w\u4e00-\u9fff]")
REFUSAL = re.compile(
    r"(没有找到|未找到|找不到|没有提及|未提及|没有提到|未提到|(?:没有|无)相关的?(?:内容|信息|资料|记载|描述|说明|数据(?!的))|无法回答|无法确定|无法得知|"
    r"没有提供|未提供|不包含|未包含|没有包含|没有说明|未说明|没有涉及|未涉及|并未|没有明确|未明确)"
)
MIN_SUPPORT = 0.5  # share of a statement's new bigrams found in a cited passage
ATTRIBUTE_SUPPORT = 0.6  # needed to attribute a statement to a passage it does not cite


_ORDINAL = re.compile(r"第([一二三四五六七八九十]{1,3})(?![一二三四五六七八九十])")


def numbers(text: str) -> list[str]:
    """Numbers in a text, normalized; Chinese ordinals as 第N.

    numbers("增长１１.６％，达1,200家，居第四") -> ["11.6", "1200", "第4"]
    """
    found = _NUM.findall(normalize(text).replace(",", ""))
    found += [f"第{v}" for m in _ORDINAL.finditer(text) if (v := parse_chinese_numeral(m.group(1)))]
    return found


def align_numerals(answer: str, passages: list[str]) -> str:
    """Write "第N" the way the passages do: align_numerals("排第9", ["居全省第九"]) -> "排第九"."""
    def fix(m: re.Match) -> str:
        n = int(m.group(1))
        cn = chinese_numeral(n) if n < 100 else ""
        if cn and any(f"第{cn}" in p for p in passages) and not any(m.group(0) in p for p in passages):
            return f"第{cn}"
        return m.group(0)

    return re.sub(r"第(\d{1,2})(?!\d)", fix, answer)


def bigrams(text: str) -> set[str]:
    """Character bigrams of a text without its citation marks."""
    return char_bigrams(strip_citations(text))


def support(statement: str, passage: str, question: str = "") -> float:
    """Share of the statement's new character bigrams (those not in the question) in the passage.

    What a statement adds to the question is its claim; words echoed from the question prove
    nothing. support("排名第四", "居全省第四", "排名第几") -> 1.0
    """
    s = bigrams(statement)
    novel = s - bigrams(question)
    s = novel or s
    return len(s & bigrams(passage)) / len(s) if s else 0.0


def echoes(statement: str, question: str) -> bool:
    """The statement adds (almost) nothing to the question: echoes("数据要素市场主体完成入驻", "…多少家数据要素市场主体完成入驻？")."""
    own = bigrams(statement)
    fresh = {c for c in strip_citations(statement) if c.isalnum() and c not in question}  # "徐昂": one bigram, two new characters
    return len(own - bigrams(question)) < 2 and len(fresh) < 2 and len(own) > 0


def is_refusal(text: str) -> bool:
    return REFUSAL.search(strip_citations(text)) is not None


@dataclass
class Checked:
    statements: list[Statement]
    citations: list[Citation]
    refused: bool  # the model said the passages lack the answer and asserted nothing checkable

    @property
    def supported(self) -> list[Statement]:
        return [s for s in self.statements if s.supported]


def check_answer(answer: str, question: str, hits: list[Hit], homes: Mapping[str, str] | None = None,
                 numbered: Sentences | None = None) -> Checked:
    """Statements, each checked against the passages it cites, and the citations to show.

    `homes` maps a chunk id (or a whole document) to the place it speaks of, what its "我市"
    means (names.doc_places). With `numbered`, the answer's marks name sentences ([k] is
    numbered.get(k)): a statement is checked first against the sentences it cites, and those
    are its quote; its marks are given back as passage numbers.
    """
    # a sentence that addresses the assistant supports nothing, nor a digest's timestamp
    passages = [without_dateline(blank(h.chunk.text)) for h in hits]
    normed = [normalize(p) for p in passages]
    views = [View(normed[i], around=normalize(" ".join((*h.chunk.headings, h.chunk.title))),
                  home=_home(homes, h)) for i, h in enumerate(hits)]
    asked = figures(normalize(question))
    statements: list[Statement] = []
    cited_by: dict[tuple[int, int, int], tuple[bool, Quote]] = {}  # (n, start, end) of each quote -> (added, quote)
    refusal_seen = False
    for raw, marks in split_statements(answer):
        focus = numbered.focus(marks) if numbered else {}
        if numbered:
            raw, marks = numbered.to_passages(raw), list(focus)
        core = strip_citations(raw).strip()
        stmt = normalize(core)
        if len(_WORDISH.findall(core)) < 2 and not figures(stmt):
            continue
        figs = [f for f in figures(stmt) if not any(f.same_quantity(q) for q in asked)]
        if is_refusal(core) and not figs:
            refusal_seen = True
            statements.append(Statement(raw.strip(), (), True))
            continue
        valid = [n for n in marks if 1 <= n <= len(passages)]
        if not figs and echoes(core, question):
            statements.append(Statement(raw.strip(), (), False, found(Check.ECHO)))
            continue
        support_ = _support_for(core, question, valid, figs, passages, views, focus)
        quote = None
        for n in support_.passages:
            q = support_.quotes.get(n) or _best_quote(n, hits[n - 1], core, question)
            quote = quote or q
            cited_by.setdefault((n, q.start, q.end), (n in support_.added, q))
        statements.append(Statement(raw.strip(), tuple(support_.passages), support_.problem is None,
                                    support_.problem, quote))
    citations = [citation_of(key[0], hits[key[0] - 1], *cited_by[key]) for key in sorted(cited_by)]
    substantive = [s for s in statements if s.cites]
    return Checked(statements, citations, refused=refusal_seen and not substantive)


def _home(homes: Mapping[str, str] | None, hit: Hit) -> str:
    homes = homes or {}
    return homes.get(hit.chunk.chunk_id) or homes.get(hit.chunk.source, "")


def _verdict(core: str, question: str, figs: list[Figure], view: View, passage: str) -> Finding | None:
    """None when the passage supports the statement, else what is wrong."""
    stmt = normalize(core)
    if is_title(stmt, view):
        return found(Check.TITLE)
    spans = [s for s in sentence_spans(passage) if _in_focus(passage, s, view)]
    best = max((passage[s.start:s.end] for s in spans), key=lambda t: support(core, t, question), default="")
    problem = (year_elsewhere(question, view, best[:12]) or condition_unstated(question, view)
               or other_unit(question, view, best[:12]) or denial(stmt, question, normalize(best)))
    if problem:
        return problem
    if figs:
        problems = [check_figure(f, stmt, question, view) for f in figs]
        # A sentence copied from the passage carries figures beside the one asked for: those
        # need only stand, as written, in the same clause of the passage.
        if None not in problems:
            return problems[0]
        for f, problem in zip(figs, problems, strict=True):
            if problem and not quoted(f, stmt, view):
                return problem
    else:
        problem = check_topic(stmt, question, view, normalize(best))
        if not problem:
            pos = view.norm.find(normalize(best)) if best else 0
            problem = subject_problem(question, stmt, max(pos, 0), view, best[:12])
        if problem:
            return problem
    return check_person(stmt, question, view)


@dataclass
class _Found:
    passages: list[int]  # the passages that support the statement
    added: set[int]  # which of them the program found (the model cited another, or none)
    problem: Finding | None  # why no passage supports it (None when one does)
    quotes: dict[int, Quote]  # passage -> the cited sentences, when the statement stands in them


def _support_for(core: str, question: str, cites: list[int], figs: list[Figure], passages: list[str],
                 views: list[View], focus: Mapping[int, list[Span]]) -> _Found:
    """Which passages support the statement, and on which of their words.

    A figure must be stated, for the thing asked, in a passage the statement cites: first in the
    very sentences it cites (they are its quote), else elsewhere in that passage; when the model
    cited the wrong passage, or none, the passage that states it is cited by the program.
    """
    verdicts: dict[int, Finding | None] = {}
    quotes: dict[int, Quote] = {}

    def verdict(n: int) -> Finding | None:
        if n not in verdicts:
            p = passages[n - 1]
            spans = focus.get(n, [])
            if spans and not _judge(core, question, figs, views[n - 1].focused(_normed(p, spans)), p):
                quotes[n] = _quote_of(n, spans, p)
                verdicts[n] = None
            else:
                verdicts[n] = _judge(core, question, figs, views[n - 1], p)
        return verdicts[n]

    good = [n for n in cites if not verdict(n)]
    if good:
        return _Found(good, set(), None, quotes)
    ranked = sorted(range(1, len(passages) + 1), key=lambda n: (-support(core, passages[n - 1], question), n))
    if figs or (ranked and support(core, passages[ranked[0] - 1], question) >= ATTRIBUTE_SUPPORT):
        holder = next((n for n in ranked if not verdict(n)), None)
        if holder is not None:
            return _Found([holder], {holder}, None, quotes)
    told = [v for n in [*cites, *ranked] if n in verdicts and (v := verdicts[n]) and v.code not in (Check.FIGURE_ABSENT, Check.ARITHMETIC)]
    if told:  # what a passage that holds the figure says about it beats "not found"
        return _Found([], set(), told[0], quotes)
    if cites:
        return _Found([], set(), verdict(cites[0]), quotes)
    if figs:
        return _Found([], set(), found(Check.FIGURE_ABSENT, figure="、".join(f.text for f in figs)), quotes)
    return _Found([], set(), found(Check.NO_SOURCE), quotes)


def _judge(core: str, question: str, figs: list[Figure], view: View, passage: str) -> Finding | None:
    if not figs:
        text = _focused_text(passage, view)
        sents = [text[x.start:x.end] for x in sentence_spans(text)] or [text]
        core = as_written(core, text)
        best = max(sents, key=lambda t: support(in_quote_words(core, t), t, question))
        flipped = turned_round(normalize(core), normalize(best))
        if flipped:
            return found(Check.JUDGEMENT, said=flipped[0], passage=flipped[1])
        if support(in_quote_words(core, best), text, question) < MIN_SUPPORT:
            return found(Check.UNSUPPORTED)
    return _verdict(core, question, figs, view, passage)


def _in_focus(passage: str, span: Span, view: View) -> bool:
    if not view.focus:
        return True
    (a, b), = _normed(passage, [span])
    return any(a < e and s < b for s, e in view.focus)


def _normed(passage: str, spans: list[Span]) -> list[tuple[int, int]]:
    """Spans of the passage in its normalized text's offsets (normalizing drops thousands separators)."""
    return [(len(normalize(passage[:s.start])), len(normalize(passage[:s.end]))) for s in spans]


def _focused_text(passage: str, view: View) -> str:
    if not view.focus:
        return passage
    return normalize(passage)[view.focus[0][0]:view.focus[-1][1]]


def _quote_of(n: int, spans: list[Span], passage: str) -> Quote:
    """The cited sentences as one quote: from the first to the last when they run on, else the first."""
    ordered = sorted(spans, key=lambda s: s.start)
    start, end = ordered[0].start, ordered[0].end
    for s in ordered[1:]:
        if passage[end:s.start].strip():
            break
        end = s.end
    return Quote(n, start, end, passage[start:end])


def _with_attribution(text: str, span: Span, spans: list[Span]) -> Span:
    """A quotation runs on into the clause that reports it: “……！”省委书记指出了……。 is one sentence."""
    if not text[span.start:span.end].rstrip().endswith(("”", "’", "」", "』")):
        return span
    after = next((s for s in spans if s.start >= span.end), None)
    if after is None or text[span.end:after.start].strip() or "\n" in text[span.end:after.start]:
        return span
    return Span(span.start, after.end)


def _best_quote(n: int, hit: Hit, statement: str, question: str) -> Quote:
    """The sentence of the passage that holds most of the statement: the program's choice of its words."""
    c = hit.chunk
    spans = [s for p in paragraphs(c.text) for s in sentences(c.text, p, 10_000)] or [Span(0, len(c.text))]
    best = max(spans, key=lambda s: (support(statement, c.text[s.start:s.end], question), -s.start))
    best = _with_attribution(c.text, best, spans)
    return Quote(n, best.start, best.end, c.text[best.start:best.end], chosen_by_program=True)


def citation_of(n: int, hit: Hit, added: bool, quote: Quote) -> Citation:
    """The citation that shows a quote of passage n, with its place in the document."""
    c = hit.chunk
    return Citation(
        n=n, source=c.source, chunk_id=c.chunk_id, start=c.start + quote.start, end=c.start + quote.end,
        quote=quote.text, headings=c.headings, paragraph=c.paragraph, page=c.page_at(quote.start),
        added_by_program=added,
    )
