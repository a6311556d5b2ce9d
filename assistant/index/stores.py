"""Which engine holds an index's documents: its own folder (the default), or Milvus.

`assistant index DOCS --index DIR --store milvus:PATH_OR_URI` records the engine in DIR/store.json; every
later command on that --index opens the same store without being told again.

    milvus:/data/office.db               milvus-lite: one local file, no server (one program at a time)
    milvus:http://10.0.0.5:19530         a Milvus server or cluster (many programs at once)
    milvus:http://10.0.0.5:19530#water   ... with the collection named "water" (default "assistant")
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.core.errors import Code, IndexStateError, InputError

STORE_FILE = "store.json"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}")


@dataclass(frozen=True)
class StoreSpec:
    engine: str  # "folder" | "milvus"
    uri: str = ""  # milvus: an absolute path ending in .db (milvus-lite), or http(s)://host:port
    collection: str = ""  # milvus: the prefix of the collections it uses

    def __str__(self) -> str:
        return "the index folder" if self.engine == "folder" else f"milvus:{self.uri}#{self.collection}"

    @property
    def local(self) -> bool:
        """A milvus-lite file, opened by one program at a time."""
        return self.engine == "milvus" and not self.uri.startswith(("http://", "https://", "tcp://"))


def parse_store(value: str) -> StoreSpec:
    """The --store value as a spec; a relative file name is taken from the current folder.

    parse_store("milvus:http://h:19530#water") -> StoreSpec("milvus", "http://h:19530", "water")
    """
    text = value.strip()
    if text in ("folder", "faiss"):
        return StoreSpec("folder")
    if not text.startswith("milvus:"):
        raise InputError(Code.STORE_SPEC, value=value)
    where, _, name = text[len("milvus:"):].partition("#")
    name = name or "assistant"
    if not where or not _NAME.fullmatch(name):
        raise InputError(Code.STORE_SPEC, value=value)
    if where.startswith(("http://", "https://", "tcp://")):
        return StoreSpec("milvus", where.rstrip("/"), name)
    if not where.endswith(".db"):
        raise InputError(Code.STORE_SPEC, value=value)
    return StoreSpec("milvus", os.path.abspath(os.path.expanduser(where)), name)


def recorded(folder: Path) -> StoreSpec | None:
    """The store written down for this index folder, None when none was (the folder itself)."""
    try:
        data = json.loads((folder / STORE_FILE).read_text("utf-8"))
        return StoreSpec(str(data["engine"]), str(data.get("uri", "")), str(data.get("collection", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexStateError(Code.INDEX_DAMAGED, folder=folder, detail=STORE_FILE) from None


def record(folder: Path, spec: StoreSpec) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{STORE_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(asdict(spec), ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, folder / STORE_FILE)


def open_store(folder: str | os.PathLike, store: str | None = None, *,
               notify: Callable[[str], None] | None = None):
    """The index at `folder`, on the engine it recorded; `store` (the --store value) picks one for a new
    index and must agree with the recorded one for an existing index."""
    from assistant.index.store import Index

    folder = Path(folder)
    given = parse_store(store) if store else None
    found = recorded(folder)
    if found is None and given is not None and given.engine != "folder" and (folder / "CURRENT").is_file():
        found = StoreSpec("folder")  # an index already kept in the folder
    if given is not None and found is not None and given != found:
        raise InputError(Code.STORE_OTHER, folder=folder, recorded=str(found), given=str(given))
    spec = found or given or StoreSpec("folder")
    if spec.engine == "folder":
        return Index(folder, notify=notify)
    from assistant.index.milvus_store import MilvusStore

    return MilvusStore(folder, spec, notify=notify)  # it records itself with its first generation
