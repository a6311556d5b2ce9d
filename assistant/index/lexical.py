"""Chinese lexical search: jieba words plus character bigrams, scored with BM25.

The scores are bm25s's (Lucene IDF, Robertson TF), computed from postings kept per segment with the
corpus statistics (N, document frequency, average length) taken over all live segments at query time,
as Lucene does: bm25s itself cannot add to or remove from a built index.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

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
K1, B = 1.2, 0.75
SCORER = f"bm25 k1={K1} b={B} lucene-idf, global statistics over segments"


def tokenize(text: str) -> list[str]:
    """Words (search mode) and CJK bigrams, lower-cased, stopwords dropped.

    tokenize("宁波数字经济") -> ['宁波', '数字', '经济', '数字经济', '宁波', '波数', '数字', '字经', '经济']
    """
    words = [w.strip().lower() for w in jieba().lcut_for_search(text)]
    words = [w for w in words if w and _KEEP.fullmatch(w) and w not in STOPWORDS]
    return words + bigrams(text)


def bigrams(text: str) -> list[str]:
    """The CJK character bigrams of each run of Chinese characters.

    bigrams("宁波数字") -> ['宁波', '波数', '数字']
    """
    return [run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]


def content_terms(text: str) -> list[str]:
    """Distinct jieba words of a question that name something (no stopwords, no bigrams)."""
    seen: dict[str, None] = {}
    for w in jieba().lcut(text):
        w = w.strip().lower()
        if len(w) >= 2 and _KEEP.fullmatch(w) and w not in STOPWORDS:
            seen[w] = None
    return list(seen)


def lexical_text(chunk) -> str:
    """What BM25 sees: the heading path adds the section's topic words to the chunk."""
    return " ".join((*chunk.headings, chunk.text))


def term_key(term: str) -> int:
    """A stable int64 for a token (the postings are keyed by it, so no vocabulary is loaded)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def term_keys(tokens: Sequence[str]) -> np.ndarray:
    return np.fromiter((term_key(t) for t in tokens), dtype=np.int64, count=len(tokens))


def idf(df: np.ndarray, n: int) -> np.ndarray:
    """Lucene's BM25 IDF, as bm25s computes it: log(1 + (N - df + 0.5) / (df + 0.5))."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


def tf_part(tf: np.ndarray, doclen: np.ndarray, avgdl: float) -> np.ndarray:
    """The term-frequency part of BM25 (Robertson/Lucene)."""
    return tf / (tf + K1 * (1 - B + B * doclen / avgdl))
