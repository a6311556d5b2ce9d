"""The retrieval gate: refuse before generating when the passages cannot hold the answer."""

from __future__ import annotations

import re

from assistant.core.records import Hit
from assistant.text.names import mentioned, names_in

_CONTENT = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]")


def gate(question: str, hits: list[Hit], corpus_text: str, *, min_dense: float) -> str:
    """Why the documents cannot answer (in Chinese), or "" to go on and ask the model."""
    if not _CONTENT.search(question):
        return "问题里没有可以检索的文字"
    if not hits:
        return "没有检索到相关资料"
    dense = [h.dense for h in hits if h.dense is not None]
    if dense and max(dense) < min_dense:
        return "检索到的资料与问题相关度太低"
    for name in names_in(question):
        if not mentioned(name, corpus_text):
            return f"文档中没有提到“{name}”"
    return ""
