"""What the rest of the assistant needs from a store engine: the seam a second engine plugs into.

Two engines implement both protocols: the folder of segments (`store.Index`, `state.IndexState`) and
Milvus (`milvus_store.MilvusStore`, `milvus_state.MilvusState`); tests/fakes.py has an in-memory one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.core.records import Chunk
from assistant.index.embedding import Embedder
from assistant.index.manifest import Manifest


@runtime_checkable
class LoadedIndex(Protocol):
    """One loaded, read-only generation: chunks, and scores for a question against them."""

    manifest: Manifest
    chunks: list[Chunk]
    generation: Path | None

    def dense_search(self, qvec: np.ndarray, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """(row, cosine) of the n chunks nearest the question vector, best first; only rows in `allowed`
        when it is given."""
        ...

    def dense_score(self, row: int, qvec: np.ndarray) -> float:
        """Cosine of one chunk with the question vector."""
        ...

    def lexical_search(self, query: str, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """(row, BM25 score) of the n chunks that match the question's words best, best first; only rows in
        `allowed` when it is given; rows that share no word with the question are left out."""
        ...

    def doc_text(self, source: str) -> str:
        ...

    def bigram_df(self, gram: str) -> int:
        """How many chunks hold the character bigram (for the IDF that narrows passages)."""
        ...

    def rows_of(self, sources: Iterable[str]) -> set[int]:
        """Rows of the chunks of these documents (a filter on the documents' marks)."""
        ...

    def mentions(self, name: str) -> bool:
        """Whether the documents name it, outside sentences hidden from the model (the name gate)."""
        ...


@runtime_checkable
class Store(Protocol):
    """An index that can be loaded, updated document by document and switched atomically."""

    folder: Path
    notify: Callable[[str], None] | None

    def exists(self) -> bool: ...

    def current(self) -> Path | None: ...

    def manifest(self) -> Manifest: ...

    def load(self) -> LoadedIndex: ...

    def check_embedder(self, manifest: Manifest, embedder: Embedder) -> None: ...

    def update(self, paths: list[str], embedder: Embedder, *, chunk_size: int, chunk_overlap: int,
               rebuild: bool = False, progress=None, max_chunks: int = 0, reader=None, forget=(),
               asides: tuple[str, ...] = ()): ...

    def remove(self, sources) -> object: ...


def top_scores(scores: np.ndarray, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """lexical_search over a score for every row: the n best positive ones, ties in row order.

    top_scores(np.array([0.0, 2.0, 1.0]), 5) -> [(1, 2.0), (2, 1.0)]
    """
    if allowed is not None:
        mask = np.zeros(scores.shape, bool)
        mask[list(allowed)] = True
        scores = np.where(mask, scores, 0.0)
    return [(int(i), float(scores[i])) for i in np.argsort(-scores, kind="stable")[:n] if scores[i] > 0]
