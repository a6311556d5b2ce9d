"""Chinese lexical search: jieba words plus character bigrams, scored with BM25 (bm25s)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.text.words import jieba

# Function words and question words that carry no topic; kept small on purpose.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 也 都 而 又 并 就 对 把 被 将 从 以 为 于 之 其 这 那 个 们 "
    "有 要 会 能 可 中 上 下 到 着 过 给 让 吗 呢 吧 啊 呀 哪 哪些 哪个 什么 多少 几 怎么 "
    "怎样 如何 为什么 是否 请问 请 一下 我们 你们 他们 这个 那个 以及 通过 进行 主要".split()
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff%％.]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
TOKENIZER_VERSION = "jieba-search+cjk-bigram-v1"


def tokenize(text: str) -> list[str]:
    """Words (search mode) and CJK bigrams, lower-cased, stopwords dropped.

    tokenize("宁波数字经济") -> ['宁波', '数字', '经济', '数字经济', '宁波', '波数', '数字', '字经', '经济']
    """
    words = [w.strip().lower() for w in jieba().lcut_for_search(text)]
    words = [w for w in words if w and _KEEP.fullmatch(w) and w not in STOPWORDS]
    bigrams = [run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]
    return words + bigrams


def content_terms(text: str) -> list[str]:
    """Distinct jieba words of a question that name something (no stopwords, no bigrams)."""
    seen: dict[str, None] = {}
    for w in jieba().lcut(text):
        w = w.strip().lower()
        if len(w) >= 2 and _KEEP.fullmatch(w) and w not in STOPWORDS:
            seen[w] = None
    return list(seen)


class BM25Index:
    """BM25 over pre-tokenized chunks; rows are aligned with the caller's chunk order."""

    def __init__(self, retriever=None):
        self._bm25 = retriever

    @classmethod
    def build(cls, corpus_tokens: Sequence[Sequence[str]]) -> BM25Index:
        import bm25s  # sparse-matrix BM25, fast to build and query

        if not corpus_tokens:
            return cls(None)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        # bm25s drops documents with no token at all, which would shift rows; pad them.
        docs = [list(toks) or ["\u0000empty"] for toks in corpus_tokens]
        retriever.index(docs, show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        import bm25s

        if not (folder / "params.index.json").is_file():
            return cls(None)
        return cls(bm25s.BM25.load(str(folder)))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """A score for every row; zeros when no query token is known."""
        if self._bm25 is None:
            return np.zeros(0, dtype="float32")
        vocab = self._bm25.vocab_dict
        known = [t for t in query_tokens if t in vocab]
        n = self._bm25.scores["num_docs"]
        if not known:
            return np.zeros(n, dtype="float32")
        return np.asarray(self._bm25.get_scores(known), dtype="float32")
