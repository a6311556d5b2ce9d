"""Index generations on disk: each written whole beside the live one, then switched to atomically.

    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          manifest.json, documents.jsonl, chunks.jsonl, dense.faiss, lexical/, bigrams/
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path


def write_generation(folder: Path, current: Path | None, manifest, docs, chunks, tokens, dense, bm25, grams) -> None:
    """Write the next generation, fsync it, point CURRENT at it; keep the one before for readers still loading it."""
    import faiss

    n = int(current.name.split("-")[1]) + 1 if current else 1
    name = f"gen-{n:06d}"
    tmp = folder / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _write_lines(tmp / "documents.jsonl", (asdict(d) for d in docs.values()))
    _write_lines(tmp / "chunks.jsonl", ({"chunk": c.to_dict(), "tokens": t} for c, t in zip(chunks, tokens, strict=False)))
    faiss.write_index(dense, str(tmp / "dense.faiss"))
    bm25.save(tmp / "lexical")
    grams.save(tmp / "bigrams")
    (tmp / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    _fsync_tree(tmp)
    os.rename(tmp, folder / name)
    pointer = folder / "CURRENT.tmp"
    pointer.write_text(name + "\n", "utf-8")
    _fsync_file(pointer)
    os.replace(pointer, folder / "CURRENT")
    _fsync_file(folder)
    for old in sorted(folder.glob("gen-*"))[:-2]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in folder.glob(".gen-*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def _write_lines(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            _fsync_file(p)
    _fsync_file(folder)
