"""Retrieval benchmark: lexical alone, dense alone and the fused hybrid, in one run.

Each benchmark passage becomes one document file, indexed with the project's own Index
(so chunking, tokenization and the FAISS/BM25 files are the real ones). A passage counts as
retrieved at rank r when one of its chunks is the r-th distinct passage among the hits.

    python benchmarks/retrieval.py ../shared/bench/rgb_zh_dev
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import make_embedder  # noqa: E402
from assistant.answer.retrieval import Retriever  # noqa: E402
from assistant.core.config import Settings  # noqa: E402
from assistant.index.store import Index  # noqa: E402


def materialize(bench: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for line in (bench / "passages.jsonl").read_text("utf-8").splitlines():
        p = json.loads(line)
        f = out / f"{p['passage_id']}.txt"
        text = (p.get("title", "") + "\n" + p["text"]).strip() + "\n"
        if not f.exists() or f.read_text("utf-8") != text:
            f.write_text(text, "utf-8")


def relevant_ids(q: dict) -> set[str]:
    return set(q.get("positive_passage_ids") or [q["passage_id"]])


def ranked_passages(hits) -> list[str]:
    out: list[str] = []
    for h in hits:
        pid = Path(h.chunk.source).stem
        if pid not in out:
            out.append(pid)
    return out


def evaluate(retriever: Retriever, queries: list[dict], qvecs) -> dict:
    r1 = r5 = mrr = 0.0
    for q, v in zip(queries, qvecs, strict=True):
        ranked = ranked_passages(retriever._one(q["question"], v, 30, merge=False))
        rel = relevant_ids(q)
        ranks = [i for i, pid in enumerate(ranked[:10], 1) if pid in rel]
        r1 += bool(ranks and ranks[0] == 1)
        r5 += bool(ranks and ranks[0] <= 5)
        mrr += 1 / ranks[0] if ranks else 0
    n = len(queries)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", type=Path)
    ap.add_argument("--work", type=Path, help="where to keep documents and index (default: index/bench-NAME)")
    ap.add_argument("--weights", default="", help="extra dense weights to try, e.g. 0.3,0.7")
    ap.add_argument("--fusions", default="score", help="fusions to try for the hybrid: score,rrf")
    args = ap.parse_args()
    name = args.bench.name
    work = args.work or ROOT / "index" / f"bench-{name}"
    docs = work / "docs"
    materialize(args.bench, docs)
    s = Settings().with_overrides(index_dir=work / "index")
    index = Index(s.index_dir)
    embedder = make_embedder(s)
    t0 = time.perf_counter()
    rep = index.update([str(docs)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap,
                       progress=lambda p: print(f"\rread {p.files_done}/{p.files_total} files, {p.chunks_done} chunks embedded", end="", file=sys.stderr))
    print(f"\nindex: {rep.chunks_embedded} chunks embedded, {rep.chunks_resumed} resumed, "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    state = index.load()
    queries = [json.loads(x) for x in (args.bench / "queries.jsonl").read_text("utf-8").splitlines()]
    qvecs = embedder.embed_queries([q["question"] for q in queries])
    rows = []
    configs = [("lexical", 0.0, s.fusion), ("dense", 1.0, s.fusion)]
    weights = [s.dense_weight] + [float(w) for w in args.weights.split(",") if w]
    configs += [("hybrid", w, f) for f in args.fusions.split(",") for w in weights]
    for mode, w, fusion in configs:
        r = Retriever(state, embedder, candidates=s.candidates, dense_weight=w, mode=mode, fusion=fusion)
        res = evaluate(r, queries, qvecs)
        label = mode if mode != "hybrid" else f"hybrid {fusion} w={w:.2f}"
        if mode == "hybrid" and w == s.dense_weight and fusion == s.fusion:
            label += " (default)"
        rows.append((label, res))
    print(f"\n{name}: {len(queries)} questions, {len(state.docs)} passages, {len(state.chunks)} chunks")
    print(f"{'method':32s} {'recall@1':>9s} {'recall@5':>9s} {'MRR@10':>9s}")
    for label, res in rows:
        print(f"{label:32s} {res['recall@1']:9.3f} {res['recall@5']:9.3f} {res['mrr@10']:9.3f}")


if __name__ == "__main__":
    main()
