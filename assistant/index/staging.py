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


def embed_all(fresh: list[tuple[Document, list[Chunk]]], embedder: Embedder, staging: Staging, report,
              text_of: Callable[[Chunk], str], batch: int, progress=None) -> list[np.ndarray]:
    """Vectors per document; small documents share a batch, each staged when done.

    Sixty-odd lines on purpose: the three cases (staged already, a long document in its own
    batches, small documents sharing one) read best side by side.
    """
    total = sum(len(chunks) for _, chunks in fresh)
    done = 0
    out: list[np.ndarray | None] = [None] * len(fresh)
    if progress and total:
        progress("", 0, total)
    pending: list[int] = []  # documents waiting for the next batch

    def run_batch() -> None:
        nonlocal done
        texts = [text_of(c) for i in pending for c in fresh[i][1]]
        vecs = embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), "float32")
        pos = 0
        for i in pending:
            doc, chunks = fresh[i]
            out[i] = vecs[pos:pos + len(chunks)]
            pos += len(chunks)
            staging.save(doc, out[i])
            report.chunks_embedded += len(chunks)
            done += len(chunks)
        pending.clear()
        if progress:
            progress(fresh[i][0].source, done, total)

    for i, (doc, chunks) in enumerate(fresh):
        vecs = staging.load(doc, len(chunks))
        if vecs is not None:
            out[i] = vecs
            report.chunks_resumed += len(chunks)
            done += len(chunks)
            continue
        if len(chunks) > batch:  # a long document: its own batches, each staged, so a run resumes inside it
            parts = []
            for j in range(0, len(chunks), batch):
                piece = chunks[j:j + batch]
                vecs = staging.load(doc, len(piece), j // batch)
                if vecs is None:
                    vecs = embedder.embed_documents([text_of(c) for c in piece])
                    staging.save(doc, vecs, j // batch)
                    report.chunks_embedded += len(piece)
                else:
                    report.chunks_resumed += len(piece)
                parts.append(vecs)
                if progress:
                    progress(doc.source, done + j + len(piece), total)
            out[i] = np.vstack(parts)
            staging.save(doc, out[i])
            staging.drop_parts(doc, (len(chunks) + batch - 1) // batch)
            done += len(chunks)
            continue
        pending.append(i)
        if sum(len(fresh[k][1]) for k in pending) >= batch:
            run_batch()
    if pending:
        run_batch()
    return [v for v in out if v is not None]
