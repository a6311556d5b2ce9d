"""Judgement words, in one place: words that say how something stands (滞后, 短板, 较快增长), the words
that say the same (落后 for 滞后, 不足 for 短板), and the ones that say the opposite.

A statement may paraphrase a judgement its quote makes; it may not turn it round.
"""

from __future__ import annotations

import re

# each group: words that say the same; OPPOSITE pairs groups that say the opposite
GROUPS: dict[str, tuple[str, ...]] = {
    "behind": ("滞后", "落后", "偏慢", "较慢", "不够快", "缓慢", "有差距", "差距较大", "相对薄弱"),
    "ahead": ("领先", "前列", "靠前", "走在前", "先进", "处于前"),
    "weak": ("短板", "不足", "薄弱", "欠缺", "弱项", "不高", "偏低", "偏小", "较少", "不强", "较弱", "不够", "较低", "较小"),
    "strong": ("充足", "优势", "较高", "较大", "较强", "雄厚", "丰富", "突出优势", "很强", "偏高", "偏大"),
    "up": ("增强", "提升", "提高", "上升", "增长", "增加", "扩大", "加快", "改善", "好转", "回升"),
    "down": ("减弱", "下降", "降低", "下滑", "减少", "回落", "萎缩", "放缓", "缩小", "恶化", "走弱"),
    "fast": ("较快", "快速", "迅速", "高速", "迅猛", "强劲"),
    "slow": ("缓慢", "平缓", "低速", "乏力"),
}
OPPOSITE = {"behind": "ahead", "ahead": "behind", "weak": "strong", "strong": "weak", "up": "down", "down": "up",
            "fast": "slow", "slow": "fast"}
# words of degree that carry no claim of their own: 相对落后 says what 落后 says
DEGREE = re.compile(r"(相对|明显|比较|较为|有所|十分|非常|更加|进一步|仍然|依然|相当|略有|稍有|持续|不断|保持)")

_WORD = {w: g for g, ws in GROUPS.items() for w in ws}
_ANY = re.compile("|".join(sorted(_WORD, key=len, reverse=True)))


def judgements(text: str) -> list[tuple[str, str, int]]:
    """(word, group, position) of each judgement word: judgements("发展明显滞后") -> [("滞后", "behind", 4)]."""
    return [(m.group(0), _WORD[m.group(0)], m.start()) for m in _ANY.finditer(text)]


def groups_in(text: str) -> set[str]:
    return {g for _, g, _ in judgements(text)}


def turned_round(statement: str, quote: str) -> tuple[str, str] | None:
    """(the statement's word, the quote's) when the statement says the opposite of its quote.

    turned_round("引进充足", "引进不足") -> ("充足", "不足"); turned_round("相对落后", "明显滞后") -> None
    """
    said = groups_in(quote)
    for word, group, _ in judgements(statement):
        if group not in said and OPPOSITE[group] in said:
            theirs = next(w for w, g, _ in judgements(quote) if g == OPPOSITE[group])
            return word, theirs
    return None


def in_quote_words(statement: str, quote: str) -> str:
    """The statement with its judgement words written as the quote writes them, degree words dropped:
    in_quote_words("我区发展相对落后", "…发展明显滞后…") -> "我区发展滞后"."""
    said = {g: w for w, g, _ in judgements(quote)}
    out = _ANY.sub(lambda m: said.get(_WORD[m.group(0)], m.group(0)), statement)
    return DEGREE.sub("", out)


# words that deny what follows them: "《流浪地球2》没拿到票房冠军" denies 冠军
NEGATION = re.compile(r"(没有|没能|未能|未曾|并未|并非|不是|无缘|没|未)")
_DENIES = 4  # a denial reaches this many characters past its word: 没 + 拿到 + 票房


def denied(statement: str, words: tuple[str, ...], sentence: str) -> tuple[str, str] | None:
    """(the word, the sentence's words that deny it) when the sentence denies one of `words` and the
    statement, saying it, denies nothing: denied("《流浪地球2》", ("票房", "冠军"), "《流浪地球2》没拿到票房冠军")
    -> ("票房", "没拿到票房")."""
    if NEGATION.search(statement):
        return None
    own = {statement[i:i + 2] for i in range(len(statement) - 1)} - {w[i:i + 2] for w in words for i in range(len(w) - 1)}
    for m in NEGATION.finditer(sentence):
        a = max(sentence.rfind(c, 0, m.start()) for c in "，,；;。！？、") + 1
        if not any(g in sentence[a:m.start()] for g in own):
            continue  # the denial is of another thing than the statement names
        reach = sentence[m.end():m.end() + _DENIES + 2]
        for w in words:
            at = reach.find(w)
            if 0 <= at <= _DENIES and not re.search(r"[，,。；;！？]", reach[:at]):
                return w, sentence[m.start():m.end() + at + len(w)]
    return None
