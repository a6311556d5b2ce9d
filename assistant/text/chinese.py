"""Chinese text normalized for comparison, its character bigrams, and small Chinese numerals: one copy each."""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = "零一二三四五六七八九"
_WORDISH = re.compile(r"[\w\u4e00-\u9fff]")
CITATION = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、;；\-–~]\s*\d{1,3})*)\s*[\]】］]")  # [1] 【2】 [1-3] [1, 4]


def normalize(text: str) -> str:
    """Full-width digits and signs to ASCII, thousands separators dropped: "１,２００％" -> "1200%"."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def char_bigrams(text: str) -> set[str]:
    """Bigrams of a text's word characters, normalized and lower-cased: char_bigrams("数字经济") -> {"数字", "字经", "经济"}."""
    chars = [c for c in normalize(text).lower() if _WORDISH.match(c)]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def parse_chinese_numeral(text: str) -> int:
    """parse_chinese_numeral("二十三") -> 23; 0 when it is not a number below 100."""
    if not text or any(c not in _CN_DIGITS + "十" for c in text):
        return 0
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    t = _CN_DIGITS.index(tens) if tens else 1
    o = _CN_DIGITS.index(ones) if ones else 0
    return t * 10 + o if len(tens) <= 1 and len(ones) <= 1 else 0


def chinese_numeral(n: int) -> str:
    """Chinese form of a small whole number: chinese_numeral(15) -> "十五", chinese_numeral(40) -> "四十"."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return ""


def strip_citations(text: str) -> str:
    """A text without its citation marks: strip_citations("增长5%[1]。") -> "增长5%。"."""
    return CITATION.sub("", text)
