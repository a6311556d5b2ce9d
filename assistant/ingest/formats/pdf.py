"""PDF text layers, page by page, and OCR for the pages that have none; encrypted files open when they need no password."""

from __future__ import annotations

import io
from dataclasses import replace

from assistant.core.records import Unseen, unseen_counts
from assistant.ingest.formats import ReadResult, page_done, register
from assistant.ingest.formats.images import MAX_OCR_PAGES, pages_text
from assistant.ingest.formats.pdf_visible import page_text
from assistant.ingest.skips import Skip, UnreadableFile

MAX_PAGES = 20_000
MIN_TEXT_LAYER = 20  # characters: a page with less is treated as a scan and read by OCR


@register(".pdf")
def read_pdf(data: bytes) -> ReadResult:
    from pypdf import PdfReader  # pure-Python PDF text layer reader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # many PDFs are encrypted only against editing
        except DependencyError:
            raise UnreadableFile("encrypted PDF (AES): the cryptography package is missing", Skip.ENCRYPTED) from None
        except (FileNotDecryptedError, PdfReadError, ValueError, NotImplementedError):
            opened = 0
        if not opened:
            raise UnreadableFile("encrypted PDF: it needs a password; save an unprotected copy and index that", Skip.ENCRYPTED)
    if len(reader.pages) > MAX_PAGES:
        raise UnreadableFile(f"PDF with {len(reader.pages)} pages (limit {MAX_PAGES})", Skip.TOO_MANY_PAGES)
    pages: list = []  # each page: its text layer's lines, or an OcrPage
    scanned = invisible = 0
    for n, page in enumerate(reader.pages, 1):
        t, hidden = page_text(page)  # what the page shows: invisible, white, tiny or off-page text left out
        t = t.strip()
        invisible += hidden
        if len(t) < MIN_TEXT_LAYER:  # decided page by page: a PDF may mix text pages and scans
            if scanned >= MAX_OCR_PAGES:
                raise UnreadableFile(f"PDF with more than {MAX_OCR_PAGES} scanned pages (the limit for OCR)",
                                     Skip.TOO_MANY_PAGES)
            ocr = _ocr_page(page)
            page_done(n, len(reader.pages))
            if ocr is not None and len(ocr.text) > len(t):
                pages.append(ocr)
                scanned += 1
                continue
        pages.append(t.splitlines())
    out = pages_text(pages)
    if not out.text.strip():
        raise UnreadableFile("PDF has no text layer and OCR found no text", Skip.NO_TEXT_LAYER)
    return replace(out, unseen=unseen_counts({Unseen.INVISIBLE: invisible})) if invisible else out


def _ocr_page(page):
    """OCR of the page's largest embedded image (a scan is one image a page), or None when it has none."""
    from assistant.ingest.ocr import ocr_image

    try:
        images = list(page.images)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on damaged image streams
        return None
    best = None
    for im in images:
        try:
            pil = im.image
        except Exception:  # noqa: BLE001 - an image filter pypdf cannot decode
            continue
        if pil is not None and (best is None or pil.width * pil.height > best.width * best.height):
            best = pil
    if best is None or best.width * best.height < 100 * 100:
        return None
    return ocr_image(best)
