"""Plain text and Markdown. A Markdown file shows its reader the rendered page: HTML comments and
inline elements marked hidden are left out and counted."""

from __future__ import annotations

import re
from collections import Counter

from assistant.core.records import Unseen, unseen_counts
from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import ReadResult, register
from assistant.ingest.formats.html import HIDING_STYLE

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_HIDDEN_ELEMENT = re.compile(r"<([a-zA-Z][\w-]*)\b([^>]*)>(.*?)</\1\s*>", re.DOTALL)


@register(".txt")
def read_text(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    return decode_bytes(data), "", ()


@register(".md", ".markdown")
def read_markdown(data: bytes) -> ReadResult:
    text = decode_bytes(data)
    unseen: Counter[Unseen] = Counter()

    def comment(m: re.Match) -> str:
        unseen[Unseen.COMMENT] += bool(m.group(0)[4:-3].strip())
        return ""

    def element(m: re.Match) -> str:
        attrs = m.group(2)
        style = re.search(r"style\s*=\s*[\"']([^\"']*)", attrs)
        if re.search(r"\bhidden\b(?!\s*[:-])", attrs.split("style", 1)[0]) or (style and HIDING_STYLE.search(style.group(1))):
            unseen[Unseen.HIDDEN_TEXT] += bool(m.group(3).strip())
            return ""
        return m.group(0)

    text = _HIDDEN_ELEMENT.sub(element, _COMMENT.sub(comment, text))
    return ReadResult(text, unseen=unseen_counts(unseen))
