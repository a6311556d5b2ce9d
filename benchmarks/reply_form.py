"""How the model names the words it rests on, three ways side by side on the same questions, in one run:

- passage: [n] names a passage, the program finds the sentence (the form before issue 24);
- sentence: every sentence of the passages is numbered, [k] names a sentence and the program
  fills in its words (the default);
- json: the same numbered sentences, the reply constrained by llama.cpp to a JSON schema
  ({"found": bool, "statements": [{"text": str, "sentence": int}]}), then turned into marks.

Each form answers every question of the gold files through the full pipeline (check, retry,
quote fallback); accuracy, false refusals, quoted, wrong answers shown and p50/p90 seconds.

    python benchmarks/reply_form.py ../shared/eval/dev.jsonl benchmarks/data/corpus_questions.jsonl --index index/corpus
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.generation import GenerationStats, LlamaGenerator  # noqa: E402
from assistant.answer.pipeline import Assistant, make_generator  # noqa: E402
from assistant.answer.prompt import NOT_FOUND_TEXT  # noqa: E402
from assistant.batch.evaluation import load_gold, run_eval  # noqa: E402
from assistant.core.config import Settings  # noqa: E402

SCHEMA = {
    "type": "object",
    "properties": {
        "found": {"type": "boolean"},
        "statements": {"type": "array", "maxItems": 3, "items": {
            "type": "object",
            "properties": {"text": {"type": "string", "maxLength": 120}, "sentence": {"type": "integer"}},
            "required": ["text", "sentence"]}},
    },
    "required": ["found", "statements"],
}
JSON_RULE = ('\n用JSON回答，格式：{"found": true, "statements": [{"text": "一句回答", "sentence": 依据的句子编号}]}；'
             '资料里没有答案时回答：{"found": false, "statements": []}')


def marks_from_json(text: str) -> str:
    """The JSON reply as the marks form: {"statements": [{"text": "甲", "sentence": 3}]} -> "甲[3]。"."""
    try:
        d = json.loads(text)
        items = d.get("statements") or []
        if not d.get("found", True) or not items:
            return NOT_FOUND_TEXT
        return "".join(f"{str(s['text']).rstrip('。')}[{int(s['sentence'])}]。" for s in items)
    except (ValueError, TypeError, KeyError, AttributeError):
        return text  # a reply that is not JSON is read as written


class JsonGenerator:
    """The local model with its reply constrained to SCHEMA (llama.cpp grammar from the schema)."""

    name = "json-schema"

    def __init__(self, base: LlamaGenerator):
        self.base = base

    def count_tokens(self, text: str) -> int:
        return self.base.count_tokens(text)

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        messages = [{**messages[0], "content": messages[0]["content"] + JSON_RULE}, *messages[1:]]
        with self.base.lock:
            llm = self.base._load()
            t0 = time.perf_counter()
            out = llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, top_p=1.0,
                                             repeat_penalty=1.0, max_tokens=max_tokens, seed=self.base.seed,
                                             response_format={"type": "json_object", "schema": SCHEMA})
            stats.first_token_ms = (time.perf_counter() - t0) * 1000  # nothing can be shown before the JSON closes
            stats.completion_tokens = out["usage"]["completion_tokens"]
            stats.prompt_tokens = out["usage"]["prompt_tokens"]
        yield marks_from_json(out["choices"][0]["message"]["content"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", type=Path, nargs="+")
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--forms", default="passage,sentence,json")
    args = ap.parse_args()
    items = [g for path in args.gold for g in load_gold(path)]
    base = Settings().with_overrides(index_dir=args.index)
    local = make_generator(base)
    assert isinstance(local, LlamaGenerator), "the JSON form needs the local model"
    local._load()
    rows = []
    for form in args.forms.split(","):
        s = base.with_overrides(cite="passage" if form == "passage" else "sentence")
        gen = JsonGenerator(local) if form == "json" else local
        a = Assistant(s, generator=gen)
        a.search("预热")
        scored, sm = run_eval(items, a.ask, k=s.top_k)
        for r in scored:
            if not r.correct:
                print(f"  {form:8} BAD {r.id} {r.status} {r.answer[:60]!r}", file=sys.stderr)
        rows.append((form, sm))
    print(f"{len(items)} questions ({sum(g.answerable for g in items)} answerable), index {args.index}")
    print(f"{'form':9} {'accuracy':>8} {'false ref':>9} {'quoted':>6} {'refusals':>8} {'wrong shown':>11} "
          f"{'p50 s':>6} {'p90 s':>6}")
    for form, sm in rows:
        print(f"{form:9} {sm.answer_accuracy:8.3f} {sm.false_refusals:9d} {sm.quoted:6d} {sm.refusal_accuracy:8.3f} "
              f"{sm.wrong_shown:11d} {sm.p50_total_ms / 1000:6.1f} {sm.p90_total_ms / 1000:6.1f}")


if __name__ == "__main__":
    main()
