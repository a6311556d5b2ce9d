"""Passages shown to the model sentence by sentence, each sentence numbered, so a reply cites the
exact words it rests on: "…达到52万吨[3]" names sentence 3, and the program fills in its words.

The numbers run on across passages ([1] [2] in the first passage, [3] … in the next), so a
reply's marks look like the ones small models already write; the program maps each back to its
passage and its span, and rewrites the marks to passage numbers for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answer.marks import parse_citations
from assistant.core.records import Hit
from assistant.text.chinese import CITATION
from assistant.text.injection import HIDDEN, suspect_spans
from assistant.text.sentences import Span, paragraphs, sentences

MAX_SENTENCE = 120  # a longer sentence is cut at a comma: a quote should be a clause, not a page


@dataclass(frozen=True)
class Numbered:
    """Sentence k of the prompt: passage n (1-based) and its span in that passage's chunk text."""

    k: int
    n: int
    start: int
    end: int


@dataclass(frozen=True)
class Sentences:
    """The numbered sentences of the passages one prompt shows."""

    items: tuple[Numbered, ...]
    blocks: tuple[str, ...]  # one block of text per passage, as the model reads it
    passages: int = 0  # when marks name passages, not sentences: how many there are

    def get(self, k: int) -> Numbered | None:
        return self.items[k - 1] if 1 <= k <= len(self.items) else None

    def focus(self, marks: list[int]) -> dict[int, list[Span]]:
        """Passage number -> the spans of the cited sentences, in the order cited."""
        if self.passages:
            return {n: [] for n in marks if 1 <= n <= self.passages}
        out: dict[int, list[Span]] = {}
        for k in marks:
            s = self.get(k)
            if s is not None:
                out.setdefault(s.n, []).append(Span(s.start, s.end))
        return out

    def to_passages(self, text: str) -> str:
        """Sentence marks rewritten as passage marks: "…[3][4]" -> "…[2]" when 3 and 4 are in passage 2."""
        if self.passages:
            return text

        def one(m: re.Match) -> str:
            ns = list(dict.fromkeys(s.n for k in parse_citations(m.group(0)) if (s := self.get(k))))
            return "".join(f"[{n}]" for n in ns)

        return CITATION.sub(one, text)

    def stream_passages(self, pieces: Iterator[str]) -> Iterator[str]:
        """to_passages over a stream: a mark split across pieces is held back until it closes."""
        held = ""
        for piece in pieces:
            held += piece
            cut = _safe_end(held)
            if cut:
                yield self.to_passages(held[:cut])
                held = held[cut:]
        if held:
            yield self.to_passages(held)


_OPEN = re.compile(r"[\[【［][\d\s,，、;；\-–~]*$")


def _safe_end(text: str) -> int:
    """How much of a streamed text can be passed on: all but an opened, unclosed mark."""
    m = _OPEN.search(text)
    return m.start() if m else len(text)


def number(hits: list[Hit], labels: list[str], by_passage: bool = False) -> Sentences:
    """Every sentence of every passage numbered; a sentence that addresses the assistant gets no
    number (it cannot be cited) and is shown as a note. `by_passage`: the marks shown and cited
    name passages ([n] before each), and the sentences are numbered for the program only."""
    items: list[Numbered] = []
    blocks: list[str] = []
    for n, (hit, label) in enumerate(zip(hits, labels, strict=True), 1):
        text = hit.chunk.text
        suspect = suspect_spans(text)
        lines: list[str] = []
        for para in paragraphs(text):
            parts: list[str] = []
            for s in sentences(text, para, MAX_SENTENCE):
                if any(a < s.end and s.start < b for a, b in suspect):
                    if not parts or parts[-1] != HIDDEN:
                        parts.append(HIDDEN)
                    continue
                items.append(Numbered(len(items) + 1, n, s.start, s.end))
                shown = CITATION.sub("", text[s.start:s.end])
                parts.append(shown if by_passage else f"[{len(items)}]{shown}")
            if parts:
                lines.append("".join(parts))
        if by_passage:
            blocks.append(f"[{n}]{label} " + "\n".join(lines))
        else:
            blocks.append((label + "\n" if label else "") + "\n".join(lines))
    return Sentences(tuple(items), tuple(blocks), len(hits) if by_passage else 0)
