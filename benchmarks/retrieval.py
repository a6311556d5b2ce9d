"""Retrieval benchmark: lexical alone, dense alone and the fused hybrid, in one run.

Each benchmark passage becomes one document file, indexed with the project's own Index
(so chunking, tokenization and the FAISS/BM25 files are the real ones). A passage counts as
retrieved at rank r when one of its chunks is the r-th distinct passage among the hits.

    python benchmarks/retrieval.py                                  # rgb_zh_dev and the dev corpus, in one run
    python benchmarks/retrieval.py dev --fusions score,rrf,adaptive  # one set, more fusions
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

SHARED = ROOT.parent / "shared"


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


def ranked_passages(hits, by: str = "stem") -> list[str]:
    out: list[str] = []
    for h in hits:
        pid = Path(h.chunk.source).stem if by == "stem" else Path(h.chunk.source).name
        if pid not in out:
            out.append(pid)
    return out


def evaluate(retriever: Retriever, queries: list[dict], qvecs) -> dict:
    r1 = r5 = mrr = 0.0
    for q, v in zip(queries, qvecs, strict=True):
        ranked = ranked_passages(retriever._one(q["question"], v, 30, merge=False), q["by"])
        ranks = [i for i, pid in enumerate(ranked[:10], 1) if pid in q["relevant"]]
        r1 += bool(ranks and ranks[0] == 1)
        r5 += bool(ranks and ranks[0] <= 5)
        mrr += 1 / ranks[0] if ranks else 0
    n = len(queries)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


def bench_set(arg: str) -> tuple[str, Path, list[dict]]:
    """(name, documents folder, questions) for "dev" (../shared/corpus with eval/dev.jsonl's answerable
    questions) or a folder of ../shared/bench (each passage written as one document)."""
    if arg == "dev":
        questions = [{"question": q["question"], "relevant": set(q["sources"]), "by": "name"}
                     for q in map(json.loads, (SHARED / "eval" / "dev.jsonl").read_text("utf-8").splitlines())
                     if q["sources"]]
        return "dev", SHARED / "corpus", questions
    bench = Path(arg) if Path(arg).is_dir() else SHARED / "bench" / arg
    docs = ROOT / "index" / f"bench-{bench.name}" / "docs"
    materialize(bench, docs)
    questions = [{"question": q["question"], "relevant": relevant_ids(q), "by": "stem"}
                 for q in map(json.loads, (bench / "queries.jsonl").read_text("utf-8").splitlines())]
    return bench.name, docs, questions


def run_set(name: str, docs: Path, queries: list[dict], configs, s: Settings) -> list[tuple[str, dict]]:
    index = Index(ROOT / "index" / f"bench-{name}" / "index")
    embedder = make_embedder(s.with_overrides(index_dir=index.folder))
    t0 = time.perf_counter()
    rep = index.update([str(docs)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap,
                       progress=lambda p: print(f"\r{name}: read {p.files_done}/{p.files_total} files, "
                                                f"{p.chunks_done} chunks embedded", end="", file=sys.stderr))
    print(f"\n{name}: {rep.chunks_embedded} chunks embedded, {rep.chunks_resumed} resumed, "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    state = index.load()
    qvecs = embedder.embed_queries([q["question"] for q in queries])
    rows = []
    for mode, w, fusion in configs:
        r = Retriever(state, embedder, candidates=s.candidates, dense_weight=w, mode=mode, fusion=fusion)
        label = mode if mode != "hybrid" else f"hybrid {fusion} w={w:.2f}"
        if mode == "hybrid" and w == s.dense_weight and fusion == s.fusion:
            label += " (default)"
        rows.append((label, evaluate(r, queries, qvecs)))
    print(f"\n{name}: {len(queries)} questions, {len(state.docs)} documents, {len(state.chunks)} chunks")
    print(f"{'method':34s} {'recall@1':>9s} {'recall@5':>9s} {'MRR@10':>9s}")
    for label, res in rows:
        print(f"{label:34s} {res['recall@1']:9.3f} {res['recall@5']:9.3f} {res['mrr@10']:9.3f}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", default=["rgb_zh_dev", "dev"],
                    help="dev (../shared/corpus + eval/dev.jsonl) and/or ../shared/bench folders")
    ap.add_argument("--weights", default="", help="extra dense weights to try, e.g. 0.3,0.7")
    ap.add_argument("--fusions", default="", help="fusions to try besides the default: score,rrf,zscore,adaptive")
    args = ap.parse_args()
    s = Settings()
    weights = [s.dense_weight] + [float(w) for w in args.weights.split(",") if w]
    fusions = list(dict.fromkeys([s.fusion] + [f for f in args.fusions.split(",") if f]))
    configs = [("lexical", 0.0, s.fusion), ("dense", 1.0, s.fusion)]
    configs += [("hybrid", w, f) for f in fusions for w in weights]
    results = {}
    for arg in args.sets:
        name, docs, queries = bench_set(arg)
        results[name] = dict(run_set(name, docs, queries, configs, s))
    print("\nhybrid at least as good as the better single side on every set (recall@5 and MRR@10):")
    for label in list(next(iter(results.values())))[2:]:
        ok = all(res[label][m] >= max(res["lexical"][m], res["dense"][m]) - 1e-9
                 for res in results.values() for m in ("recall@5", "mrr@10"))
        print(f"  {label:34s} {'yes' if ok else 'no'}")


if __name__ == "__main__":
    main()
