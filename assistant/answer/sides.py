"""The two sides a comparison names, each searched on its own.

"廊坊市和重庆九龙坡区发展数字经济的做法有什么不同？" compares 廊坊市 with 重庆九龙坡区: one search for
the whole question finds the side the passages say most about, and the other side goes missing.
Each side is searched with the other side left out, and the passages of both go to the model, so
each side is stated from its own source and checked against it.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.core.records import Hit
from assistant.text.names import tagged

JOINERS = ("和", "与", "同", "跟", "及", "以及", "对比")
_NAME = ("ns", "nr", "nt", "nz")
_PART = ("n", "ns", "nr", "nt", "nz", "nrt", "j")  # a name's parts: "前湾"+"新区", "重庆"+"九龙坡区"


def sides_of(question: str) -> tuple[str, str] | None:
    """The two names a comparison joins, or None: sides_of("海曙区和前湾新区分别要打造什么？") ->
    ("海曙区", "前湾新区"); sides_of("制造业与服务业之比") -> None (no names)."""
    words = tagged(question)
    for i, (w, _) in enumerate(words):
        if w not in JOINERS or i == 0:
            continue
        a = _run(words, i - 1, -1)
        b = _run(words, i + 1, 1)
        if a and b:
            return a, b
    return None


def _run(words, start: int, step: int) -> str:
    """The name that ends (step -1) or starts (step 1) at `start`: its run of name parts, one name in it."""
    got, j = [], start
    while 0 <= j < len(words) and words[j][1] in _PART and len(got) < 3:
        got.append(words[j])
        j += step
    if step < 0:
        got.reverse()
    return "".join(w for w, _ in got) if any(f in _NAME for _, f in got) else ""


def side_hits(question: str, search: Callable[[str], list[Hit]]) -> list[Hit] | None:
    """Hits for each side searched alone, taken in turns (side A's first, side B's first, …), or None
    when the question names no two sides."""
    sides = sides_of(question)
    if sides is None:
        return None
    a, b = sides
    first, second = search(question.replace(b, "")), search(question.replace(a, ""))
    out: list[Hit] = []
    seen: set[str] = set()
    for pair in zip(first, second, strict=False):
        for h in pair:
            if h.chunk.chunk_id not in seen:
                seen.add(h.chunk.chunk_id)
                out.append(h)
    return out
