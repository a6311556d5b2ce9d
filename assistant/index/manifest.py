"""The manifest of an index generation as frozen records, its format version checked on load.

On disk it is `manifest.json` in each `gen-NNNNNN/` folder. Format 2 lists the generation's segments
and their tombstones; a format-1 generation holds its files itself and is read as one segment.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import Code, IndexStateError

SEGMENT_NAME = re.compile(r"seg-\d{6}")
FORMAT_VERSION = 2
READS = (1, 2)


@dataclass(frozen=True)
class EmbeddingInfo:
    """Which model embedded the chunks: vectors of two models are never mixed."""

    name: str
    fingerprint: str
    dim: int
    path: str = ""  # the model folder on the machine that built the index, when it was a folder
    backend: str = ""  # "torch" or "onnx-int8" ("" in indexes from before there was a choice: torch)


@dataclass(frozen=True)
class ChunkerSettings:
    """How documents were cut: an index is only ever extended with chunks cut the same way."""

    size: int
    overlap: int
    version: int
    asides: tuple[str, ...] = ()  # the asides indexed under their own labels (Settings.index_asides)


@dataclass(frozen=True)
class LexicalInfo:
    tokenizer: str
    scorer: str


@dataclass(frozen=True)
class SegmentRef:
    """A segment of the generation and the keys of its documents deleted since it was written."""

    name: str
    dead: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    format: int
    embedding: EmbeddingInfo
    chunker: ChunkerSettings
    lexical: LexicalInfo
    created: str
    updated: str
    documents: int
    chunks: int
    segments: tuple[SegmentRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("path", "backend"):
            if not d["embedding"][key]:
                del d["embedding"][key]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], folder: Path) -> Manifest:
        """The manifest of the index in `folder`; another format, or a damaged one, is one error line."""
        if not isinstance(d, dict):
            raise IndexStateError(Code.MANIFEST_DAMAGED, folder=folder)
        if d.get("format") not in READS:
            raise IndexStateError(Code.INDEX_FORMAT, folder=folder, found=d.get("format"), reads=" and ".join(map(str, READS)))
        try:
            refs = tuple(SegmentRef(s["name"], tuple(str(k) for k in s.get("dead", ()))) for s in d.get("segments", ()))
            if any(not SEGMENT_NAME.fullmatch(r.name) for r in refs):  # a name is a folder: never a path
                raise ValueError("segment name")
            chunker = ChunkerSettings(**{**d["chunker"], "asides": tuple(d["chunker"].get("asides", ()))})
            return cls(format=d["format"], embedding=EmbeddingInfo(**d["embedding"]),
                       chunker=chunker, lexical=LexicalInfo(**d["lexical"]),
                       created=d["created"], updated=d["updated"], documents=int(d["documents"]),
                       chunks=int(d["chunks"]),
                       segments=refs)
        except (KeyError, TypeError, ValueError):
            raise IndexStateError(Code.MANIFEST_DAMAGED, folder=folder) from None
