"""Text encodings of Chinese files: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, else detected."""

from __future__ import annotations

from assistant.ingest.skips import Skip, UnreadableFile


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
