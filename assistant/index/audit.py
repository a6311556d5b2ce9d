"""Who did what to the documents: an append-only log in the index folder (audit.jsonl)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Action(StrEnum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    REINDEX = "reindex"
    MODEL = "model"


ACTION_ZH = {Action.ADD: "添加", Action.UPDATE: "更新", Action.DELETE: "删除", Action.REINDEX: "重新索引",
             Action.MODEL: "切换模型"}


@dataclass(frozen=True)
class Entry:
    time: str
    user: str
    action: Action
    target: str


def record(index_dir: str | os.PathLike, user: str, action: Action, target: str) -> None:
    """Append one line; the file is only ever appended to, and each write is flushed to disk."""
    _append(index_dir, user, [(action, target)])


def _append(index_dir: str | os.PathLike, user: str, entries: list[tuple[Action, str]]) -> None:
    if not entries:
        return
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    lines = "".join(json.dumps(asdict(Entry(now, user or "?", a, t)), ensure_ascii=False) + "\n" for a, t in entries)
    fd = os.open(folder / "audit.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def recent(index_dir: str | os.PathLike, limit: int = 50) -> list[Entry]:
    """The latest entries, newest first; a damaged line is skipped."""
    path = Path(index_dir) / "audit.jsonl"
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    out: list[Entry] = []
    for line in reversed(lines):
        try:
            d = json.loads(line)
            out.append(Entry(d["time"], d["user"], Action(d["action"]), d["target"]))
        except (ValueError, KeyError, TypeError):
            continue
        if len(out) >= limit:
            break
    return out


def record_report(index_dir: str | os.PathLike, user: str, report) -> None:
    """One line per document an index run added, updated or removed (an index.UpdateReport), in one write."""
    _append(index_dir, user, [(action, source) for action, sources in ((Action.ADD, report.added),
                                                                        (Action.UPDATE, report.updated),
                                                                        (Action.DELETE, report.removed))
                              for source in sources])


def os_user() -> str:
    """Who runs a command on this machine, for the log."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"
