"""PDF text layers, page by page; encrypted files open when they need no password."""

from __future__ import annotations

import io

from assistant.ingest.formats import register
from assistant.ingest.skips import Skip, UnreadableFile


@register(".pdf")
def read_pdf(data: bytes) -> tuple[str, str, tuple[int, ...]]:
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
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in reader.pages:
        starts.append(offset)
        t = (page.extract_text() or "").strip()
        parts.append(t)
        offset += len(t) + 1
    text = "\n".join(parts)
    if not text.strip():
        raise UnreadableFile("PDF has no text layer (scanned?); OCR it first", Skip.NO_TEXT_LAYER)
    return text, "", tuple(starts)
