"""The retrieval gate: refuse before generating when the passages cannot hold the answer."""

from __future__ import annotations

import re
from functools import lru_cache

from .lexical import _jieba
from .records import Hit

_NAME_FLAGS = ("ns", "nr", "nt", "nz")
_ADMIN_SUFFIX = re.compile(r"(省|市|区|县|镇|乡|街道|自治区|特别行政区)$")


@lru_cache(maxsize=1)
def _posseg():
    _jieba()  # dictionary loaded once, quietly
    import jieba.posseg

    return jieba.posseg


def names_in(question: str) -> list[str]:
    """Place, person and organisation names jieba finds in a question.

    names_in("佛山市的数字经济增速是多少？") -> ["佛山市"]
    """
    out: list[str] = []
    for word, flag in _posseg().lcut(question):
        if flag.startswith(_NAME_FLAGS) and len(word) >= 2 and word not in out:
            out.append(word)
    return out


def _mentioned(name: str, text: str) -> bool:
    short = _ADMIN_SUFFIX.sub("", name)
    return name in text or (len(short) >= 2 and short in text)


def gate(question: str, hits: list[Hit], corpus_text: str, *, min_dense: float) -> str:
    """Why the documents cannot answer (in Chinese), or "" to go on and ask the model."""
    if not hits:
        return "没有检索到相关资料"
    dense = [h.dense for h in hits if h.dense is not None]
    if dense and max(dense) < min_dense:
        return "检索到的资料与问题相关度太低"
    for name in names_in(question):
        if not _mentioned(name, corpus_text):
            return f"文档中没有提到“{name}”"
    return ""
