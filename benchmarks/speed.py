"""Speed benchmark: per-question latency on an eval file, and generation tokens/s of the
assistant next to plain llama-cpp-python on the same prompt, in the same run.

    python benchmarks/speed.py --index index/corpus ../shared/eval/dev.jsonl
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.generation import GenerationStats  # noqa: E402
from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.answer.prompt import build_messages  # noqa: E402
from assistant.batch.evaluation import load_gold, percentile  # noqa: E402
from assistant.core.config import Settings  # noqa: E402

LONG_QUESTION = "请用三到五句话概括这些资料的主要内容。"


def plain_llama_tokens_per_s(model_path: str, messages, max_tokens: int, threads: int, n_ctx: int) -> float:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                          seed=1337, verbose=False)
    rates = []
    for _ in range(3):
        llm.reset()
        first = None
        n = 0
        for part in llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=max_tokens,
                                               stream=True):
            if part["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                n += 1
        rates.append((n - 1) / (time.perf_counter() - first))
    return statistics.median(rates)


def assistant_tokens_per_s(assistant: Assistant, messages, max_tokens: int) -> float:
    gen = assistant.generator
    rates = []
    for _ in range(3):
        gen._load().reset()
        stats = GenerationStats()
        t0 = time.perf_counter()
        n = sum(1 for _ in gen.stream(messages, max_tokens=max_tokens, stats=stats))
        gen_s = (time.perf_counter() - t0) - stats.first_token_ms / 1000
        rates.append((n - 1) / gen_s)
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_file")
    ap.add_argument("--index", required=True)
    ap.add_argument("--max-tokens", type=int, default=160)
    args = ap.parse_args()
    s = Settings().with_overrides(index_dir=args.index)
    a = Assistant(s)
    items = load_gold(args.eval_file)
    a.ask(items[0].question)  # load models once; a person's first question pays this, later ones do not
    totals, firsts, retrieves = [], [], []
    for it in items:
        ans = a.ask(it.question)
        totals.append(ans.timings.total_ms / 1000)
        retrieves.append(ans.timings.retrieve_ms / 1000)
        if ans.timings.first_token_ms:
            firsts.append(ans.timings.first_token_ms / 1000)
    print(f"questions: {len(items)} ({args.eval_file}), model {a.generator.name}, {s.threads} threads")
    print(f"total per question     p50 {percentile(totals, 50):5.1f} s   p90 {percentile(totals, 90):5.1f} s")
    print(f"first token            p50 {percentile(firsts, 50):5.1f} s   p90 {percentile(firsts, 90):5.1f} s")
    print(f"retrieval              p50 {percentile(retrieves, 50) * 1000:5.0f} ms")

    hits = a.search(items[0].question)
    messages = build_messages(LONG_QUESTION, hits[:3])
    ours = assistant_tokens_per_s(a, messages, args.max_tokens)
    plain = plain_llama_tokens_per_s(str(a.generator.path), messages, args.max_tokens, s.threads, s.n_ctx)
    print(f"generation tokens/s    assistant {ours:5.1f}   plain llama-cpp-python {plain:5.1f}   "
          f"ratio {ours / plain:.3f}")


if __name__ == "__main__":
    main()
