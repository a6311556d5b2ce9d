"""Character bigrams of every chunk, kept with the index: how many chunks hold each (the IDF that picks
the sentences a passage is narrowed to) and which ones (the name gate). Built when the index is written,
so a question never scans the corpus; loaded memory-mapped (postings.Postings without counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.index.postings import Postings
from assistant.text.chinese import char_bigrams, strip_citations


def code(gram: str) -> int:
    """One int64 for a two-character gram: code("数字") == (ord("数") << 21) | ord("字")."""
    return (ord(gram[0]) << 21) | ord(gram[1])


def grams_of(text: str) -> set[str]:
    """The bigrams counted for a chunk: its word characters, normalized, without citation marks."""
    return char_bigrams(strip_citations(text))


def codes_of(text: str) -> np.ndarray:
    grams = grams_of(text)
    return np.fromiter((code(g) for g in grams), dtype=np.int64, count=len(grams))


class BigramIndex(Postings):
    @classmethod
    def build(cls, texts: Iterable[str]) -> BigramIndex:
        p = Postings.from_rows(codes_of(t) for t in texts)
        return cls(p.keys, p.indptr, p.rows, p.n)

    @classmethod
    def of(cls, p: Postings) -> BigramIndex:
        return cls(p.keys, p.indptr, p.rows, p.n)

    @classmethod
    def load(cls, folder: Path) -> BigramIndex:
        return cls.of(Postings.load(folder))

    def df(self, gram: str) -> int:
        """How many chunks hold the bigram."""
        return self.size(self.slot(code(gram)))

    def rows_with_grams(self, grams: Iterable[str]) -> np.ndarray:
        """Chunk rows that hold every one of the bigrams."""
        return self.rows_with_all(code(g) for g in grams)
