"""Reading a hostile file safely: regular files only, capped bytes, zip containers checked before parsing."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from pathlib import Path

from assistant.ingest.skips import Skip, UnreadableFile

MAX_FILE_BYTES = 200 * 1024 * 1024  # bytes read from any one file
# zip containers (.docx): checked before any parser opens them
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all entries together
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for entries over 1 MB
MAX_ODD_SHARE = 0.08  # decoded text with more control or stray characters than this is binary


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
