"""One module per file type, each registering its reader; a new type is one new module here.

A reader takes the file's bytes and returns its text, a title ("" to guess one) and the character
offsets where pages start (() when the format has no pages), as a tuple or as a ReadResult that
also says which pages it read by OCR (how confidently, where each line is) and what it left out.

A reader keeps only what the document shows its reader: hidden text, deleted revisions, comments,
hidden rows and sheets, speaker notes are left out and counted (core.records.Unseen), never mixed
into the body text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.core.records import Aside, ScanPage, Unseen


@dataclass(frozen=True)
class ReadResult:
    text: str
    title: str = ""
    pages: tuple[int, ...] = ()
    scans: tuple[ScanPage, ...] = ()  # the pages read by OCR, their confidence and line boxes
    unseen: tuple[tuple[Unseen, int], ...] = ()  # what the reader left out: the document does not show it
    asides: tuple[Aside, ...] = ()  # speaker notes, comments: kept apart, never in `text`


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Page texts as one text and the offset where each page starts: (["a", "bc"]) -> ("a\nbc", (0, 2))."""
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 1
    return "\n".join(pages), tuple(starts)


_page_hook: Callable[[int, int], None] | None = None


def on_page(hook: Callable[[int, int], None] | None) -> None:
    """Be told (page, pages) after each page a reader OCRs (the progress bar counts a scan's pages)."""
    global _page_hook
    _page_hook = hook


def page_done(page: int, pages: int) -> None:
    if _page_hook is not None:
        _page_hook(page, pages)


Read = Callable[[bytes], "tuple[str, str, tuple[int, ...]] | ReadResult"]
READERS: dict[str, Read] = {}
ZIPPED: set[str] = set()  # containers checked for zip bombs before their reader runs


def register(*suffixes: str, zipped: bool = False) -> Callable[[Read], Read]:
    def add(read: Read) -> Read:
        for s in suffixes:
            READERS[s] = read
            if zipped:
                ZIPPED.add(s)
        return read
    return add


def load() -> dict[str, Read]:
    """Every reader (importing the modules registers them)."""
    from assistant.ingest.formats import docx, html, images, ofd, pdf, sheets, slides, text, worddoc  # noqa: F401

    return READERS
