"""Talking to Milvus: the connection (a milvus-lite file or a server), the two collections an index uses,
and Milvus's failures as one line each.

    NAME_chunks  one row per chunk: its text (Milvus's jieba analyzer feeds Milvus's own BM25 function),
                 the dense vector, the chunk's record, and the document and generation it belongs to
    NAME_blobs   everything else, as rows of at most PIECE characters: document entries and texts, each
                 generation's manifest, and the pointer to the live generation (one row, replaced last)
Every row carries the generation that wrote it; readers see rows of generations up to the live one, minus
the documents that generation lists as replaced, so nothing a run writes is visible before it switches.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path

from assistant.core.errors import Code, IndexStateError, InputError, ServerError
from assistant.index import lexical
from assistant.index.stores import StoreSpec
from assistant.text.words import jieba

PIECE = 16_000  # characters per text piece: at most 64,000 bytes of UTF-8, under Milvus's 65,535
MAX_TEXT = 65_535  # bytes in a VARCHAR
BATCH = 256  # rows per insert
PAGE = 1_000  # rows per page when reading many
POINTER = 1  # the id of the pointer row
TIMEOUT = 30.0  # seconds for one call to a server
BUCKETS = 1024  # chunk rows fall into this many buckets by id
SAMPLE = 4096  # rows a bigram count reads at most: exact below that, estimated from a fixed sample above
BLOB_DIM = 2  # Milvus wants a vector field in every collection; the blobs' one is not used

# Milvus's jieba analyzer, leaving out the folder store's stopwords and the punctuation it drops ("." and "%" stay)
PUNCTUATION = list("，。、；：？！“”‘’（）《》【】〔〕〈〉「」『』—…·,;:?!()[]<>\"'-/\\|~@#$^&*+=_`{}") + ["——", "……"]
ANALYZER = {"tokenizer": {"type": "jieba", "mode": "search"},
            "filter": ["lowercase", {"type": "stop", "stop_words": sorted(lexical.STOPWORDS) + PUNCTUATION}]}

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


class Kind(IntEnum):
    ENTRY = 0  # a document's entry (DocEntry without its text), JSON
    TEXT = 1  # a document's text
    MANIFEST = 2  # a generation's manifest, JSON
    POINTER = 3  # {"gen": N}: the live generation


def row_id(*parts: object) -> int:
    """A stable 63-bit id (Milvus's INT64 keys are signed)."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def pieces(text: str) -> list[str]:
    return [text[i:i + PIECE] for i in range(0, len(text), PIECE)] or [""]


def chunks_of(name: str) -> str:
    return f"{name}_chunks"


def blobs_of(name: str) -> str:
    return f"{name}_blobs"


def connect(spec: StoreSpec):
    """A client for the store (one per store and process); one line when it cannot be had."""
    try:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
    except ImportError:
        raise InputError(Code.STORE_NEEDS_MILVUS) from None
    for name in ("pymilvus", "milvus_lite", "grpc._server"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # their tracebacks are worded here, once
    jieba()  # milvus-lite's analyzer uses this process's jieba: loaded quietly, once
    with _clients_lock:
        if spec.uri in _clients:
            return _clients[spec.uri]
        if spec.local:
            if _held(spec.uri):
                raise ServerError(Code.STORE_BUSY, uri=spec.uri)
            Path(spec.uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                client = MilvusClient(spec.uri)
            except MilvusException as e:
                raise ServerError(Code.STORE_BUSY if _held(spec.uri) else Code.STORE_FAILED, uri=spec.uri,
                                  action="open the file", detail=_detail(e)) from None
        else:
            try:
                client = MilvusClient(uri=spec.uri, timeout=TIMEOUT)
            except MilvusException as e:
                raise ServerError(Code.STORE_UNREACHABLE, uri=spec.uri, detail=_detail(e)) from None
        _clients[spec.uri] = client
        return client


def _held(path: str) -> bool:
    """Whether another process holds milvus-lite's lock on the file (it is a folder with a LOCK file)."""
    lock = Path(path) / "LOCK"
    if not lock.is_file():
        return False
    try:
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def _detail(e: Exception) -> str:
    text = getattr(e, "message", None) or str(e) or type(e).__name__
    return " ".join(str(text).split())[:200]


@contextmanager
def guarded(spec: StoreSpec, action: str) -> Iterator[None]:
    """Milvus failures inside as one ServerError line naming what was being done."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as e:
        detail = _detail(e)
        if any(w in detail.lower() for w in ("unavailable", "connect", "deadline")):
            raise ServerError(Code.STORE_UNREACHABLE, uri=spec.uri, detail=detail) from None
        raise ServerError(Code.STORE_FAILED, uri=spec.uri, action=action, detail=detail) from None


def ensure_collections(client, spec: StoreSpec, dim: int) -> None:
    """Make the two collections when they are missing; refuse ones another program made."""
    from pymilvus import DataType, Function, FunctionType

    chunks, blobs = chunks_of(spec.collection), blobs_of(spec.collection)
    have = {c for c in (chunks, blobs) if client.has_collection(c)}
    check_ours(client, spec, have)
    if chunks not in have:
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("doc", DataType.INT64)
        s.add_field("gen", DataType.INT64)
        s.add_field("bucket", DataType.INT64)  # id % BUCKETS: a fixed sample of the rows, for counting
        s.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT)
        s.add_field("words", DataType.VARCHAR, max_length=MAX_TEXT, enable_analyzer=True, analyzer_params=ANALYZER)
        s.add_field("meta", DataType.VARCHAR, max_length=MAX_TEXT)
        s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["words"],
                                output_field_names=["sparse"]))
        ip = client.prepare_index_params()
        ip.add_index("dense", index_type="FLAT", metric_type="IP")  # exact, as the folder's FAISS flat index
        ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": lexical.K1, "bm25_b": lexical.B})  # the folder store's BM25 parameters
        client.create_collection(chunks, schema=s, index_params=ip, consistency_level="Strong")
    if blobs not in have:
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("id", DataType.INT64, is_primary=True)
        s.add_field("doc", DataType.INT64)
        s.add_field("gen", DataType.INT64)
        s.add_field("kind", DataType.INT64)
        s.add_field("part", DataType.INT64)
        s.add_field("data", DataType.VARCHAR, max_length=MAX_TEXT)
        s.add_field("v", DataType.FLOAT_VECTOR, dim=BLOB_DIM)
        ip = client.prepare_index_params()
        ip.add_index("v", index_type="FLAT", metric_type="L2")
        client.create_collection(blobs, schema=s, index_params=ip, consistency_level="Strong")
    for c in (chunks, blobs):
        client.load_collection(c)


CHUNK_SCHEMA = {"id", "doc", "gen", "bucket", "text", "words", "meta", "dense", "sparse"}
BLOB_SCHEMA = {"id", "doc", "gen", "kind", "part", "data", "v"}


def check_ours(client, spec: StoreSpec, names: set[str]) -> None:
    """These collections have this assistant's fields, or STORE_FOREIGN."""
    for name, fields in ((chunks_of(spec.collection), CHUNK_SCHEMA), (blobs_of(spec.collection), BLOB_SCHEMA)):
        if name not in names:
            continue
        found = {f["name"] for f in client.describe_collection(name).get("fields", [])}
        if found != fields:
            raise ServerError(Code.STORE_FOREIGN, collection=spec.collection, uri=spec.uri)


def dense_dim(client, spec: StoreSpec) -> int:
    for f in client.describe_collection(chunks_of(spec.collection)).get("fields", []):
        if f["name"] == "dense":
            return int(f.get("params", {}).get("dim", 0))
    raise IndexStateError(Code.INDEX_DAMAGED, folder=spec.uri, detail="no dense field")


def query_all(client, collection: str, filter: str, fields: list[str]) -> Iterator[dict]:
    """Every row that matches, page by page (a query returns at most 16,384)."""
    it = client.query_iterator(collection, batch_size=PAGE, filter=filter, output_fields=fields)
    try:
        while True:
            page = it.next()
            if not page:
                return
            yield from page
    finally:
        it.close()


def insert(client, collection: str, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        client.insert(collection, rows[i:i + BATCH])


def close(uri: str | None = None) -> None:
    """Let go of the client of one store (every store: None); a milvus-lite file is then free for others."""
    with _clients_lock:
        for key in [k for k in _clients if uri is None or k == uri]:
            client = _clients.pop(key)
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing what may already be gone
                pass
            try:
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(key)
            except ImportError:
                pass
