"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused, overlaps merged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from assistant.answer.rerank import SentenceVectors, rescore
from assistant.core.records import Hit
from assistant.index.embedding import Embedder
from assistant.index.interface import LoadedIndex
from assistant.index.vector_cache import VectorCache

RRF_K = 60


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = RRF_K) -> dict[int, float]:
    """Weighted reciprocal rank fusion of ranked id lists.

    rrf([[1, 2], [2, 3]], [1.0, 1.0], k=0) -> {1: 1.0, 2: 1.5, 3: 0.5}
    """
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=False):
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + w / (k + rank)
    return fused


class Retriever:
    """Settings in the constructor, the query in the call."""

    def __init__(self, state: LoadedIndex, embedder: Embedder, *, top_k: int = 5,
                 candidates: int = 30, dense_weight: float = 0.5, mode: str = "hybrid",
                 fusion: str = "score", rerank: int = 0, sentence_cache: VectorCache | None = None):
        self.state = state
        self.embedder = embedder
        self.top_k = top_k
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.mode = mode  # "hybrid" | "dense" | "lexical"
        self.fusion = fusion  # "score" (normalized scores) | "rrf" (ranks only)
        self.rerank = rerank  # leading fused candidates scored again by their best sentence (hybrid only; 0: off)
        self.sentences = SentenceVectors(embedder, disk=sentence_cache)

    def search(self, query: str, top_k: int | None = None, *, merge: bool = True,
               allowed: set[int] | None = None) -> list[Hit]:
        return self.search_many([query], top_k, merge=merge, allowed=allowed)[0]

    def search_many(self, queries: Sequence[str], top_k: int | None = None, *,
                    merge: bool = True, allowed: set[int] | None = None) -> list[list[Hit]]:
        """Hits for several queries; their embeddings are computed in one batch. `allowed` keeps only those
        chunk rows (a filter on the documents' marks); an empty set finds nothing."""
        k = top_k or self.top_k
        if not self.state.chunks or allowed is not None and not allowed:
            return [[] for _ in queries]
        qvecs = (self.embedder.embed_queries(list(queries)) if self.mode != "lexical"
                 else np.zeros((len(queries), 1), "float32"))
        return [self._one(q, v, k, merge, allowed) for q, v in zip(queries, qvecs, strict=False)]

    def _one(self, query: str, qvec: np.ndarray, k: int, merge: bool, allowed: set[int] | None = None) -> list[Hit]:
        n = max(self.candidates, k * 3)
        dense = []
        if self.mode != "lexical":
            dense = self.state.dense_search(qvec, n, allowed)
        lex = self.state.lexical_search(query, n, allowed) if self.mode != "dense" else []
        lex_of = dict(lex)
        rankings = [[r for r, _ in dense], [r for r, _ in lex]]
        weights = [self.dense_weight, 1.0 - self.dense_weight]
        if self.mode == "dense":
            weights = [1.0, 0.0]
        elif self.mode == "lexical":
            weights = [0.0, 1.0]
        dense_of = dict(dense)
        if self.fusion == "rrf":
            fused = rrf(rankings, weights)
        elif self.fusion == "zscore":
            fused = zscore_fusion(dense, lex, weights)
        elif self.fusion == "adaptive":
            fused = adaptive_fusion(dense, lex, weights)
        else:
            fused = score_fusion(dense, lex, weights)
        order = sorted(fused, key=lambda r: (-fused[r], r))
        if self.rerank and self.mode == "hybrid" and order:
            order, fused = self._rerank(order, dense, lex, qvec, fused, dense_of)
        order = order[: max(k * 2, k + 4)]
        hits = []
        for row in order:
            cos = dense_of.get(row)
            if cos is None and self.mode != "lexical":
                cos = self.state.dense_score(row, qvec)
            hits.append(Hit(self.state.chunks[row], fused[row], cos,
                            lex_of.get(row, 0.0) if self.mode != "dense" else None))
        if merge:
            hits = merge_overlaps(hits, self.state)
        return hits[:k]

    def _rerank(self, order: list[int], dense: list[tuple[int, float]], lex: list[tuple[int, float]],
                qvec: np.ndarray, fused: dict[int, float],
                dense_of: dict[int, float]) -> tuple[list[int], dict[int, float]]:
        """The first `rerank` rows in the order of their three-signal score (rerank.py), then the rest in their
        fused order, scored below the re-scored rows. Fills `dense_of` with the cosines it had to compute."""
        head, tail = order[: self.rerank], order[self.rerank:]
        for r in head:
            if r not in dense_of:
                dense_of[r] = self.state.dense_score(r, qvec)
        best = self.sentences.best(qvec, [self.state.chunks[r].text for r in head])
        scores = rescore(head, dense, lex, dense_of, best)
        head = sorted(head, key=lambda r: (-scores[r], r))
        floor, top = min(scores.values()), fused[tail[0]] if tail else 0.0
        scores.update({r: floor - 1.0 + 0.5 * fused[r] / top if top > 0 else floor - 1.0 for r in tail})
        return head + tail, scores


def score_fusion(dense: list[tuple[int, float]], lex: list[tuple[int, float]],
                 weights: Sequence[float]) -> dict[int, float]:
    """Weighted sum of min-max normalized scores over each side's candidates.

    Unlike rank fusion it keeps the size of a lead: a passage that matches the question's rare
    words far better than any other keeps that advantage.
    score_fusion([(1, 0.9), (2, 0.5)], [(2, 10.0)], [0.5, 0.5]) -> {1: 0.5, 2: 0.5}
    """
    fused: dict[int, float] = {}
    for side, w in zip((dense, lex), weights, strict=True):
        if not side or not w:
            continue
        hi, lo = side[0][1], side[-1][1]
        span = hi - lo
        for row, score in side:
            norm = (score - lo) / span if span > 0 else 1.0
            fused[row] = fused.get(row, 0.0) + w * norm
    return fused


def zscore_fusion(dense: list[tuple[int, float]], lex: list[tuple[int, float]],
                  weights: Sequence[float]) -> dict[int, float]:
    """Weighted sum of each side's standardized scores (z-scores over its candidates).

    A side whose best candidate stands far above the rest speaks loudly; a side whose
    candidates all score alike (no real match) hardly moves the ranking.
    """
    fused: dict[int, float] = {}
    for side, w in zip((dense, lex), weights, strict=True):
        if len(side) < 2 or not w:
            continue
        vals = np.array([v for _, v in side], dtype="float64")
        mu, sd = vals.mean(), vals.std() or 1.0
        floor = (vals.min() - mu) / sd
        for row, score in side:
            fused[row] = fused.get(row, 0.0) + w * ((score - mu) / sd - floor)
    return fused


def adaptive_fusion(dense: list[tuple[int, float]], lex: list[tuple[int, float]],
                    weights: Sequence[float]) -> dict[int, float]:
    """Each side's candidates as a probability: a softmax of its scores at its own spread (their standard
    deviation), weighted and summed.

    The question decides how much each side counts, with no setting per corpus: a side whose leader
    stands several deviations above its other candidates puts nearly all its weight on it; a side whose
    candidates score alike (many passages share the question's words, or none is close in meaning)
    spreads its weight thin and leaves the order to the other side. Min-max and z-score normalization
    stretch every side to the same range, however undecided it is.
    adaptive_fusion([(1, 0.9), (2, 0.1)], [], [1.0, 0.0]) -> {1: 0.881, 2: 0.119}
    """
    fused: dict[int, float] = {}
    for side, w in zip((dense, lex), weights, strict=True):
        if not side or not w:
            continue
        vals = np.array([v for _, v in side], dtype="float64")
        sd = vals.std()
        p = np.exp((vals - vals.max()) / sd) if sd > 0 else np.ones(len(vals))
        p /= p.sum()
        for (row, _), share in zip(side, p, strict=True):
            fused[row] = fused.get(row, 0.0) + w * float(share)
    return fused


def merge_overlaps(hits: list[Hit], state: LoadedIndex) -> list[Hit]:
    """Join hits from one document whose spans overlap or touch; keeps the best rank order."""
    merged: list[Hit] = []
    for h in hits:
        for i, m in enumerate(merged):
            a, b = m.chunk, h.chunk
            if a.source == b.source and b.start <= a.end and a.start <= b.end:
                start, end = min(a.start, b.start), max(a.end, b.end)
                text = state.doc_text(a.source)[start:end] or (a.text if a.start <= b.start else b.text)
                first = a if a.start <= b.start else b
                chunk = replace(first, text=text, start=start, end=end)
                merged[i] = Hit(chunk, max(m.score, h.score), _max(m.dense, h.dense), _max(m.lexical, h.lexical))
                break
        else:
            merged.append(h)
    return merged


def _max(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
