"""Answer benchmark on a public QA set (CMRC 2018, DRCD): each passage one document, scored
with the same scorer as `assistant eval`.

    python benchmarks/qa.py ../shared/bench/cmrc2018 --limit 60
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import Assistant, make_embedder  # noqa: E402
from assistant.batch.evaluation import GoldItem, format_summary, run_eval  # noqa: E402
from assistant.core.config import Settings  # noqa: E402
from assistant.index.store import Index  # noqa: E402
from benchmarks.retrieval import materialize  # noqa: E402


def gold_items(bench: Path, limit: int, seed: int) -> list[GoldItem]:
    rows = [json.loads(x) for x in (bench / "queries.jsonl").read_text("utf-8").splitlines()]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)  # a fixed sample, the same every run
    return [GoldItem(r["id"], r["question"], [list(dict.fromkeys(r["answers"]))],
                     [f"{r['passage_id']}.txt"], "bench") for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="answer a fixed random sample of this many questions")
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    work = ROOT / "index" / f"bench-{args.bench.name}"
    materialize(args.bench, work / "docs")
    s = Settings().with_overrides(index_dir=work / "index")
    embedder = make_embedder(s)
    t0 = time.perf_counter()
    rep = Index(s.index_dir).update([str(work / "docs")], embedder, chunk_size=s.chunk_size,
                                    chunk_overlap=s.chunk_overlap,
                                    progress=lambda p: print(f"\rread {p.files_done}/{p.files_total} files, {p.chunks_done} chunks embedded", end="", file=sys.stderr))
    print(f"\nindex: {rep.chunks_embedded} embedded, {rep.chunks_resumed} resumed, "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    items = gold_items(args.bench, args.limit, args.seed)
    assistant = Assistant(s, embedder=embedder)
    report = args.report or ROOT / "artifacts" / f"{args.bench.name}.report.jsonl"
    report.parent.mkdir(parents=True, exist_ok=True)
    with open(report, "w", encoding="utf-8") as out:
        def on_row(item, row, answer):
            out.write(json.dumps({"id": item.id, "question": item.question, **row.__dict__}, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{'ok ' if row.correct else 'BAD'} {item.id} {row.status} {row.total_ms / 1000:.1f}s", file=sys.stderr)

        _, summary = run_eval(items, assistant.ask, k=s.top_k, on_row=on_row)
    print(f"{args.bench.name}: {len(items)} questions (seed {args.seed})")
    print(format_summary(summary, s.top_k))


if __name__ == "__main__":
    main()
