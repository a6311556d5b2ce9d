"""The chat page (Gradio): layout and event wiring only; every answer comes from the library.

One Assistant (one chat model in memory) serves every browser. Questions to the model wait
in Gradio's queue (concurrency 1, each waiting browser sees its place); search and the
documents list have queues of their own and never wait behind an answer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from . import batch, models
from .answer import Assistant, check_question, make_generator
from .config import Settings
from .conversation import Turn, history_of, run_turn, to_markdown
from .documents import DocumentStore, safe_name
from .errors import AssistantError, InputError
from .present import zh_error
from .render import conversation_html, passage_html, skip_reason, where

TITLE = "文档问答助手"
FONTS = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "SimSun",
         "WenQuanYi Micro Hei", "sans-serif"]
MONO = ["Consolas", "Noto Sans Mono CJK SC", "monospace"]

CSS = """
.gradio-container { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
  "SimSun", "WenQuanYi Micro Hei", sans-serif !important; }
#chat { min-height: 320px; max-height: 62vh; overflow-y: auto; }
#chat, #chat *, .pending #chat, #chat.pending { opacity: 1 !important; }  /* a waiting answer stays readable */
.turn { border-bottom: 1px solid #e5e7eb; padding: 10px 2px; }
.turn .q { font-weight: 600; margin-bottom: 4px; }
.turn .who { display: inline-block; background: #1d4ed8; color: #fff; border-radius: 4px; padding: 0 6px;
  margin-right: 6px; font-size: 0.85em; }
.turn .searched { color: #6b7280; font-size: 0.9em; margin: 2px 0 6px; }
.turn .body { line-height: 1.75; margin: 6px 0; white-space: normal; }
.badge { display: inline-block; font-size: 0.8em; border-radius: 10px; padding: 1px 8px; }
.badge.ok { background: #dcfce7; color: #166534; } .badge.nf { background: #f3f4f6; color: #374151; }
.badge.warn { background: #fef3c7; color: #92400e; } .badge.err { background: #fee2e2; color: #991b1b; }
.badge.busy { background: #e0e7ff; color: #3730a3; }
.unverified { color: #92400e; font-size: 0.92em; }
a.cite { color: #1d4ed8; text-decoration: none; cursor: pointer; font-weight: 600; }
a.cite:hover { text-decoration: underline; }
.sources .label { font-size: 0.9em; color: #374151; margin-top: 6px; }
.sources ol { margin: 2px 0 4px 0; padding-left: 0; list-style: none; font-size: 0.92em; }
.sources .where { color: #4b5563; } .sources q { color: #111827; }
.passage { border-left: 3px solid #1d4ed8; background: #f8fafc; padding: 6px 10px; margin: 6px 0; }
.passage .where { font-size: 0.85em; color: #4b5563; margin-bottom: 4px; }
.passage .text { white-space: pre-wrap; line-height: 1.7; }
.passage mark { background: #fde68a; padding: 0 1px; }
.timing { color: #9ca3af; font-size: 0.8em; }
.empty { color: #6b7280; padding: 24px 4px; }
"""

# Citation clicks: open the passage the link names (answer text and source list alike).
HEAD = """<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a[data-p]');
  if (!a) return;
  e.preventDefault();
  var p = document.getElementById(a.getAttribute('data-p'));
  if (!p) return;
  var turn = p.closest('.turn');
  if (turn) turn.querySelectorAll('.passage').forEach(function (x) { if (x !== p) x.hidden = true; });
  p.hidden = false;
  p.scrollIntoView({block: 'nearest'});
});
</script>"""


class ChatApp:
    """What the page's events call; holds the one Assistant and the document store."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None):
        self.settings = settings
        self.assistant = assistant or Assistant(settings)
        self.store = DocumentStore(self.assistant.index)
        self.exports = Path(tempfile.mkdtemp(prefix="assistant-export-"))
        self._model_lock = threading.Lock()
        self._line: list[Turn] = []  # questions being answered or waiting, all browsers, in order
        self._line_cv = threading.Condition()

    # ---- chat ----------------------------------------------------------------
    def send(self, question: str, turns: list[Turn], flags: dict):
        """Runs at once when a question is sent: the question shows, waiting for its turn.

        Returns (textbox, chat html, turns). The turns list is changed in place, so an answer
        still streaming into the same list keeps the new question.
        """
        q = (question or "").strip()
        if not q:  # Enter on an empty box: nothing to ask
            return "", conversation_html(turns), turns
        flags["sent"] = flags.get("sent", 0) + 1
        turns.append(Turn(question=q, ticket=flags["sent"]))
        return "", conversation_html(turns), turns

    def ask(self, turns: list[Turn], flags: dict, top_k: int):
        """Answers this browser's oldest waiting question, yielding (chat html, turns).

        Questions from every browser take their place in one line and are answered in order;
        while one waits, its place is shown and kept up to date. Stop cancels every question
        the browser sent so far, the one being answered and those still waiting.
        """
        with self._line_cv:
            turn = next((t for t in turns if t.phase == "waiting"), None)
            if turn is not None:
                turn.phase = "queued"  # claimed by this call
                turn.ahead = len(self._line)
                self._line.append(turn)
        if turn is None:
            yield conversation_html(turns), turns
            return
        stopped = lambda: flags.get("stop_upto", 0) >= turn.ticket  # noqa: E731
        try:
            yield conversation_html(turns), turns
            while True:
                with self._line_cv:
                    place = self._line.index(turn)
                    if place == 0 or stopped():
                        break
                    changed, turn.ahead = place != turn.ahead, place
                    if not changed:
                        self._line_cv.wait(timeout=0.5)
                if changed:
                    yield conversation_html(turns), turns
            turn.ahead = 0
            history = history_of(turns[: turns.index(turn)])
            for _ in run_turn(self.assistant, turn, history, top_k=int(top_k), stop=stopped):
                yield conversation_html(turns), turns
        finally:
            with self._line_cv:
                self._line.remove(turn)
                self._line_cv.notify_all()

    @staticmethod
    def stop(flags: dict, turns: list[Turn]) -> str:
        """Ends the answer being written (the model stops at its next token) and any still waiting."""
        flags["stop_upto"] = flags.get("sent", 0)
        for t in turns:
            if t.phase not in ("done", "error", "stopped"):
                t.phase = "stopping" if t.phase not in ("waiting", "queued") else t.phase
        return conversation_html(turns)

    @contextmanager
    def in_line(self):
        """Wait for a place at the head of the one line to the model (used by batch rows)."""
        ticket = object()
        with self._line_cv:
            self._line.append(ticket)
            while self._line[0] is not ticket:
                self._line_cv.wait(timeout=0.5)
        try:
            yield
        finally:
            with self._line_cv:
                self._line.remove(ticket)
                self._line_cv.notify_all()

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
        if not src.exists() or src.read_bytes() != Path(path).read_bytes():
            shutil.copyfile(path, src)
        try:
            plan = batch.plan(src, None, (column or "").strip() or None)
            progress(0, desc="正在加载模型和资料库…")
            report = batch.run(plan, _InLine(self.assistant, self), restart=restart,
                               progress=lambda d, t: progress((d, t), desc="正在批量回答", unit="题"))
        except AssistantError as e:
            return f"无法开始：{zh_error(e)}", None
        parts = [f"共 {report.total} 题：已回答 {report.count('answered')}，资料中没有 {report.count('not_found')}，"
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

    def search(self, question: str, top_k: int) -> str:
        try:
            hits = self.assistant.search(check_question(question), int(top_k))
        except AssistantError as e:
            return f'<div class="turn">{_escape(zh_error(e))}</div>'
        if not hits:
            return '<div class="empty">资料库中没有找到相关内容。</div>'
        rows = []
        for n, h in enumerate(hits, 1):
            pid = f"s{n}-{int(time.time() * 1000)}"
            rows.append(f'<li><a class="cite" href="#{pid}" data-p="{pid}">[{n}]</a> '
                        f'<span class="where">{_escape(where(h.chunk.source, h.chunk.headings, h.chunk.paragraph, h.chunk.page))}'
                        f"</span>{passage_html(pid, h, [])}</li>")
        return f'<div class="turn sources"><ol>{"".join(rows)}</ol></div>'

    # ---- documents -------------------------------------------------------------
    def documents(self):
        """(table rows, dropdown choices) of the indexed documents."""
        try:
            docs = self.store.list()
        except AssistantError:
            docs = []
        rows = [[d.name, _size(d.size), d.chunks, d.added] for d in docs]
        return rows, [(f"{d.name}（{d.added}）", d.source) for d in docs]

    def add(self, files, progress) -> str:
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
        if not paths:
            return "没有选择文件：请先选择或拖入要添加的文件。"
        problems, ok = [], []
        for p in paths:
            try:
                self.store.check_upload(p, os.path.basename(p))
                ok.append((p, os.path.basename(p)))
            except AssistantError as e:
                problems.append(str(e))
        if not ok:
            return "；".join(problems)
        progress(0, desc="正在读取文件…")

        def step(source: str, done: int, total: int) -> None:
            progress((done, total), desc=f"正在建立索引：{os.path.basename(source)}", unit="段")

        s = self.settings
        try:
            report = self.store.add(ok, self.assistant.embedder, chunk_size=s.chunk_size,
                                    chunk_overlap=s.chunk_overlap, progress=step)
        except AssistantError as e:
            return f"添加失败：{zh_error(e)}"
        self.assistant.reload()
        msg = [f"已添加 {len(report.added)} 个、更新 {len(report.updated)} 个文件"
               f"（新建 {report.chunks_embedded} 个片段）"]
        if report.unchanged:
            msg.append(f"{len(report.unchanged)} 个文件与资料库中已有的相同，未重复添加")
        msg += [f"跳过 {os.path.basename(x.source)}：{skip_reason(x.reason)}" for x in report.skipped]
        return "；".join(msg + problems) + "。"

    def delete(self, source: str | None) -> str:
        if not source:
            return "请先在下拉框中选择要删除的文档。"
        try:
            self.store.delete(source)
        except AssistantError as e:
            return str(e)
        self.assistant.reload()
        return f"已删除“{os.path.basename(source)}”，之后的回答不会再引用它。"

    def reindex(self, progress) -> str:
        s = self.settings

        def step(source: str, done: int, total: int) -> None:
            progress((done, total), desc=f"正在重新索引：{os.path.basename(source)}", unit="段")

        try:
            report = self.store.reindex(self.assistant.embedder, chunk_size=s.chunk_size,
                                        chunk_overlap=s.chunk_overlap, progress=step)
        except AssistantError as e:
            return f"重新索引失败：{zh_error(e)}"
        self.assistant.reload()
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
        gen = self.assistant._generator
        if gen is not None and getattr(gen, "path", None):
            return str(gen.path)
        if self.settings.chat_model:
            return str(self.settings.chat_model)
        return str(self.settings.models_dir / models.SPECS[models.DEFAULT_CHAT].target)

    def set_model(self, path: str) -> str:
        if not path or path == self.current_model():
            return f"当前对话模型：{os.path.basename(path or self.current_model())}"
        with self._model_lock:
            try:
                gen = make_generator(self.settings.with_overrides(chat_model=path))
            except AssistantError as e:
                return f"无法使用这个模型：{zh_error(e)}"
            self.assistant.set_generator(gen)
            self.assistant.warm_up()
        return f"已切换对话模型：{os.path.basename(path)}（正在后台加载，下一个问题起生效）"


class _InLine:
    """The Assistant as batch sees it: each question waits its turn in the chat page's line."""

    def __init__(self, assistant: Assistant, app: ChatApp):
        self._a, self._app = assistant, app

    def __getattr__(self, name):
        return getattr(self._a, name)

    def ask(self, question: str, top_k: int | None = None, *, hits=None):
        with self._app.in_line():
            return self._a.ask(question, top_k, hits=hits)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def build(app: ChatApp):
    """The page as a gr.Blocks; launch it with `launch_options()`."""
    import gradio as gr

    s = app.settings
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.HTML(f"<h2 style='margin:4px 0'>{TITLE}</h2><div style='color:#4b5563'>只根据资料库中的文件回答，"
                "并标出每句话的出处；资料中没有的内容会直接说明。全部在本机运行，不联网。</div>")
        turns = gr.State([])
        flags = gr.State({"sent": 0, "stop_upto": 0})
        with gr.Tabs():
            with gr.Tab("问答", id="chat-tab"):
                chat = gr.HTML(conversation_html([]), elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(placeholder="输入问题，按回车发送（例如：汛前要检查多少座水库？）",
                                     show_label=False, scale=8, max_lines=4, elem_id="question")
                    send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
                    stop = gr.Button("停止", variant="stop", scale=1, elem_id="stop")
                with gr.Row():
                    new = gr.Button("新对话", size="sm", elem_id="new")
                    export = gr.Button("导出为 Markdown", size="sm", elem_id="export")
                exported = gr.File(label="导出的对话", visible=False, elem_id="exported")
            with gr.Tab("检索", id="search-tab"):
                with gr.Row():
                    sbox = gr.Textbox(placeholder="输入关键词或问题，只检索资料，不生成回答", show_label=False,
                                      scale=8, elem_id="search-box")
                    sbtn = gr.Button("检索", scale=1, elem_id="search-btn")
                sres = gr.HTML("", elem_id="search-results")
            with gr.Tab("资料库", id="docs-tab"):
                upload = gr.File(label="拖入或选择文件（可多选；支持 txt、md、html、docx、pdf）",
                                 file_count="multiple", elem_id="upload")
                add = gr.Button("添加到资料库", variant="primary", elem_id="add")
                doc_msg = gr.Markdown("", elem_id="doc-msg")
                table = gr.Dataframe(headers=["名称", "大小", "片段数", "添加时间"], interactive=False,
                                     elem_id="doc-table", wrap=True)
                with gr.Row():
                    pick = gr.Dropdown(label="选择文档", choices=[], scale=4, elem_id="pick")
                    delete = gr.Button("删除所选文档", variant="stop", scale=1, elem_id="delete")
                    reindex = gr.Button("重新索引", scale=1, elem_id="reindex")
                    refresh = gr.Button("刷新列表", scale=1, elem_id="refresh")
            with gr.Tab("批量问答", id="batch-tab"):
                gr.Markdown("上传问题表（.csv、.tsv 或 .xlsx，第一行是列名，问题列名为“问题”或“question”）。"
                            "结果保留原有各列，并增加 answer、status、citations、sources 等列。"
                            "若有“期望答案”列（多个可接受答案用 | 分隔，必须同时出现的用 ; 分隔），会同时给出准确率。"
                            "中断后重新上传同一文件即可接着做。")
                bfile = gr.File(label="问题表", file_types=[".csv", ".tsv", ".xlsx"], elem_id="batch-file")
                with gr.Row():
                    bcol = gr.Textbox(label="问题列名（可不填）", scale=2, elem_id="batch-column")
                    brestart = gr.Checkbox(label="从头重新回答", value=False, scale=1, elem_id="batch-restart")
                    brun = gr.Button("开始批量问答", variant="primary", scale=1, elem_id="batch-run")
                bmsg = gr.Markdown("", elem_id="batch-msg")
                bout = gr.File(label="结果下载", elem_id="batch-out")
            with gr.Tab("设置", id="settings-tab"):
                model = gr.Dropdown(label="对话模型（models/ 中的 GGUF 文件；对所有用户生效）",
                                    choices=app.model_choices(), value=app.current_model(), elem_id="model")
                model_msg = gr.Markdown("")
                top_k = gr.Slider(1, 10, value=s.top_k, step=1, label="每次检索的资料段数（top-k）", elem_id="topk")
                gr.Markdown(f"资料库位置：`{s.index_dir}`")

        ask_inputs = [turns, flags, top_k]
        ask_outputs = [chat, turns]
        # Several questions may be in the handler at once: they wait in ChatApp's own line (which
        # shows each browser its place, in Chinese) and only the first uses the model.
        common = dict(concurrency_limit=16, concurrency_id="chat", show_progress="minimal")
        # Stop sets a flag the answer checks at every token: the model stops at once and the
        # event ends normally (cancelling a running Gradio event can leave the page waiting).
        # A question still waiting in the queue sees the flag when its turn comes and ends there.
        sent = dict(fn=app.send, inputs=[box, turns, flags], outputs=[box, chat, turns], queue=False)
        box.submit(**sent).then(app.ask, ask_inputs, ask_outputs, **common)
        send.click(**sent).then(app.ask, ask_inputs, ask_outputs, **common)
        stop.click(app.stop, [flags, turns], [chat], queue=False)
        new.click(lambda: ([], conversation_html([])), None, [turns, chat], queue=False)
        export.click(lambda t: gr.File(value=app.export(t), visible=True), [turns], [exported], queue=False)
        sbox.submit(app.search, [sbox, top_k], [sres], concurrency_limit=2, concurrency_id="search")
        sbtn.click(app.search, [sbox, top_k], [sres], concurrency_limit=2, concurrency_id="search")

        def listing():
            rows, choices = app.documents()
            return rows, gr.Dropdown(choices=choices, value=None)

        def do_add(files, progress=gr.Progress()):
            return app.add(files, progress), None

        def do_reindex(progress=gr.Progress()):
            return app.reindex(progress)

        def do_batch(upload, column, restart, progress=gr.Progress()):
            return app.batch(upload, column, restart, progress)

        brun.click(do_batch, [bfile, bcol, brestart], [bmsg, bout], concurrency_limit=1, concurrency_id="batch")

        docs = dict(concurrency_limit=1, concurrency_id="docs")
        add.click(do_add, [upload], [doc_msg, upload], **docs).then(listing, None, [table, pick], **docs)
        delete.click(app.delete, [pick], [doc_msg], **docs).then(listing, None, [table, pick], **docs)
        reindex.click(do_reindex, None, [doc_msg], **docs).then(listing, None, [table, pick], **docs)
        refresh.click(listing, None, [table, pick], **docs)
        page.load(listing, None, [table, pick], **docs)
        model.change(app.set_model, [model], [model_msg], concurrency_limit=1, concurrency_id="model")
    return page


def launch_options(auth: list[tuple[str, str]] | None) -> dict:
    import gradio as gr

    theme = gr.themes.Default(primary_hue="blue", font=FONTS, font_mono=MONO)
    return dict(theme=theme, css=CSS, head=HEAD, auth=auth, auth_message="请输入用户名和密码",
                footer_links=[], max_file_size="200mb", show_error=False, ssr_mode=False, quiet=True)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def read_auth_file(path: str | os.PathLike) -> list[tuple[str, str]]:
    """Logins from a file of `user:password` lines (# comments and blank lines ignored)."""
    p = Path(path)
    try:
        lines = p.read_text("utf-8").splitlines()
    except OSError as e:
        raise InputError(f"cannot read the login file {p}: {e.strerror or e}") from None
    pairs = []
    for i, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise InputError(f"{p}, line {i}: write each login as user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise InputError(f"the login file {p} has no user:password line")
    return pairs


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860,
          auth_file: str | None = None, on_ready=None) -> None:
    """Start the page and block until Ctrl-C."""
    auth = read_auth_file(auth_file) if auth_file else None
    if host not in LOOPBACK and not auth:
        raise InputError(f"refusing to serve on {host} without a login: pass --auth-file FILE "
                         "(lines of user:password), or leave --host at 127.0.0.1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    app = ChatApp(settings)
    page = build(app)
    page.queue(default_concurrency_limit=1)
    page.launch(server_name=host, server_port=port, prevent_thread_lock=True, **launch_options(auth))
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if on_ready:
        on_ready(url)
    # after the address is printed: llama.cpp silences stdout while a model loads
    app.assistant.warm_up()
    try:
        while True:
            time.sleep(3600)
    finally:
        page.close()
