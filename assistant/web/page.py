"""The chat page (Gradio): layout, event wiring and serving; the handlers are in webapp.py.

Questions wait in ChatApp's one line to the model (each waiting browser sees its place);
search and the documents list have queues of their own and never wait behind an answer.
"""


import os
import sys
import threading
import time
from contextvars import ContextVar
from pathlib import Path

from assistant.answer.present import zh_error
from assistant.core.config import Settings
from assistant.core.errors import AssistantError, Code, InputError
from assistant.index.scans import FOLDER as SCANS
from assistant.web.app import ChatApp
from assistant.web.logins import Gate, read_logins
from assistant.web.render import conversation_html

TITLE = "文档问答助手"
FILTER_HINT = "只在这些公文中查找（可不填），如：发文机关=水务局 年份=2024；可用 发文机关 发文字号 成文日期 年份 标题 密级"
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
.kind { font-size: 0.8em; color: #6b7280; margin-left: 8px; }
.badge.quote { background: #e0f2fe; color: #075985; }
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
.scan-view { max-height: 60vh; overflow: auto; border: 1px solid #d1d5db; background: #fff; margin: 4px 0; }
.scan { position: relative; width: 100%; }
.scan img { width: 100%; height: auto; display: block; }
.scan .box { position: absolute; border: 2px solid #dc2626; background: rgba(250, 204, 21, 0.18);
  box-sizing: border-box; }
.scan-note { font-size: 0.82em; color: #4b5563; margin: 2px 0 4px; }
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
  var box = p.querySelector('.scan .box'), view = p.querySelector('.scan-view');
  if (box && view) view.scrollTop = Math.max(0, box.offsetTop - view.clientHeight / 3);  // the cited lines in view
  p.scrollIntoView({block: 'nearest'});
});
</script>"""


def build(app: ChatApp):
    """The page as a gr.Blocks; serve it with `page_options()`.

    Long on purpose: the layout reads top to bottom as the page does (tabs, then their events);
    every handler it wires lives in web/app.py.
    """
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
                    filt = gr.Textbox(placeholder=FILTER_HINT, show_label=False, scale=4, max_lines=1,
                                      elem_id="filter")
                exported = gr.File(label="导出的对话", visible=False, elem_id="exported")
            with gr.Tab("检索", id="search-tab"):
                with gr.Row():
                    sbox = gr.Textbox(placeholder="输入关键词或问题，只检索资料，不生成回答", show_label=False,
                                      scale=8, elem_id="search-box")
                    sbtn = gr.Button("检索", scale=1, elem_id="search-btn")
                sfilt = gr.Textbox(placeholder=FILTER_HINT, show_label=False, max_lines=1, elem_id="search-filter")
                sres = gr.HTML("", elem_id="search-results")
            with gr.Tab("资料库", id="docs-tab"):
                upload = gr.File(label="拖入或选择文件（可多选；支持 txt、md、html、docx、doc、wps、pdf、ofd、xlsx、csv、pptx，以及扫描图片 png、jpg、tif）",
                                 file_count="multiple", elem_id="upload")
                add = gr.Button("添加到资料库", variant="primary", elem_id="add")
                doc_msg = gr.Markdown("", elem_id="doc-msg")
                table = gr.Dataframe(headers=["名称", "大小", "片段数", "添加时间", "提示"], interactive=False,
                                     elem_id="doc-table", wrap=True)
                with gr.Row():
                    pick = gr.Dropdown(label="选择文档", choices=[], scale=4, elem_id="pick")
                    delete = gr.Button("删除所选文档", variant="stop", scale=1, elem_id="delete")
                    reindex = gr.Button("重新索引", scale=1, elem_id="reindex")
                    refresh = gr.Button("刷新列表", scale=1, elem_id="refresh")
                with gr.Accordion("操作记录（谁添加、删除了哪些文档）", open=False):
                    log = gr.Dataframe(headers=["时间", "用户", "操作", "对象"], interactive=False,
                                       elem_id="doc-log", wrap=True)
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
        sent = dict(fn=app.send, inputs=[box, turns, flags, filt], outputs=[box, chat, turns], queue=False)
        box.submit(**sent).then(app.ask, ask_inputs, ask_outputs, **common)
        send.click(**sent).then(app.ask, ask_inputs, ask_outputs, **common)
        stop.click(app.stop, [flags, turns], [chat], queue=False)
        new.click(lambda: ([], conversation_html([])), None, [turns, chat], queue=False)
        export.click(lambda t: gr.File(value=app.export(t), visible=True), [turns], [exported], queue=False)
        sbox.submit(app.search, [sbox, top_k, sfilt], [sres], concurrency_limit=2, concurrency_id="search")
        sbtn.click(app.search, [sbox, top_k, sfilt], [sres], concurrency_limit=2, concurrency_id="search")

        def listing():
            rows, choices = app.documents()
            return rows, gr.Dropdown(choices=choices, value=None), app.history()

        def do_add(files, request: gr.Request, progress=gr.Progress()):
            return app.add(files, progress, user=request.username), None

        def do_delete(source, request: gr.Request):
            return app.delete(source, user=request.username)

        def do_reindex(request: gr.Request, progress=gr.Progress()):
            return app.reindex(progress, user=request.username)

        def do_model(path, request: gr.Request):
            return app.set_model(path, user=request.username)

        def do_batch(upload, column, restart, progress=gr.Progress()):
            return app.batch(upload, column, restart, progress)

        brun.click(do_batch, [bfile, bcol, brestart], [bmsg, bout], concurrency_limit=1, concurrency_id="batch")

        docs = dict(concurrency_limit=1, concurrency_id="docs")
        listed = [table, pick, log]
        add.click(do_add, [upload], [doc_msg, upload], **docs).then(listing, None, listed, **docs)
        delete.click(do_delete, [pick], [doc_msg], **docs).then(listing, None, listed, **docs)
        reindex.click(do_reindex, None, [doc_msg], **docs).then(listing, None, listed, **docs)
        refresh.click(listing, None, listed, **docs)
        page.load(listing, None, listed, **docs)
        model.change(do_model, [model], [model_msg], concurrency_limit=1, concurrency_id="model")
    return page


def page_options(gate: Gate | None, settings: Settings | None = None) -> dict:
    """What the page is served with: theme, styles, limits, the scanned pages' images and, with a gate, the login."""
    import gradio as gr

    theme = gr.themes.Default(primary_hue="blue", font=FONTS, font_mono=MONO)
    options = dict(theme=theme, css=CSS, head=HEAD, footer_links=[], max_file_size="200mb", show_error=False,
                   ssr_mode=False)
    if settings is not None:  # served through Gradio's file route, which asks for the login like the page
        options["allowed_paths"] = [str(Path(settings.index_dir).resolve() / SCANS)]
    if gate is not None:
        async def auth(name: str, password: str) -> bool:
            return await gate.check(name, password, CLIENT.get())

        options.update(auth=auth, auth_message="请输入用户名和密码（连续输错多次会被暂时锁定）")
    return options


CLIENT: ContextVar[str] = ContextVar("client", default="")


class RememberClient:
    """ASGI middleware: the caller's address, for the login gate to count failures per address."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        token = CLIENT.set((scope.get("client") or ("", 0))[0])
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 7860,
          auth_file: str | None = None, on_ready=None) -> None:
    """Start the page and block until Ctrl-C."""
    gate = Gate(read_logins(auth_file)) if auth_file else None
    if host not in LOOPBACK and gate is None:
        raise InputError(Code.SERVE_NEEDS_LOGIN, host=host)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gradio as gr
    import uvicorn  # comes with gradio
    from fastapi import FastAPI

    app = ChatApp(settings, gate=gate)
    print("正在加载索引和模型…", file=sys.stderr, flush=True)
    try:
        app.assistant.warm()  # before the address: the first question is no slower than the tenth
    except AssistantError as e:  # the page still opens and says what is missing on each question
        print(zh_error(e), file=sys.stderr, flush=True)
    page = build(app)
    page.queue(default_concurrency_limit=1)
    api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    api.add_middleware(RememberClient)
    api = gr.mount_gradio_app(api, page, path="", server_name=host, server_port=port, **page_options(gate, settings))
    server = uvicorn.Server(uvicorn.Config(api, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="page-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise InputError(Code.PORT_IN_USE, host=host, port=port)
        time.sleep(0.05)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if on_ready:
        on_ready(url)
    try:
        while thread.is_alive():
            time.sleep(1)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
