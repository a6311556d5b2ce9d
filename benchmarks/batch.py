"""Batch speed: questions per minute through `assistant batch` next to one by one, same run.

dev.jsonl is turned into a CSV (问题, 期望答案, 期望来源); the library answers it once as a
batch (models and index loaded once, question embeddings in batches of 16) and once one
question at a time through Assistant.ask (each question embedded on its own). Both share the
loaded models, so the difference is what batching saves; the model's generation dominates both.

    python benchmarks/batch.py ../shared/eval/dev.jsonl --index index/corpus
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.batch import jobs as batch  # noqa: E402
from assistant.batch.evaluation import load_gold  # noqa: E402
from assistant.core.config import Settings  # noqa: E402


def to_csv(gold_path: Path, out: Path) -> Path:
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "问题", "期望答案", "期望来源"])
        for g in load_gold(gold_path):
            expected = ";".join("|".join(group) for group in g.answer_groups) or "无答案"
            w.writerow([g.id, g.question, expected, ";".join(g.sources)])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    args = ap.parse_args()
    a = Assistant(Settings().with_overrides(index_dir=args.index))
    a.generator._load()  # load both models before timing either path
    a.search("预热")
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    src = to_csv(args.gold, work / "dev.csv")
    questions = [q.question for q in load_gold(args.gold)]

    t0 = time.perf_counter()
    for q in questions:
        a.ask(q)
    one_by_one = time.perf_counter() - t0

    report = batch.run(batch.plan(src), a)
    print(f"{len(questions)} questions, index {args.index}")
    print(f"one by one (Assistant.ask):  {len(questions) / one_by_one * 60:5.2f} questions/min ({one_by_one:.0f} s)")
    print(f"batch (assistant batch):     {report.per_minute:5.2f} questions/min ({report.seconds:.0f} s)")
    s = report.summary
    print(f"batch scores: answer accuracy {s.answer_accuracy:.3f}, refusal accuracy {s.refusal_accuracy:.3f}, "
          f"citation precision {report.citation_precision:.3f}; latency p50 {report.latency(50) / 1000:.1f} s, "
          f"p90 {report.latency(90) / 1000:.1f} s; output {report.output}")


if __name__ == "__main__":
    main()
