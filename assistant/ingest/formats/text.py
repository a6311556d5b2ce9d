"""Plain text and Markdown."""

from __future__ import annotations

from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import register


@register(".txt", ".md", ".markdown")
def read_text(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    return decode_bytes(data), "", ()
