"""What an index keeps per document, and what an update reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.ingest.skips import Skipped


@dataclass
class DocEntry:
    key: str  # absolute path: identity across runs
    source: str  # as the user gave it
    title: str
    sha256: str
    chars: int
    size: int
    added: str
    updated: str
    chunk_ids: list[str] = field(default_factory=list)
    text: str = ""
    suspect: list[str] = field(default_factory=list)  # sentences that address the assistant (hidden from it)
    marks: dict[str, str] = field(default_factory=dict)  # official-document marks by Chinese name (发文机关, 年份…)
    scans: list[dict] = field(default_factory=list)  # ScanPage.to_dict() of each page read by OCR
    mtime: int = 0  # st_mtime_ns when read: same size and time means unchanged, not read again (0: unknown)
    unseen: dict[str, int] = field(default_factory=dict)  # what the reader left out (Unseen code -> places)


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    suspect: dict[str, list[str]] = field(default_factory=dict)  # source -> sentences hidden from the model
    ocr_pages: dict[str, int] = field(default_factory=dict)  # source -> pages read by OCR
    low_confidence: dict[str, list[int]] = field(default_factory=dict)  # source -> OCR pages to check by eye
    unseen: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> what its reader left out, by Unseen code
    chunks_embedded: int = 0
    chunks_resumed: int = 0
    sentences_prepared: int = 0  # passages whose sentence vectors (the second retrieval stage's) were computed
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class IndexProgress:
    """Where an index run is: files read so far of all, chunks embedded, the file just read."""

    files_done: int
    files_total: int
    chunks_done: int
    source: str = ""
