"""Typed records that flow through the pipeline: Document -> Chunk -> Hit -> Answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from assistant.core.findings import Finding


class Status(StrEnum):
    """What became of a question."""

    ANSWERED = "answered"
    QUOTED = "quoted"  # no checked statement, but a retrieved sentence holds what was asked: shown as it stands
    NOT_FOUND = "not_found"

    @property
    def shown(self) -> bool:
        """An answer is put before the reader (checked statements, or a sentence quoted as it stands)."""
        return self in (Status.ANSWERED, Status.QUOTED)


class Reason(StrEnum):
    """Why a question is not_found ("" when it was answered)."""

    NONE = ""
    RETRIEVAL_GATE = "retrieval_gate"  # refused before generating: nothing relevant, or a name the documents lack
    MODEL_REFUSED = "model_refused"  # the model said the passages do not hold it
    UNVERIFIED = "unverified"  # what the model said could not be checked against the passages


class Kind(StrEnum):
    """What form the answer to a question takes (text.questions.kind_of decides)."""

    FACT = "fact"  # one fact: a figure, a date, a name, a sentence
    LIST = "list"  # 哪些/哪几/包括: the items, all of them
    MEASURES = "measures"  # 采取了哪些措施/怎么做: what is to be done, as points
    REASONS = "reasons"  # 为什么/原因: why, as points
    COMPARISON = "comparison"  # A和B相比/有何不同: each side with its own source
    YES_NO = "yes_no"  # 是否/有没有: the answer and the words that decide it
    SUMMARY = "summary"  # 主要内容/讲了什么: the main points of a document

    @property
    def points(self) -> bool:
        """Answered as points, each with its quote."""
        return self in (Kind.LIST, Kind.MEASURES, Kind.REASONS, Kind.SUMMARY)


class Phase(StrEnum):
    """Where a chat turn is, from sent to finished."""

    WAITING = "waiting"
    QUEUED = "queued"
    REWRITING = "rewriting"
    SEARCHING = "searching"
    WRITING = "writing"
    DONE = "done"
    STOPPING = "stopping"
    STOPPED = "stopped"
    ERROR = "error"


class Unseen(StrEnum):
    """What a reader leaves out because the document does not show it to its reader."""

    HIDDEN_TEXT = "hidden_text"  # Word hidden runs; HTML hidden, display:none, visibility:hidden
    DELETED = "deleted"  # Word deleted revisions
    COMMENT = "comment"  # Word comments, HTML and Markdown comments
    FIELD_CODE = "field_code"  # Word field instructions holding words
    HIDDEN_ROW = "hidden_row"  # spreadsheet rows hidden
    HIDDEN_COLUMN = "hidden_column"
    HIDDEN_SHEET = "hidden_sheet"
    NOTES = "notes"  # slide speaker notes: the audience does not see them
    HIDDEN_SLIDE = "hidden_slide"
    INVISIBLE = "invisible"  # PDF text drawn invisible, white, off the page or too small to read


# What a reader may keep beside the body, as its own labelled part, when an administrator chooses
# (setting index_asides): it is never mixed into the body text.
ASIDE_KINDS: dict[str, Unseen] = {"notes": Unseen.NOTES, "comments": Unseen.COMMENT}


@dataclass(frozen=True)
class Aside:
    """Text a document holds beside what its reader sees: a slide's speaker notes, a Word comment."""

    kind: Unseen  # Unseen.NOTES or Unseen.COMMENT
    place: int  # the slide (notes) or the comment's number, 1-based
    text: str


def unseen_counts(counts) -> tuple[tuple[Unseen, int], ...]:
    """Counts in the enum's order, zeros left out: a stable record for the index and the page."""
    got = dict(counts)
    return tuple((k, int(got[k])) for k in Unseen if got.get(k))


@dataclass(frozen=True)
class ScanPage:
    """A page read by OCR: how confidently, and where each of its lines is, in the text and on the image."""

    page: int  # 1-based
    confidence: float  # mean line confidence, weighted by characters
    image: str  # the page image's digest: its display copy is scans/<image>.jpg in the index
    width: int  # image pixels
    height: int
    lines: tuple[tuple[int, int, float, float, float, float], ...] = ()  # (start, end) in the document text, box

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "lines": [list(x) for x in self.lines]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScanPage:
        return cls(**{**d, "lines": tuple(tuple(x) for x in d.get("lines", ()))})

    def boxes(self, start: int, end: int) -> list[tuple[float, float, float, float]]:
        """The boxes of the lines that hold any of the text span [start, end)."""
        return [(x0, y0, x1, y1) for s, e, x0, y0, x1, y1 in self.lines if s < end and e > start]


@dataclass(frozen=True)
class Document:
    source: str  # the path as given to `assistant index`
    title: str
    text: str
    sha256: str
    pages: tuple[int, ...] = ()  # for PDFs: character offset where each page starts
    scans: tuple[ScanPage, ...] = ()  # the pages read by OCR
    unseen: tuple[tuple[Unseen, int], ...] = ()  # what the reader left out, and how many places
    asides: tuple[Aside, ...] = ()  # notes and comments, kept apart: indexed only when chosen (with_asides)
    body_end: int = 0  # > 0: text[body_end:] holds the chosen asides, each under its own label, after the body

    @property
    def ocr_pages(self) -> tuple[tuple[int, float], ...]:
        """(page, mean confidence) of the pages read by OCR."""
        return tuple((s.page, s.confidence) for s in self.scans)


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    title: str
    text: str
    start: int  # text == document.text[start:end]
    end: int
    paragraph: int  # 1-based paragraph number of the chunk's first character
    headings: tuple[str, ...] = ()
    page: int | None = None  # the page the chunk starts on
    page_breaks: tuple[int, ...] = ()  # offsets in `text` where a following page starts

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["headings"] = list(self.headings)
        d["page_breaks"] = list(self.page_breaks)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(**{**d, "headings": tuple(d.get("headings", ())), "page_breaks": tuple(d.get("page_breaks", ()))})

    def page_at(self, offset: int) -> int | None:
        """The page of the character at `offset` in the chunk's text (a chunk may run over a page break)."""
        if self.page is None:
            return None
        return self.page + sum(1 for b in self.page_breaks if b <= offset)

    @property
    def heading_path(self) -> str:
        return " > ".join(self.headings)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float | None = None  # cosine similarity, when the dense side found it
    lexical: float | None = None  # BM25 score, when the lexical side found it

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "source": c.source,
            "chunk_id": c.chunk_id,
            "score": round(self.score, 6),
            "dense": None if self.dense is None else round(self.dense, 6),
            "lexical": None if self.lexical is None else round(self.lexical, 6),
            "title": c.title,
            "headings": list(c.headings),
            "paragraph": c.paragraph,
            "page": c.page,
            "start": c.start,
            "end": c.end,
            "text": c.text,
        }


@dataclass(frozen=True)
class Citation:
    n: int  # the passage number the answer cites, [n]
    source: str
    chunk_id: str
    start: int  # span of the quote in the document text
    end: int
    quote: str
    headings: tuple[str, ...] = ()
    paragraph: int = 0
    page: int | None = None
    added_by_program: bool = False  # the model gave no [n]; the checker attributed it

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["headings"] = list(self.headings)
        return d


@dataclass(frozen=True)
class Quote:
    """The words of passage n a statement rests on: chunk_text[start:end] (offsets in the chunk)."""

    n: int
    start: int
    end: int
    text: str
    chosen_by_program: bool = False  # the model's own sentence mark did not hold it; the checker found these words


@dataclass(frozen=True)
class Statement:
    """One sentence of the answer and what the checker found about it."""

    text: str
    cites: tuple[int, ...]
    supported: bool
    finding: Finding | None = None  # why it is not supported
    quote: Quote | None = None  # the words it stands on, when supported

    @property
    def problem(self) -> str:
        """Why it is not supported, in Chinese, for a reader ("" when it is)."""
        return self.finding.words() if self.finding else ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "cites": list(self.cites), "supported": self.supported,
                "finding": self.finding.to_dict() if self.finding else None, "problem": self.problem,
                "quote": asdict(self.quote) if self.quote else None}


@dataclass
class Timings:
    retrieve_ms: float = 0.0
    prompt_tokens: int = 0
    first_token_ms: float = 0.0
    completion_tokens: int = 0
    total_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass
class Answer:
    question: str
    status: Status
    answer: str
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)  # what retrieval found (top-k)
    passages: list[Hit] = field(default_factory=list)  # what the model read; [n] is passages[n-1]
    statements: list[Statement] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    reason: Reason = Reason.NONE  # why not_found
    why: Finding | None = None  # what the check found, when the reply was set aside as unverified
    draft: str = ""  # the model's raw text; differs from `answer` when the checker overrode it
    kind: Kind = Kind.FACT  # the form of question recognised (text.questions.kind_of)
    scope: str = ""  # the one document the question was answered from, when it named one or pointed at one

    @property
    def unverified(self) -> list[Statement]:
        return [s for s in self.statements if not s.supported]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
            "passages": [{"n": i, **h.to_dict()} for i, h in enumerate(self.passages, 1)],
            "statements": [s.to_dict() for s in self.statements],
            "timings": self.timings.to_dict(),
            "reason": self.reason,
            "why": self.why.to_dict() if self.why else None,
            "draft": self.draft,
            "kind": self.kind,
            "scope": self.scope,
        }
