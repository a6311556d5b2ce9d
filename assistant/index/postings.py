"""Inverted lists on disk: which rows hold each key (and how often), sorted, memory-mapped.

The same structure serves BM25 (a key per word, with counts) and the character bigrams (a key per
bigram). A folder of arrays: `keys` (int64, sorted, unique), `indptr` (int64), `rows` (int32,
ascending within a key) and optionally `counts` (uint16); the rows holding keys[i] are
rows[indptr[i]:indptr[i+1]]. Segments are merged by their triples, never by re-reading text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

_EMPTY_KEYS = np.zeros(0, np.int64)


class Postings:
    def __init__(self, keys: np.ndarray, indptr: np.ndarray, rows: np.ndarray, n: int,
                 counts: np.ndarray | None = None):
        self.keys, self.indptr, self.rows, self.n, self.counts = keys, indptr, rows, n, counts

    # ---- building -------------------------------------------------------------------
    @classmethod
    def from_rows(cls, per_row: Iterable[np.ndarray], *, with_counts: bool = False) -> Postings:
        """From each row's keys (repeats are counted when `with_counts`, else collapsed)."""
        keys: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        n = 0
        for row, ks in enumerate(per_row):
            n = row + 1
            if len(ks):
                keys.append(np.asarray(ks, np.int64))
                rows.append(np.full(len(ks), row, np.int32))
        if not keys:
            return cls.empty(n, with_counts)
        return cls.from_triples(np.concatenate(keys), np.concatenate(rows), None, n, with_counts=with_counts)

    @classmethod
    def from_triples(cls, keys: np.ndarray, rows: np.ndarray, counts: np.ndarray | None, n: int, *,
                     with_counts: bool) -> Postings:
        """From (key, row, count) triples in any order; a repeated (key, row) pair adds its counts."""
        if not len(keys):
            return cls.empty(n, with_counts)
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
        counts = np.ones(len(keys), np.int64) if counts is None else counts[order].astype(np.int64)
        new_pair = np.ones(len(keys), bool)
        new_pair[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
        starts = np.flatnonzero(new_pair)
        counts = np.add.reduceat(counts, starts)
        keys, rows = keys[starts], rows[starts]
        uniq, first = np.unique(keys, return_index=True)
        indptr = np.append(first, len(keys)).astype(np.int64)
        kept = np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16) if with_counts else None
        return cls(uniq, indptr, rows.astype(np.int32), n, kept)

    @classmethod
    def empty(cls, n: int, with_counts: bool) -> Postings:
        return cls(_EMPTY_KEYS, np.zeros(1, np.int64), np.zeros(0, np.int32), n,
                   np.zeros(0, np.uint16) if with_counts else None)

    def triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(key, row, count) of every posting, for merging segments."""
        lengths = np.diff(np.asarray(self.indptr))
        keys = np.repeat(np.asarray(self.keys), lengths)
        return keys, np.asarray(self.rows), None if self.counts is None else np.asarray(self.counts)

    @staticmethod
    def merge(parts: Sequence[tuple[Postings, np.ndarray]], *, with_counts: bool) -> Postings:
        """One Postings from several, each with `renumber` (old row -> new row, -1: dropped)."""
        keys, rows, counts, n = [], [], [], 0
        for postings, renumber in parts:
            k, r, c = postings.triples()
            new = renumber[r] if len(r) else r
            keep = new >= 0
            keys.append(k[keep])
            rows.append(new[keep].astype(np.int32))
            counts.append(c[keep] if c is not None else np.ones(int(keep.sum()), np.uint16))
            n = max(n, int(renumber.max(initial=-1)) + 1)
        if not keys:
            return Postings.empty(0, with_counts)
        return Postings.from_triples(np.concatenate(keys), np.concatenate(rows), np.concatenate(counts), n,
                                     with_counts=with_counts)

    # ---- disk -----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("keys", "indptr", "rows", "counts"):
            value = getattr(self, name)
            if value is not None:
                np.save(folder / f"{name}.npy", np.asarray(value))
        np.save(folder / "n.npy", np.array([self.n], dtype=np.int64))

    @classmethod
    def load(cls, folder: Path) -> Postings:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ("keys", "indptr", "rows")}
        counts = np.load(folder / "counts.npy", mmap_mode="r") if (folder / "counts.npy").is_file() else None
        return cls(arrays["keys"], arrays["indptr"], arrays["rows"], int(np.load(folder / "n.npy")[0]), counts)

    # ---- lookups ----------------------------------------------------------------------
    def slot(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, key))
        return i if i < len(self.keys) and int(self.keys[i]) == key else -1

    def size(self, slot: int) -> int:
        return 0 if slot < 0 else int(self.indptr[slot + 1] - self.indptr[slot])

    def rows_of(self, slot: int) -> np.ndarray:
        if slot < 0:
            return np.zeros(0, np.int32)
        return np.asarray(self.rows[self.indptr[slot]:self.indptr[slot + 1]])

    def counts_of(self, slot: int) -> np.ndarray:
        if slot < 0 or self.counts is None:
            return np.zeros(0, np.uint16)
        return np.asarray(self.counts[self.indptr[slot]:self.indptr[slot + 1]])

    def rows_with_all(self, keys: Iterable[int]) -> np.ndarray:
        """Rows that hold every key (rarest first, so the lists shrink fast)."""
        slots = [self.slot(k) for k in set(keys)]
        if any(i < 0 for i in slots):
            return np.zeros(0, np.int32)
        if not slots:
            return np.arange(self.n, dtype=np.int32)
        slots.sort(key=self.size)
        found = self.rows_of(slots[0])
        for i in slots[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, self.rows_of(i), assume_unique=True)
        return found
