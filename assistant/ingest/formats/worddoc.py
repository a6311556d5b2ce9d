"""Word 97-2003 .doc and WPS .wps (the same binary format), read in pure Python: no LibreOffice, no antiword.

The file is an OLE compound file (olefile opens it). Its text is a list of pieces: the WordDocument
stream's FIB points into the table stream's CLX, whose piece table maps character positions to byte
ranges, each either UTF-16 or 8-bit (MS-DOC 2.4.1). Only the main document text is read (footnotes,
headers and comments follow it); field codes are dropped and their shown results kept.
"""

from __future__ import annotations

import io
import re
import struct

from assistant.ingest.formats import register
from assistant.ingest.skips import Skip, UnreadableFile

WORD_MAGIC = 0xA5EC
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x14\x15]*)\x15|\x13[^\x13\x14\x15]*\x15")
_CONTROL = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": "\t", "\x1e": "-", "\x1f": "",
                          "\xa0": " ", "\x01": "", "\x08": "", "\x02": "", "\x05": ""})


def _fib(word: bytes) -> tuple[int, int, int, bool, bool]:
    """(ccpText, fcClx, lcbClx, table stream is 1Table, encrypted) from the File Information Block."""
    if len(word) < 0x200:
        raise UnreadableFile("damaged .doc file (WordDocument stream too short)", Skip.DAMAGED)
    ident, nfib = struct.unpack_from("<HH", word, 0)
    if ident != WORD_MAGIC:
        raise UnreadableFile("not a Word 97-2003 document", Skip.DAMAGED)
    if nfib < 101:
        raise UnreadableFile("Word 95 or older: save it as .docx and index that", Skip.DAMAGED)
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    pos = 32
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + csw * 2
    cslw = struct.unpack_from("<H", word, pos)[0]
    lw = pos + 2
    ccp_text = struct.unpack_from("<i", word, lw + 3 * 4)[0]
    pos = lw + cslw * 4
    cb = struct.unpack_from("<H", word, pos)[0]
    fclcb = pos + 2
    if cb < 34:
        raise UnreadableFile("damaged .doc file (short FIB)", Skip.DAMAGED)
    fc_clx, lcb_clx = struct.unpack_from("<II", word, fclcb + 33 * 8)
    return ccp_text, fc_clx, lcb_clx, bool(flags & 0x0200), bool(flags & 0x0100)


def _pieces(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """(first cp, last cp, byte offset, 8-bit) for each piece of the piece table."""
    clx = table[fc_clx:fc_clx + lcb_clx]
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc: formatting, skipped
        i += 3 + struct.unpack_from("<h", clx, i + 1)[0]
    if i >= len(clx) or clx[i] != 0x02:
        raise UnreadableFile("damaged .doc file (no piece table)", Skip.DAMAGED)
    lcb = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5:i + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for k in range(n):
        fc = struct.unpack_from("<I", plc, (n + 1) * 4 + k * 8 + 2)[0]
        compressed = bool(fc & 0x40000000)
        fc &= 0x3FFFFFFF
        out.append((cps[k], cps[k + 1], fc // 2 if compressed else fc, compressed))
    return out


def doc_text(data: bytes) -> str:
    import olefile  # OLE compound files (BSD): the container of .doc and .wps

    if not olefile.isOleFile(io.BytesIO(data)):
        raise UnreadableFile("damaged or not a real Word 97-2003 / WPS file", Skip.DAMAGED)
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            raise UnreadableFile("not a Word 97-2003 / WPS text document (no WordDocument stream)", Skip.DAMAGED)
        word = ole.openstream("WordDocument").read()
        ccp_text, fc_clx, lcb_clx, one_table, encrypted = _fib(word)
        if encrypted:
            raise UnreadableFile("encrypted .doc: it needs a password; save an unprotected copy and index that",
                                 Skip.ENCRYPTED)
        name = "1Table" if one_table else "0Table"
        if not ole.exists(name):
            raise UnreadableFile(f"damaged .doc file (no {name} stream)", Skip.DAMAGED)
        table = ole.openstream(name).read()
    parts = []
    for cp0, cp1, fc, compressed in _pieces(table, fc_clx, lcb_clx):
        if cp0 >= ccp_text:
            break
        cp1 = min(cp1, ccp_text)
        if compressed:
            parts.append(word[fc:fc + cp1 - cp0].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc:fc + 2 * (cp1 - cp0)].decode("utf-16-le", errors="replace"))
    text = _FIELD.sub(lambda m: m.group(1) or "", "".join(parts))
    text = text.replace("\x07\x07", "\n").translate(_CONTROL)  # cells end in \x07, a row in one more
    return "\n".join(line.rstrip("\t ") for line in text.split("\n"))


@register(".doc", ".wps")
def read_doc(data: bytes) -> tuple[str, str, tuple[int, ...]]:
    return doc_text(data), "", ()
