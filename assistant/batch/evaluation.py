"""Scoring answers against gold answers and sources; shared by `assistant eval` and batch."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import Code, InputError
from assistant.core.records import Answer, Status


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answer_groups: list[list[str]]  # empty: the documents do not hold the answer
    sources: list[str]
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answer_groups)


def load_gold(path: str | os.PathLike) -> list[GoldItem]:
    items = []
    try:
        lines = Path(path).read_text("utf-8-sig").splitlines()
    except OSError as e:
        raise InputError(Code.GOLD_UNREADABLE, path=path, detail=e.strerror) from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            items.append(GoldItem(str(d.get("id", no)), d["question"], d.get("answer_groups", []),
                                  d.get("sources", []), d.get("kind", "")))
        except (ValueError, KeyError, TypeError):
            raise InputError(Code.GOLD_BAD_LINE, path=path, line=no) from None
    if not items:
        raise InputError(Code.GOLD_EMPTY, path=path)
    return items


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def answer_correct(answer_text: str, groups: list[list[str]]) -> bool:
    """Every group has one alternative in the answer (spaces ignored).

    answer_correct("宁海和象山", [["宁海"], ["象山"]]) -> True
    """
    text = _squash(answer_text)
    return all(any(_squash(alt) in text for alt in group) for group in groups)


def _name(path: str) -> str:
    return os.path.basename(path.replace("\\", "/"))


def source_matches(source: str, gold_sources: Iterable[str]) -> bool:
    return _name(source) in {_name(s) for s in gold_sources}


@dataclass
class Scored:
    id: str
    kind: str
    answerable: bool
    status: str
    correct: bool  # answerable: right answer; unanswerable: refused
    retrieved: bool | None  # a gold source among the hits (answerable only)
    citations: int
    good_citations: int
    total_ms: float
    first_token_ms: float
    answer: str = ""
    error: str = ""


def score(item: GoldItem, answer: Answer | None, error: str = "", k: int = 5) -> Scored:
    if answer is None:
        return Scored(item.id, item.kind, item.answerable, "error", False, None if not item.answerable else False,
                      0, 0, 0.0, 0.0, error=error)
    cites = answer.citations if Status(answer.status).shown else []
    good = sum(source_matches(c.source, item.sources) for c in cites) if item.answerable else 0
    retrieved = (any(source_matches(h.chunk.source, item.sources) for h in answer.hits[:k])
                 if item.answerable else None)
    correct = (Status(answer.status).shown and answer_correct(answer.answer, item.answer_groups)
               if item.answerable else answer.status == Status.NOT_FOUND)
    return Scored(item.id, item.kind, item.answerable, answer.status, correct, retrieved, len(cites), good,
                  answer.timings.total_ms, answer.timings.first_token_ms, answer.answer)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass
class Summary:
    n: int = 0
    answerable: int = 0
    unanswerable: int = 0
    recall_at_k: float = 0.0
    answer_accuracy: float = 0.0
    citation_precision: float = 0.0
    cited_answers: float = 0.0  # share of correct answers that carry a citation
    refusal_accuracy: float = 0.0
    false_refusals: int = 0
    wrong_shown: int = 0  # answers put before the reader that hold no gold answer, or answer a question without one
    quoted: int = 0  # replies that quote a sentence as it stands (counted right when it holds the answer)
    errors: int = 0
    p50_total_ms: float = 0.0
    p90_total_ms: float = 0.0
    p50_first_token_ms: float = 0.0
    p90_first_token_ms: float = 0.0
    by_kind: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def summarize(rows: list[Scored], k: int = 5) -> Summary:
    ans = [r for r in rows if r.answerable]
    una = [r for r in rows if not r.answerable]
    cites = sum(r.citations for r in ans)
    kinds: dict[str, list[bool]] = {}
    for r in rows:
        kinds.setdefault(r.kind or "?", []).append(r.correct)
    timed = [r for r in rows if r.status != "error"]
    generated = [r.first_token_ms for r in timed if r.first_token_ms > 0]
    return Summary(
        n=len(rows), answerable=len(ans), unanswerable=len(una),
        recall_at_k=_share(r.retrieved for r in ans),
        answer_accuracy=_share(r.correct for r in ans),
        citation_precision=(sum(r.good_citations for r in ans) / cites) if cites else 0.0,
        cited_answers=_share(r.citations > 0 for r in ans if r.correct),
        refusal_accuracy=_share(r.correct for r in una),
        false_refusals=sum(r.status == Status.NOT_FOUND for r in ans),
        wrong_shown=sum(Status(r.status).shown and not r.correct for r in rows if r.status != "error"),
        quoted=sum(r.status == Status.QUOTED for r in rows),
        errors=sum(r.status == "error" for r in rows),
        p50_total_ms=percentile([r.total_ms for r in timed], 50),
        p90_total_ms=percentile([r.total_ms for r in timed], 90),
        p50_first_token_ms=percentile(generated, 50),
        p90_first_token_ms=percentile(generated, 90),
        by_kind={kd: sum(v) / len(v) for kd, v in sorted(kinds.items())},
    )


def _share(flags: Iterable[bool]) -> float:
    vals = list(flags)
    return sum(vals) / len(vals) if vals else 0.0


def run_eval(items: list[GoldItem], ask: Callable[[str], Answer], *, k: int = 5,
             on_row: Callable[[GoldItem, Scored, Answer | None], None] | None = None) -> tuple[list[Scored], Summary]:
    rows = []
    for item in items:
        try:
            answer, error = ask(item.question), ""
        except Exception as e:  # noqa: BLE001 - one failing question must not end the run
            answer, error = None, f"{type(e).__name__}: {e}"
        row = score(item, answer, error, k)
        rows.append(row)
        if on_row:
            on_row(item, row, answer)
    return rows, summarize(rows, k)


def format_summary(s: Summary, k: int = 5) -> str:
    return "\n".join([
        f"questions            {s.n} ({s.answerable} answerable, {s.unanswerable} unanswerable, {s.errors} errors)",
        f"retrieval recall@{k}   {s.recall_at_k:.3f}",
        f"answer accuracy      {s.answer_accuracy:.3f}  (false refusals: {s.false_refusals}, quoted: {s.quoted})",
        f"wrong answers shown  {s.wrong_shown}",
        f"citation precision   {s.citation_precision:.3f}  (correct answers with a citation: {s.cited_answers:.3f})",
        f"refusal accuracy     {s.refusal_accuracy:.3f}" if s.unanswerable else "refusal accuracy     n/a (no unanswerable question)",
        f"latency total        p50 {s.p50_total_ms / 1000:.1f} s   p90 {s.p90_total_ms / 1000:.1f} s",
        f"latency first token  p50 {s.p50_first_token_ms / 1000:.1f} s   p90 {s.p90_first_token_ms / 1000:.1f} s",
        "by kind              " + ", ".join(f"{kd} {v:.2f}" for kd, v in s.by_kind.items()),
    ])
