"""The one door for changing what the assistant knows: index files, take uploads, remove, re-index.

The command line, the chat page and batch all come here. It chooses the embedder and the chunk
settings, records who did what (index/audit.py), and makes the Assistant answer from the new
generation at once.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.answer.pipeline import Assistant, make_embedder
from assistant.core.errors import Code, IndexStateError, InputError
from assistant.index import audit
from assistant.index.documents import DocumentInfo, DocumentStore
from assistant.index.embedding import Embedder
from assistant.index.records import IndexProgress, UpdateReport
from assistant.index.stores import open_store
from assistant.index.vector_cache import copy_kept
from assistant.ingest.readers import discover
from assistant.ingest.worker import IsolatedReader, read_here

Progress = Callable[[IndexProgress], None]  # files read, chunks embedded
Pages = Callable[[str, int, int], None]  # (source, page, pages) as a scan is read


class Library:
    def __init__(self, assistant: Assistant, *, notify: Callable[[str], None] | None = None,
                 sentences: Callable[[int, int], None] | None = None):
        self.assistant = assistant
        self.sentences = sentences  # told (done, total) as new passages' sentence vectors are computed
        if notify is not None:
            assistant.index.notify = notify  # told when another run holds the index
        self.store = DocumentStore(assistant.index)

    def _settings(self, pages: Pages | None = None) -> dict:
        s = self.assistant.settings
        if s.file_time_limit:
            reader = IsolatedReader(s.file_time_limit, s.file_memory_mb, pages).read_all
        else:
            reader = functools.partial(read_here, on_page=pages)
        return dict(chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap, max_chunks=s.max_chunks_per_file,
                    reader=reader, asides=s.asides)

    def _embedder(self, rebuild: bool = False) -> Embedder:
        """The index's own embedder; a new index (or a rebuild) takes the one the settings name."""
        if not rebuild:
            try:
                return self.assistant.embedder
            except IndexStateError:  # no index yet
                pass
        return make_embedder(self.assistant.settings, None)

    def _changed(self, report: UpdateReport, embedder: Embedder | None = None) -> UpdateReport:
        if embedder is not None:
            self.assistant.use_embedder(embedder)
        self.assistant.reload()
        if report.changed:  # the new passages' sentence vectors now, so no question waits for them
            t0 = time.perf_counter()
            try:
                report.sentences_prepared = self.assistant.prepare_sentences(self.sentences)
            except IndexStateError:  # nothing left to search
                pass
            report.seconds += time.perf_counter() - t0
        return report

    def index_paths(self, paths: list[str], *, rebuild: bool = False, progress: Progress | None = None,
                    user: str = "", pages: Pages | None = None) -> UpdateReport:
        """Add, update or drop the files under `paths` (the command line's `assistant index`).

        `progress` is told files read and chunks embedded, and `pages` (source, page, pages) as scans are read."""
        files, _ = discover(paths)
        if not files:  # said at once, before any model loads
            raise InputError(Code.NOTHING_READABLE, paths=" ".join(paths))
        embedder = self._embedder(rebuild)
        report = self.assistant.index.update(paths, embedder, rebuild=rebuild, progress=progress, **self._settings(pages))
        audit.record_report(self.assistant.index.folder, user, report)
        return self._changed(report, embedder)

    def copy_index(self, source: Path, *, user: str = "") -> UpdateReport:
        """Every document of the index at `source` into this one's Milvus store, vectors and all."""
        target = self.assistant.index
        if not hasattr(target, "copy_from"):
            raise InputError(Code.STORE_COPY_TARGET)
        report = target.copy_from(open_store(source))
        copy_kept(source, target.folder)  # the second stage's sentence vectors: nothing is embedded again
        audit.record_report(target.folder, user, report)
        return self._changed(report)

    def check_upload(self, path: str, name: str) -> None:
        self.store.check_upload(path, name)

    def upload(self, files: Iterable[tuple[str, str]], *, progress: Progress | None = None,
               user: str = "", pages: Pages | None = None) -> UpdateReport:
        """Keep (path, original name) uploads in the index's uploads folder and index them."""
        embedder = self._embedder()
        return self._changed(self.store.add(files, embedder, progress=progress, user=user, **self._settings(pages)),
                             embedder)

    def remove(self, sources: list[str], *, user: str = "") -> UpdateReport:
        """Drop documents by source or path; they are never retrieved again."""
        report = self.assistant.index.remove(sources)
        audit.record_report(self.assistant.index.folder, user, report)
        return self._changed(report)

    def delete(self, source: str, *, user: str = "") -> UpdateReport:
        """Drop one document; an uploaded copy is deleted too (the page's delete button)."""
        return self._changed(self.store.delete(source, user=user))

    def reindex(self, *, progress: Progress | None = None, user: str = "",
                pages: Pages | None = None) -> UpdateReport:
        """Re-read every indexed file: changed ones re-embedded, vanished ones dropped."""
        return self._changed(self.store.reindex(self._embedder(), progress=progress, user=user,
                                                **self._settings(pages)))

    def documents(self) -> list[DocumentInfo]:
        return self.store.list()
