"""The answers' fixed instructions kept computed: a chat (each question after the first rewritten
with the one before, as the page does) with one llama.cpp context against one with a second context
for rewrites and retries (`aside_ctx`), interleaved question by question in one run; and the first
question of a warmed assistant next to its tenth.

    python benchmarks/kv_cache.py --index index/corpus ../shared/eval/dev.jsonl

Each question after the first is asked as a follow-up ("那…呢？"), so the rewrite runs between two
answers as it does on the page. Prints, per configuration, the first-token and total p50/p90 of the
answers and the prompt tokens llama.cpp had to read (those not reused from the prompt before).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.followup import standalone  # noqa: E402
from assistant.answer.generation import MAIN  # noqa: E402
from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.batch.evaluation import load_gold, percentile  # noqa: E402
from assistant.core.config import load_settings  # noqa: E402


def turn(a: Assistant, question: str, history: list[str]) -> dict:
    """One chat turn as the page runs it: the rewrite (with history), then the answer."""
    t0 = time.perf_counter()
    query = standalone(question, history, a.generator) if history else question
    rewrite_ms = (time.perf_counter() - t0) * 1000
    llm = a.generator._llms[MAIN]
    cached = llm.n_tokens
    before = llm.input_ids[:cached].tolist()
    ans = a.ask(query)
    after = llm.input_ids[:llm.n_tokens].tolist()
    reused = next((i for i, (x, y) in enumerate(zip(before, after, strict=False)) if x != y), min(len(before), len(after)))
    return {"rewrite_ms": rewrite_ms, "first_ms": ans.timings.first_token_ms, "total_ms": ans.timings.total_ms,
            "prompt": ans.timings.prompt_tokens, "read": max(0, ans.timings.prompt_tokens - reused)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_file")
    ap.add_argument("--index", default="index/corpus")
    ap.add_argument("--limit", type=int, default=12)
    args = ap.parse_args()
    s = load_settings().with_overrides(index_dir=Path(args.index))
    questions = [g.question for g in load_gold(args.eval_file) if g.answerable][: args.limit]
    configs = {"one context (aside_ctx 0)": Assistant(s.with_overrides(aside_ctx=0)),
               "second context (aside_ctx 2048)": Assistant(s.with_overrides(aside_ctx=2048))}
    for a in configs.values():
        a.warm()
    rows: dict[str, list[dict]] = {name: [] for name in configs}
    for i, q in enumerate(questions):
        history = questions[max(0, i - 1):i]
        asked = f"那{q.rstrip('？?')}呢？" if history else q  # a follow-up: the page rewrites it first
        for name, a in configs.items():  # interleaved: the two configurations see the same load
            rows[name].append(turn(a, asked, history))
    print(f"{len(questions)} chat turns from {args.eval_file}, each after the first rewritten with the one before")
    print("| configuration | answer first token p50 / p90, s | answer total p50 / p90, s | prompt tokens read (mean) |"
          " prompt tokens (mean) |")
    print("| --- | --- | --- | --- | --- |")
    for name, rs in rows.items():
        first = [r["first_ms"] for r in rs]
        total = [r["total_ms"] for r in rs]
        print(f"| {name} | {percentile(first, 50) / 1000:.1f} / {percentile(first, 90) / 1000:.1f} | "
              f"{percentile(total, 50) / 1000:.1f} / {percentile(total, 90) / 1000:.1f} | "
              f"{statistics.mean(r['read'] for r in rs):.0f} | {statistics.mean(r['prompt'] for r in rs):.0f} |")
    fresh = Assistant(s)
    t0 = time.perf_counter()
    fresh.warm()
    warm_s = time.perf_counter() - t0
    times = [fresh.ask(q).timings for q in questions[:10]]
    rest = [t.first_token_ms for t in times[1:]]
    print(f"warm (index, embedder, both contexts, instructions): {warm_s:.1f} s; then question 1: first token "
          f"{times[0].first_token_ms / 1000:.1f} s (retrieval {times[0].retrieve_ms / 1000:.1f} s), total "
          f"{times[0].total_ms / 1000:.1f} s; question 10: first token {times[-1].first_token_ms / 1000:.1f} s, total "
          f"{times[-1].total_ms / 1000:.1f} s; questions 2-10: first token p50 {percentile(rest, 50) / 1000:.1f} s")


if __name__ == "__main__":
    main()
