"""Read files into Documents: .txt .md .html .docx .pdf, with encoding detection.

A file that cannot be read becomes a Skipped record with a reason; it never stops a run.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from assistant.core.errors import Code, InputError
from assistant.core.records import Document

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}
MAX_FILE_BYTES = 200 * 1024 * 1024  # bytes read from any one file
# zip containers (.docx): checked before any parser opens them
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all entries together
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for entries over 1 MB
MAX_ODD_SHARE = 0.08  # decoded text with more control or stray characters than this is binary


class Skip(StrEnum):
    """Why a file was not indexed: a stable code; the words are chosen at the edge."""

    UNSUPPORTED = "unsupported_type"
    NOT_REGULAR = "not_regular_file"
    TOO_LARGE = "too_large"
    ZIP_BOMB = "zip_bomb"
    BINARY = "binary"
    ENCODING = "unknown_encoding"
    ENCRYPTED = "encrypted_pdf"
    NO_TEXT_LAYER = "pdf_no_text_layer"
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
            if p.suffix.lower() in SUPPORTED:
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
                    if Path(name).suffix.lower() in SUPPORTED:
                        found.append(full)
                    else:
                        skipped.append(Skipped(full, f"unsupported file type {Path(name).suffix or '(none)'}",
                                                       Skip.UNSUPPORTED))
        else:
            raise InputError(Code.NO_SUCH_PATH, path=given)
    return found, skipped


def decode_bytes(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16, or GB18030/GBK.

    decode_bytes("中文".encode("gbk")) -> "中文"
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:4096]:
        enc = _utf16_without_bom(data)
        if enc is not None:
            return data.decode(enc, errors="replace")
        if data.count(b"\x00") > max(2, len(data) // 1000):
            raise UnreadableFile("binary file, not text", Skip.BINARY)
        data = data.replace(b"\x00", b"")  # a stray NUL in a text file is dropped, not fatal
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_chinese(text):
            return text
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # fallback detector for the rare other encodings

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile("cannot tell the text encoding", Skip.ENCODING)
    return str(best)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = max(1, len(sample) // 2)
    # ASCII-heavy UTF-16 has zero bytes in one lane; CJK-heavy text decodes cleanly in one order.
    for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros > 0.3 * half:
            return enc
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) // 2 * 2].decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_chinese(text):
            return enc
    return None


def _looks_chinese(text: str) -> bool:
    non_ascii = [c for c in text[:5000] if ord(c) > 127]
    if not non_ascii:
        return True
    cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return cjk / len(non_ascii) > 0.6


_HTML_BLOCKS = ["p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer"]


def _read_html(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup  # HTML to text, tolerant of broken markup

    soup = BeautifulSoup(decode_bytes(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    for level in range(1, 7):  # keep headings visible to the chunker
        for h in soup.find_all(f"h{level}"):
            heading = h.get_text(" ", strip=True)
            h.clear()
            h.append("#" * level + " " + heading)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):  # inline tags stay on their line
        block.insert_after("\n")
    body = soup.body or soup
    text = "\n".join(line.strip() for line in body.get_text("").splitlines() if line.strip())
    return text, title


def _read_docx(stream: io.BytesIO) -> str:
    import docx  # python-docx: paragraphs, heading styles and tables
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(stream)
    lines: list[str] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(el, d)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            m = re.match(r"(?:Heading|标题)\s*(\d)", style)
            lines.append(("#" * int(m.group(1)) + " " + text) if m else text)
        elif tag == "tbl":
            for row in Table(el, d).rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append("\t".join(dict.fromkeys(c for c in cells if c)))
    return "\n".join(lines)


def _read_pdf(stream: io.BytesIO) -> tuple[str, tuple[int, ...]]:
    from pypdf import PdfReader  # pure-Python PDF text layer reader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    reader = PdfReader(stream)
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
    return text, tuple(starts)


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
    if suffix == ".docx":
        check_zip(io.BytesIO(data), suffix)
    title = ""
    pages: tuple[int, ...] = ()
    try:
        if suffix in {".html", ".htm"}:
            text, title = _read_html(data)
        elif suffix == ".docx":
            text = _read_docx(io.BytesIO(data))
        elif suffix == ".pdf":
            text, pages = _read_pdf(io.BytesIO(data))
        else:
            text = decode_bytes(data)
    except UnreadableFile:
        raise
    except Exception as e:  # noqa: BLE001 - damaged docx/pdf raise library-specific errors
        raise UnreadableFile(f"damaged or not a real {suffix} file ({type(e).__name__})", Skip.DAMAGED) from None
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
    )


def read_capped(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit`; never blocks on a pipe or reads a device."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise UnreadableFile(f"cannot open: {e.strerror or e}", Skip.CANNOT_OPEN) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile("not a regular file (a pipe, device or socket)", Skip.NOT_REGULAR)
        if st.st_size > limit:
            raise UnreadableFile(f"larger than {limit // (1024 * 1024)} MB", Skip.TOO_LARGE)
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise UnreadableFile(f"cannot read: {e.strerror or e}", Skip.CANNOT_OPEN) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {limit // (1024 * 1024)} MB", Skip.TOO_LARGE)
    return data


def check_zip(stream: io.BytesIO, suffix: str) -> None:
    """Refuse a zip container whose entries would expand beyond the limits (a zip bomb)."""
    try:
        with zipfile.ZipFile(stream) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(f"damaged or not a real {suffix} file (not a zip container)", Skip.DAMAGED) from None
    finally:
        stream.seek(0)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(f"expands to {total // 1048576} MB when unpacked (limit "
                             f"{MAX_UNZIPPED_BYTES // 1048576} MB): possibly a zip bomb", Skip.ZIP_BOMB)
    for i in infos:
        if i.file_size > MAX_ENTRY_BYTES or (
                i.file_size > 1048576 and i.file_size > MAX_RATIO * max(i.compress_size, 1)):
            raise UnreadableFile(f"part {i.filename} expands to {i.file_size // 1048576} MB from "
                                 f"{i.compress_size // 1024} KB: possibly a zip bomb", Skip.ZIP_BOMB)


_PLAIN = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2100-\u218f\u2460-\u24ff\u2500-\u25ff"
                    r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def odd_share(text: str, sample: int = 20000) -> float:
    """Share of characters that ordinary Chinese or Western text does not use (control, stray scripts)."""
    head = text[:sample]
    if not head:
        return 0.0
    return 1 - len(_PLAIN.findall(head)) / len(head)


def read_all(sources: list[str]) -> Iterator[Document | Skipped]:
    for source in sources:
        try:
            yield read_document(source)
        except UnreadableFile as e:
            yield Skipped(source, str(e), e.code)
