"""The batch journal: each finished row on disk before the next one starts, so any stop resumes.

`<output>.progress.jsonl` starts with a fingerprint of the questions file; a line cut off by a
crash is dropped (its question is asked again), and a changed file asks for --restart.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from assistant.core.errors import Code, InputError

T = TypeVar("T")


def fingerprint(p) -> dict:
    """What a journal must match to be resumed: the input's bytes, the question column, the row count,
    the columns a run adds."""
    from assistant.batch.jobs import ADDED  # a journal written with other columns is not resumed into these

    return {"input": hashlib.sha256(p.input.read_bytes()).hexdigest(), "column": p.question_col,
            "rows": len(p.table.rows), "columns": ADDED}


def load(p, make_row: Callable[..., T]) -> dict[int, T]:
    """Rows finished by an earlier run; a line cut off by a crash is dropped (and re-asked)."""
    if not p.journal.exists():
        return {}
    raw = p.journal.read_bytes()
    good = raw[: raw.rfind(b"\n") + 1]
    if len(good) != len(raw):
        with open(p.journal, "r+b") as f:
            f.truncate(len(good))
    lines = good.decode("utf-8").splitlines()
    if not lines:  # stopped before the first line was whole
        return {}
    if json.loads(lines[0]).get("fingerprint") != fingerprint(p):
        raise InputError(Code.TABLE_CHANGED, file=p.input.name, journal=p.journal.name)
    done = {}
    for line in lines[1:]:
        d = json.loads(line)
        done[d["index"]] = make_row(**d)
    return done


class Journal:
    """Finished rows, one JSON line each, flushed and fsynced before the next row starts."""

    def __init__(self, p, fresh: bool):
        self.f = open(p.journal, "a", encoding="utf-8")
        if fresh:
            self._write({"fingerprint": fingerprint(p)})

    def _write(self, obj: dict) -> None:
        self.f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.f.flush()
        os.fsync(self.f.fileno())

    def add(self, row) -> None:
        self._write(asdict(row))

    def close(self) -> None:
        self.f.close()


class GrowingCsv:
    """A CSV output written row by row (flushed), so it can be opened while the run goes on."""

    def __init__(self, p, done: list, added: list[str]):
        self.p = p
        self.f = open(p.output, "w", encoding="utf-8-sig", newline="")
        self.w = csv.writer(self.f, delimiter="\t" if p.output.suffix.lower() == ".tsv" else ",")
        self.w.writerow(p.table.header + added)
        for r in done:
            self.add(r)

    def add(self, r) -> None:
        self.w.writerow(self.p.table.rows[r.index] + r.cells)
        self.f.flush()

    def close(self) -> None:
        self.f.close()
