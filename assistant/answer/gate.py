"""The retrieval gate: refuse before generating when the passages cannot hold the answer."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.core.records import Hit
from assistant.text.names import names_in

_CONTENT = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")


def gate(question: str, hits: list[Hit], mentions: Callable[[str], bool], *, min_dense: float) -> str:
    """Why the documents cannot answer (in Chinese), or "" to go on and ask the model.

    `mentions(name)` says whether the documents name it (the index answers from kept bigrams, no scan).
    """
    if not _CONTENT.search(question):
        return "问题里没有可以检索的文字"
    if not hits:
        return "没有检索到相关资料"
    dense = [h.dense for h in hits if h.dense is not None]
    if dense and max(dense) < min_dense:
        return "检索到的资料与问题相关度太低"
    for name in names_in(question):
        if not mentions(name):
            return f"文档中没有提到“{name}”"
    return ""
