"""A conversation of turns: follow-ups rewritten, answers streamed, export as Markdown.

Front doors with a conversation (the chat page) drive a turn with `run_turn` and show the
Turn it keeps updating; nothing here knows about HTML.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.answer.followup import standalone
from assistant.answer.pipeline import Assistant, Done, Progress, Restart, Retrieved, Token, check_question
from assistant.answer.present import citation_line, hit_line, zh_error
from assistant.answer.scope import points_back
from assistant.core.errors import AssistantError
from assistant.core.messages import KIND_ZH, progress_words
from assistant.core.records import Answer, Hit, Kind, Phase, Status


@dataclass
class Turn:
    question: str  # as the user typed it
    uid: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    query: str = ""  # what was searched: the question, or its standalone rewrite
    phase: Phase = Phase.WAITING
    hits: list[Hit] = field(default_factory=list)
    text: str = ""  # the answer as it streams
    note: str = ""  # e.g. why the model was asked a second time
    answer: Answer | None = None
    error: str = ""
    first_token_ms: float = 0.0  # first text shown, from the start of the turn
    total_ms: float = 0.0  # the whole turn: rewrite, search and answer, from the same start
    started: float = field(default_factory=time.perf_counter)
    ticket: int = 0  # order in which a front door queued it
    ahead: int = 0  # questions in line before it while it waits
    scans: dict = field(default_factory=dict)  # passage n -> (image URL, ScanPage): cited scanned pages
    filters: dict = field(default_factory=dict)  # official-document marks the answer must come from (年份=2024)
    scope: str = ""  # the one document answered from: named by the question, or "这份通知" after a citation

    @property
    def rewritten(self) -> bool:
        return bool(self.query) and self.query != self.question


def history_of(turns: list[Turn]) -> list[str]:
    """The standalone questions of earlier answered turns, oldest first."""
    return [t.query for t in turns if t.query and t.phase in (Phase.DONE, Phase.STOPPED)]


def cited_last(turns: list[Turn]) -> str:
    """The document the latest answered turn cited first ("" when none did): what "这份通知" means."""
    for t in reversed(turns):
        if t.answer is not None and t.answer.citations:
            return t.answer.citations[0].source
    return ""


def run_turn(assistant: Assistant, turn: Turn, history: list[str], *, top_k: int | None = None,
             stop: Callable[[], bool] = lambda: False, cited: str = "") -> Iterator[Turn]:
    """Rewrite, search and answer one turn, yielding the turn after every change.

    A question that points at a document ("这份通知主要讲了什么？") after an answer that cited one
    (`cited`) is asked of that document as typed: it is not rewritten into the previous question."""
    turn.started = time.perf_counter()
    if stop():  # stopped while it waited in line
        turn.phase = Phase.STOPPED
        yield turn
        return
    try:
        q = check_question(turn.question)
        if cited and points_back(q):
            turn.scope, turn.query = cited, q
        elif history:
            turn.phase = Phase.REWRITING
            yield turn
            turn.query = standalone(q, history, assistant.generator)
        else:
            turn.query = q
        if stop():
            turn.phase = Phase.STOPPED
            yield turn
            return
        turn.phase = Phase.SEARCHING
        yield turn
        events = assistant.stream(turn.query, top_k, filters=turn.filters or None, scope=turn.scope)
        try:
            for ev in events:
                if stop():
                    turn.phase = Phase.STOPPED
                    yield turn
                    return
                if isinstance(ev, Retrieved):
                    turn.hits, turn.phase = ev.hits, Phase.WRITING
                elif isinstance(ev, Token):
                    if not turn.text and not turn.first_token_ms:
                        turn.first_token_ms = (time.perf_counter() - turn.started) * 1000
                    turn.text += ev.text
                elif isinstance(ev, Restart):
                    turn.text, turn.note = "", ev.reason
                elif isinstance(ev, Progress):
                    turn.note = progress_words(ev.kind, ev.done, ev.total)
                elif isinstance(ev, Done):
                    turn.answer, turn.text, turn.phase = ev.answer, ev.answer.answer, Phase.DONE
                    turn.total_ms = (time.perf_counter() - turn.started) * 1000
                    turn.first_token_ms = turn.first_token_ms or turn.total_ms  # shown whole: first text is all of it
                    turn.scope = ev.answer.scope
                yield turn
        finally:
            events.close()  # a stop ends the model's generation at once and frees it
    except AssistantError as e:
        turn.phase, turn.error = Phase.ERROR, zh_error(e)
        yield turn


def to_markdown(turns: list[Turn], title: str = "问答记录") -> str:
    """The conversation with its sources, for saving or sending on."""
    out = [f"# {title}", "", time.strftime("导出时间：%Y-%m-%d %H:%M"), ""]
    for i, t in enumerate(turns, 1):
        out += [f"## {i}. {t.question}", ""]
        if t.rewritten:
            out += [f"> 检索的问题：{t.query}", ""]
        if t.phase == Phase.ERROR:
            out += [f"出错：{t.error}", ""]
            continue
        a = t.answer
        status = {Status.ANSWERED: "已回答", Status.QUOTED: "摘录资料原文（未经概括）", Status.NOT_FOUND: "资料中没有找到答案"}.get(a.status, a.status) if a else "已停止"
        kind = f" · 问题类型：{KIND_ZH[a.kind]}" if a and a.kind != Kind.FACT else ""
        if t.scope:
            out += [f"> 只在这份文件中查找：{os.path.basename(t.scope)}", ""]
        out += [f"**状态：{status}{kind}**", "", (a.answer if a else t.text) or "（无回答）", ""]
        if a:
            for s in a.unverified:
                out.append(f"- ⚠ 未能核实：{s.text}（{s.problem}）")
            if a.citations:
                out += ["", "来源："]
                out += [f"- {citation_line(c, limit=200)}" for c in a.citations]
            elif a.hits:
                out += ["", "检索到的最接近的资料（未用于回答）："]
                out += [f"- {hit_line(n, h, limit=200)}" for n, h in enumerate(a.hits[:3], 1)]
        out.append("")
    return "\n".join(out)
