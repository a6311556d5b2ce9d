"""Prompt-lookup decoding on one of the assistant's prompts: plain llama-cpp-python next to
`LlamaPromptLookupDecoding` with draft lengths 2 and 10, each run twice from a reset context.

    python benchmarks/prompt_lookup.py --index index/corpus "副中心公交车新能源、清洁能源占比提升至多少？"

Prints first token, total, generation tokens/s and tokens per decoding step (how many drafted
tokens each step accepted, plus one) for each configuration.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.context import select  # noqa: E402
from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.answer.prompt import build_messages, numbered_passages  # noqa: E402
from assistant.core.config import load_settings  # noqa: E402


def run(path: str, messages, draft: int, threads: int, rounds: int = 2) -> None:
    import llama_cpp
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    llm = llama_cpp.Llama(model_path=path, n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False,
                          draft_model=LlamaPromptLookupDecoding(num_pred_tokens=draft) if draft else None,
                          logits_all=bool(draft))  # the logit array is sized by this argument, not by the draft
    steps = [0]
    decode = llm._ctx.decode

    def counted(batch):
        steps[0] += 1
        return decode(batch)

    llm._ctx.decode = counted
    for r in range(rounds):
        llm.reset()
        t0 = time.perf_counter()
        first, n, at_first = 0.0, 0, 0
        for part in llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=64, stream=True):
            if part["choices"][0]["delta"].get("content"):
                if not n:
                    first, at_first = time.perf_counter() - t0, steps[0]
                n += 1
        total = time.perf_counter() - t0
        print(f"draft {draft:2d} round {r + 1}: first token {first:.2f} s, total {total:.2f} s, {n} tokens, "
              f"generation {(n - 1) / max(total - first, 1e-9):.1f} tok/s, "
              f"{(n - 1) / max(1, steps[0] - at_first):.2f} tokens a step", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("question")
    ap.add_argument("--index", default="index/corpus")
    ap.add_argument("--drafts", default="0,2,10")
    args = ap.parse_args()
    s = load_settings().with_overrides(index_dir=Path(args.index))
    a = Assistant(s)
    parts = a._loaded()
    passages = select(args.question, a.search(args.question), parts.idf, budget=s.passage_tokens,
                      per_hit=s.passage_tokens_per_hit, cost=a.generator.count_tokens)
    messages = build_messages(args.question, passages, "", numbered_passages(passages, by_passage=s.cite == "passage"))
    for draft in map(int, args.drafts.split(",")):
        run(a.chat_model_path, messages, draft, s.threads)


if __name__ == "__main__":
    main()
