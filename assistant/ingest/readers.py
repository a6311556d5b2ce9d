"""Read files into Documents through the reader registered for their type (ingest/formats/).

A file that cannot be read becomes a Skipped record with a reason; it never stops a run.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

from assistant.core.errors import Code, InputError
from assistant.core.records import Document
from assistant.ingest.encoding import decode_bytes
from assistant.ingest.formats import ZIPPED, ReadResult, load
from assistant.ingest.safety import MAX_ODD_SHARE, check_zip, odd_share, read_capped
from assistant.ingest.skips import Skip, Skipped, UnreadableFile

__all__ = ["Skip", "Skipped", "UnreadableFile", "decode_bytes", "discover", "guess_title",
           "read_all", "read_document"]

def discover(paths: list[str]) -> tuple[list[str], list[Skipped]]:
    """Files to read under the given paths (folders recursively), as path strings.

    Each returned string starts with the path the user gave, so it keeps the file name
    and reads the way the user wrote it: discover(["docs"]) -> ["docs/a.txt", ...].
    """
    found: list[str] = []
    skipped: list[Skipped] = []
    for given in paths:
        p = Path(given)
        if p.exists() and not (p.is_file() or p.is_dir()):
            skipped.append(Skipped(given, "not a regular file (a pipe, device or socket)", Skip.NOT_REGULAR))
        elif p.is_file():
            if p.suffix.lower() in load():
                found.append(given)
            else:
                skipped.append(Skipped(given, f"unsupported file type {p.suffix or '(none)'}", Skip.UNSUPPORTED))
        elif p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name.startswith("~$"):
                        continue  # hidden files and Office lock files
                    full = os.path.join(root, name)
                    if Path(name).suffix.lower() in load():
                        found.append(full)
                    else:
                        skipped.append(Skipped(full, f"unsupported file type {Path(name).suffix or '(none)'}",
                                                       Skip.UNSUPPORTED))
        else:
            raise InputError(Code.NO_SUCH_PATH, path=given)
    return found, skipped


def guess_title(text: str, fallback: str) -> str:
    """First heading or first short line: guess_title("# 通知\\n正文", "x") -> "通知"."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if len(line) >= 4 and not line.endswith(("：", ":")):  # skip "同志们：" salutations
            head = re.split(r"[\u3000]{1,}|\s{2,}", line)[0].strip()
            return head[:60] if head else fallback
    return fallback


def read_document(source: str) -> Document:
    """One file as a Document; raises UnreadableFile with a reason a user understands."""
    path = Path(source)
    data = read_capped(path)
    suffix = path.suffix.lower()
    readers = load()
    if suffix in ZIPPED:
        check_zip(io.BytesIO(data), suffix)
    read = readers.get(suffix, readers[".txt"])
    try:
        out = read(data)
        out = out if isinstance(out, ReadResult) else ReadResult(*out)
    except UnreadableFile:
        raise
    except Exception as e:  # noqa: BLE001 - damaged docx/pdf raise library-specific errors
        raise UnreadableFile(f"damaged or not a real {suffix} file ({type(e).__name__})", Skip.DAMAGED) from None
    text, title, pages = out.text, out.title, out.pages
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise UnreadableFile("no text in file", Skip.EMPTY)
    if odd_share(text) > MAX_ODD_SHARE:
        raise UnreadableFile("binary file, not text", Skip.BINARY)
    return Document(
        source=source,
        title=title or guess_title(text, path.stem),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        pages=pages,
        scans=out.scans,
        unseen=out.unseen,
        asides=out.asides,
    )


def read_all(sources: list[str]) -> Iterator[Document | Skipped]:
    for source in sources:
        try:
            yield read_document(source)
        except UnreadableFile as e:
            yield Skipped(source, str(e), e.code)
