"""The index folder: FAISS vectors + BM25 + chunk records, updated incrementally and atomically.

Layout of an index folder:
    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          manifest.json: settings, counts, the segments and their tombstones
    segments/seg-000004/ immutable segments: vectors, BM25 postings, bigrams, chunk records (segments.py)
    scans/               page images of scanned documents, shown with the cited lines boxed
    staging/             embeddings of documents finished by an unfinished run (resume)
A run writes only what it embedded, as a new segment, then a new generation that lists it, and switches
CURRENT at the end: adding or removing one file costs that file, not a rewrite of the index. A crash or
Ctrl-C leaves the previous index usable, and the next run reuses staged embeddings.
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
from assistant.index import compaction, legacy, lexical, segments
from assistant.index.embedding import Embedder
from assistant.index.generations import write_generation
from assistant.index.manifest import FORMAT_VERSION, ChunkerSettings, EmbeddingInfo, LexicalInfo, Manifest, SegmentRef
from assistant.index.records import DocEntry, IndexProgress, UpdateReport
from assistant.index.scans import sync_images
from assistant.index.segments import Segment
from assistant.index.staging import Embedding, Staging
from assistant.index.state import IndexState
from assistant.ingest.chunking import chunk_document, with_asides
from assistant.ingest.prefetch import prefetch
from assistant.ingest.readers import Skip, Skipped, discover, read_all
from assistant.text.injection import suspects
from assistant.text.official import read_marks

LOW_CONFIDENCE = 0.85  # a page read by OCR below this mean confidence is listed for a person to check

CHUNKER_VERSION = 1


def embed_text(chunk: Chunk) -> str:
    """What the embedder sees: the chunk's own text (a title/heading prefix measured worse)."""
    return chunk.text


class Index:
    """An index folder on disk."""

    embed_batch = 128  # chunks per embedding call; small documents share a call

    def __init__(self, folder: str | os.PathLike, *, notify: Callable[[str], None] | None = None):
        self.folder = Path(folder)
        self.notify = notify  # told when this run must wait for another one

    def __str__(self) -> str:
        return f"the folder {self.folder}"

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
        gen = self._require()
        manifest = _read_manifest(gen)
        try:
            if manifest.format == 1:
                parts = [(legacy.load_segment(gen), frozenset())]
            else:
                parts = [(Segment.load(self.folder / "segments" / ref.name), frozenset(ref.dead))
                         for ref in manifest.segments]
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            raise IndexStateError(Code.INDEX_DAMAGED, folder=self.folder, detail=type(e).__name__) from None
        state = IndexState(self.folder, manifest, parts, generation=gen)
        if state.size != manifest.chunks or any(p.segment.dense.d != manifest.embedding.dim for p in state.parts):
            raise IndexStateError(Code.INDEX_INCONSISTENT, folder=self.folder)
        return state

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
               max_chunks: int = 0, reader: Callable[[list[str]], Iterator] | None = None,
               forget: Iterable[str] = (), asides: tuple[str, ...] = ()) -> UpdateReport:
        """Add new files, re-embed changed ones, drop deleted ones; keep the rest.

        A document is dropped when its file is gone and it was under one of `paths` (or is named in
        `forget`): a run over one folder never drops another folder's documents because this machine
        cannot see them (a drive not mounted, an index shared with another machine).

        Files are read ahead in a thread (the reader itself may be a worker process) while the embedder
        works on the ones read before. `max_chunks` > 0 skips a file that would make more chunks than
        that (a runaway file). `reader` reads the files (default: in this process; the Library passes a
        worker with time and memory limits). `progress` is told after each file and each batch embedded.
        `asides` (notes, comments) are indexed after each body under their own labels (with_asides).
        """
        t0 = time.perf_counter()
        files, skipped = discover(paths)
        report = UpdateReport(skipped=list(skipped))
        chunker = ChunkerSettings(chunk_size, chunk_overlap, CHUNKER_VERSION, tuple(asides))
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
            seen = {f: _stat(f) for f in files}  # taken before reading: a file changed while it is read is read again
            todo = [f for f in files if not _same_file(seen[f], docs.get(os.path.abspath(f)))]  # the rest: unchanged
            pending = set(todo)
            report.unchanged.extend(f for f in files if f not in pending)
            read = len(files) - len(todo)
            tell()
            for item in prefetch((reader or read_all)(todo)):
                read += 1
                if isinstance(item, Skipped):
                    report.skipped.append(item)
                    tell(source=item.source)
                    continue
                item = with_asides(item, asides)
                entry = self._take(item, docs.get(os.path.abspath(item.source)), now, report, chunk_size,
                                   chunk_overlap, max_chunks, pipeline, seen.get(item.source) or _stat(item.source))
                if entry is not None:
                    docs[entry.key] = entry
                tell(source=item.source)
            roots = [os.path.abspath(p) for p in paths]
            named = {os.path.abspath(f) for f in forget}
            for key in list(docs):
                if (key in named or _under(key, roots)) and not os.path.exists(key):
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
              chunk_overlap: int, max_chunks: int, pipeline: Embedding, stat: tuple[int, int]) -> DocEntry | None:
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
        left_out = {str(k): n for k, n in item.unseen}
        if left_out:
            report.unseen[item.source] = left_out
        if item.ocr_pages:
            report.ocr_pages[item.source] = len(item.ocr_pages)
            low = [n for n, conf in item.ocr_pages if conf < LOW_CONFIDENCE]
            if low:
                report.low_confidence[item.source] = low
        pipeline.add(item, chunks)
        return DocEntry(key=os.path.abspath(item.source), source=item.source, title=item.title, sha256=item.sha256,
                        chars=len(item.text), size=stat[0], mtime=stat[1], added=prev.added if prev else now,
                        updated=now, text=item.text, suspect=flagged, marks=read_marks(item.text).fields(),
                        scans=[x.to_dict() for x in item.scans], unseen=left_out)

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
                embedder: Embedder | None, chunker: ChunkerSettings) -> None:
        """Write the fresh documents as one new segment, tombstone what they replace or what was removed,
        merge segments as the policy says, and switch to the generation that lists them."""
        emb = embedding_info(embedder, old.manifest if old else None)
        fresh_keys = {os.path.abspath(d.source) for d, _ in fresh}
        parts: list[tuple[Segment, frozenset[str]]] = []
        for part in old.parts if old else ():
            gone = {d.key for d in part.segment.docs if d.key not in docs or d.key in fresh_keys}
            parts.append((part.segment, part.dead | gone))
        root = self.folder / "segments"
        if fresh:
            entries = [docs[os.path.abspath(d.source)] for d, _ in fresh]
            parts.append((segments.write_new(root, entries, [cs for _, cs in fresh], vectors, emb.dim), frozenset()))
        parts = _compact(root, parts)
        live = IndexState(self.folder, old.manifest if old else None, parts)
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        manifest = Manifest(FORMAT_VERSION, emb, chunker, LexicalInfo(lexical.TOKENIZER_VERSION, lexical.SCORER),
                            created=old.manifest.created if old else now, updated=now, documents=len(live.docs),
                            chunks=live.size, segments=tuple(SegmentRef(seg.name, tuple(sorted(dead)))
                                                             for seg, dead in parts))
        write_generation(self.folder, self.current(), manifest)
        sync_images(self.folder, live.docs.values())


def embedding_info(embedder: Embedder | None, prev: Manifest | None) -> EmbeddingInfo:
    """What a new generation records of its embedder: the one that embedded it, or (nothing embedded) the
    previous generation's; a model folder's path carries over when the embedder has none."""
    if embedder is None:
        return prev.embedding
    path = str(Path(embedder.path).resolve()) if hasattr(embedder, "path") else ""
    return EmbeddingInfo(embedder.name, embedder.fingerprint, embedder.dim,
                         path or (prev.embedding.path if prev else ""), getattr(embedder, "backend", ""))


def _compact(root: Path, parts: list[tuple[Segment, frozenset[str]]]) -> list[tuple[Segment, frozenset[str]]]:
    """Apply the merge policy: merged groups take the place of their first member."""
    sizes = []
    for seg, dead in parts:
        alive = seg.alive(dead)
        sizes.append((seg.rows, int(alive.sum()), sum(d.key not in dead for d in seg.docs), seg.name is not None))
    groups, drop = compaction.plan(sizes)
    out: dict[int, tuple[Segment, frozenset[str]]] = {i: p for i, p in enumerate(parts) if i not in drop}
    for group in groups:
        merged = segments.merge(root, [parts[i] for i in group])
        for i in group:
            out.pop(i, None)
        out[group[0]] = (merged, frozenset())
    return [out[i] for i in sorted(out)]


def _read_manifest(gen: Path) -> Manifest:
    try:
        data = json.loads((gen / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise IndexStateError(Code.MANIFEST_DAMAGED, folder=gen) from None
    return Manifest.from_dict(data, gen.parent)


def _under(key: str, roots: list[str]) -> bool:
    """Whether the absolute path `key` is one of `roots` or inside one of them."""
    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _same_file(stat: tuple[int, int], prev: DocEntry | None) -> bool:
    """Unchanged by size and modification time, without reading it (git's and rsync's quick check)."""
    return prev is not None and bool(prev.mtime) and stat == (prev.size, prev.mtime)


def _stat(path: str) -> tuple[int, int]:
    """(size, st_mtime_ns); (0, 0) when it cannot be stat-ed."""
    try:
        st = os.stat(path)
    except OSError:
        return 0, 0
    return st.st_size, st.st_mtime_ns
