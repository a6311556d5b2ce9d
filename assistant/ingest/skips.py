"""Why a file was not indexed: a stable code and one English line; the words shown are chosen at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Skip(StrEnum):
    """Why a file was not indexed: a stable code; the words are chosen at the edge."""

    UNSUPPORTED = "unsupported_type"
    NOT_REGULAR = "not_regular_file"
    TOO_LARGE = "too_large"
    ZIP_BOMB = "zip_bomb"
    BINARY = "binary"
    ENCODING = "unknown_encoding"
    ENCRYPTED = "encrypted_pdf"  # PDF or OFD: the value stays as first written, reports keep it
    NO_TEXT_LAYER = "pdf_no_text_layer"  # PDF or OFD without text
    TOO_MANY_PAGES = "too_many_pages"
    OCR_UNAVAILABLE = "ocr_unavailable"
    TIMEOUT = "timeout"
    CRASHED = "reader_crashed"
    CANNOT_OPEN = "cannot_open"
    DAMAGED = "damaged"
    EMPTY = "empty"
    TOO_MANY_CHUNKS = "too_many_chunks"


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str  # one English line with the details
    code: Skip = Skip.DAMAGED


class UnreadableFile(Exception):
    """Raised inside this module; turned into a Skipped record."""

    def __init__(self, reason: str, code: Skip):
        super().__init__(reason)
        self.code = code
