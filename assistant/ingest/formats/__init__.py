"""One module per file type, each registering its reader; a new type is one new module here.

A reader takes the file's bytes and returns its text, a title ("" to guess one) and the character
offsets where pages start (() when the format has no pages).
"""

from __future__ import annotations

from collections.abc import Callable

Read = Callable[[bytes], tuple[str, str, tuple[int, ...]]]
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
    from assistant.ingest.formats import docx, html, ofd, pdf, sheets, slides, text, worddoc  # noqa: F401

    return READERS
