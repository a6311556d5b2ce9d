"""How answers and sources read for a person; shared by the CLI, batch and the chat page."""

from __future__ import annotations

import os

from assistant.core.errors import AssistantError
from assistant.core.messages import KIND_ZH
from assistant.core.records import Answer, Citation, Hit, Kind, Status


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
    if a.kind != Kind.FACT or a.scope:
        said = [f"问题类型：{KIND_ZH[a.kind]}"] + ([f"只依据：{os.path.basename(a.scope)}"] if a.scope else [])
        lines.append("（" + "；".join(said) + "）")
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


def zh_error(e: Exception) -> str:
    """One line in Chinese a staff member can act on, for an error the library raised (by its code)."""
    if isinstance(e, AssistantError):
        return e.words("zh") + "。"
    return f"出错了：{e}"
