"""Index generations on disk: a small manifest written beside the live one, then switched to atomically.

    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          manifest.json: settings, counts, the segments and their tombstones
    segments/seg-000004/ the immutable segments the generations list (segments.py)
The two newest generations are kept (a reader may still be loading the one before), and with them every
segment either lists; other segments, and leftovers of an interrupted write, are deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from assistant.index.segments import fsync_file, fsync_tree

KEEP = 2


def write_generation(folder: Path, current: Path | None, manifest) -> None:
    """Write the next generation's manifest, fsync it, point CURRENT at it, then collect garbage."""
    n = int(current.name.split("-")[1]) + 1 if current else 1
    name = f"gen-{n:06d}"
    tmp = folder / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "manifest.json").write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    fsync_tree(tmp)
    os.rename(tmp, folder / name)
    pointer = folder / "CURRENT.tmp"
    pointer.write_text(name + "\n", "utf-8")
    fsync_file(pointer)
    os.replace(pointer, folder / "CURRENT")
    fsync_file(folder)
    collect(folder)


def collect(folder: Path) -> None:
    """Delete generations before the kept ones, segments none of them lists, and interrupted writes."""
    gens = sorted(folder.glob("gen-*"))
    for old in gens[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    used: set[str] = set()
    for gen in gens[-KEEP:]:
        try:
            data = json.loads((gen / "manifest.json").read_text("utf-8"))
            used.update(s["name"] for s in data.get("segments", ()))
        except (OSError, ValueError, KeyError, TypeError):
            return  # unsure what is in use: delete nothing
    for seg in (folder / "segments").glob("*seg-*"):
        if seg.name not in used:
            shutil.rmtree(seg, ignore_errors=True)
    for stale in folder.glob(".gen-*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
