"""Retrieval benchmark: lexical alone, dense alone and the fused hybrid, in one run.

Each benchmark passage becomes one document file, indexed with the project's own Index
(so chunking, tokenization and the FAISS/BM25 files are the real ones). A passage counts as
retrieved at rank r when one of its chunks is the r-th distinct passage among the hits.

    python benchmarks/retrieval.py                                  # rgb_zh_dev and the dev corpus, in one run
    python benchmarks/retrieval.py dev --fusions score,rrf,adaptive  # one set, more fusions
    python benchmarks/retrieval.py --stores folder,milvus           # the same, on both store engines

With --stores, the Milvus index (milvus-lite, a file beside the folder index) is built from the same files
with the vectors the folder index already holds for the same chunk texts, so both engines rank the same
vectors and differ only in how they store, filter and score words.
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
from assistant.index.stores import open_store  # noqa: E402

SHARED = ROOT.parent / "shared"
PARITY = 0.02  # issue 13: recall@5 and MRR@10 within this of the folder store


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
    t0 = time.perf_counter()
    for q, v in zip(queries, qvecs, strict=True):
        ranked = ranked_passages(retriever._one(q["question"], v, 30, merge=False), q["by"])
        ranks = [i for i, pid in enumerate(ranked[:10], 1) if pid in q["relevant"]]
        r1 += bool(ranks and ranks[0] == 1)
        r5 += bool(ranks and ranks[0] <= 5)
        mrr += 1 / ranks[0] if ranks else 0
    n = len(queries)
    ms = (time.perf_counter() - t0) * 1000 / n  # per question, its embedding aside
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n, "ms": ms}


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


class KnownVectors:
    """The embedder, answering with vectors already computed for the same chunk texts."""

    def __init__(self, embedder, state):
        self._embedder = embedder
        self._known = dict(zip((c.text for c in state.chunks), state.vectors(), strict=True))

    def __getattr__(self, name):
        return getattr(self._embedder, name)

    def embed_documents(self, texts):
        import numpy as np

        missing = [t for t in texts if t not in self._known]
        if missing:
            self._known.update(zip(missing, self._embedder.embed_documents(missing), strict=True))
        return np.vstack([self._known[t] for t in texts]) if texts else self._embedder.embed_documents(texts)


def build(store, name: str, docs: Path, embedder, s: Settings):
    t0 = time.perf_counter()
    rep = store.update([str(docs)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap,
                       progress=lambda p: print(f"\r{name}: read {p.files_done}/{p.files_total} files, "
                                                f"{p.chunks_done} chunks embedded", end="", file=sys.stderr))
    print(f"\n{name} ({store}): {rep.chunks_embedded} chunks written, {rep.chunks_resumed} resumed, "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return store.load()


def run_set(name: str, docs: Path, queries: list[dict], configs, s: Settings,
            stores: list[str]) -> dict[str, list[tuple[str, dict]]]:
    folder = ROOT / "index" / f"bench-{name}"
    index = Index(folder / "index")
    embedder = make_embedder(s.with_overrides(index_dir=index.folder))
    states = {"folder": build(index, name, docs, embedder, s)}
    if "milvus" in stores:
        milvus = open_store(folder / "milvus", f"milvus:{folder / 'milvus.db'}")
        states["milvus"] = build(milvus, name, docs, KnownVectors(embedder, states["folder"]), s)
    qvecs = embedder.embed_queries([q["question"] for q in queries])
    out = {}
    for engine in stores:
        state = states[engine]
        rows = []
        for mode, w, fusion, rerank in configs:
            r = Retriever(state, embedder, candidates=s.candidates, dense_weight=w, mode=mode, fusion=fusion,
                          rerank=rerank)
            label = mode if mode != "hybrid" else f"hybrid {fusion} w={w:.2f}" + (f" rerank {rerank}" if rerank else "")
            if mode == "hybrid" and (w, fusion, rerank) == (s.dense_weight, s.fusion, s.rerank):
                label += " (default)"
            rows.append((label, evaluate(r, queries, qvecs)))
        print(f"\n{name} on {engine}: {len(queries)} questions, {len(state.docs)} documents, {len(state.chunks)} chunks")
        print(f"{'method':44s} {'recall@1':>9s} {'recall@5':>9s} {'MRR@10':>9s} {'ms/question':>12s}")
        for label, res in rows:
            print(f"{label:44s} {res['recall@1']:9.3f} {res['recall@5']:9.3f} {res['mrr@10']:9.3f} {res['ms']:12.1f}")
        out[engine] = rows
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", default=["rgb_zh_dev", "dev"],
                    help="dev (../shared/corpus + eval/dev.jsonl) and/or ../shared/bench folders")
    ap.add_argument("--weights", default="", help="extra dense weights to try, e.g. 0.3,0.7")
    ap.add_argument("--fusions", default="", help="fusions to try besides the default: score,rrf,zscore,adaptive")
    ap.add_argument("--stores", default="folder", help="store engines to compare: folder,milvus")
    ap.add_argument("--rerank", default="", help="other numbers of re-scored candidates to try, e.g. 5,20")
    args = ap.parse_args()
    s = Settings()
    weights = [s.dense_weight] + [float(w) for w in args.weights.split(",") if w]
    fusions = list(dict.fromkeys([s.fusion] + [f for f in args.fusions.split(",") if f]))
    reranks = list(dict.fromkeys([s.rerank, 0] + [int(n) for n in args.rerank.split(",") if n]))
    configs = [("lexical", 0.0, s.fusion, 0), ("dense", 1.0, s.fusion, 0)]
    configs += [("hybrid", s.dense_weight, s.fusion, n) for n in reranks]
    configs += [("hybrid", w, f, n) for f in fusions for w in weights for n in (s.rerank, 0)
                if (w, f) != (s.dense_weight, s.fusion)]
    stores = [x for x in args.stores.split(",") if x]
    results: dict[str, dict] = {}
    by_engine: dict[str, dict] = {}
    for arg in args.sets:
        name, docs, queries = bench_set(arg)
        ran = run_set(name, docs, queries, configs, s, stores)
        results[name] = dict(ran[stores[0]])
        by_engine[name] = {engine: dict(rows) for engine, rows in ran.items()}
    print("\nhybrid at least as good as the better single side on every set (recall@5 and MRR@10):")
    for label in list(next(iter(results.values())))[2:]:
        ok = all(res[label][m] >= max(res["lexical"][m], res["dense"][m]) - 1e-9
                 for res in results.values() for m in ("recall@5", "mrr@10"))
        print(f"  {label:44s} {'yes' if ok else 'no'}")
    if len(stores) > 1:
        print(f"\n{stores[1]} against {stores[0]}: difference in recall@5 / MRR@10 (parity: within {PARITY})")
        for name, engines in by_engine.items():
            a, b = engines[stores[0]], engines[stores[1]]
            for label in a:
                d5 = b[label]["recall@5"] - a[label]["recall@5"]
                dm = b[label]["mrr@10"] - a[label]["mrr@10"]
                ok = abs(d5) <= PARITY and abs(dm) <= PARITY
                print(f"  {name:12s} {label:44s} {d5:+.3f} {dm:+.3f}  {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
