"""One loaded generation: its live segments seen as one index with rows 0..n-1.

Rows are the live rows of each segment in turn (deleted documents' rows have none). Dense search asks
each segment's FAISS index and keeps the best; BM25 takes N, document frequencies and the average
length over all live rows, so scores are those of one index built from the live chunks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from assistant.core.records import Chunk
from assistant.index import lexical
from assistant.index.grams import code, grams_of
from assistant.index.interface import top_scores
from assistant.index.manifest import EmbeddingInfo, Manifest
from assistant.index.records import DocEntry
from assistant.index.segments import Segment
from assistant.text.names import core


class Part:
    """A segment as this generation sees it: its tombstones applied, its rows placed after `start`."""

    def __init__(self, segment: Segment, dead: frozenset[str], start: int):
        self.segment = segment
        self.dead = dead
        alive = segment.alive(dead)
        self.live = np.flatnonzero(alive)  # local rows, ascending
        self.start = start
        self.alive = None if len(self.live) == segment.rows else alive
        self.global_of = np.full(segment.rows, -1, np.int64)
        self.global_of[self.live] = np.arange(start, start + len(self.live))

    def __len__(self) -> int:
        return len(self.live)

    def to_global(self, local: np.ndarray) -> np.ndarray:
        """Global rows of local ones, deleted rows dropped."""
        g = self.global_of[local]
        return g[g >= 0]


class Rows(Sequence[Chunk]):
    """The chunks by row, each read from its segment when asked for."""

    def __init__(self, state: IndexState):
        self._state = state

    def __len__(self) -> int:
        return self._state.size

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        part, local = self._state.locate(int(row))
        return part.segment.chunk(local)

    def __iter__(self) -> Iterator[Chunk]:
        for part in self._state.parts:
            for local in part.live:
                yield part.segment.chunk(int(local))


class IndexState:
    """One loaded generation; read-only, safe to share between threads."""

    def __init__(self, folder: Path, manifest: Manifest, segments: Sequence[tuple[Segment, frozenset[str]]],
                 generation: Path | None = None):
        self.folder = folder
        self.generation = generation  # the gen-NNNNNN folder this was loaded from
        self.manifest = manifest
        self.parts: list[Part] = []
        start = 0
        for seg, dead in segments:
            part = Part(seg, dead, start)
            self.parts.append(part)
            start += len(part)
        self.size = start
        self._starts = np.array([p.start for p in self.parts], np.int64)
        self.docs: dict[str, DocEntry] = {}
        self._doc_at: dict[str, tuple[Part, int]] = {}
        for part in self.parts:
            for i, d in enumerate(part.segment.docs):
                if d.key not in part.dead:
                    self.docs[d.key] = d
                    self._doc_at[d.source] = (part, i)
        self.by_source = {d.source: d for d in self.docs.values()}
        self.chunks = Rows(self)
        lengths = sum(float(np.asarray(p.segment.doclen)[p.live].sum()) for p in self.parts)
        self.avgdl = lengths / self.size if self.size else 1.0

    @property
    def embedding(self) -> EmbeddingInfo:
        return self.manifest.embedding

    @property
    def dim(self) -> int:
        return self.manifest.embedding.dim

    def locate(self, row: int) -> tuple[Part, int]:
        if not 0 <= row < self.size:
            raise IndexError(row)
        part = self.parts[int(np.searchsorted(self._starts, row, side="right")) - 1]  # an empty part's start is its successor's
        return part, int(part.live[row - part.start])

    def vectors(self) -> np.ndarray:
        """Every live row's vector, in row order."""
        out = [p.segment.dense.reconstruct_n(0, p.segment.rows)[p.live] for p in self.parts if p.segment.rows]
        return np.vstack(out) if out else np.zeros((0, self.dim), "float32")

    # ---- documents ---------------------------------------------------------------------
    def doc_text(self, source: str) -> str:
        at = self._doc_at.get(source)
        return at[0].segment.text_at(at[1]) if at else ""

    def rows_of(self, sources: Iterable[str]) -> set[int]:
        """Rows of the chunks of these documents."""
        wanted = set(sources)
        out: set[int] = set()
        for part in self.parts:
            idx = [i for i, d in enumerate(part.segment.docs) if d.source in wanted and d.key not in part.dead]
            if idx:
                local = np.flatnonzero(np.isin(part.segment.doc_of_row, np.asarray(idx, np.int32)))
                out.update(int(g) for g in part.to_global(local))
        return out

    # ---- scores ------------------------------------------------------------------------
    def dense_search(self, qvec: np.ndarray, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        if allowed is not None:  # exact: every row scored, the allowed ones kept
            return [(r, sc) for r, sc in self._dense(qvec, self.size) if r in allowed][:n]
        return self._dense(qvec, n)

    def _dense(self, qvec: np.ndarray, n: int) -> list[tuple[int, float]]:
        import faiss

        q = np.ascontiguousarray(qvec.reshape(1, -1), dtype="float32")
        found: list[tuple[int, float]] = []
        for part in self.parts:
            seg = part.segment
            k = min(n, len(part))
            if not k:
                continue
            params = None
            if part.alive is not None:  # tombstones: search the live rows only
                params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(np.packbits(part.alive, bitorder="little")))
            scores, ids = seg.dense.search(q, k, params=params)
            found.extend((int(part.global_of[i]), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0)
        found.sort(key=lambda x: (-x[1], x[0]))
        return found[:n]

    def dense_score(self, row: int, qvec: np.ndarray) -> float:
        part, local = self.locate(row)
        return float(part.segment.dense.reconstruct(local) @ qvec)

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 of every row for the question's tokens (a repeated token counts again, as in bm25s)."""
        scores = np.zeros(self.size, dtype="float32")
        if not self.size:
            return scores
        for term, times in Counter(lexical.tokenize(query)).items():
            key = lexical.term_key(term)
            hits = []
            for part in self.parts:
                slot = part.segment.terms.slot(key)
                if slot < 0:
                    continue
                local = part.segment.terms.rows_of(slot)
                tf = part.segment.terms.counts_of(slot).astype(np.float32)
                if part.alive is not None:
                    keep = part.alive[local]
                    local, tf = local[keep], tf[keep]
                dl = np.asarray(part.segment.doclen)[local].astype(np.float32)
                hits.append((part.global_of[local], tf, dl))
            df = sum(len(g) for g, _, _ in hits)
            if not df:
                continue
            weight = times * float(lexical.idf(np.float64(df), self.size))
            for rows, tf, dl in hits:
                scores[rows] += (weight * lexical.tf_part(tf, dl, self.avgdl)).astype(np.float32)
        return scores

    def lexical_search(self, query: str, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        return top_scores(self.lexical_scores(query), n, allowed)

    def bigram_df(self, gram: str) -> int:
        """How many live chunks hold the character bigram (kept at index time: no scan of the corpus)."""
        key, total = code(gram), 0
        for part in self.parts:
            slot = part.segment.grams.slot(key)
            if slot < 0:
                continue
            if part.alive is None:
                total += part.segment.grams.size(slot)
            else:
                total += int(part.alive[part.segment.grams.rows_of(slot)].sum())
        return total

    def mentions(self, name: str) -> bool:
        """Whether the documents name it (or it without 市/县/…), outside sentences hidden from the model."""
        for form in dict.fromkeys((name, core(name))):
            for part in self.parts:
                seg = part.segment
                for local in seg.grams.rows_with_grams(grams_of(form)):
                    if part.alive is not None and not part.alive[local]:
                        continue
                    text = seg.chunk(int(local)).text
                    for hidden in seg.docs[int(seg.doc_of_row[local])].suspect:
                        text = text.replace(hidden, " ")
                    if form in text:
                        return True
        return False
