"""Reading an index generation of the first format (one folder holding all its files) as one segment.

It stays usable as it is; the next update writes its live rows out as a segment of today's format.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.core.records import Chunk
from assistant.index.grams import BigramIndex
from assistant.index.records import DocEntry
from assistant.index.segments import Segment


def load_segment(gen: Path) -> Segment:
    import faiss

    docs = [DocEntry(**json.loads(line)) for line in (gen / "documents.jsonl").read_text("utf-8").splitlines()]
    chunks, tokens = [], []
    for line in (gen / "chunks.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        chunks.append(Chunk.from_dict(rec["chunk"]))
        tokens.append(rec["tokens"])
    dense = faiss.read_index(str(gen / "dense.faiss"))
    grams = BigramIndex.load(gen / "bigrams") if (gen / "bigrams").is_dir() else None
    if dense.ntotal != len(chunks) or grams is not None and grams.n != len(chunks):
        raise ValueError("generation parts disagree")
    return Segment.in_memory(docs, chunks, tokens, dense, grams)
