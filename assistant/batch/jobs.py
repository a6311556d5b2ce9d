"""Batch Q&A: a table of questions in, the same table with answers and sources out.

Every finished row goes to a journal (`<output>.progress.jsonl`, flushed and fsynced) before
the next one starts, and a CSV output grows row by row. A run stopped in any way (Ctrl-C,
kill -9, power loss) and started again with the same command reads the journal and goes on
with the first row not in it: each question is answered exactly once, rows stay in input
order. When every row is done the output is written whole and the journal removed.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.answer.pipeline import MAX_QUESTION_CHARS, Assistant, answer_slots
from assistant.answer.present import citation_line
from assistant.batch import journal as journal_file
from assistant.batch.evaluation import GoldItem, Scored, Summary, percentile, score, source_matches, summarize
from assistant.batch.tables import (
    EXPECTED_HEADERS,
    EXPECTED_SOURCE_HEADERS,
    ID_HEADERS,
    QUESTION_HEADERS,
    Table,
    read_table,
    write_table,
)
from assistant.core.errors import AssistantError, Code, InputError
from assistant.core.records import Status

ADDED = ["answer", "status", "kind", "citations", "sources", "latency_ms", "error"]
NO_ANSWER = {"无答案", "无", "（无）", "(无)", "没有答案", "资料中没有", Status.NOT_FOUND, "none", "n/a"}


@dataclass
class Plan:
    """What a batch run will do, checked before any model is loaded."""

    input: Path
    output: Path
    table: Table
    question_col: int
    row_errors: dict[int, str]  # row index -> why it is not asked
    gold: dict[int, GoldItem]  # row index -> expected answer (when the table has one)
    expected_sources: dict[int, list[str]]

    @property
    def journal(self) -> Path:
        return self.output.with_name(self.output.name + ".progress.jsonl")

    def question(self, i: int) -> str:
        return self.table.rows[i][self.question_col].strip()


def default_output(path: Path) -> Path:
    ext = path.suffix.lower() if path.suffix.lower() in (".csv", ".tsv", ".xlsx") else ".csv"
    return path.with_name(f"{path.stem}.answers{ext}")


def parse_expected(cell: str) -> list[list[str]] | None:
    """Answer groups from a cell: parts separated by ; all required, alternatives by |.

    parse_expected("宁海;象山") -> [["宁海"], ["象山"]]; parse_expected("第四|4") -> [["第四", "4"]];
    parse_expected("无答案") -> [] (the documents do not hold it); parse_expected("") -> None
    """
    cell = (cell or "").strip()
    if not cell:
        return None
    if cell.lower() in NO_ANSWER:
        return []
    groups = [[a.strip() for a in re.split(r"[|｜]", part) if a.strip()] for part in re.split(r"[;；]", cell)]
    return [g for g in groups if g]


def plan(input_path: str | os.PathLike, output: str | os.PathLike | None = None,
         column: str | None = None) -> Plan:
    src = Path(input_path)
    table = read_table(src)
    names = "、".join(h[:30] for h in table.header[:12]) + ("…" if len(table.header) > 12 else "")
    if column:
        qcol = table.column(column)
        if qcol is None:
            raise InputError(Code.COLUMN_NOT_FOUND, file=src.name, column=column, columns=names)
    else:
        qcol = table.column(QUESTION_HEADERS)
        if qcol is None:
            raise InputError(Code.NO_QUESTION_COLUMN, file=src.name, columns=names)
    if not table.rows:
        raise InputError(Code.NO_QUESTIONS, file=src.name)
    out = Path(output) if output else default_output(src)
    if out.suffix.lower() not in (".csv", ".tsv", ".xlsx"):
        raise InputError(Code.OUTPUT_TYPE, name=out.name)
    if out.resolve() == src.resolve():
        raise InputError(Code.OUTPUT_IS_INPUT)
    idcol, expcol, srccol = (table.column(h) for h in (ID_HEADERS, EXPECTED_HEADERS, EXPECTED_SOURCE_HEADERS))
    errors: dict[int, str] = {}
    first_with_id: dict[str, int] = {}
    gold: dict[int, GoldItem] = {}
    sources: dict[int, list[str]] = {}
    for i, row in enumerate(table.rows):
        q = row[qcol].strip()
        if not q:
            errors[i] = "问题为空"
        elif len(q) > MAX_QUESTION_CHARS:
            errors[i] = f"问题有 {len(q)} 字，超过 {MAX_QUESTION_CHARS} 字上限"
        if idcol is not None and row[idcol].strip():
            key = row[idcol].strip()
            if key in first_with_id:
                errors.setdefault(i, f"编号 {key} 重复（与第 {first_with_id[key] + 2} 行相同）")
            else:
                first_with_id[key] = i
        srcs = [x.strip() for x in re.split(r"[;；]", row[srccol]) if x.strip()] if srccol is not None else []
        if srcs:
            sources[i] = srcs
        groups = parse_expected(row[expcol]) if expcol is not None else None
        if groups is not None:
            gold[i] = GoldItem(row[idcol].strip() if idcol is not None else str(i + 2), q, groups, srcs)
    return Plan(src, out, table, qcol, errors, gold, sources)


@dataclass
class Row:
    """One answered (or failed) row as the journal keeps it."""

    index: int
    cells: list[str]  # values for ADDED, in order (Added.cells(); a list so the journal stays plain JSON)

    @property
    def added(self) -> Added:
        return Added(*self.cells)
    status: str
    latency_ms: float
    scored: dict | None = None  # evaluation.Scored fields, when the row has an expected answer
    cited: int = 0  # citations, and how many name an expected source
    cited_ok: int = 0


@dataclass
class Report:
    output: Path
    total: int
    resumed: int  # rows already done by an earlier run
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0  # this run's wall time
    asked: int = 0  # questions this run sent to the model
    summary: Summary | None = None
    citation_precision: float | None = None

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def per_minute(self) -> float:
        return self.asked / self.seconds * 60 if self.seconds else 0.0

    def latency(self, p: float) -> float:
        return percentile([r.latency_ms for r in self.rows if r.status != "error"], p)


@dataclass(frozen=True)
class Added:
    """The columns a batch run adds to each row, by name; `cells()` gives them in ADDED order."""

    answer: str
    status: str  # answered | not_found | error
    kind: str  # the form of question recognised: fact, list, measures, … (core.records.Kind)
    citations: str  # one "[n] 文件 · 标题 · 第N段：引文" per line
    sources: str  # cited files, ";"-separated
    latency_ms: str
    error: str

    def cells(self) -> list[str]:
        return [getattr(self, name) for name in ADDED]


def _cells(answer, latency_ms: float, error: str = "") -> list[str]:
    if answer is None:
        return Added("", "error", "", "", "", f"{latency_ms:.0f}", error).cells()
    cites = answer.citations if Status(answer.status).shown else []
    sources = ";".join(dict.fromkeys(c.source for c in cites))
    return Added(answer.answer, str(answer.status), str(answer.kind), "\n".join(citation_line(c, limit=120) for c in cites), sources,
                 f"{latency_ms:.0f}", error).cells()


def run(p: Plan, assistant: Assistant, *, restart: bool = False, batch_size: int = 16,
        progress: Callable[[int, int], None] | None = None) -> Report:
    """Answer every row not yet in the journal, in input order; see the module docstring."""
    if restart:
        for f in (p.journal, p.output):
            f.unlink(missing_ok=True)
    elif p.output.exists() and not p.journal.exists():
        raise InputError(Code.OUTPUT_EXISTS, path=p.output)
    done = journal_file.load(p, Row)
    # load the models and the index now: a missing one fails before any row is written
    assistant.generator  # noqa: B018
    assistant.retriever  # noqa: B018
    report = Report(p.output, len(p.table.rows), resumed=len(done))
    journal = journal_file.Journal(p, fresh=not p.journal.exists() or p.journal.stat().st_size == 0)
    growing = (journal_file.GrowingCsv(p, [done[i] for i in sorted(done)], ADDED)
               if p.output.suffix.lower() != ".xlsx" else None)
    t0 = time.perf_counter()
    todo = [i for i in range(len(p.table.rows)) if i not in done]
    workers = answer_slots(assistant.settings)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="batch-row") if workers > 1 else None
    try:
        if progress:
            progress(len(done), report.total)
        for start in range(0, len(todo), batch_size):
            chunk = todo[start:start + batch_size]
            askable = [i for i in chunk if i not in p.row_errors]
            t_search = time.perf_counter()
            hits = dict(zip(askable, assistant.search_many([p.question(i) for i in askable]), strict=True)) \
                if askable else {}
            search_share = (time.perf_counter() - t_search) * 1000 / max(1, len(askable))

            def answer(i: int, hits=hits, share=search_share) -> Row:
                return _answer_row(p, assistant, i, hits.get(i), share)

            # several rows at once on a model server with parallel slots; written in input order all the same
            for i, row in zip(chunk, pool.map(answer, chunk) if pool else map(answer, chunk), strict=True):
                report.asked += i in hits
                journal.add(row)
                if growing:
                    growing.add(row)
                done[i] = row
                if progress:
                    progress(len(done), report.total)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        report.seconds = time.perf_counter() - t0
        journal.close()
        if growing:
            growing.close()
        rows = [done[i] for i in sorted(done)]
        if len(rows) == report.total:
            write_table(p.output, p.table.header + ADDED, [p.table.rows[r.index] + r.cells for r in rows])
            p.journal.unlink(missing_ok=True)
        elif not growing:  # .xlsx: what is done so far, in order; the journal keeps the rest
            write_table(p.output, p.table.header + ADDED, [p.table.rows[r.index] + r.cells for r in rows])
    report.rows = rows
    _score(p, report)
    return report


def _answer_row(p: Plan, assistant: Assistant, i: int, hits, search_ms: float) -> Row:
    if i in p.row_errors:
        return Row(i, _cells(None, 0.0, p.row_errors[i]), "error", 0.0)
    t = time.perf_counter()
    try:
        answer, error = assistant.ask(p.question(i), hits=hits), ""
    except AssistantError as e:
        answer, error = None, str(e)
    except Exception as e:  # noqa: BLE001 - one failing question must not end the run
        answer, error = None, f"{type(e).__name__}: {e}"
    ms = (time.perf_counter() - t) * 1000 + search_ms
    row = Row(i, _cells(answer, ms, error), answer.status if answer else "error", ms)
    if i in p.gold:
        row.scored = asdict(score(p.gold[i], answer, error))
    if answer is not None and Status(answer.status).shown and i in p.expected_sources:
        row.cited = len(answer.citations)
        row.cited_ok = sum(source_matches(c.source, p.expected_sources[i]) for c in answer.citations)
    return row


def _score(p: Plan, report: Report) -> None:
    scored = [Scored(**r.scored) for r in report.rows if r.scored]
    if scored:
        report.summary = summarize(scored)
    cited = sum(r.cited for r in report.rows)
    if p.expected_sources:
        report.citation_precision = sum(r.cited_ok for r in report.rows) / cited if cited else 0.0
