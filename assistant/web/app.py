"""What the chat page's events call: one Assistant (one chat model) for every browser.

Questions from all browsers wait in one line and are answered in order; batch rows take their
place in the same line. Nothing here knows Gradio's layout (ui.py holds that).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path

from assistant.answer.conversation import Turn, cited_last, history_of, run_turn, to_markdown
from assistant.answer.library import Library
from assistant.answer.pipeline import Assistant, answer_slots, check_question, make_generator
from assistant.answer.present import zh_error
from assistant.batch import jobs as batch
from assistant.core import models
from assistant.core.config import Settings
from assistant.core.errors import AssistantError
from assistant.core.messages import unseen_words
from assistant.core.records import Phase, Unseen
from assistant.index import audit
from assistant.index.documents import safe_name, same_bytes
from assistant.index.records import IndexProgress
from assistant.index.store import LOW_CONFIDENCE
from assistant.text.official import parse_filter_text
from assistant.web.logins import Gate, Role
from assistant.web.render import conversation_html, hits_html, skip_reason

STOP_SETTLE_S = 0.5  # after a stopped answer, its final state is sent again once the stop button's reply is in


class ChatApp:
    """What the page's events call; holds the one Assistant and the document store."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, gate: Gate | None = None):
        self.settings = settings
        self.gate = gate  # logins and roles; None: one person on this machine, who may do everything
        self.assistant = assistant or Assistant(settings)
        self.library = Library(self.assistant)
        self.exports = Path(tempfile.mkdtemp(prefix="assistant-export-"))
        self._model_lock = threading.Lock()
        self._line: list[Turn] = []  # questions being answered or waiting, all browsers, in order
        self._line_cv = threading.Condition()
        self.slots = answer_slots(settings)  # how many at the head of the line are answered at once

    # ---- chat ----------------------------------------------------------------
    def send(self, question: str, turns: list[Turn], flags: dict, filter_text: str = ""):
        """Runs at once when a question is sent: the question shows, waiting for its turn.

        Returns (textbox, chat html, turns). The turns list is changed in place, so an answer
        still streaming into the same list keeps the new question. A filter that is not written
        right is said on the page and the question stays in the box.
        """
        q = (question or "").strip()
        if not q:  # Enter on an empty box: nothing to ask
            return "", conversation_html(turns), turns
        try:
            filters = parse_filter_text(filter_text)
        except AssistantError as e:
            return question, conversation_html(turns) + f'<div class="turn note">{escape(zh_error(e))}</div>', turns
        flags["sent"] = flags.get("sent", 0) + 1
        turns.append(Turn(question=q, ticket=flags["sent"], filters=filters))
        return "", conversation_html(turns), turns

    def ask(self, turns: list[Turn], flags: dict, top_k: int):
        """Answers this browser's oldest waiting question, yielding (chat html, turns).

        Questions from every browser take their place in one line and are answered in order;
        while one waits, its place is shown and kept up to date. Stop cancels every question
        the browser sent so far, the one being answered and those still waiting.
        """
        with self._line_cv:
            turn = next((t for t in turns if t.phase == Phase.WAITING), None)
            if turn is not None:
                turn.phase = Phase.QUEUED  # claimed by this call
        if turn is None:
            yield conversation_html(turns), turns
            return
        stopped = lambda: flags.get("stop_upto", 0) >= turn.ticket  # noqa: E731
        with self._in_line(turn):
            for ahead in self._ahead(turn, stopped):
                turn.ahead = ahead
                yield conversation_html(turns), turns
            turn.ahead = 0
            earlier = turns[: turns.index(turn)]
            history = history_of(earlier)
            for _ in run_turn(self.assistant, turn, history, top_k=int(top_k), stop=stopped,
                              cited=cited_last(earlier)):
                if turn.answer is not None and not turn.scans:
                    turn.scans = self.scans(turn.answer)
                yield conversation_html(turns), turns
            if turn.phase == Phase.STOPPED:
                # the stop button's own reply ("正在停止…") may reach the page after the last update above:
                # say "stopped" once more after it
                time.sleep(STOP_SETTLE_S)
                yield conversation_html(turns), turns

    def scans(self, answer) -> dict:
        """Passage n -> (image URL, ScanPage) for each cited passage on a scanned page whose image is kept."""
        out = {}
        for c in answer.citations:
            found = None if c.n in out else self.assistant.scan_of(c.source, c.page)
            if found and found[1] is not None:
                out[c.n] = (f"/gradio_api/file={found[1]}", found[0])
        return out

    @staticmethod
    def stop(flags: dict, turns: list[Turn]) -> str:
        """Ends the answer being written (the model stops at its next token) and any still waiting."""
        flags["stop_upto"] = flags.get("sent", 0)
        for t in turns:
            if t.phase in (Phase.REWRITING, Phase.SEARCHING, Phase.WRITING):
                t.phase = Phase.STOPPING  # the answer's own last update says "stopped"; waiting ones end at their turn
        return conversation_html(turns)

    def waiting(self) -> int:
        """Questions and batch rows in the model's line (being answered or waiting), all browsers."""
        with self._line_cv:
            return len(self._line)

    @contextmanager
    def _in_line(self, item):
        """Holds a place in the one line to the model (by identity) until the block ends."""
        with self._line_cv:
            self._line.append(item)
        try:
            yield
        finally:
            with self._line_cv:
                del self._line[self._place(item)]
                self._line_cv.notify_all()

    def _place(self, item) -> int:
        return next(i for i, x in enumerate(self._line) if x is item)

    def _ahead(self, item, stopped: Callable[[], bool] = lambda: False) -> Iterator[int]:
        """How many are ahead of `item`, each time it changes, until none are (or it is stopped)."""
        last = -1
        while True:
            with self._line_cv:
                place = self._place(item) - self.slots + 1  # questions ahead of it still waiting
                if place <= 0 or stopped():
                    return
                if place == last:
                    self._line_cv.wait(timeout=0.5)
                    continue
            last = place
            yield place

    @contextmanager
    def turn_in_line(self):
        """Wait for the head of the line (batch rows take their place like chat questions)."""
        ticket = object()
        with self._in_line(ticket):
            for _ in self._ahead(ticket):
                pass
            yield

    # ---- batch -----------------------------------------------------------------
    def batch(self, upload, column: str, restart: bool, progress) -> tuple[str, str | None]:
        """Answer an uploaded table; returns (message, path of the answers file to download).

        The upload is kept in `<index>/batch/`, so sending the same file again after an
        interruption (even a restart of the server) resumes it.
        """
        path = upload if isinstance(upload, str) else getattr(upload, "name", None)
        if not path:
            return "请先选择一个 .csv、.tsv 或 .xlsx 文件。", None
        folder = self.assistant.index.folder / "batch"
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / safe_name(os.path.basename(path))
        if not src.exists() or not same_bytes(src, Path(path)):
            shutil.copyfile(path, src)
        try:
            plan = batch.plan(src, None, (column or "").strip() or None)
            progress(0, desc="正在加载模型和资料库…")
            report = batch.run(plan, _InLine(self.assistant, self), restart=restart,
                               progress=lambda d, t: progress((d, t), desc="正在批量回答", unit="题"))
        except AssistantError as e:
            return f"无法开始：{zh_error(e)}", None
        parts = [f"共 {report.total} 题：已回答 {report.count('answered')}，摘录原文 {report.count('quoted')}，资料中没有 {report.count('not_found')}，"
                 f"出错 {report.count('error')}；每分钟 {report.per_minute:.1f} 题。"]
        if report.resumed:
            parts.append(f"其中 {report.resumed} 题在上次中断前已完成，这次接着做完。")
        if report.summary:
            parts.append(f"与期望答案相比：准确率 {report.summary.answer_accuracy:.1%}。")
        if report.citation_precision is not None:
            parts.append(f"引用准确率 {report.citation_precision:.1%}。")
        return "".join(parts), str(report.output)

    def export(self, turns: list[Turn]) -> str:
        path = self.exports / time.strftime("问答记录-%Y%m%d-%H%M%S.md")
        path.write_text(to_markdown(turns), "utf-8")
        return str(path)

    def search(self, question: str, top_k: int, filter_text: str = "") -> str:
        try:
            hits = self.assistant.search(check_question(question), int(top_k), filters=parse_filter_text(filter_text))
        except AssistantError as e:
            return f'<div class="turn">{escape(zh_error(e))}</div>'
        if not hits:
            return '<div class="empty">资料库中没有找到相关内容。</div>'
        return f'<div class="turn sources">{hits_html(hits, f"s{int(time.time() * 1000)}-")}</div>'

    # ---- who may do what -------------------------------------------------------
    def refused(self, user: str | None, what: str) -> str:
        """"" when the user may change the documents or the model, else a Chinese line saying why not."""
        if self.gate is None or self.gate.role(user) == Role.ADMIN:
            return ""
        return f"只有管理员可以{what}；当前用户“{user or '未登录'}”是工作人员，可以提问、检索和批量问答。"

    def history(self) -> list[list[str]]:
        """The documents log, newest first: time, who, what, which file."""
        return [[e.time, e.user, audit.ACTION_ZH.get(e.action, e.action), os.path.basename(e.target) or e.target]
                for e in audit.recent(self.settings.index_dir)]

    # ---- documents -------------------------------------------------------------
    def documents(self):
        """(table rows, dropdown choices) of the indexed documents."""
        try:
            docs = self.library.documents()
        except AssistantError:
            docs = []
        rows = [[d.name, _size(d.size), d.chunks, d.added, _notes(d)] for d in docs]
        return rows, [(f"{d.name}（{d.added}）", d.source) for d in docs]

    def add(self, files, progress, user: str | None = None) -> str:
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
        if not paths:
            return "没有选择文件：请先选择或拖入要添加的文件。"
        try:
            return self.refused(user, "添加文档") or self._add(paths, progress, user)
        finally:
            for p in paths:  # Gradio's temporary copies: what was kept is in uploads/ now
                Path(p).unlink(missing_ok=True)

    def _add(self, paths: list[str], progress, user: str | None) -> str:
        problems, ok = [], []
        for p in paths:
            try:
                self.library.check_upload(p, os.path.basename(p))
                ok.append((p, os.path.basename(p)))
            except AssistantError as e:
                problems.append(zh_error(e))
        if not ok:
            return "；".join(problems)
        progress(0, desc="正在读取文件…")

        def step(p: IndexProgress) -> None:
            progress((p.files_done, p.files_total), desc=index_step("正在建立索引", p), unit="个文件")

        try:
            report = self.library.upload(ok, progress=step, user=user or "", pages=scan_step(progress))
        except AssistantError as e:
            return f"添加失败：{zh_error(e)}"
        msg = [f"已添加 {len(report.added)} 个、更新 {len(report.updated)} 个文件"
               f"（新建 {report.chunks_embedded} 个片段）"]
        if report.unchanged:
            msg.append(f"{len(report.unchanged)} 个文件与资料库中已有的相同，未重复添加")
        msg += [f"跳过 {os.path.basename(x.source)}：{skip_reason(x)}" for x in report.skipped]
        msg += [f"“{os.path.basename(src)}”中有 {len(lines)} 句像是对问答助手下的指令，已屏蔽，不会被当作资料"
                for src, lines in report.suspect.items()]
        msg += [f"“{os.path.basename(src)}”中{unseen_words((Unseen(k), n) for k, n in counts.items())}"
                for src, counts in report.unseen.items()]
        return "；".join(msg + problems) + "。"

    def delete(self, source: str | None, user: str | None = None) -> str:
        if not source:
            return "请先在下拉框中选择要删除的文档。"
        no = self.refused(user, "删除文档")
        if no:
            return no
        try:
            self.library.delete(source, user=user or "")
        except AssistantError as e:
            return zh_error(e)
        return f"已删除“{os.path.basename(source)}”，之后的回答不会再引用它。"

    def reindex(self, progress, user: str | None = None) -> str:
        no = self.refused(user, "重新索引")
        if no:
            return no

        def step(p: IndexProgress) -> None:
            progress((p.files_done, p.files_total), desc=index_step("正在重新索引", p), unit="个文件")

        try:
            report = self.library.reindex(progress=step, user=user or "", pages=scan_step(progress))
        except AssistantError as e:
            return f"重新索引失败：{zh_error(e)}"
        return (f"重新索引完成：{len(report.updated)} 个文件有变化已更新，{len(report.unchanged)} 个未变，"
                f"{len(report.removed)} 个已不存在并移除。")

    # ---- settings --------------------------------------------------------------
    def model_choices(self) -> list[tuple[str, str]]:
        found = models.local_ggufs(self.settings.models_dir)
        current = self.current_model()
        if current and all(str(p) != current for p in found):
            found.append(Path(current))
        return [(p.name, str(p)) for p in found]

    def current_model(self) -> str:
        return self.assistant.chat_model_path

    def set_model(self, path: str, user: str | None = None) -> str:
        if not path or path == self.current_model():
            return f"当前对话模型：{os.path.basename(path or self.current_model())}"
        no = self.refused(user, "切换对话模型")
        if no:
            return no
        with self._model_lock:
            try:
                gen = make_generator(self.settings.with_overrides(chat_model=path))
            except AssistantError as e:
                return f"无法使用这个模型：{zh_error(e)}"
            self.assistant.set_generator(gen)
            self.assistant.warm_up()
            audit.record(self.settings.index_dir, user or "", audit.Action.MODEL, os.path.basename(path))
        return f"已切换对话模型：{os.path.basename(path)}（正在后台加载，下一个问题起生效）"


class _InLine:
    """The Assistant as batch sees it: each question waits its turn in the chat page's line."""

    def __init__(self, assistant: Assistant, app: ChatApp):
        self._a, self._app = assistant, app

    def __getattr__(self, name):
        return getattr(self._a, name)

    def ask(self, question: str, top_k: int | None = None, *, hits=None):
        with self._app.turn_in_line():
            return self._a.ask(question, top_k, hits=hits)


def _notes(d) -> str:
    """What a person should know about a document: hidden instructions, pages read by OCR and which to check."""
    notes = []
    if d.unseen:
        notes.append(unseen_words(d.unseen))
    if d.suspect:
        notes.append("已屏蔽疑似指令：" + "｜".join(d.suspect))
    if d.ocr_pages:
        mean = sum(c for _, c in d.ocr_pages) / len(d.ocr_pages)
        notes.append(f"扫描件，{len(d.ocr_pages)} 页经文字识别，平均可信度 {mean:.0%}")
        low = [str(n) for n, c in d.ocr_pages if c < LOW_CONFIDENCE]
        if low:
            notes.append(f"第 {'、'.join(low)} 页识别可信度低，请对照原件核对")
    return "；".join(notes)


def index_step(doing: str, p: IndexProgress) -> str:
    """The page's words for an index run: the file just read and the passages embedded so far."""
    name = f"：{os.path.basename(p.source)}" if p.source else ""
    return f"{doing}{name}（已读 {p.files_done}/{p.files_total} 个文件，已嵌入 {p.chunks_done} 段）"


def scan_step(progress):
    """The page's progress bar counting a scan's pages as OCR reads them."""
    def step(source: str, page: int, pages: int) -> None:
        progress((page, pages), desc=f"正在识别扫描件：{os.path.basename(source)}", unit="页")
    return step


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"
