"""Citation marks in a model's reply: [1], [1][2], [1,2], 【1】 parsed, tidied, moved to where the claim stands."""

from __future__ import annotations

import re

from assistant.core.records import Statement
from assistant.text.chinese import CITATION, strip_citations
from assistant.text.sentences import CLAUSE_STOPS, SENTENCE_STOPS

_CITE = CITATION
_STATEMENT_END = re.compile(f"(?<=[{SENTENCE_STOPS}\n])")


def parse_citations(text: str) -> list[int]:
    """Passage numbers cited in the text, in order of first appearance.

    parse_citations("甲[1]，乙[1][3]，丙[2,4]，丁【5】") -> [1, 3, 2, 4, 5]
    """
    out: list[int] = []
    for m in _CITE.finditer(text):
        body = m.group(1)
        for part in re.split(r"\s*[,，、;；]\s*", body):
            if re.search(r"[\-–~]", part):
                a, b = (int(x) for x in re.split(r"\s*[\-–~]\s*", part))
                nums = range(a, b + 1) if 0 < b - a < 10 else [a, b]
            else:
                nums = [int(part)]
            out.extend(n for n in nums if n not in out)
    return out


def tidy_citations(text: str, passages: int) -> str:
    """Every citation mark as [n][m], keeping only numbers that name one of the passages.

    tidy_citations("甲【1】，乙[2,9]。[7]", 3) -> "甲[1]，乙[2]。"
    """
    def one(m: re.Match) -> str:
        return "".join(f"[{n}]" for n in parse_citations(m.group(0)) if 0 < n <= passages)

    return _CITE.sub(one, text)


def recite(answer: str, statements: list[Statement]) -> str:
    """The answer with each statement's marks set to the passages the checker found support it.

    The model's [2] on a claim that stands in passage 1 becomes [1], so the number a reader
    clicks opens the passage that holds it; an unsupported statement loses its marks.
    """
    out = answer
    for s in statements:
        if not s.text or s.text not in out:
            continue
        body = strip_citations(s.text).rstrip()
        end = re.search(f"[{SENTENCE_STOPS}{CLAUSE_STOPS}]*$", body).start()
        marks = "".join(f"[{n}]" for n in s.cites) if s.supported else ""
        out = out.replace(s.text, body[:end] + marks + body[end:], 1)
    return out


def split_statements(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences with the passages each one cites; a marker after the full stop stays with it.

    split_statements("甲是1[1]。[2]乙是2。") -> [("甲是1[1]。[2]", [1, 2]), ("乙是2。", [])]
    """
    parts = [p for p in _STATEMENT_END.split(answer) if p]
    merged: list[str] = []
    for p in parts:
        lead = re.match(rf"^(\s*(?:{_CITE.pattern}\s*)+)", p)
        if lead and merged:
            merged[-1] += lead.group(1)
            p = p[lead.end():]
        if p.strip():
            merged.append(p)
        elif merged and p:
            merged[-1] += p
    return [(s, parse_citations(s)) for s in merged]
