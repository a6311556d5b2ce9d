"""The index folder: FAISS vectors + BM25 + chunk records, updated incrementally and atomically.

Layout of an index folder:
    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          manifest.json, documents.jsonl, chunks.jsonl, dense.faiss, lexical/, bigrams/
    scans/               page images of scanned documents, shown with the cited lines boxed
    staging/             embeddings of documents finished by an unfinished run (resume)
A run builds the next generation beside the live one and switches CURRENT at the end, so a
crash or Ctrl-C leaves the previous index usable, and the next run reuses staged embeddings.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, IndexStateError
from assistant.core.records import Chunk, Document
from assistant.index import lexical
from assistant.index.embedding import Embedder
from assistant.index.generations import write_generation
from assistant.index.grams import BigramIndex, grams_of
from assistant.index.manifest import FORMAT_VERSION, ChunkerSettings, EmbeddingInfo, LexicalInfo, Manifest
from assistant.index.records import DocEntry, IndexProgress, UpdateReport
from assistant.index.scans import sync_images
from assistant.index.staging import Embedding, Staging
from assistant.ingest.chunking import chunk_document
from assistant.ingest.prefetch import prefetch
from assistant.ingest.readers import Skip, Skipped, discover, read_all
from assistant.text.injection import suspects
from assistant.text.names import core
from assistant.text.official import read_marks

LOW_CONFIDENCE = 0.85  # a page read by OCR below this mean confidence is listed for a person to check

CHUNKER_VERSION = 1


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
                 generation: Path | None = None, grams: BigramIndex | None = None):
        self.folder = folder
        self.generation = generation  # the gen-NNNNNN folder this was loaded from
        self.manifest = manifest
        self.docs = docs
        self.chunks = chunks
        self.tokens = tokens
        self.dense = dense  # faiss.IndexFlatIP over normalized vectors; ids are row numbers
        self.bm25 = bm25
        self.by_source = {d.source: d for d in docs.values()}
        self.grams = grams or BigramIndex.build(c.text for c in chunks)  # generations before it was kept

    def bigram_df(self, gram: str) -> int:
        """How many chunks hold the character bigram (kept at index time: no scan of the corpus)."""
        return self.grams.df(gram)

    def mentions(self, name: str) -> bool:
        """Whether the documents name it (or it without 市/县/…), outside sentences hidden from the model."""
        for form in dict.fromkeys((name, core(name))):
            for row in self.grams.rows_with_all(grams_of(form)):
                chunk = self.chunks[int(row)]
                text = chunk.text
                doc = self.by_source.get(chunk.source)
                for hidden in doc.suspect if doc else ():
                    text = text.replace(hidden, " ")
                if form in text:
                    return True
        return False

    @property
    def embedding(self) -> EmbeddingInfo:
        return self.manifest.embedding

    def doc_text(self, source: str) -> str:
        d = self.by_source.get(source)
        return d.text if d else ""

    def dense_score(self, row: int, qvec: np.ndarray) -> float:
        return float(self.dense.reconstruct(row) @ qvec)

    def lexical_scores(self, query: str) -> np.ndarray:
        return self.bm25.scores(lexical.tokenize(query))

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
            grams = BigramIndex.load(gen / "bigrams") if (gen / "bigrams").is_dir() else None
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            raise IndexStateError(Code.INDEX_DAMAGED, folder=self.folder, detail=type(e).__name__) from None
        if dense.ntotal != len(chunks):
            raise IndexStateError(Code.INDEX_INCONSISTENT, folder=self.folder)
        if grams is not None and grams.n != len(chunks):
            raise IndexStateError(Code.INDEX_INCONSISTENT, folder=self.folder)
        return IndexState(self.folder, manifest, docs, chunks, tokens, dense, bm25, generation=gen, grams=grams)

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
               rebuild: bool = False, progress: Callable[[IndexProgress], None] | None = None,
               max_chunks: int = 0, reader: Callable[[list[str]], Iterator] | None = None) -> UpdateReport:
        """Add new files, re-embed changed ones, drop deleted ones; keep the rest.

        Files are read ahead in a thread (the reader itself may be a worker process) while the embedder
        works on the ones read before. `max_chunks` > 0 skips a file that would make more chunks than
        that (a runaway file). `reader` reads the files (default: in this process; the Library passes a
        worker with time and memory limits). `progress` is told after each file and each batch embedded.
        """
        t0 = time.perf_counter()
        files, skipped = discover(paths)
        report = UpdateReport(skipped=list(skipped))
        chunker = ChunkerSettings(chunk_size, chunk_overlap, CHUNKER_VERSION)
        with self._locked():
            staging = Staging(self.folder / "staging", embedder, chunker, clean=rebuild)
            old = None if rebuild or not self.exists() else self.load()
            if old is not None:
                self.check_embedder(old.manifest, embedder)
                if old.manifest.chunker != chunker:
                    raise IndexStateError(Code.INDEX_OTHER_CHUNKER, folder=self.folder,
                                          built=old.manifest.chunker, given=chunker)
            docs: dict[str, DocEntry] = dict(old.docs) if old else {}
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            read = embedded = 0

            def tell(n: int = 0, source: str = "") -> None:
                nonlocal embedded
                embedded += n
                if progress:
                    progress(IndexProgress(read, len(files), embedded, source))

            pipeline = Embedding(embedder, staging, report, embed_text, self.embed_batch, on_chunks=tell)
            tell()
            for item in prefetch((reader or read_all)(files)):
                read += 1
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                    tell(source=item.source)
                    continue
                entry = self._take(item, docs.get(os.path.abspath(item.source)), now, report, chunk_size,
                                   chunk_overlap, max_chunks, pipeline)
                if entry is not None:
                    docs[entry.key] = entry
                tell(source=item.source)
            for key in list(docs):
                if not os.path.exists(key):
                    report.removed.append(docs.pop(key).source)
            if not report.changed and old is not None:
                report.seconds = time.perf_counter() - t0
                return report
            vectors = pipeline.finish()
            self._commit(old, docs, pipeline.docs, vectors, embedder if pipeline.docs or old is None else None,
                         chunker)
            staging.clear()
        report.seconds = time.perf_counter() - t0
        return report

    @staticmethod
    def _take(item: Document, prev: DocEntry | None, now: str, report: UpdateReport, chunk_size: int,
              chunk_overlap: int, max_chunks: int, pipeline: Embedding) -> DocEntry | None:
        """A document just read: unchanged, too long, or chunked and handed to the embedder (its entry)."""
        if prev and prev.sha256 == item.sha256:
            report.unchanged.append(item.source)
            return None
        chunks = chunk_document(item, chunk_size, chunk_overlap)
        if max_chunks and len(chunks) > max_chunks:
            report.skipped.append(Skipped(item.source, f"too long: {len(chunks):,} chunks, over the limit of "
                                          f"{max_chunks:,} per file (split the file, or raise max_chunks_per_file)",
                                          Skip.TOO_MANY_CHUNKS))
            return None
        (report.updated if prev else report.added).append(item.source)
        flagged = suspects(item.text)
        if flagged:
            report.suspect[item.source] = flagged
        if item.ocr_pages:
            report.ocr_pages[item.source] = len(item.ocr_pages)
            low = [n for n, conf in item.ocr_pages if conf < LOW_CONFIDENCE]
            if low:
                report.low_confidence[item.source] = low
        pipeline.add(item, chunks)
        return DocEntry(key=os.path.abspath(item.source), source=item.source, title=item.title, sha256=item.sha256,
                        chars=len(item.text), size=_size(item.source), added=prev.added if prev else now,
                        updated=now, text=item.text, suspect=flagged, marks=read_marks(item.text).fields(),
                        scans=[x.to_dict() for x in item.scans])

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
                                path or (old.manifest.embedding.path if old else ""),
                                getattr(embedder, "backend", ""))
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
        write_generation(self.folder, self.current(), manifest, docs, chunks, tokens, dense,
                         lexical.BM25Index.build(tokens), BigramIndex.build(c.text for c in chunks))
        sync_images(self.folder, docs.values())

def _read_manifest(gen: Path) -> Manifest:
    try:
        data = json.loads((gen / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise IndexStateError(Code.MANIFEST_DAMAGED, folder=gen) from None
    return Manifest.from_dict(data, gen.parent)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
