"""Page images of scanned documents kept in the index (scans/<digest>.jpg), shown on the chat page with the
cited lines boxed. Shared by every generation: a new generation copies in its new pages from the OCR cache
and the images no document uses any more are removed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from assistant.core.records import ScanPage

FOLDER = "scans"


def scan_pages(entry) -> tuple[ScanPage, ...]:
    """A document entry's pages read by OCR."""
    return tuple(ScanPage.from_dict(d) for d in getattr(entry, "scans", None) or ())


def scan_at(entry, page: int | None) -> ScanPage | None:
    """The OCR page of a document at `page` (a single image has no page number: its one scan)."""
    scans = scan_pages(entry)
    if page is None:
        return scans[0] if len(scans) == 1 else None
    return next((s for s in scans if s.page == page), None)


def image_path(index_folder: Path, digest: str) -> Path | None:
    path = index_folder / FOLDER / f"{digest}.jpg"
    return path if digest and path.is_file() else None


def sync_images(index_folder: Path, entries: Iterable, also: Path | None = None) -> None:
    """Copy in each scanned page's display image (from the OCR cache, else from the index folder `also`);
    drop those no document uses."""
    from assistant.ingest.ocr import image_file

    target = index_folder / FOLDER
    wanted = {s.image for e in entries for s in scan_pages(e) if s.image}
    for digest in wanted:
        dst = target / f"{digest}.jpg"
        src = image_file(digest)
        if not src.is_file() and also is not None:
            src = also / FOLDER / f"{digest}.jpg"
        if dst.exists() or not src.is_file():
            continue  # without an image the page shows the recognised text, highlighted
        target.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    if target.is_dir():
        for f in target.iterdir():
            if f.suffix == ".jpg" and f.stem not in wanted or f.suffix == ".tmp":
                f.unlink(missing_ok=True)
