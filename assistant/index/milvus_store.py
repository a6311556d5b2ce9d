"""An index whose documents live in Milvus: milvus-lite (a local file) on a laptop, a Milvus server for an
office. Reading files, chunking, embedding and resuming work as in the folder store (store.Index); only
where the chunks go and how a generation is switched differ.

A run writes its documents' rows under the next generation number, then that generation's manifest, then
replaces the one pointer row: before that last write no reader sees any of it, and a run that stops half-way
leaves rows the next run deletes first. Rows replaced by generation N are deleted by run N+1, so a reader
still on N-1 keeps its documents until it reloads (as the folder keeps two generations).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, IndexStateError, InputError
from assistant.core.records import Chunk, Document
from assistant.index import milvus_db as db
from assistant.index.embedding import Embedder
from assistant.index.lexical import lexical_text
from assistant.index.manifest import FORMAT_VERSION, ChunkerSettings, EmbeddingInfo, LexicalInfo, Manifest
from assistant.index.milvus_state import MilvusState, bm25_text, chunk_meta
from assistant.index.records import DocEntry, UpdateReport
from assistant.index.scans import sync_images
from assistant.index.store import Index, embedding_info
from assistant.index.stores import StoreSpec, record, recorded

LEXICAL = LexicalInfo("milvus-jieba", "milvus-bm25")


class MilvusStore(Index):
    def __init__(self, folder: str | os.PathLike, spec: StoreSpec, *, notify: Callable[[str], None] | None = None):
        super().__init__(folder, notify=notify)
        self.spec = spec
        self._ready = False

    def __str__(self) -> str:
        return str(self.spec)

    # ---- reading -------------------------------------------------------------------
    def _client(self):
        client = db.connect(self.spec)
        if not self._ready:
            with db.guarded(self.spec, "open the collections"):
                names = {n for n in (db.chunks_of(self.spec.collection), db.blobs_of(self.spec.collection))
                         if client.has_collection(n)}
                db.check_ours(client, self.spec, names)
                for n in names:
                    client.load_collection(n)
            self._ready = True
        return client

    def _pointer(self) -> int | None:
        client = self._client()
        blobs = db.blobs_of(self.spec.collection)
        with db.guarded(self.spec, "read the live generation"):
            if not client.has_collection(blobs):
                return None
            rows = client.get(blobs, ids=[db.POINTER], output_fields=["data"])
        return int(json.loads(rows[0]["data"])["gen"]) if rows else None

    def current(self) -> Path | None:
        gen = self._pointer()
        return None if gen is None else self.folder / f"milvus-gen-{gen:06d}"

    def manifest(self) -> Manifest:
        gen = self._pointer()
        if gen is None:
            raise IndexStateError(Code.NO_INDEX, folder=self.folder)
        return self._manifest(gen)[0]

    def _manifest(self, gen: int) -> tuple[Manifest, dict[int, list[int]]]:
        with db.guarded(self.spec, "read the manifest"):
            rows = self._client().query(db.blobs_of(self.spec.collection),
                                        filter=f"kind == {db.Kind.MANIFEST} and gen == {gen}",
                                        output_fields=["part", "data"])
        try:
            data = json.loads("".join(r["data"] for r in sorted(rows, key=lambda r: r["part"])))
            dead = {int(g): [int(d) for d in docs] for g, docs in data["dead"].items()}
            return Manifest.from_dict(data["manifest"], self.folder), dead
        except (ValueError, KeyError, TypeError, AttributeError):
            raise IndexStateError(Code.MANIFEST_DAMAGED, folder=f"{self.spec} generation {gen}") from None

    def load(self) -> MilvusState:
        gen = self._pointer()
        if gen is None:
            raise IndexStateError(Code.NO_INDEX, folder=self.folder)
        manifest, dead = self._manifest(gen)
        client = self._client()
        parts: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        with db.guarded(self.spec, "read the documents"):
            for r in db.query_all(client, db.blobs_of(self.spec.collection),
                                  f"kind == {db.Kind.ENTRY} and gen <= {gen}", ["doc", "gen", "part", "data"]):
                parts[(int(r["doc"]), int(r["gen"]))].append((int(r["part"]), r["data"]))
        gone = {(d, g) for g, docs in dead.items() for d in docs}
        entries = []
        try:
            for (doc, g), ps in parts.items():
                if (doc, g) in gone:
                    continue
                d = json.loads("".join(p for _, p in sorted(ps)))
                order = d.pop("order")
                entries.append((g, order, doc, DocEntry(**d)))
        except (ValueError, KeyError, TypeError):
            raise IndexStateError(Code.INDEX_DAMAGED, folder=self.folder, detail="a document entry") from None
        entries.sort(key=lambda x: (x[0], x[1]))
        state = MilvusState(self.folder, self.spec, client, gen, manifest, dead,
                            [(doc, g, e) for g, _, doc, e in entries])
        if state.size != manifest.chunks or len(state.docs) != manifest.documents:
            raise IndexStateError(Code.INDEX_INCONSISTENT, folder=self.folder)
        return state

    # ---- writing -------------------------------------------------------------------
    def _commit(self, old: MilvusState | None, docs: dict[str, DocEntry],
                fresh: list[tuple[Document, list[Chunk]]], vectors: list[np.ndarray],
                embedder: Embedder | None, chunker: ChunkerSettings) -> None:
        prev = old if old is not None else (self.load() if self.exists() else None)  # a rebuild replaces it all
        emb = embedding_info(embedder, prev.manifest if prev else None)
        fresh_keys = {os.path.abspath(d.source) for d, _ in fresh}
        self._publish(prev, emb, chunker, [docs[os.path.abspath(d.source)] for d, _ in fresh],
                      [cs for _, cs in fresh], vectors, lambda e: e.key in docs and e.key not in fresh_keys)

    def copy_from(self, source) -> UpdateReport:
        """Every document of another index, into this store while it is empty: chunks, spans, vectors and
        records as they are (nothing is read or embedded again), in one generation."""
        report = UpdateReport()
        t0 = time.perf_counter()
        with self._locked():
            if self.exists():
                raise InputError(Code.STORE_NOT_EMPTY, store=str(self.spec), folder=self.folder)
            state = source.load()
            vectors = state.vectors()
            rows: dict[str, list[int]] = defaultdict(list)
            chunks: dict[str, list[Chunk]] = defaultdict(list)
            for row, chunk in enumerate(state.chunks):  # read once, in row order
                rows[chunk.source].append(row)
                chunks[chunk.source].append(chunk)
            entries = [replace(state.by_source[src], text=state.doc_text(src)) for src in rows]
            self._publish(None, state.manifest.embedding, state.manifest.chunker, entries, list(chunks.values()),
                          [vectors[rs] for rs in rows.values()], lambda e: False, images_from=source.folder)
            report.added = [e.source for e in entries]
            report.chunks_resumed = len(vectors)  # carried over, not embedded
        report.seconds = time.perf_counter() - t0
        return report

    def _publish(self, prev: MilvusState | None, emb: EmbeddingInfo, chunker: ChunkerSettings,
                 entries: list[DocEntry], chunks: list[list[Chunk]], vectors: list[np.ndarray],
                 keep: Callable[[DocEntry], bool], images_from: Path | None = None) -> None:
        """Write `entries` (with their text, chunks and vectors) as the next generation, with the documents of
        `prev` that `keep` says stay, and switch to it."""
        client = self._client()
        chunk_col, blobs = db.chunks_of(self.spec.collection), db.blobs_of(self.spec.collection)
        gen = (prev.gen if prev else 0) + 1
        with db.guarded(self.spec, "write the documents"):
            db.ensure_collections(client, self.spec, emb.dim)
            self._ready = False
            held = db.dense_dim(client, self.spec)
            if held != emb.dim:  # a collection's vectors have one size for good
                raise IndexStateError(Code.STORE_OTHER_DIM, store=str(self.spec), held=held, dim=emb.dim, model=emb.name)
            client.delete(chunk_col, filter=f"gen >= {gen}")  # a run that stopped before it switched
            client.delete(blobs, filter=f"gen >= {gen} and kind != {db.Kind.POINTER}")
            for g, ids in (prev.dead if prev else {}).items():  # replaced one generation ago: no reader left
                where = f"gen == {g} and doc in [{', '.join(map(str, ids))}]"
                client.delete(chunk_col, filter=where)
                client.delete(blobs, filter=f"{where} and kind != {db.Kind.POINTER}")
            client.delete(blobs, filter=f"kind == {db.Kind.MANIFEST} and gen < {gen - 1}")
            dead: dict[int, list[int]] = defaultdict(list)
            kept: list[tuple[int, int, DocEntry]] = []
            for doc, g, e in prev.entries if prev else ():
                if keep(e):
                    kept.append((doc, g, e))
                else:
                    dead[g].append(doc)
            live = kept + self._write(client, gen, entries, chunks, vectors)
            now = time.strftime("%Y-%m-%dT%H:%M:%S")
            manifest = Manifest(FORMAT_VERSION, emb, chunker, LEXICAL, created=prev.manifest.created if prev else now,
                                updated=now, documents=len(live), chunks=sum(len(e.chunk_ids) for _, _, e in live))
            text = json.dumps({"manifest": manifest.to_dict(), "dead": {str(g): d for g, d in dead.items()}},
                              ensure_ascii=False)
            db.insert(client, blobs, [_blob(db.Kind.MANIFEST, 0, gen, i, p) for i, p in enumerate(db.pieces(text))])
            client.flush(chunk_col)  # sealed and indexed now, not rebuilt by every search (milvus-lite)
            client.upsert(blobs, [{**_blob(db.Kind.POINTER, 0, gen, 0, json.dumps({"gen": gen})), "id": db.POINTER}])
            client.flush(blobs)
        if recorded(self.folder) is None:
            record(self.folder, self.spec)
        sync_images(self.folder, [e for _, _, e in live], also=images_from)

    def _write(self, client, gen: int, entries: list[DocEntry], chunks: list[list[Chunk]],
               vectors: list[np.ndarray]) -> list[tuple[int, int, DocEntry]]:
        """The fresh documents' rows under generation `gen` (invisible until it is switched to)."""
        out, chunk_rows, blob_rows = [], [], []
        for order, (entry, cs, vecs) in enumerate(zip(entries, chunks, vectors, strict=True)):
            doc = db.row_id("doc", entry.key)
            entry.chunk_ids = [c.chunk_id for c in cs]
            for seq, (c, v) in enumerate(zip(cs, np.asarray(vecs, "float32"), strict=True)):
                cid = db.row_id("chunk", doc, gen, seq)
                chunk_rows.append({"id": cid, "doc": doc, "gen": gen, "bucket": cid % db.BUCKETS, "text": c.text,
                                   "words": bm25_text(lexical_text(c)), "meta": chunk_meta(c), "dense": v.tolist()})
            d = asdict(entry)
            text = d.pop("text")
            d["order"] = order
            blob_rows += [_blob(db.Kind.ENTRY, doc, gen, i, p)
                          for i, p in enumerate(db.pieces(json.dumps(d, ensure_ascii=False)))]
            blob_rows += [_blob(db.Kind.TEXT, doc, gen, i, p) for i, p in enumerate(db.pieces(text))]
            out.append((doc, gen, entry))
            if len(chunk_rows) >= db.BATCH * 4:
                db.insert(client, db.chunks_of(self.spec.collection), chunk_rows)
                chunk_rows = []
        db.insert(client, db.chunks_of(self.spec.collection), chunk_rows)
        db.insert(client, db.blobs_of(self.spec.collection), blob_rows)
        return out


def _blob(kind: db.Kind, doc: int, gen: int, part: int, data: str) -> dict:
    return {"id": db.row_id("blob", int(kind), doc, gen, part), "doc": doc, "gen": gen, "kind": int(kind),
            "part": part, "data": data, "v": [0.0] * db.BLOB_DIM}
