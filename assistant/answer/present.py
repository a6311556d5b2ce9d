"""How answers and sources read for a person; shared by the CLI, batch and the chat page."""

from __future__ import annotations

import os

from assistant.core.errors import IndexStateError, InputError, ModelMissingError
from assistant.core.records import Answer, Citation, Hit, Status


def short_quote(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def where(source: str, headings: tuple[str, ...] | list[str], paragraph: int, page: int | None) -> str:
    """"文件名 · 标题 > 小标题 · 第P页 第N段": where a passage stands, in every front door."""
    parts = [os.path.basename(source)]
    if headings:
        parts.append(" > ".join(headings))
    place = " ".join(x for x in (f"第{page}页" if page else "", f"第{paragraph}段" if paragraph else "") if x)
    if place:
        parts.append(place)
    return " · ".join(parts)


def source_line(n: int, source: str, headings: tuple[str, ...] | list[str], paragraph: int,
                page: int | None, quote: str, limit: int = 80) -> str:
    """"[1] 文件名 · 标题 · 第N段：引文" — the form used in every front door."""
    return f"[{n}] {where(source, headings, paragraph, page)}：{short_quote(quote, limit)}"


def citation_line(c: Citation, limit: int = 80) -> str:
    line = source_line(c.n, c.source, c.headings, c.paragraph, c.page, c.quote, limit)
    return line + ("（程序补注）" if c.added_by_program else "")


def hit_line(n: int, h: Hit, limit: int = 80) -> str:
    c = h.chunk
    return source_line(n, c.source, c.headings, c.paragraph, c.page, c.text, limit)


def answer_text(a: Answer) -> str:
    """The answer for a terminal: text, unverified statements, then numbered sources."""
    lines = [a.answer]
    for s in a.unverified:
        lines.append(f"  ⚠ 未能核实：{s.text}（{s.problem}）")
    if a.citations:
        lines.append("")
        lines.append("来源：")
        lines.extend(citation_line(c) for c in a.citations)
    elif a.status == Status.NOT_FOUND and a.hits:
        lines.append("")
        lines.append("检索到的最接近的资料（未用于回答）：")
        lines.extend(hit_line(i, h) for i, h in enumerate(a.hits[:3], 1))
    return "\n".join(lines)


_INPUT_ERRORS = [
    ("already exists: pass --restart", "这份问题表已经答完：如需重新回答，请勾选“从头重新回答”。"),
    ("changed since the interrupted run", "问题表与上次中断时的不同：请勾选“从头重新回答”。"),
    ("no question column", "找不到问题列：请把问题所在列的列名改为“问题”，或填写问题列名。"),
    ("has no column named", "表中没有这个列名：请检查填写的问题列名。"),
    ("not a .csv, .tsv or .xlsx", "只支持 .csv、.tsv、.xlsx 格式的问题表。"),
    ("not a readable Excel workbook", "Excel 文件无法读取：请在 Excel 中另存为 .xlsx 后再上传。"),
    ("cannot read it as text", "文件无法按文字读取：请在 Excel 中另存为“CSV UTF-8”后再上传。"),
    ("not a valid table", "表格格式有误：请在 Excel 中另存为“CSV UTF-8”后再上传。"),
    ("has a header but no questions", "问题表里没有问题：第一行是列名，从第二行起每行一个问题。"),
    ("the file is empty", "文件是空的。"),
    ("the first sheet is empty", "第一个工作表是空的。"),
]


def zh_error(e: Exception) -> str:
    """One line in Chinese a staff member can act on, for an error the library raised."""
    msg = str(e)
    if isinstance(e, ModelMissingError):
        return "找不到可用的模型文件：请让管理员运行 assistant models install，或在“设置”中选择其他模型。"
    if isinstance(e, IndexStateError):
        if msg.startswith("no index"):
            return "资料库还是空的：请先在“资料库”页添加文件。"
        if "embedding model" in msg:
            return "资料库是用另一个嵌入模型建立的：请在“资料库”页删除后重新添加文件，或让管理员重建索引。"
        return "资料库已损坏：请让管理员用 assistant index --rebuild 重建。"
    if isinstance(e, InputError):
        if "question is empty" in msg:
            return "问题是空的：请先输入问题。"
        if "characters; the limit" in msg:
            return "问题太长：请把问题缩短到 2000 字以内。"
        for en, zh in _INPUT_ERRORS:
            if en in msg:
                return zh
        return msg
    return f"出错了：{msg}"
