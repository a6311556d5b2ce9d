"""Embeddings of documents finished by an unfinished run, kept so the next run resumes.

They live under `staging/<key>/`, the key made from the embedder's fingerprint and the chunker
settings: vectors staged by another model or other chunk settings are never mixed in. A long
document is staged batch by batch, so a run resumes inside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from assistant.core.records import Chunk, Document
from assistant.index.embedding import Embedder
from assistant.index.manifest import ChunkerSettings


class Staging:
    def __init__(self, root: Path, embedder: Embedder, chunker: ChunkerSettings, *, clean: bool = False):
        """Stage under the key of this embedder and chunker; other keys (and, with `clean`, all) are dropped."""
        key = hashlib.sha256(f"{embedder.fingerprint}\0{json.dumps(asdict(chunker), sort_keys=True)}".encode()
                             ).hexdigest()[:16]
        self.root = root
        if root.is_dir():
            for stale in root.iterdir():
                if clean or stale.name != key:
                    shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        self.folder = root / key

    def path(self, doc: Document, part: int | None = None) -> Path:
        name = doc.sha256[:32] + ("" if part is None else f".part{part:05d}")
        return self.folder / f"{name}.npy"

    def save(self, doc: Document, vecs: np.ndarray, part: int | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = self.path(doc, part)
        tmp = staged.with_suffix(".tmp.npy")
        np.save(tmp, vecs)
        os.replace(tmp, staged)

    def load(self, doc: Document, rows: int, part: int | None = None) -> np.ndarray | None:
        try:
            vecs = np.load(self.path(doc, part))
        except (OSError, ValueError):
            return None
        return vecs if vecs.shape[0] == rows else None

    def drop_parts(self, doc: Document, parts: int) -> None:
        for j in range(parts):
            self.path(doc, j).unlink(missing_ok=True)

    def clear(self) -> None:
        """Everything staged is committed now; the next run starts clean."""
        shutil.rmtree(self.root, ignore_errors=True)


class Embedding:
    """Vectors per document as documents arrive; small documents share a batch, each staged when done.

    `add` a document's chunks as soon as it is read: the embedder works while the next files are
    read. A long document gets batches of its own, each staged, so a run resumes inside it.
    """

    def __init__(self, embedder: Embedder, staging: Staging, report, text_of: Callable[[Chunk], str], batch: int,
                 on_chunks: Callable[[int], None] | None = None):
        self.embedder, self.staging, self.report = embedder, staging, report
        self.text_of, self.batch, self.on_chunks = text_of, batch, on_chunks
        self.docs: list[tuple[Document, list[Chunk]]] = []
        self.vectors: list[np.ndarray | None] = []
        self.pending: list[int] = []  # documents waiting for the next shared batch

    def add(self, doc: Document, chunks: list[Chunk]) -> None:
        i = len(self.docs)
        self.docs.append((doc, chunks))
        self.vectors.append(self.staging.load(doc, len(chunks)))
        if self.vectors[i] is not None:
            self.report.chunks_resumed += len(chunks)
            self._tell(len(chunks))
        elif len(chunks) > self.batch:
            self.vectors[i] = self._long(doc, chunks)
        else:
            self.pending.append(i)
            if sum(len(self.docs[k][1]) for k in self.pending) >= self.batch:
                self._shared()

    def finish(self) -> list[np.ndarray]:
        """Embed what waits; the vectors of every document added, in order."""
        if self.pending:
            self._shared()
        return [v for v in self.vectors if v is not None]

    def _tell(self, n: int) -> None:
        if self.on_chunks:
            self.on_chunks(n)

    def _shared(self) -> None:
        texts = [self.text_of(c) for i in self.pending for c in self.docs[i][1]]
        vecs = self.embedder.embed_documents(texts) if texts else np.zeros((0, self.embedder.dim), "float32")
        pos = 0
        for i in self.pending:
            doc, chunks = self.docs[i]
            self.vectors[i] = vecs[pos:pos + len(chunks)]
            pos += len(chunks)
            self.staging.save(doc, self.vectors[i])
            self.report.chunks_embedded += len(chunks)
        self.pending.clear()
        self._tell(len(texts))

    def _long(self, doc: Document, chunks: list[Chunk]) -> np.ndarray:
        parts = []
        for j in range(0, len(chunks), self.batch):
            piece = chunks[j:j + self.batch]
            vecs = self.staging.load(doc, len(piece), j // self.batch)
            if vecs is None:
                vecs = self.embedder.embed_documents([self.text_of(c) for c in piece])
                self.staging.save(doc, vecs, j // self.batch)
                self.report.chunks_embedded += len(piece)
            else:
                self.report.chunks_resumed += len(piece)
            parts.append(vecs)
            self._tell(len(piece))
        whole = np.vstack(parts)
        self.staging.save(doc, whole)
        self.staging.drop_parts(doc, (len(chunks) + self.batch - 1) // self.batch)
        return whole
