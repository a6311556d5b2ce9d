"""Character bigrams of every chunk, kept with the index: how many chunks hold each (the IDF that picks
the sentences a passage is narrowed to) and which ones (the name gate). Built when the index is written,
so a question never scans the corpus; loaded memory-mapped.

On disk, a folder of three arrays: `keys` (each bigram as one int64, sorted), `indptr` and `rows` (the
chunk rows holding keys[i] are rows[indptr[i]:indptr[i+1]], ascending).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.text.chinese import char_bigrams, strip_citations


def code(gram: str) -> int:
    """One int64 for a two-character gram: code("数字") == (ord("数") << 21) | ord("字")."""
    return (ord(gram[0]) << 21) | ord(gram[1])


def grams_of(text: str) -> set[str]:
    """The bigrams counted for a chunk: its word characters, normalized, without citation marks."""
    return char_bigrams(strip_citations(text))


class BigramIndex:
    def __init__(self, keys: np.ndarray, indptr: np.ndarray, rows: np.ndarray, n: int):
        self.keys, self.indptr, self.rows, self.n = keys, indptr, rows, n

    @classmethod
    def build(cls, texts: Iterable[str]) -> BigramIndex:
        keys: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        n = 0
        for row, text in enumerate(texts):
            n = row + 1
            grams = grams_of(text)
            if grams:
                keys.append(np.fromiter((code(g) for g in grams), dtype=np.int64, count=len(grams)))
                rows.append(np.full(len(grams), row, dtype=np.int32))
        if not keys:
            return cls(np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int32), n)
        flat, where = np.concatenate(keys), np.concatenate(rows)
        order = np.argsort(flat, kind="stable")  # stable: each key's rows stay ascending
        flat, where = flat[order], where[order]
        uniq, starts = np.unique(flat, return_index=True)
        return cls(uniq, np.append(starts, len(flat)).astype(np.int64), where, n)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("keys", "indptr", "rows"):
            np.save(folder / f"{name}.npy", getattr(self, name))
        np.save(folder / "n.npy", np.array([self.n], dtype=np.int64))

    @classmethod
    def load(cls, folder: Path) -> BigramIndex:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ("keys", "indptr", "rows")}
        return cls(arrays["keys"], arrays["indptr"], arrays["rows"], int(np.load(folder / "n.npy")[0]))

    def _slot(self, gram: str) -> int:
        c = code(gram)
        i = int(np.searchsorted(self.keys, c))
        return i if i < len(self.keys) and int(self.keys[i]) == c else -1

    def df(self, gram: str) -> int:
        """How many chunks hold the bigram."""
        i = self._slot(gram)
        return 0 if i < 0 else int(self.indptr[i + 1] - self.indptr[i])

    def rows_with_all(self, grams: Iterable[str]) -> np.ndarray:
        """Chunk rows that hold every one of the bigrams (rarest first, so the lists shrink fast)."""
        slots = [self._slot(g) for g in set(grams)]
        if any(i < 0 for i in slots):
            return np.zeros(0, np.int32)
        if not slots:
            return np.arange(self.n, dtype=np.int32)
        slots.sort(key=lambda i: self.indptr[i + 1] - self.indptr[i])
        found = np.asarray(self.rows[self.indptr[slots[0]]:self.indptr[slots[0] + 1]])
        for i in slots[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, self.rows[self.indptr[i]:self.indptr[i + 1]], assume_unique=True)
        return found
