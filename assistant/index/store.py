"""The index folder: FAISS vectors + BM25 + chunk records, updated incrementally and atomically.

Layout of an index folder:
    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          manifest.json, documents.jsonl, chunks.jsonl, dense.faiss, lexical/
    staging/             embeddings of documents finished by an unfinished run (resume)
A run builds the next generation beside the live one and switches CURRENT at the end, so a
crash or Ctrl-C leaves the previous index usable, and the next run reuses staged embeddings.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, IndexStateError
from assistant.core.records import Chunk, Document
from assistant.index import lexical
from assistant.index.embedding import Embedder
from assistant.index.manifest import FORMAT_VERSION, ChunkerSettings, EmbeddingInfo, LexicalInfo, Manifest
from assistant.ingest.chunking import chunk_document
from assistant.ingest.readers import Skip, Skipped, discover, read_all
from assistant.text.injection import suspects

CHUNKER_VERSION = 1


@dataclass
class DocEntry:
    key: str  # absolute path: identity across runs
    source: str  # as the user gave it
    title: str
    sha256: str
    chars: int
    size: int
    added: str
    updated: str
    chunk_ids: list[str] = field(default_factory=list)
    text: str = ""
    suspect: list[str] = field(default_factory=list)  # sentences that address the assistant (hidden from it)


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    suspect: dict[str, list[str]] = field(default_factory=dict)  # source -> sentences hidden from the model
    chunks_embedded: int = 0
    chunks_resumed: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def embed_text(chunk: Chunk) -> str:
    """What the embedder sees: the chunk's own text (a title/heading prefix measured worse)."""
    return chunk.text


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees: the heading path adds the section's topic words to the chunk."""
    return " ".join((*chunk.headings, chunk.text))


class IndexState:
    """One loaded generation; read-only, safe to share between threads."""

    def __init__(self, folder: Path, manifest: Manifest, docs: dict[str, DocEntry],
                 chunks: list[Chunk], tokens: list[list[str]], dense, bm25: lexical.BM25Index,
                 generation: Path | None = None):
        self.folder = folder
        self.generation = generation  # the gen-NNNNNN folder this was loaded from
        self.manifest = manifest
        self.docs = docs
        self.chunks = chunks
        self.tokens = tokens
        self.dense = dense  # faiss.IndexFlatIP over normalized vectors; ids are row numbers
        self.bm25 = bm25
        self.by_source = {d.source: d for d in docs.values()}

    @property
    def embedding(self) -> EmbeddingInfo:
        return self.manifest.embedding

    def doc_text(self, source: str) -> str:
        d = self.by_source.get(source)
        return d.text if d else ""

    def dense_search(self, qvec: np.ndarray, n: int) -> list[tuple[int, float]]:
        if self.dense is None or self.dense.ntotal == 0:
            return []
        scores, ids = self.dense.search(qvec.reshape(1, -1).astype("float32"), min(n, self.dense.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=False) if i >= 0]


class Index:
    """An index folder on disk."""

    embed_batch = 128  # chunks per embedding call; small documents share a call

    def __init__(self, folder: str | os.PathLike, *, notify: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.notify = notify  # told when this run must wait for another one
        self._staging = self.folder / "staging"

    # ---- reading -------------------------------------------------------------------
    def current(self) -> Path | None:
        try:
            name = (self.folder / "CURRENT").read_text("utf-8").strip()
        except OSError:
            return None
        gen = self.folder / name
        return gen if gen.is_dir() else None

    def exists(self) -> bool:
        return self.current() is not None

    def manifest(self) -> Manifest:
        gen = self._require()
        return _read_manifest(gen)

    def _require(self) -> Path:
        gen = self.current()
        if gen is None:
            raise IndexStateError(Code.NO_INDEX, folder=self.folder)
        return gen

    def load(self) -> IndexState:
        import faiss  # dense vector search

        gen = self._require()
        manifest = _read_manifest(gen)
        try:
            docs = {}
            for line in (gen / "documents.jsonl").read_text("utf-8").splitlines():
                d = DocEntry(**json.loads(line))
                docs[d.key] = d
            chunks, tokens = [], []
            for line in (gen / "chunks.jsonl").read_text("utf-8").splitlines():
                rec = json.loads(line)
                chunks.append(Chunk.from_dict(rec["chunk"]))
                tokens.append(rec["tokens"])
            dense = faiss.read_index(str(gen / "dense.faiss"))
            bm25 = lexical.BM25Index.load(gen / "lexical")
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            raise IndexStateError(Code.INDEX_DAMAGED, folder=self.folder, detail=type(e).__name__) from None
        if dense.ntotal != len(chunks):
            raise IndexStateError(Code.INDEX_INCONSISTENT, folder=self.folder)
        return IndexState(self.folder, manifest, docs, chunks, tokens, dense, bm25, generation=gen)

    def check_embedder(self, manifest: Manifest, embedder: Embedder) -> None:
        rec = manifest.embedding
        if rec.fingerprint != embedder.fingerprint:
            raise IndexStateError(Code.INDEX_OTHER_EMBEDDER, folder=self.folder, built=rec.name,
                                  given=embedder.name)

    # ---- writing -------------------------------------------------------------------
    @contextmanager
    def _locked(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if self.notify:
                    self.notify(f"another run is updating the index at {self.folder}; waiting for it to finish…")
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def update(self, paths: list[str], embedder: Embedder, *, chunk_size: int, chunk_overlap: int,
               rebuild: bool = False, progress: Callable[[str, int, int], None] | None = None,
               max_chunks: int = 0) -> UpdateReport:
        """Add new files, re-embed changed ones, drop deleted ones; keep the rest.

        `max_chunks` > 0 skips a file that would make more chunks than that (a runaway file).
        """
        t0 = time.perf_counter()
        files, skipped = discover(paths)
        report = UpdateReport(skipped=list(skipped))
        chunker = ChunkerSettings(chunk_size, chunk_overlap, CHUNKER_VERSION)
        with self._locked():
            self._use_staging(embedder, chunker, clean=rebuild)
            old = None if rebuild or not self.exists() else self.load()
            if old is not None:
                self.check_embedder(old.manifest, embedder)
                if old.manifest.chunker != chunker:
                    raise IndexStateError(Code.INDEX_OTHER_CHUNKER, folder=self.folder,
                                          built=old.manifest.chunker, given=chunker)
            docs: dict[str, DocEntry] = dict(old.docs) if old else {}
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            fresh: list[tuple[Document, list[Chunk]]] = []
            for item in read_all(files):
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                    continue
                key = os.path.abspath(item.source)
                prev = docs.get(key)
                if prev and prev.sha256 == item.sha256:
                    report.unchanged.append(item.source)
                    continue
                chunks = chunk_document(item, chunk_size, chunk_overlap)
                if max_chunks and len(chunks) > max_chunks:
                    report.skipped.append(Skipped(item.source, f"too long: {len(chunks):,} chunks, over the limit of "
                                                  f"{max_chunks:,} per file (split the file, or raise max_chunks_per_file)",
                                                  Skip.TOO_MANY_CHUNKS))
                    continue
                (report.updated if prev else report.added).append(item.source)
                fresh.append((item, chunks))
                flagged = suspects(item.text)
                if flagged:
                    report.suspect[item.source] = flagged
                docs[key] = DocEntry(
                    key=key, source=item.source, title=item.title, sha256=item.sha256,
                    chars=len(item.text), size=_size(item.source),
                    added=prev.added if prev else now, updated=now, text=item.text, suspect=flagged,
                )
            for key in list(docs):
                if not os.path.exists(key):
                    report.removed.append(docs.pop(key).source)
            if not report.changed and old is not None:
                report.seconds = time.perf_counter() - t0
                return report
            vectors = self._embed(fresh, embedder, report, progress)
            self._commit(old, docs, fresh, vectors, embedder, chunker)
            self._clear_staging()
        report.seconds = time.perf_counter() - t0
        return report

    def remove(self, sources: Iterable[str]) -> UpdateReport:
        """Drop documents by source or path; they are never retrieved again."""
        report = UpdateReport()
        wanted = {os.path.abspath(s) for s in sources} | set(sources)
        with self._locked():
            old = self.load()
            docs = {k: d for k, d in old.docs.items() if k not in wanted and d.source not in wanted}
            report.removed = [d.source for k, d in old.docs.items() if k not in docs]
            if report.removed:
                self._commit(old, docs, [], [], None, old.manifest.chunker)
        return report

    def _use_staging(self, embedder: Embedder, chunker: ChunkerSettings, *, clean: bool) -> None:
        """Staged vectors live under a key of the embedder and chunker that made them.

        Vectors staged by an interrupted run with another model or other chunk settings are
        never mixed in; they are dropped. `clean` (a rebuild) drops everything staged.
        """
        key = hashlib.sha256(f"{embedder.fingerprint}\0{json.dumps(asdict(chunker), sort_keys=True)}".encode()).hexdigest()[:16]
        root = self.folder / "staging"
        if root.is_dir():
            for stale in root.iterdir():
                if clean or stale.name != key:
                    shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        self._staging = root / key

    def _staged_path(self, doc: Document, part: int | None = None) -> Path:
        name = doc.sha256[:32] + ("" if part is None else f".part{part:05d}")
        return self._staging / f"{name}.npy"

    def _stage(self, doc: Document, vecs: np.ndarray, part: int | None = None) -> None:
        staged = self._staged_path(doc, part)
        tmp = staged.with_suffix(".tmp.npy")
        np.save(tmp, vecs)
        os.replace(tmp, staged)

    def _embed(self, fresh, embedder: Embedder, report: UpdateReport, progress) -> list[np.ndarray]:
        """Vectors per document; small documents share a batch, each is staged when done."""
        batch = self.embed_batch
        total = sum(len(chunks) for _, chunks in fresh)
        done = 0
        out: list[np.ndarray | None] = [None] * len(fresh)
        self._staging.mkdir(parents=True, exist_ok=True)
        if progress and total:
            progress("", 0, total)
        pending: list[int] = []  # documents waiting for the next batch

        def run_batch() -> None:
            nonlocal done
            texts = [embed_text(c) for i in pending for c in fresh[i][1]]
            vecs = embedder.embed_documents(texts) if texts else np.zeros((0, embedder.dim), "float32")
            pos = 0
            for i in pending:
                doc, chunks = fresh[i]
                out[i] = vecs[pos:pos + len(chunks)]
                pos += len(chunks)
                self._stage(doc, out[i])
                report.chunks_embedded += len(chunks)
                done += len(chunks)
            pending.clear()
            if progress:
                progress(fresh[i][0].source, done, total)

        for i, (doc, chunks) in enumerate(fresh):
            vecs = _load_staged(self._staged_path(doc), len(chunks))
            if vecs is not None:
                out[i] = vecs
                report.chunks_resumed += len(chunks)
                done += len(chunks)
                continue
            if len(chunks) > batch:  # a long document: its own batches, each staged, so a run resumes inside it
                parts = []
                for j in range(0, len(chunks), batch):
                    piece = chunks[j:j + batch]
                    vecs = _load_staged(self._staged_path(doc, j // batch), len(piece))
                    if vecs is None:
                        vecs = embedder.embed_documents([embed_text(c) for c in piece])
                        self._stage(doc, vecs, j // batch)
                        report.chunks_embedded += len(piece)
                    else:
                        report.chunks_resumed += len(piece)
                    parts.append(vecs)
                    if progress:
                        progress(doc.source, done + j + len(piece), total)
                out[i] = np.vstack(parts)
                self._stage(doc, out[i])
                for j in range(0, len(chunks), batch):
                    self._staged_path(doc, j // batch).unlink(missing_ok=True)
                done += len(chunks)
                continue
            pending.append(i)
            if sum(len(fresh[k][1]) for k in pending) >= batch:
                run_batch()
        if pending:
            run_batch()
        return [v for v in out if v is not None]

    def _commit(self, old: IndexState | None, docs: dict[str, DocEntry],
                fresh: list[tuple[Document, list[Chunk]]], vectors: list[np.ndarray],
                embedder: Embedder | None, chunker: dict) -> None:
        import faiss

        fresh_keys = {os.path.abspath(d.source) for d, _ in fresh}
        keep_rows: list[int] = []
        chunks: list[Chunk] = []
        tokens: list[list[str]] = []
        if old:
            live = {k for k in docs if k not in fresh_keys}
            live_sources = {docs[k].source for k in live}
            for row, c in enumerate(old.chunks):
                if c.source in live_sources:
                    keep_rows.append(row)
                    chunks.append(c)
                    tokens.append(old.tokens[row])
        if embedder is None:
            emb = old.manifest.embedding
        else:
            path = str(Path(embedder.path).resolve()) if hasattr(embedder, "path") else ""
            emb = EmbeddingInfo(embedder.name, embedder.fingerprint, embedder.dim,
                                path or (old.manifest.embedding.path if old else ""))
        dim = emb.dim
        parts = [old.dense.reconstruct_n(0, old.dense.ntotal)[keep_rows]] if old and keep_rows else []
        for (_doc, doc_chunks), vecs in zip(fresh, vectors, strict=False):
            chunks.extend(doc_chunks)
            tokens.extend(lexical.tokenize(lexical_text(c)) for c in doc_chunks)
            parts.append(vecs)
        for d in docs.values():
            d.chunk_ids = []
        by_source = {d.source: d for d in docs.values()}
        for c in chunks:
            by_source[c.source].chunk_ids.append(c.chunk_id)
        matrix = np.vstack(parts).astype("float32") if parts else np.zeros((0, dim), "float32")
        dense = faiss.IndexFlatIP(dim)  # exact inner product; ids are row numbers
        if len(matrix):
            dense.add(matrix)
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        manifest = Manifest(FORMAT_VERSION, emb, chunker, LexicalInfo(lexical.TOKENIZER_VERSION, "bm25s k1=1.2 b=0.75"),
                            created=old.manifest.created if old else now, updated=now, documents=len(docs),
                            chunks=len(chunks))
        self._write_generation(manifest, docs, chunks, tokens, dense, lexical.BM25Index.build(tokens))

    def _write_generation(self, manifest, docs, chunks, tokens, dense, bm25) -> None:
        import faiss

        cur = self.current()
        n = int(cur.name.split("-")[1]) + 1 if cur else 1
        name = f"gen-{n:06d}"
        tmp = self.folder / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        _write_lines(tmp / "documents.jsonl", (asdict(d) for d in docs.values()))
        _write_lines(tmp / "chunks.jsonl", ({"chunk": c.to_dict(), "tokens": t} for c, t in zip(chunks, tokens, strict=False)))
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        bm25.save(tmp / "lexical")
        (tmp / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1), "utf-8")
        _fsync_tree(tmp)
        os.rename(tmp, self.folder / name)
        pointer = self.folder / "CURRENT.tmp"
        pointer.write_text(name + "\n", "utf-8")
        _fsync_file(pointer)
        os.replace(pointer, self.folder / "CURRENT")
        _fsync_file(self.folder)
        # keep the previous generation for readers that are still loading it
        for old in sorted(self.folder.glob("gen-*"))[:-2]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.folder.glob(".gen-*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)

    def _clear_staging(self) -> None:
        """Staged embeddings are committed now; the next run starts clean."""
        shutil.rmtree(self.folder / "staging", ignore_errors=True)


def _read_manifest(gen: Path) -> Manifest:
    try:
        data = json.loads((gen / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise IndexStateError(Code.MANIFEST_DAMAGED, folder=gen) from None
    return Manifest.from_dict(data, gen.parent)


def _load_staged(path: Path, rows: int) -> np.ndarray | None:
    try:
        vecs = np.load(path)
    except (OSError, ValueError):
        return None
    return vecs if vecs.shape[0] == rows else None


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _write_lines(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            _fsync_file(p)
    _fsync_file(folder)
