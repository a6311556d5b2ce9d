"""Immutable segments: each update writes only the documents it embedded, as one new segment.

    segments/seg-000004/   meta.json, documents.jsonl, texts.jsonl (+ .idx.npy), chunks.jsonl (+ .idx.npy),
                           doc_of_row.npy, dense.faiss, terms/ + doclen.npy (BM25), bigrams/

A segment is never changed once written. A generation lists its segments and, for each, the
documents deleted from it since (tombstones); merges copy live rows into a new segment without
re-embedding or re-tokenizing. Chunk records and document texts are read on demand by row, so
loading a segment parses nothing but its document list.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, IndexStateError
from assistant.core.records import Chunk
from assistant.index import lexical
from assistant.index.grams import BigramIndex
from assistant.index.postings import Postings
from assistant.index.records import DocEntry

PREFIX = "seg-"


class Lines:
    """Lines of a JSONL file read by number through an offsets array (both memory-mapped)."""

    def __init__(self, path: Path):
        self.path = path
        self.offsets = np.load(path.with_suffix(".idx.npy"), mmap_mode="r")
        size = path.stat().st_size
        if len(self.offsets) < 1 or int(self.offsets[-1]) != size:
            raise ValueError(f"{path.name} is not the size its offsets say")
        self._data = np.memmap(path, dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        return self._data[int(self.offsets[i]):int(self.offsets[i + 1])].tobytes()

    def __getitem__(self, i: int):
        return _parse(self.raw(i), self.path)

    @staticmethod
    def write(path: Path, lines: Sequence[bytes]) -> None:
        offsets = np.zeros(len(lines) + 1, np.int64)
        with open(path, "wb") as f:
            for i, line in enumerate(lines):
                f.write(line)
                offsets[i + 1] = offsets[i] + len(line)
        np.save(path.with_suffix(".idx.npy"), offsets)


def _parse(line: bytes, path: Path):
    """A record read on demand; a damaged one is the index's damage, worded at the edge like any other."""
    try:
        return json.loads(line)
    except ValueError:
        raise IndexStateError(Code.INDEX_DAMAGED, folder=path.parent.parent.parent, detail=path.name) from None


def _line(record) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


class Segment:
    """One segment, loaded (or, for an index of the first format, held in memory until rewritten)."""

    def __init__(self, path: Path | None, docs: list[DocEntry], doc_of_row: np.ndarray, dense,
                 terms: Postings, doclen: np.ndarray, grams: BigramIndex,
                 chunk_line: Callable[[int], bytes], text_at: Callable[[int], str]):
        self.path = path  # None: not on disk yet
        self.name = path.name if path else None
        self.docs = docs
        self.doc_of_row = doc_of_row
        self.dense = dense  # faiss.IndexFlatIP; ids are the segment's rows
        self.terms = terms
        self.doclen = doclen
        self.grams = grams
        self.chunk_line = chunk_line
        self.text_at = text_at

    @property
    def rows(self) -> int:
        return len(self.doc_of_row)

    def chunk(self, row: int) -> Chunk:
        rec = _parse(self.chunk_line(row), (self.path or Path("segments/memory")) / "chunks.jsonl")
        try:
            return Chunk.from_dict(rec)
        except TypeError:
            raise IndexStateError(Code.INDEX_DAMAGED, folder=(self.path or Path(".")).parent.parent,
                                  detail="chunks.jsonl") from None

    def alive(self, dead: frozenset[str]) -> np.ndarray:
        """Which rows are live once the documents in `dead` (keys) are deleted."""
        gone = [i for i, d in enumerate(self.docs) if d.key in dead]
        if not gone:
            return np.ones(self.rows, bool)
        return ~np.isin(self.doc_of_row, np.asarray(gone, np.int32))

    @classmethod
    def load(cls, folder: Path) -> Segment:
        import faiss

        docs = [DocEntry(**json.loads(line)) for line in (folder / "documents.jsonl").read_text("utf-8").splitlines()]
        chunks, texts = Lines(folder / "chunks.jsonl"), Lines(folder / "texts.jsonl")
        doc_of_row = np.load(folder / "doc_of_row.npy", mmap_mode="r")
        dense = faiss.read_index(str(folder / "dense.faiss"), getattr(faiss, "IO_FLAG_MMAP_IFC", 0))  # mapped, not read
        seg = cls(folder, docs, doc_of_row, dense, Postings.load(folder / "terms"),
                  np.load(folder / "doclen.npy", mmap_mode="r"), BigramIndex.load(folder / "bigrams"),
                  chunks.raw, texts.__getitem__)
        if not (dense.ntotal == seg.rows == len(chunks) == seg.terms.n == seg.grams.n == len(seg.doclen)) \
                or len(texts) != len(docs):
            raise ValueError("segment parts disagree")
        return seg

    @classmethod
    def in_memory(cls, docs: list[DocEntry], chunks: list[Chunk], tokens: list[list[str]], dense,
                  grams: BigramIndex | None = None) -> Segment:
        """A segment not yet written (an index of the first format, read whole)."""
        index_of = {d.source: i for i, d in enumerate(docs)}
        doc_of_row = np.fromiter((index_of[c.source] for c in chunks), np.int32, len(chunks))
        lines = [_line(c.to_dict()) for c in chunks]
        terms = Postings.from_rows((lexical.term_keys(t) for t in tokens), with_counts=True)
        doclen = np.fromiter((len(t) for t in tokens), np.int32, len(tokens))
        texts = [d.text for d in docs]
        return cls(None, [replace(d, text="") for d in docs], doc_of_row, dense, terms, doclen,
                   grams or BigramIndex.build(c.text for c in chunks), lines.__getitem__, texts.__getitem__)


def next_name(root: Path) -> str:
    numbers = [int(p.name.lstrip(".").split("-")[1].split(".")[0]) for p in root.glob("*seg-*")] if root.is_dir() else []
    return f"{PREFIX}{max(numbers, default=0) + 1:06d}"


def write_new(root: Path, docs: list[DocEntry], chunks: list[list[Chunk]], vectors: list[np.ndarray],
              dim: int) -> Segment:
    """A segment of freshly embedded documents (entries with their text; chunks and vectors per document)."""
    flat = [c for cs in chunks for c in cs]
    tokens = [lexical.tokenize(lexical.lexical_text(c)) for c in flat]
    terms = Postings.from_rows((lexical.term_keys(t) for t in tokens), with_counts=True)
    grams = BigramIndex.build(c.text for c in flat)
    doc_of_row = np.concatenate([np.full(len(cs), i, np.int32) for i, cs in enumerate(chunks)]) if flat \
        else np.zeros(0, np.int32)
    for d, cs in zip(docs, chunks, strict=True):
        d.chunk_ids = [c.chunk_id for c in cs]
    matrix = np.vstack(vectors).astype("float32") if flat else np.zeros((0, dim), "float32")
    return _write(root, docs, [d.text for d in docs], [_line(c.to_dict()) for c in flat], doc_of_row, matrix,
                  terms, np.fromiter((len(t) for t in tokens), np.int32, len(tokens)), grams)


def merge(root: Path, parts: Sequence[tuple[Segment, frozenset[str]]]) -> Segment:
    """One segment holding the live documents and rows of several (their tombstones applied)."""
    docs, texts, lines, vecs, doclens, doc_rows = [], [], [], [], [], []
    term_parts, gram_parts = [], []
    start = 0
    for seg, dead in parts:
        keep_docs = [i for i, d in enumerate(seg.docs) if d.key not in dead]
        doc_map = np.full(len(seg.docs), -1, np.int32)
        doc_map[keep_docs] = np.arange(len(docs), len(docs) + len(keep_docs), dtype=np.int32)
        docs.extend(seg.docs[i] for i in keep_docs)
        texts.extend(seg.text_at(i) for i in keep_docs)
        alive = seg.alive(dead)
        live = np.flatnonzero(alive)
        renumber = np.full(seg.rows, -1, np.int64)
        renumber[live] = np.arange(start, start + len(live))
        start += len(live)
        lines.extend(seg.chunk_line(int(r)) for r in live)
        if seg.rows:
            vecs.append(seg.dense.reconstruct_n(0, seg.rows)[live])
        doclens.append(np.asarray(seg.doclen)[live])
        doc_rows.append(doc_map[np.asarray(seg.doc_of_row)[live]])
        term_parts.append((seg.terms, renumber))
        gram_parts.append((seg.grams, renumber))
    dim = parts[0][0].dense.d
    terms = Postings.merge(term_parts, with_counts=True)
    grams = BigramIndex.of(Postings.merge(gram_parts, with_counts=False))
    matrix = np.vstack(vecs).astype("float32") if vecs else np.zeros((0, dim), "float32")
    return _write(root, docs, texts, lines, np.concatenate(doc_rows).astype(np.int32), matrix, terms,
                  np.concatenate(doclens).astype(np.int32), grams)


def _write(root: Path, docs: list[DocEntry], texts: list[str], chunk_lines: list[bytes], doc_of_row: np.ndarray,
           matrix: np.ndarray, terms: Postings, doclen: np.ndarray, grams: BigramIndex) -> Segment:
    """Write a segment beside the others under a temporary name, fsync it, then give it its name."""
    import faiss

    root.mkdir(parents=True, exist_ok=True)
    name = next_name(root)
    tmp = root / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / "documents.jsonl").write_bytes(b"".join(_line({**asdict(d), "text": ""}) for d in docs))
    Lines.write(tmp / "texts.jsonl", [_line(t) for t in texts])
    Lines.write(tmp / "chunks.jsonl", chunk_lines)
    np.save(tmp / "doc_of_row.npy", doc_of_row)
    dense = faiss.IndexFlatIP(matrix.shape[1])  # exact inner product over normalized vectors
    if len(matrix):
        dense.add(np.ascontiguousarray(matrix))
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    terms.save(tmp / "terms")
    np.save(tmp / "doclen.npy", doclen)
    grams.save(tmp / "bigrams")
    (tmp / "meta.json").write_text(json.dumps({"rows": len(doc_of_row), "documents": len(docs),
                                               "dim": int(matrix.shape[1])}), "utf-8")
    fsync_tree(tmp)
    os.rename(tmp, root / name)
    fsync_file(root)
    return Segment.load(root / name)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            fsync_file(p)
    for p in [folder, *(q for q in folder.rglob("*") if q.is_dir())]:
        fsync_file(p)
