"""What the model reads: the most relevant sentences of each retrieved passage, within a budget.

Prompt processing dominates latency on a laptop CPU (60-90 tokens/s for the 1.5B model on 2
cores: the first token waits for every passage token), so each hit is narrowed to a window around
its best sentence, counted in the model's own tokens. The window is still a span of the document,
so citations keep pointing at checkable text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from assistant.answer.citations import bigrams
from assistant.core.records import Hit
from assistant.text.questions import ASKING
from assistant.text.sentences import Span, sentence_spans


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


Cost = Callable[[str], int]  # the tokens a text costs the model (Generator.count_tokens)


@dataclass
class _Window:
    """A run of sentences [lo, hi] of one hit, growing around its best sentence."""
    hit: Hit
    spans: list[Span]
    costs: list[int]
    lo: int
    hi: int

    @property
    def spent(self) -> int:
        return sum(self.costs[self.lo:self.hi + 1])

    def grow(self, room: int) -> int:
        """Take the next sentence (else the one before) if it fits in `room`; the tokens it cost."""
        for cand in (self.hi + 1, self.lo - 1):  # what follows first: answers tend to follow their topic
            if 0 <= cand < len(self.spans) and self.costs[cand] <= room:
                self.lo, self.hi = min(self.lo, cand), max(self.hi, cand)
                return self.costs[cand]
        return 0

    def as_hit(self) -> Hit:
        c = self.hit.chunk
        start, end = self.spans[self.lo].start, self.spans[self.hi].end
        if (start, end) == (0, len(c.text)):
            return self.hit
        return replace(self.hit, chunk=replace(c, text=c.text[start:end], start=c.start + start, end=c.start + end))


SHORT_SENTENCE = 8  # characters: "超常发力！" is one item of a run, not a sentence to stand alone


def _joined_short(spans: list[Span]) -> list[Span]:
    """Sentence spans with each short one joined to the one after it, so a window never starts or ends
    inside a run of short items ("超常发力！精准聚力！一体发力！革新动力！大会提出的四条工作原则，振聋发聩。")."""
    out: list[Span] = []
    pending: Span | None = None
    for sp in spans:
        short = sp.end - sp.start < SHORT_SENTENCE
        if pending is not None:
            sp, pending = Span(pending.start, sp.end), None
        if short:
            pending = sp
            continue
        out.append(sp)
    if pending is not None:
        out[-1:] = [Span(out[-1].start, pending.end)] if out else [pending]
    return out


def _window(hit: Hit, grams: set[str], idf: BigramIdf, cost: Cost) -> tuple[_Window, float]:
    """A hit's best sentence as a window of its own, and that sentence's relevance."""
    text = hit.chunk.text
    spans = _joined_short(sentence_spans(text)) or [Span(0, len(text))]
    scores = [relevance(grams, text[s.start:s.end], idf) for s in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    return _Window(hit, spans, [cost(text[s.start:s.end]) for s in spans], best, best), scores[best]


def focus(hit: Hit, question_grams: set[str], idf: BigramIdf, cap: int, cost: Cost) -> Hit:
    """The hit narrowed to its best sentence and neighbours, at most `cap` tokens.

    A sentence longer than `cap` is kept whole: cutting a sentence would cut its meaning.
    """
    w, _ = _window(hit, question_grams, idf, cost)
    while w.grow(cap - w.spent):
        pass
    return w.as_hit()


def select(question: str, hits: list[Hit], idf: BigramIdf, *, budget: int, per_hit: int, cost: Cost,
           keep_share: float = 0.35, min_keep: int = 2) -> list[Hit]:
    """What the model reads, within `budget` tokens (as `cost` counts them): the best sentence of each
    hit first, in rank order, then each grown by its neighbours in turn, up to `per_hit` tokens a hit.

    Breadth before depth: a small budget still shows the model the sentence of the third passage that
    answers, rather than the second passage's neighbours. A hit whose best sentence shares little of the
    question's wording with the best one (below `keep_share` of its score) is left out after the first
    `min_keep`: it would cost prompt time and give a small model something wrong to copy.
    """
    grams = bigrams(question)
    seeds = [_window(h, grams, idf, cost) for h in hits]
    top = max((r for _, r in seeds), default=0.0)
    windows: list[_Window] = []
    left = budget
    for i, (w, r) in enumerate(seeds):
        if i >= min_keep and r < keep_share * top or w.spent > left and windows:
            continue
        windows.append(w)  # the first one even when its one sentence is longer than the budget
        left -= w.spent
    grew = True
    while grew:
        grew = False
        for w in windows:
            took = w.grow(min(left, per_hit - w.spent))
            left -= took
            grew = grew or took > 0
    return [w.as_hit() for w in windows]


_ASKING = ASKING


def question_grams(question: str) -> set[str]:
    """Bigrams of what the question is about, question words removed.

    question_grams("廊坊有多少台服务器？") -> {"廊坊", "服务", "务器"}
    """
    return set().union(*(bigrams(part) for part in _ASKING.split(question) if not _ASKING.fullmatch(part)))


def best_window(question: str, passages: list[Hit], idf: BigramIdf, cap: int, cost: Cost) -> tuple[Hit | None, float]:
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
    return focus(best[1], grams, idf, cap, cost), best[0]
