"""What the rest of the assistant needs from a store engine: the seam a second engine plugs into.

Today's folder of segments (`store.Index`, `state.IndexState`) implements
both protocols; tests/fakes.py has an in-memory one.
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

    def dense_search(self, qvec: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(row, cosine) of the n chunks nearest the question vector, best first."""
        ...

    def dense_score(self, row: int, qvec: np.ndarray) -> float:
        """Cosine of one chunk with the question vector."""
        ...

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (row order) for the question's words."""
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
               rebuild: bool = False, progress=None, max_chunks: int = 0, reader=None): ...

    def remove(self, sources) -> object: ...
