"""The documents of one index as a user manages them: upload, list, delete, re-index.

Uploaded files are copied into `<index>/uploads/` under sanitized names; nothing is written
anywhere else. The chat page calls this; so could any other front door.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import Code, InputError
from assistant.core.records import Unseen, unseen_counts
from assistant.index import audit
from assistant.index.embedding import Embedder
from assistant.index.records import IndexProgress, UpdateReport
from assistant.index.scans import scan_pages
from assistant.index.store import Index
from assistant.ingest.formats import load as readers

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_UNSEEN = {u.value for u in Unseen}  # codes an older index may not know are left out
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    name: str
    size: int
    chunks: int
    added: str
    uploaded: bool  # stored in the index's uploads folder (deleting it removes the copy)
    suspect: tuple[str, ...] = ()  # sentences that address the assistant, hidden from the model
    ocr_pages: tuple[tuple[int, float], ...] = ()  # (page, mean confidence) of the pages read by OCR
    unseen: tuple[tuple[Unseen, int], ...] = ()  # what the reader left out: hidden text, comments, notes…


def safe_name(name: str) -> str:
    """A file name that stays inside a folder: no path parts, control or reserved characters.

    safe_name("../../etc/通知<1>.txt") -> "通知_1_.txt"
    """
    base = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/"))).strip()
    base = _UNSAFE.sub("_", base).lstrip(".").strip() or "document"
    stem, ext = os.path.splitext(base)
    return stem[:100] + ext[:10].lower()


class DocumentStore:
    def __init__(self, index: Index, max_bytes: int = MAX_UPLOAD_BYTES):
        self.index = index
        self.uploads = index.folder / "uploads"
        self.max_bytes = max_bytes

    def check_upload(self, path: str | os.PathLike, name: str | None = None) -> None:
        p = Path(path)
        shown = name or p.name
        if Path(shown).suffix.lower() not in readers():  # the same registry the index reads with
            raise InputError(Code.UPLOAD_TYPE, name=shown, types=" ".join(sorted(readers())))
        size = p.stat().st_size
        if size > self.max_bytes:
            raise InputError(Code.UPLOAD_TOO_LARGE, name=shown, mb=size / 1048576, limit=self.max_bytes / 1048576)

    def store(self, path: str | os.PathLike, name: str | None = None) -> Path:
        """Copy one upload into the uploads folder; a name already taken gets a number."""
        self.check_upload(path, name)
        self.uploads.mkdir(parents=True, exist_ok=True)
        base = safe_name(name or Path(path).name)
        stem, ext = os.path.splitext(base)
        target, n = self.uploads / base, 1
        while target.exists() and not same_bytes(target, Path(path)):
            n += 1
            target = self.uploads / f"{stem}({n}){ext}"
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        return target

    def add(self, files: Iterable[tuple[str, str]], embedder: Embedder, *, chunk_size: int,
            chunk_overlap: int, progress: Callable[[IndexProgress], None] | None = None,
            max_chunks: int = 0, user: str = "", reader=None, asides: tuple[str, ...] = ()) -> UpdateReport:
        """Store (path, original name) uploads and index them; returns the index report.

        A stored upload that cannot be indexed (damaged, a zip bomb, too long) is removed again:
        nothing stays in the uploads folder that the documents list does not show.
        """
        stored = [str(self.store(p, n)) for p, n in files]
        if not stored:
            raise InputError(Code.NO_FILES_CHOSEN)
        try:
            report = self.index.update(stored, embedder, chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                       progress=progress, max_chunks=max_chunks, reader=reader, asides=asides)
        except BaseException:
            self._drop_unindexed(stored)
            raise
        self._drop_unindexed([x.source for x in report.skipped])
        audit.record_report(self.index.folder, user, report)
        return report

    def _drop_unindexed(self, paths: Iterable[str]) -> None:
        listed = {os.path.abspath(d.source) for d in self.list()}
        for p in paths:
            full = os.path.abspath(p)
            if self._is_upload(full) and full not in listed:
                Path(full).unlink(missing_ok=True)

    def list(self) -> list[DocumentInfo]:
        if not self.index.exists():
            return []
        state = self.index.load()
        out = []
        for d in state.docs.values():
            out.append(DocumentInfo(source=d.source, name=os.path.basename(d.source), size=d.size,
                                    chunks=len(d.chunk_ids), added=d.added.replace("T", " "),
                                    uploaded=self._is_upload(d.key), suspect=tuple(d.suspect),
                                    ocr_pages=tuple((x.page, x.confidence) for x in scan_pages(d)),
                                    unseen=unseen_counts((Unseen(k), n) for k, n in d.unseen.items() if k in _UNSEEN)))
        return sorted(out, key=lambda x: (x.added, x.name), reverse=True)

    def delete(self, source: str, user: str = "") -> UpdateReport:
        """Drop a document from the index; an uploaded copy is deleted too."""
        report = self.index.remove([source])
        if not report.removed:
            raise InputError(Code.DOC_NOT_IN_INDEX, name=os.path.basename(source))
        audit.record_report(self.index.folder, user, report)
        path = Path(source).resolve()
        if self._is_upload(str(path)) and path.is_file():
            path.unlink()
        return report

    def reindex(self, embedder: Embedder, *, chunk_size: int, chunk_overlap: int,
                progress: Callable[[IndexProgress], None] | None = None, max_chunks: int = 0,
                user: str = "", reader=None, asides: tuple[str, ...] = ()) -> UpdateReport:
        """Re-read every indexed file: changed ones are re-embedded, vanished ones dropped."""
        sources = [d.source for d in self.list()]
        if not sources:
            raise InputError(Code.LIBRARY_EMPTY)
        existing = [s for s in sources if os.path.exists(s)]
        report = self.index.update(existing, embedder, chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                   progress=progress, max_chunks=max_chunks, reader=reader, asides=asides,
                                   forget=[s for s in sources if not os.path.exists(s)])
        audit.record(self.index.folder, user, audit.Action.REINDEX, f"{len(existing)} 个文件")
        audit.record_report(self.index.folder, user, report)
        return report

    def _is_upload(self, key: str) -> bool:
        try:
            Path(key).resolve().relative_to(self.uploads.resolve())
            return True
        except ValueError:
            return False


def same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True
