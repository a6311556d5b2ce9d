"""The index at 10k, 30k and 100k chunks: query latency, load time, memory, disk, adding and removing one file.

The documents are the public passages of ../shared/bench (CMRC 2018, DRCD, rgb_zh_dev), 20 to a
file, repeated with changes (each copy numbered and its sentences rotated) until the index holds
the chunks asked for. Retrieval quality is not the point here, so document vectors come from a
hash-seeded embedder (768 dimensions, like EmbeddingGemma's); everything else is the real index:
chunking, jieba + bigram BM25, FAISS, the kept bigrams. The query embedding is timed apart with the
real int8 embedder and added for the "with embedding" column.

    python benchmarks/scale.py                 # 10k, 30k, 100k (the build takes a while: jieba on every chunk)
    python benchmarks/scale.py --sizes 10000   # one size
    python benchmarks/scale.py --sizes 10000 --store milvus   # the same on milvus-lite (a file beside the index)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.context import BigramIdf, select  # noqa: E402
from assistant.answer.gate import gate  # noqa: E402
from assistant.answer.generation import estimated_tokens  # noqa: E402
from assistant.answer.retrieval import Retriever  # noqa: E402
from assistant.core.config import Settings  # noqa: E402
from assistant.index.store import Index  # noqa: E402
from assistant.index.stores import open_store  # noqa: E402

SHARED = ROOT.parent / "shared"
PER_FILE = 20


class SeededEmbedder:
    """Unit vectors seeded by the text's hash: fixed per text, spread like real embeddings, free to compute."""

    name, fingerprint, backend = "seeded-768", "seeded-768-v1", "seeded"
    dim = 768

    def _one(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype("float32")
        return v / np.linalg.norm(v)

    def embed_documents(self, texts):
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), "float32")

    embed_queries = embed_documents


def passages() -> list[str]:
    out = []
    for name in ("cmrc2018", "drcd_test_zhs", "rgb_zh_dev"):
        for line in (SHARED / "bench" / name / "passages.jsonl").read_text("utf-8").splitlines():
            p = json.loads(line)
            out.append((p.get("title", "") + "\n" + p["text"]).strip())
    return out


def write_files(folder: Path, texts: list[str], start: int, count: int) -> list[Path]:
    """Files start..start+count-1: copy k of the passages, numbered, sentences rotated by k."""
    made = []
    for f in range(start, start + count):
        copy, slot = divmod(f * PER_FILE, len(texts))
        body = []
        for i in range(PER_FILE):
            t = texts[(slot + i) % len(texts)]
            parts = [s for s in t.replace("。", "。\n").splitlines() if s]
            k = copy % max(len(parts), 1)
            body.append(f"（第{copy + 1}稿）" + "".join(parts[k:] + parts[:k]))
        path = folder / f"{f // 1000:03d}" / f"文件{f:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(body) + "\n", "utf-8")
        made.append(path)
    return made


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure(index: Index, s: Settings, questions: list[str], embedder, query_ms: float, disk: list[Path]) -> dict:
    before = rss_mb()
    t0 = time.perf_counter()
    state = index.load()
    retriever = Retriever(state, embedder, top_k=s.top_k, candidates=s.candidates, dense_weight=s.dense_weight,
                          fusion=s.fusion)
    idf = BigramIdf(len(state.chunks), state.bigram_df)
    load_s = time.perf_counter() - t0
    mem = rss_mb() - before
    qvecs = embedder.embed_queries(questions)
    times, narrowing = [], []
    for q, v in zip(questions, qvecs, strict=True):
        t = time.perf_counter()
        hits = retriever._one(q, v, s.top_k, merge=True)
        gate(q, hits, state.mentions, min_dense=s.min_dense)
        t1 = time.perf_counter()
        select(q, hits, idf, budget=s.passage_tokens, per_hit=s.passage_tokens_per_hit, cost=estimated_tokens)  # what the model would read
        times.append((time.perf_counter() - t) * 1000)
        narrowing.append((time.perf_counter() - t1) * 1000)
    mem_used = rss_mb() - before  # memory-mapped vectors and postings count once the questions read them
    n = len(state.chunks)
    return {"chunks": n, "documents": len(state.docs), "load_s": round(load_s, 2),
            "p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1),
            "p50_with_embedding_ms": round(float(np.percentile(times, 50)) + query_ms, 1),
            "memory_mb": round(mem), "kb_per_chunk": round(mem * 1024 / max(n, 1), 2),
            "memory_in_use_mb": round(mem_used), "kb_per_chunk_in_use": round(mem_used * 1024 / max(n, 1), 2),
            "narrowing_p50_ms": round(float(np.percentile(narrowing, 50)), 1),
            "segments": len(state.manifest.segments), "disk_mb": round(sum(du_mb(p) for p in disk if p.exists()), 1)}


def query_embedding_ms(questions: list[str]) -> float:
    """Median time to embed one question with the real default embedder (0 when it is not installed)."""
    from assistant.answer.pipeline import make_embedder
    from assistant.core.errors import AssistantError

    try:
        emb = make_embedder(Settings())
        emb.embed_queries(questions[:1])
    except AssistantError:
        return 0.0
    times = []
    for q in questions[:20]:
        t = time.perf_counter()
        emb.embed_queries([q])
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--work", type=Path, default=ROOT / "index" / "bench-scale")
    ap.add_argument("--store", choices=["folder", "milvus"], default="folder")
    ap.add_argument("--questions", type=int, default=100)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    shutil.rmtree(args.work, ignore_errors=True)
    docs, extra = args.work / "docs", args.work / "one-more"
    extra.mkdir(parents=True)
    s = Settings().with_overrides(index_dir=args.work / "index")
    texts = passages()
    questions = [json.loads(x)["question"] for x in
                 (SHARED / "bench" / "cmrc2018" / "queries.jsonl").read_text("utf-8").splitlines()[:args.questions]]
    q_ms = query_embedding_ms(questions)
    store = f"milvus:{args.work / 'store.db'}" if args.store == "milvus" else None
    embedder, index = SeededEmbedder(), open_store(s.index_dir, store)
    disk = [s.index_dir, args.work / "store.db"]
    rows, files = [], 0
    for size in sizes:
        t0 = time.perf_counter()
        while not index.exists() or index.manifest().chunks < size:
            have = index.manifest().chunks if index.exists() else 0
            batch = 10 if not files else max(1, min(2000, int((size - have) / (have / files)) + 1))  # 10 to measure
            write_files(docs, texts, files, batch)
            files += batch
            index.update([str(docs)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap)
        build_s = time.perf_counter() - t0
        row = measure(index, s, questions, embedder, q_ms, disk)
        one = write_files(extra, texts, 10_000_000, 1)[0]
        t = time.perf_counter()
        index.update([str(docs), str(one)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap)
        row["add_one_file_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        index.remove([str(one)])
        row["remove_one_file_s"] = round(time.perf_counter() - t, 2)
        os.unlink(one)
        row["build_s"] = round(build_s, 1)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(f"\nquery embedding (int8 EmbeddingGemma, one question): {q_ms:.0f} ms")
    cols = ["chunks", "documents", "segments", "p50_ms", "p95_ms", "narrowing_p50_ms", "p50_with_embedding_ms", "load_s",
            "memory_mb",
            "kb_per_chunk", "kb_per_chunk_in_use", "disk_mb", "add_one_file_s", "remove_one_file_s", "build_s"]
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(str(r[c]) for c in cols))
    (args.work / "result.json").write_text(json.dumps({"query_embedding_ms": q_ms, "rows": rows}, indent=1), "utf-8")


if __name__ == "__main__":
    main()
