"""HTML for the chat page: turns, answers with clickable [n], sources, highlighted passages.

Every piece of document text and model output goes through html.escape; the only markup
is the page's own. A citation link carries `data-p`, the id of the passage it opens.
"""

from __future__ import annotations

import os
import re
from html import escape

from assistant.answer.conversation import Turn
from assistant.answer.present import where
from assistant.core.messages import KIND_ZH
from assistant.core.records import Answer, Citation, Hit, Phase, ScanPage, Status
from assistant.ingest.readers import Skip, Skipped

_CITE = re.compile(r"\[(\d+)\]")

PHASES = {
    "rewriting": "正在结合上文理解问题…",
    "searching": "正在检索资料…",
    "writing": "正在生成回答…",
    "stopping": "正在停止…",
}

SKIP_ZH = {
    Skip.UNSUPPORTED: "格式不支持",
    Skip.NOT_REGULAR: "不是普通文件（管道、设备或套接字）",
    Skip.TOO_LARGE: "文件过大",
    Skip.ZIP_BOMB: "解压后体积异常巨大，可能是恶意文件",
    Skip.BINARY: "不是文本文件",
    Skip.ENCODING: "无法识别文字编码",
    Skip.ENCRYPTED: "文件已加密（PDF 或 OFD），需要密码：请另存一份不加密的副本再添加",
    Skip.NO_TEXT_LAYER: "没有文字层（可能是扫描件，请先做文字识别）",
    Skip.TOO_MANY_PAGES: "页数过多：请拆分后再添加",
    Skip.TIMEOUT: "读取超时（可能是页数极多的扫描件或损坏的文件）：请拆分后再添加",
    Skip.CRASHED: "读取时程序出错或内存不足（可能是损坏或恶意的文件）",
    Skip.OCR_UNAVAILABLE: "扫描件需要文字识别，但本机的文字识别组件缺失或已损坏：请让管理员重新安装",
    Skip.CANNOT_OPEN: "无法打开",
    Skip.DAMAGED: "文件已损坏或格式不符",
    Skip.EMPTY: "文件中没有文字",
    Skip.TOO_MANY_CHUNKS: "文件太长，超过每个文件的片段上限：请拆分后再添加",
}


def skip_reason(skipped: Skipped) -> str:
    """Why a file was skipped, in Chinese, by its code."""
    return SKIP_ZH.get(skipped.code, skipped.reason)


def _pid(turn: Turn, kind: str, n: int) -> str:
    return f"t{turn.uid}-{kind}{n}"


def _link(pid: str, n: int) -> str:
    return f'<a class="cite" href="#{pid}" data-p="{pid}">[{n}]</a>'


def answer_html(text: str, turn: Turn, known: set[int]) -> str:
    """Escaped answer text; each [n] that names a known passage becomes a link to it."""
    out, last = [], 0
    for m in _CITE.finditer(text):
        out.append(escape(text[last:m.start()]))
        n = int(m.group(1))
        out.append(_link(_pid(turn, "p", n), n) if n in known else escape(m.group(0)))
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


def scan_html(url: str, scan: ScanPage, spans: list[tuple[int, int]]) -> str:
    """A scanned page's image with the lines that hold the cited spans boxed (boxes in % of the page)."""
    w, h = scan.width or 1, scan.height or 1
    boxes = sorted({b for s, e in spans for b in scan.boxes(s, e)}, key=lambda b: (b[1], b[0]))
    divs = "".join(f'<div class="box" style="left:{x0 / w:.2%};top:{y0 / h:.2%};width:{(x1 - x0) / w:.2%};'
                   f'height:{(y1 - y0) / h:.2%}"></div>' for x0, y0, x1, y1 in boxes)
    return (f'<div class="scan-view"><div class="scan" style="aspect-ratio:{w}/{h}"><img src="{escape(url)}" '
            f'alt="第{scan.page}页扫描图像" loading="lazy">{divs}</div></div>'
            f'<div class="scan-note">扫描件第{scan.page}页 · 文字识别可信度 {scan.confidence:.0%}'
            f'{" · 框出的是引用的行" if boxes else ""}；下面是识别出的文字</div>')


def passage_html(pid: str, hit: Hit, spans: list[tuple[int, int]], scan: tuple[str, ScanPage] | None = None) -> str:
    """A passage, hidden until a citation opens it; the cited spans marked, on a scanned page's image too."""
    c = hit.chunk
    text, marks, pos = c.text, [], 0
    for s, e in sorted(spans):
        s, e = max(s - c.start, pos), min(e - c.start, len(text))
        if s >= e:
            continue
        marks.append(escape(text[pos:s]))
        marks.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    marks.append(escape(text[pos:]))
    image = scan_html(scan[0], scan[1], spans) if scan else ""
    return (f'<div class="passage" id="{pid}" hidden><div class="where">'
            f"{escape(where(c.source, c.headings, c.paragraph, c.page))}</div>"
            f'{image}<div class="text">{"".join(marks)}</div></div>')


def _spans(citations: list[Citation], n: int) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in citations if c.n == n]


def sources_html(turn: Turn, a: Answer) -> str:
    if a.citations:
        seen, items, panels = set(), [], []
        for c in a.citations:
            if c.n in seen or not 0 < c.n <= len(a.passages):
                continue
            seen.add(c.n)
            pid = _pid(turn, "p", c.n)
            extra = '<span class="added">（程序补注）</span>' if c.added_by_program else ""
            quotes = "……".join(f"<q>{escape(x.quote)}</q>" for x in a.citations if x.n == c.n)
            items.append(f'<li>{_link(pid, c.n)} <span class="where">'
                         f"{escape(where(c.source, c.headings, c.paragraph, c.page))}</span>："
                         f"{quotes}{extra}</li>")
            panels.append(passage_html(pid, a.passages[c.n - 1], _spans(a.citations, c.n), turn.scans.get(c.n)))
        return f'<div class="sources"><div class="label">来源</div><ol>{"".join(items)}</ol>{"".join(panels)}</div>'
    if a.hits:
        return ('<div class="sources near"><div class="label">检索到的最接近的资料（未用于回答）</div>'
                f'{hits_html(a.hits[:3], f"t{turn.uid}-h")}</div>')
    return ""


def hits_html(hits: list[Hit], prefix: str) -> str:
    """Numbered passages, each opened by its number; ids start with `prefix`."""
    items, panels = [], []
    for n, h in enumerate(hits, 1):
        pid, c = f"{prefix}{n}", h.chunk
        items.append(f'<li>{_link(pid, n)} <span class="where">'
                     f"{escape(where(c.source, c.headings, c.paragraph, c.page))}</span></li>")
        panels.append(passage_html(pid, h, []))
    return f'<ol>{"".join(items)}</ol>{"".join(panels)}'


def badge(turn: Turn) -> str:
    a = turn.answer
    if turn.phase == Phase.ERROR:
        return '<span class="badge err">出错</span>'
    if turn.phase == Phase.STOPPED:
        return '<span class="badge warn">已停止（回答不完整，未核对）</span>'
    if turn.phase == Phase.QUEUED and turn.ahead:
        return f'<span class="badge busy">排队等待中：前面还有 {turn.ahead} 个问题</span>'
    if turn.phase in (Phase.WAITING, Phase.QUEUED):
        return '<span class="badge busy">已收到，正在排队…</span>'
    if a is None:
        return f'<span class="badge busy">{PHASES.get(turn.phase, "")}</span>'
    if a.status == Status.ANSWERED and a.unverified:
        return f'<span class="badge warn">已回答 · {len(a.unverified)} 处未能核实</span>'
    if a.status == Status.ANSWERED:
        return '<span class="badge ok">已回答 · 引文已核对</span>'
    if a.status == Status.QUOTED:
        return '<span class="badge quote">摘录资料原文 · 请对照原文判断</span>'
    return '<span class="badge nf">资料中没有找到答案</span>'


def turn_html(turn: Turn) -> str:
    parts = [f'<div class="turn" id="t{turn.uid}" data-phase="{turn.phase}">',
             f'<div class="q"><span class="who">问</span>{escape(turn.question)}</div>']
    if turn.rewritten:
        parts.append(f'<div class="searched">按上下文检索：{escape(turn.query)}</div>')
    if turn.scope:
        parts.append(f'<div class="searched">只在这份文件中查找：{escape(os.path.basename(turn.scope))}</div>')
    if turn.filters:
        parts.append('<div class="searched">只在这些公文中查找：'
                     f'{escape(" ".join(f"{k}={v}" for k, v in turn.filters.items()))}</div>')
    parts.append(f'<div class="a">{badge(turn)}')
    a = turn.answer
    if a is not None:
        parts.append(f'<span class="kind" data-kind="{a.kind}">问题类型：{KIND_ZH[a.kind]}</span>')
    if turn.phase == Phase.ERROR:
        parts.append(f'<div class="body">{escape(turn.error)}</div>')
    elif a is not None:
        known = set(range(1, len(a.passages) + 1)) if a.citations else set()
        parts.append(f'<div class="body">{answer_html(a.answer, turn, known)}</div>')
        for s in a.unverified:
            parts.append(f'<div class="unverified">⚠ 未能核实：{escape(s.text)}（{escape(s.problem)}）</div>')
        parts.append(sources_html(turn, a))
        t = a.timings
        parts.append(f'<div class="timing" data-first-token-ms="{turn.first_token_ms:.0f}" '
                     f'data-library-first-token-ms="{t.first_token_ms:.0f}">检索 {t.retrieve_ms / 1000:.1f} 秒 · '
                     f"首字 {turn.first_token_ms / 1000:.1f} 秒 · 共 {turn.total_ms / 1000:.1f} 秒</div>")
    else:
        if turn.note:
            parts.append(f'<div class="note">{escape(turn.note)}</div>')
        parts.append(f'<div class="body streaming">{escape(turn.text).replace(chr(10), "<br>")}</div>')
    parts.append("</div></div>")
    return "".join(parts)


def conversation_html(turns: list[Turn]) -> str:
    if not turns:
        return ('<div class="empty">在下方输入问题。回答只依据资料库中的文件，每句话后的 [1] [2] 可以点开，'
                "查看原文出处；资料里没有的内容会直接说明“没有找到”。</div>")
    return "".join(turn_html(t) for t in turns)

