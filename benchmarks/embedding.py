"""Embedding speed and retrieval quality: today's fp32 path next to the ONNX Runtime int8 path, in one run.

The same chunks (cut by the project's chunker, in the order `assistant index` embeds them, 128 to a
call) are embedded both ways; each set of vectors then goes into a real index (FAISS + BM25) and the
same questions are asked of both: dense alone and the default hybrid, recall@5 and MRR@10.

    python benchmarks/embedding.py                      # the dev questions over ../shared/corpus, and rgb_zh_dev
    python benchmarks/embedding.py --rgb-passages 600   # rgb_zh_dev cut to its gold passages + random others

The full rgb_zh_dev set is 4,102 chunks: about 80 min fp32 plus 45 min int8 on a 2-core laptop-class CPU.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.retrieval import Retriever  # noqa: E402
from assistant.core import models  # noqa: E402
from assistant.core.config import Settings  # noqa: E402
from assistant.index.embedding import SentenceTransformerEmbedder  # noqa: E402
from assistant.index.onnx_convert import convert  # noqa: E402
from assistant.index.onnx_embedding import OnnxEmbedder, converted_dir  # noqa: E402
from assistant.index.store import Index, embed_text  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.readers import discover, read_all  # noqa: E402
from benchmarks.retrieval import materialize, relevant_ids  # noqa: E402

SHARED = ROOT.parent / "shared"
CALL = 128  # chunks per embedding call, as Index.embed_batch


class Recorded:
    """An embedder that hands back vectors computed beforehand (documents) and embeds queries live."""

    def __init__(self, inner, vectors: dict[str, np.ndarray]):
        self.inner, self.vectors = inner, vectors
        self.name, self.fingerprint = inner.name, inner.fingerprint + "+recorded"

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_documents(self, texts):
        return np.vstack([self.vectors[t] for t in texts]) if texts else np.zeros((0, self.dim), "float32")

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)


def chunk_texts(folder: Path, s: Settings) -> list[str]:
    files, _ = discover([str(folder)])
    texts: list[str] = []
    for doc in read_all(files):
        if hasattr(doc, "text"):
            texts.extend(embed_text(c) for c in chunk_document(doc, s.chunk_size, s.chunk_overlap))
    return list(dict.fromkeys(texts))


def timed_embed(embedder, texts: list[str]) -> tuple[dict[str, np.ndarray], float, float]:
    t0 = time.perf_counter()
    embedder.embed_documents(texts[:1])  # load the model: timed apart
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    out: dict[str, np.ndarray] = {}
    for lo in range(0, len(texts), CALL):
        part = texts[lo:lo + CALL]
        out.update(zip(part, embedder.embed_documents(part), strict=True))
        print(f"\r  {embedder.backend}: {lo + len(part)}/{len(texts)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out, time.perf_counter() - t0, load


def score(state, embedder, questions: list[dict], s: Settings) -> dict[str, dict[str, float]]:
    qvecs = embedder.embed_queries([q["question"] for q in questions])
    res = {}
    for mode, w in (("dense", 1.0), ("hybrid", s.dense_weight)):
        r = Retriever(state, embedder, candidates=s.candidates, dense_weight=w, mode=mode, fusion=s.fusion)
        r5 = mrr = 0.0
        for q, v in zip(questions, qvecs, strict=True):
            ranked: list[str] = []
            for h in r._one(q["question"], v, 30, merge=False):
                key = Path(h.chunk.source).stem if q["by"] == "stem" else Path(h.chunk.source).name
                if key not in ranked:
                    ranked.append(key)
            ranks = [i for i, key in enumerate(ranked[:10], 1) if key in q["relevant"]]
            r5 += bool(ranks and ranks[0] <= 5)
            mrr += 1 / ranks[0] if ranks else 0.0
        res[mode] = {"recall@5": r5 / len(questions), "mrr@10": mrr / len(questions)}
    return res


def rgb_subset(bench: Path, docs: Path, limit: int, seed: int = 7) -> list[dict]:
    questions = [json.loads(x) for x in (bench / "queries.jsonl").read_text("utf-8").splitlines()]
    materialize(bench, docs)
    if limit:
        keep = set().union(*(relevant_ids(q) for q in questions))
        others = sorted(p.stem for p in docs.glob("*.txt") if p.stem not in keep)
        random.Random(seed).shuffle(others)
        keep |= set(others[:max(0, limit - len(keep))])
        for p in docs.glob("*.txt"):
            if p.stem not in keep:
                p.unlink()
    return [{"question": q["question"], "relevant": relevant_ids(q), "by": "stem"} for q in questions]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT / "index" / "bench-embedding")
    ap.add_argument("--rgb-passages", type=int, default=0, help="cut rgb_zh_dev to this many passages (0: all 3,592)")
    ap.add_argument("--skip-rgb", action="store_true")
    args = ap.parse_args()
    s = Settings()
    folder = models.require(models.DEFAULT_EMBEDDING, s.models_dir)
    convert(folder, converted_dir(s.models_dir, folder), progress=lambda m: print(m, file=sys.stderr))
    sets = [("dev (../shared/corpus)", SHARED / "corpus",
             [{"question": q["question"], "relevant": set(q["sources"]), "by": "name"}
              for q in map(json.loads, (SHARED / "eval" / "dev.jsonl").read_text("utf-8").splitlines())
              if q["sources"]])]
    if not args.skip_rgb:
        docs = args.work / "rgb_zh_dev-docs"
        sets.append(("rgb_zh_dev", docs, rgb_subset(SHARED / "bench" / "rgb_zh_dev", docs, args.rgb_passages)))
    paths = {"torch fp32 (today)": SentenceTransformerEmbedder(folder, batch_size=16),
             "onnx-int8": OnnxEmbedder(folder, converted_dir(s.models_dir, folder), threads=s.threads)}
    rows = []
    for label, docs, questions in sets:
        texts = chunk_texts(docs, s)
        print(f"{label}: {len(texts)} chunks, {len(questions)} questions", file=sys.stderr)
        for name, emb in paths.items():
            vectors, secs, load = timed_embed(emb, texts)
            index = Index(args.work / f"{label.split()[0]}-{emb.backend}")
            index.update([str(docs)], Recorded(emb, vectors), chunk_size=s.chunk_size,
                         chunk_overlap=s.chunk_overlap, rebuild=True)
            res = score(index.load(), emb, questions, s)
            rows.append((label, name, len(texts), len(texts) / secs, load, res))
            print(f"  {name}: {len(texts) / secs:.2f} chunks/s, {json.dumps(res)}", file=sys.stderr)
    print(f"\n{'set':22s} {'path':20s} {'chunks':>6s} {'chunks/s':>8s} {'dense R@5':>9s} {'dense MRR':>9s} "
          f"{'hybrid R@5':>10s} {'hybrid MRR':>10s}")
    for label, name, n, rate, _load, res in rows:
        d, h = res["dense"], res["hybrid"]
        print(f"{label:22s} {name:20s} {n:6d} {rate:8.2f} {d['recall@5']:9.3f} {d['mrr@10']:9.3f} "
              f"{h['recall@5']:10.3f} {h['mrr@10']:10.3f}")
    for label in dict.fromkeys(r[0] for r in rows):
        base, fast = [r for r in rows if r[0] == label][:2]
        print(f"{label}: speed-up {fast[3] / base[3]:.2f}x; "
              + "; ".join(f"{m} Δrecall@5 {fast[5][m]['recall@5'] - base[5][m]['recall@5']:+.3f} "
                          f"ΔMRR@10 {fast[5][m]['mrr@10'] - base[5][m]['mrr@10']:+.3f}" for m in ("dense", "hybrid")))


if __name__ == "__main__":
    main()
