"""Vectors kept on disk by the text they embed: the second retrieval stage's sentence vectors,
computed when a passage is indexed (or first seen) instead of at every question that meets it.

One SQLite file in the index folder (stdlib, safe across the page's threads and a CLI run beside it).
A key is the embedder's fingerprint and the text, so vectors of another model are never read. A
folder that cannot be written (a read-only copy) still answers: the cache then only reads, or does
nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

FILE = "sentence_vectors.sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, rows INTEGER, dim INTEGER, data BLOB)"
LOOKUP_BATCH = 500  # keys asked in one query (SQLite allows 999 parameters in older builds)


class VectorCache:
    def __init__(self, folder: Path, fingerprint: str):
        self.path = Path(folder) / FILE
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\0{text}".encode()).hexdigest()

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self._db.execute(SCHEMA)
            except sqlite3.Error:
                self._broken = True  # unreadable or unwritable folder: vectors are computed as before
                self._db = None
        return self._db

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            db = self._conn()
            if db is None:
                return None
            try:
                row = db.execute("SELECT rows, dim, data FROM vectors WHERE key = ?", (self.key(text),)).fetchone()
            except sqlite3.Error:
                return None
        if row is None or len(row[2]) != row[0] * row[1] * 4:
            return None
        return np.frombuffer(row[2], dtype="float32").reshape(row[0], row[1])

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The texts (each once) with no vectors kept."""
        keys = {self.key(t): t for t in dict.fromkeys(texts)}
        kept: set[str] = set()
        ordered = list(keys)
        for at in range(0, len(ordered), LOOKUP_BATCH):  # a few queries for a whole index, the lock between them
            part = ordered[at:at + LOOKUP_BATCH]
            with self._lock:
                db = self._conn()
                if db is None:
                    return list(keys.values())
                try:
                    kept.update(k for (k,) in db.execute(
                        f"SELECT key FROM vectors WHERE key IN ({','.join('?' * len(part))})", part))
                except sqlite3.Error:
                    return list(keys.values())
        return [t for k, t in keys.items() if k not in kept]

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(self.key(t), int(v.shape[0]), int(v.shape[1]), np.ascontiguousarray(v, "float32").tobytes())
                for t, v in items]
        with self._lock:
            db = self._conn()
            if db is None or not rows:
                return
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            except sqlite3.Error:
                pass  # a read-only or full disk: the vectors were computed and serve this process


def copy_kept(source: Path, target: Path) -> int:
    """The vectors kept in the index folder `source` added to those of `target` (an index copied into
    another store keeps them: nothing is embedded again); returns how many rows were copied, 0 when
    either file cannot be read or written."""
    src = Path(source) / FILE
    if not src.is_file():
        return 0
    try:
        db = sqlite3.connect(Path(target) / FILE, timeout=30)
        try:
            db.execute(SCHEMA)
            db.execute("ATTACH DATABASE ? AS src", (str(src),))
            with db:
                copied = db.execute("INSERT OR IGNORE INTO vectors SELECT key, rows, dim, data FROM src.vectors").rowcount
            db.execute("DETACH DATABASE src")
            return max(copied, 0)
        finally:
            db.close()
    except sqlite3.Error:
        return 0
