"""What the model reads: the most relevant sentences of each retrieved passage, within a budget.

Prompt processing dominates latency on a laptop CPU (about 40 tokens/s for the 1.5B model on
2 cores), so each hit is narrowed to a window around its best sentence. The window is still a
span of the document, so citations keep pointing at checkable text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from assistant.answer.citations import bigrams
from assistant.core.records import Hit
from assistant.text.questions import ASKING
from assistant.text.sentences import sentence_spans


class BigramIdf:
    """Inverse document frequency of character bigrams over the indexed chunks.

    The counts come from the index (kept when it was written), so nothing here scans the corpus:
    BigramIdf(len(state.chunks), state.bigram_df).
    """

    def __init__(self, n: int, df: Callable[[str], int]):
        self.n = max(n, 1)
        self._df = df
        self._idf: dict[str, float] = {}

    @classmethod
    def of_texts(cls, chunk_texts: Iterable[str]) -> BigramIdf:
        """Counted here, over texts in hand (an engine without kept counts, and tests)."""
        df: Counter[str] = Counter()
        n = 0
        for text in chunk_texts:
            df.update(bigrams(text))
            n += 1
        return cls(n, lambda gram: df.get(gram, 0))

    def __call__(self, gram: str) -> float:
        idf = self._idf.get(gram)
        if idf is None:
            d = self._df(gram)
            idf = self._idf[gram] = math.log(1 + (self.n - d + 0.5) / (d + 0.5))
        return idf


def relevance(question_grams: set[str], text: str, idf: BigramIdf) -> float:
    return sum(idf(g) for g in question_grams & bigrams(text))


def focus(hit: Hit, question_grams: set[str], idf: BigramIdf, cap: int) -> Hit:
    """The hit narrowed to its best sentence and neighbours, at most `cap` characters.

    A sentence longer than `cap` is kept whole: cutting a sentence would cut its meaning.
    """
    c = hit.chunk
    if len(c.text) <= cap:
        return hit
    spans = sentence_spans(c.text)
    if not spans:
        return hit
    scores = [relevance(question_grams, c.text[s.start:s.end], idf) for s in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    lo = hi = best
    grew = True
    while grew:
        grew = False
        for cand in (hi + 1, lo - 1):  # prefer what follows: answers tend to follow their topic
            if 0 <= cand < len(spans):
                new_lo, new_hi = min(lo, cand), max(hi, cand)
                new_len = spans[new_hi].end - spans[new_lo].start
                if new_len <= cap and (new_lo, new_hi) != (lo, hi):
                    lo, hi = new_lo, new_hi
                    grew = True
                    break
    start, end = spans[lo].start, spans[hi].end
    return replace(hit, chunk=replace(c, text=c.text[start:end], start=c.start + start, end=c.start + end))


def select(question: str, hits: list[Hit], idf: BigramIdf, *, budget: int, per_hit: int,
           keep_share: float = 0.35, min_keep: int = 2) -> list[Hit]:
    """Focused passages in rank order until the character budget is spent.

    A passage that shares little of the question's wording with the best one (below
    `keep_share` of its score) is left out after the first `min_keep`: it would cost prompt
    time and give a small model something wrong to copy.
    """
    grams = bigrams(question)
    focused: list[tuple[Hit, float]] = []
    left = budget
    for h in hits:
        if left < 60:
            break
        f = focus(h, grams, idf, min(per_hit, left))
        focused.append((f, relevance(grams, f.chunk.text, idf)))
        left -= len(f.chunk.text)
    top = max((r for _, r in focused), default=0.0)
    return [f for i, (f, r) in enumerate(focused) if i < min_keep or r >= keep_share * top]


_ASKING = ASKING


def question_grams(question: str) -> set[str]:
    """Bigrams of what the question is about, question words removed.

    question_grams("廊坊有多少台服务器？") -> {"廊坊", "服务", "务器"}
    """
    return set().union(*(bigrams(part) for part in _ASKING.split(question) if not _ASKING.fullmatch(part)))


def best_window(question: str, passages: list[Hit], idf: BigramIdf, cap: int = 160) -> tuple[Hit | None, float]:
    """The single sentence window that covers most of the question (IDF-weighted), and that share."""
    grams = question_grams(question)
    total = sum(idf(g) for g in grams)
    if not grams or not total:
        return None, 0.0
    best: tuple[float, Hit | None] = (0.0, None)
    for h in passages:
        text = h.chunk.text
        for span in sentence_spans(text):
            cover = relevance(grams, text[span.start:span.end], idf) / total
            if cover > best[0]:
                best = (cover, h)
    if best[1] is None:
        return None, 0.0
    return focus(best[1], grams, idf, cap), best[0]
