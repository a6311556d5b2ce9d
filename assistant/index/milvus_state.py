"""One generation of an index kept in Milvus, read through the LoadedIndex protocol.

The documents' entries are read once, when the generation is loaded; rows 0..n-1 are their chunks in the
order they were written. Vectors, texts and BM25 stay in Milvus: a search is one call, filtered to the
generation's rows, and the chunks it finds come back with it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.core.records import Chunk
from assistant.index import lexical
from assistant.index import milvus_db as db
from assistant.index.manifest import Manifest
from assistant.index.records import DocEntry
from assistant.index.stores import StoreSpec
from assistant.text.names import core

CHUNK_FIELDS = ["doc", "gen", "text", "meta"]


def chunk_of(row: dict, source: str) -> Chunk:
    return Chunk.from_dict({**json.loads(row["meta"]), "text": row["text"], "source": source})


def chunk_meta(chunk: Chunk) -> str:
    d = chunk.to_dict()
    del d["text"], d["source"]
    return json.dumps(d, ensure_ascii=False)


def bm25_text(text: str) -> str:
    """What Milvus's BM25 analyzer reads, for a chunk (its headings and text) or a question: the text, then
    its CJK bigrams apart, as the folder store's BM25 counts both (jieba cuts a lone bigram the same way on
    either side, mostly leaving it whole)."""
    out = text + "\n" + " ".join(lexical.bigrams(text))
    raw = out.encode("utf-8")
    return raw[:db.MAX_TEXT].decode("utf-8", "ignore") if len(raw) > db.MAX_TEXT else out  # a VARCHAR's bytes


def live_filter(gen: int, dead: dict[int, list[int]]) -> str:
    """Rows of generations up to `gen`, without the documents it replaced or removed."""
    out = f"gen <= {int(gen)}"
    for g, docs in sorted(dead.items()):
        out += f" and not (gen == {int(g)} and doc in [{', '.join(str(int(d)) for d in docs)}])"
    return out


def like(text: str) -> str | None:
    """A filter for rows whose text holds `text` anywhere (its % and _ taken literally); None for text
    with a backslash or a control character, which a filter cannot spell reliably.

    like('50%的"通知"') -> 'text like "%50\\\\%的\\"通知\\"%"'
    """
    if "\\" in text or any(ord(c) < 32 for c in text):
        return None
    pattern = text.replace("%", "\\%").replace("_", "\\_")
    return 'text like "%' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '%"'


class MilvusState:
    """One loaded generation; read-only, safe to share between threads."""

    def __init__(self, folder: Path, spec: StoreSpec, client, gen: int, manifest: Manifest,
                 dead: dict[int, list[int]], entries: list[tuple[int, int, DocEntry]]):
        self.folder = folder
        self.spec = spec
        self.client = client
        self.gen = gen
        self.generation = folder / f"milvus-gen-{gen:06d}"  # what Store.current() says while this is live
        self.manifest = manifest
        self.dead = dead
        self.filter = live_filter(gen, dead)
        self.entries = entries  # (doc id, gen, entry) in row order
        self.docs: dict[str, DocEntry] = {e.key: e for _, _, e in entries}
        self.by_source = {e.source: e for e in self.docs.values()}
        self._where = {e.source: (doc, g) for doc, g, e in entries}  # a document's rows in the blobs
        ids, doc_rows = [], []
        for doc, g, e in entries:
            ids.extend(db.row_id("chunk", doc, g, seq) for seq in range(len(e.chunk_ids)))
            doc_rows.append(len(e.chunk_ids))
        self.ids = np.array(ids, np.int64)
        self.doc_of_row = np.repeat(np.arange(len(entries), dtype=np.int32), doc_rows)
        self._by_id = np.argsort(self.ids, kind="stable")  # rows in id order: a row found by binary search
        self._sorted_ids = self.ids[self._by_id]
        self.size = len(ids)
        self.chunks = _Rows(self)
        self._cache: dict[int, Chunk] = {}
        self._sampled: tuple[list[str], float] | None = None
        self._lock = threading.Lock()
        self._chunks = db.chunks_of(spec.collection)
        self._blobs = db.blobs_of(spec.collection)
        self.doc_text = lru_cache(maxsize=64)(self._doc_text)

    # ---- rows -------------------------------------------------------------------------
    def row_of(self, chunk_id: int) -> int | None:
        """The row of a Milvus chunk id; None for a row this generation does not see."""
        i = int(np.searchsorted(self._sorted_ids, chunk_id))
        return int(self._by_id[i]) if i < self.size and self._sorted_ids[i] == chunk_id else None

    def _keep(self, rows: list[dict]) -> None:
        with self._lock:
            if len(self._cache) > 20_000:
                self._cache.clear()
            for r in rows:
                row = self.row_of(int(r["id"]))
                if row is not None and "meta" in r:
                    self._cache[row] = chunk_of(r, self.entries[self.doc_of_row[row]][2].source)

    def chunk(self, row: int) -> Chunk:
        if not 0 <= row < self.size:
            raise IndexError(row)
        with self._lock:
            hit = self._cache.get(row)
        if hit is None:
            with db.guarded(self.spec, "read a passage"):
                found = self.client.get(self._chunks, ids=[int(self.ids[row])], output_fields=CHUNK_FIELDS)
            self._keep(found)
            with self._lock:
                hit = self._cache[row]
        return hit

    def vectors(self) -> np.ndarray:
        """Every row's vector, in row order (for copying the index elsewhere)."""
        out = np.zeros((self.size, self.manifest.embedding.dim), "float32")
        with db.guarded(self.spec, "read the vectors"):
            for r in db.query_all(self.client, self._chunks, self.filter, ["id", "dense"]):
                row = self.row_of(int(r["id"]))
                if row is not None:
                    out[row] = r["dense"]
        return out

    def _rows_of_hits(self, hits: Iterable[dict]) -> list[tuple[int, float]]:
        found, out = [], []
        for h in hits:
            entity = h.get("entity", {})
            row = self.row_of(int(h["id"]))
            if row is None:
                continue
            found.append({"id": h["id"], **entity})
            out.append((row, float(h["distance"])))
        self._keep(found)
        return out

    def _allowed_filter(self, allowed: set[int] | None) -> str:
        if allowed is None:
            return self.filter
        docs = sorted({int(self.entries[self.doc_of_row[r]][0]) for r in allowed if 0 <= r < self.size})
        return f"{self.filter} and doc in [{', '.join(map(str, docs))}]"

    # ---- scores ---------------------------------------------------------------------------
    def dense_search(self, qvec: np.ndarray, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        if not self.size:
            return []
        with db.guarded(self.spec, "search"):
            res = self.client.search(self._chunks, data=[np.asarray(qvec, "float32").tolist()], anns_field="dense",
                                     limit=min(n, self.size, 16_384), filter=self._allowed_filter(allowed),
                                     output_fields=CHUNK_FIELDS, search_params={"metric_type": "IP"})
        hits = self._rows_of_hits(res[0])
        return [(r, s) for r, s in hits if allowed is None or r in allowed]

    def dense_score(self, row: int, qvec: np.ndarray) -> float:
        with db.guarded(self.spec, "read a vector"):
            found = self.client.get(self._chunks, ids=[int(self.ids[row])], output_fields=["dense"])
        return float(np.asarray(found[0]["dense"], "float32") @ qvec)

    def lexical_search(self, query: str, n: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """Milvus's BM25 over its jieba tokens (milvus-lite gives the score negated, a server as is)."""
        if not self.size or not query.strip():
            return []
        with db.guarded(self.spec, "search"):
            res = self.client.search(self._chunks, data=[bm25_text(query)], anns_field="sparse",
                                     limit=min(n, self.size, 16_384), filter=self._allowed_filter(allowed),
                                     output_fields=CHUNK_FIELDS, search_params={"metric_type": "BM25"})
        hits = [(r, abs(s)) for r, s in self._rows_of_hits(res[0]) if s]
        return [(r, s) for r, s in hits if allowed is None or r in allowed]

    def bigram_df(self, gram: str) -> int:
        """How many chunks hold the bigram: counted in the texts of every row up to SAMPLE rows, above that
        in a fixed sample of about SAMPLE rows (by id bucket) and scaled up. The texts are read once per
        generation; the count only weighs words when passages are narrowed, where an estimate does (a LIKE
        query per word cost 0.45 s a question at 10k chunks on milvus-lite)."""
        texts, scale = self._sample()
        return min(self.size, round(sum(gram in t for t in texts) * scale))

    def _sample(self) -> tuple[list[str], float]:
        with self._lock:
            if self._sampled is not None:
                return self._sampled
        buckets = min(db.BUCKETS, -(-db.BUCKETS * db.SAMPLE // max(self.size, 1)))
        where = self.filter + (f" and bucket < {buckets}" if buckets < db.BUCKETS else "")
        with db.guarded(self.spec, "read a sample"):
            texts = [r["text"] for r in db.query_all(self.client, self._chunks, where, ["text"])]
        with self._lock:
            self._sampled = (texts, db.BUCKETS / buckets)
            return self._sampled

    # ---- documents --------------------------------------------------------------------------
    def _doc_text(self, source: str) -> str:
        at = self._where.get(source)
        if at is None:
            return ""
        with db.guarded(self.spec, "read a document"):
            rows = self.client.query(self._blobs, filter=f"kind == {db.Kind.TEXT} and doc == {at[0]} and gen == {at[1]}",
                                     output_fields=["part", "data"])
        return "".join(r["data"] for r in sorted(rows, key=lambda r: r["part"]))

    def rows_of(self, sources: Iterable[str]) -> set[int]:
        wanted = set(sources)
        docs = np.array([e.source in wanted for _, _, e in self.entries], bool)
        return {int(r) for r in np.flatnonzero(docs[self.doc_of_row])} if self.size else set()

    def mentions(self, name: str) -> bool:
        """Whether the documents name it (or it without 市/县/…), outside sentences hidden from the model."""
        for form in dict.fromkeys((name, core(name))):
            where = like(form) if form else None
            if where is None:
                continue
            with db.guarded(self.spec, "search"):
                rows = self.client.query(self._chunks, filter=f"{self.filter} and {where}",
                                         output_fields=["id", "doc", "text"], limit=200)
            for r in rows:
                row = self.row_of(int(r["id"]))
                if row is None:
                    continue
                text = r["text"]
                for hidden in self.entries[self.doc_of_row[row]][2].suspect:
                    text = text.replace(hidden, " ")
                if form in text:
                    return True
        return False


class _Rows:
    """The chunks by row, read from Milvus when asked for (and kept once read)."""

    def __init__(self, state: MilvusState):
        self._state = state

    def __len__(self) -> int:
        return self._state.size

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        return self._state.chunk(int(row))

    def __iter__(self):
        """Every chunk in row order, read PAGE rows to a call (copying an index reads them all)."""
        state = self._state
        for lo in range(0, state.size, db.PAGE):
            ids = [int(i) for i in state.ids[lo:lo + db.PAGE]]
            with db.guarded(state.spec, "read the passages"):
                found = state.client.get(state._chunks, ids=ids, output_fields=CHUNK_FIELDS)
            by_id = {int(r["id"]): r for r in found}
            for row, cid in enumerate(ids, lo):
                yield chunk_of(by_id[cid], state.entries[state.doc_of_row[row]][2].source)
