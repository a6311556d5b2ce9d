"""Answer speed per answer set, with plain llama-cpp-python on the same prompts as the reference row.

    python benchmarks/speed.py --index index/corpus ../shared/eval/dev.jsonl benchmarks/data/corpus_questions.jsonl
    python benchmarks/speed.py --index index/corpus ../shared/eval/dev.jsonl --lookup 2,10 --limit 8

The assistant answers each question of each set as `assistant ask` does (warmed first, as `serve`
warms it). Every prompt it gives its model is then given, in the same order and right after it, to
a plain `llama_cpp.Llama(...).create_chat_completion` with the same settings (its own instance, so
llama.cpp's prefix reuse works for it as it does for ours), and with `--lookup`, to instances with
prompt-lookup decoding (`LlamaPromptLookupDecoding`, one per draft length): interleaved prompt by
prompt in one run, so a slow minute of the machine falls on every row alike.

Prints one row per set and engine: accuracy (the assistant's, scored as `assistant eval` scores),
prompt tokens and the tokens llama.cpp had to read (not reused from the prompt before), first
token and total p50/p90 (the assistant's from the question's start, retrieval and checks included;
an engine's from the prompt's start), generation tokens/s (after the first token), and for
prompt lookup the tokens each decoding step took.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.generation import GenerationStats  # noqa: E402
from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.batch.evaluation import load_gold, percentile, score  # noqa: E402
from assistant.core.config import load_settings  # noqa: E402


@dataclass
class Call:
    """One prompt as our generator ran it."""
    messages: list[dict[str, str]]
    max_tokens: int
    stats: GenerationStats
    read: int = 0


class Recorder:
    """The assistant's generator, keeping every prompt it was given and how it ran."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[Call] = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def stream(self, messages, *, max_tokens, stats=None):
        stats = stats if stats is not None else GenerationStats()
        llm = self.inner._load(self.inner.context_of(messages))
        before = llm.input_ids[:llm.n_tokens].tolist()
        call = Call(messages, max_tokens, stats)
        yield from self.inner.stream(messages, max_tokens=max_tokens, stats=stats)
        call.read = stats.prompt_tokens - _shared(before, llm.input_ids[:llm.n_tokens].tolist())
        self.calls.append(call)


def _shared(a: list[int], b: list[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


@dataclass
class Run:
    """One engine's figures over a set."""
    first: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    prompt: list[int] = field(default_factory=list)
    read: list[int] = field(default_factory=list)
    per_step: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)


class Engine:
    """A plain llama-cpp-python instance (with a prompt-lookup draft when `lookup` > 0)."""

    def __init__(self, path: str, settings, lookup: int = 0):
        import llama_cpp
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        self.lookup = lookup
        self.seed = settings.seed
        draft = LlamaPromptLookupDecoding(num_pred_tokens=lookup) if lookup else None
        self.llm = llama_cpp.Llama(model_path=path, n_ctx=settings.n_ctx, n_threads=settings.threads,
                                   n_threads_batch=settings.threads, seed=settings.seed, verbose=False,
                                   draft_model=draft, logits_all=bool(lookup))  # a draft needs every logit kept:
        # llama-cpp-python sizes its logit array by this argument, not by the draft (a smaller one overflows)
        self.steps = 0
        decode = self.llm._ctx.decode

        def counted(batch):
            self.steps += 1
            return decode(batch)

        self.llm._ctx.decode = counted

    def run(self, call: Call, into: Run) -> None:
        llm = self.llm
        before = llm.input_ids[:llm.n_tokens].tolist()
        t0 = time.perf_counter()
        first = 0.0
        n = 0
        steps_at_first = 0
        for part in llm.create_chat_completion(messages=call.messages, temperature=0.0, top_k=1, top_p=1.0,
                                               repeat_penalty=1.0, max_tokens=call.max_tokens, seed=self.seed,
                                               stream=True):
            if part["choices"][0].get("delta", {}).get("content"):
                if not n:
                    first = time.perf_counter() - t0
                    steps_at_first = self.steps
                n += 1
        total = time.perf_counter() - t0
        prompt = max(0, llm.n_tokens - n)
        into.first.append(first)
        into.total.append(total)
        into.prompt.append(prompt)
        into.read.append(prompt - _shared(before, llm.input_ids[:llm.n_tokens].tolist()))
        if n > 1 and total > first:
            into.rates.append((n - 1) / (total - first))
            into.per_step.append((n - 1) / max(1, self.steps - steps_at_first))


def assistant_row(run: Run, calls: list[Call], answer, item) -> None:
    t = answer.timings
    run.first.append(t.first_token_ms / 1000)
    run.total.append(t.total_ms / 1000)
    run.correct.append(score(item, answer).correct)
    if calls:
        run.prompt.append(sum(c.stats.prompt_tokens for c in calls))
        run.read.append(sum(c.read for c in calls))
    for c in calls:
        gen = c.stats.total_ms - c.stats.first_token_ms
        if c.stats.completion_tokens > 1 and gen > 0:
            run.rates.append((c.stats.completion_tokens - 1) / (gen / 1000))


def fmt(v: list[float], unit: str = "s") -> str:
    if not v:
        return "-"
    return f"{percentile(v, 50):.1f} / {percentile(v, 90):.1f} {unit}"


def mean(v: list) -> str:
    return f"{statistics.mean(v):.0f}" if v else "-"


def print_table(name: str, runs: dict[str, Run]) -> None:
    print(f"\n{name}")
    print("| engine | answers | accuracy | prompt tokens (mean) | read (mean) | first token p50 / p90 "
          "| total p50 / p90 | generation tok/s (median) | tokens per step |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for engine, r in runs.items():
        acc = f"{sum(r.correct) / len(r.correct):.3f}" if r.correct else "-"
        rate = f"{statistics.median(r.rates):.1f}" if r.rates else "-"
        step = f"{statistics.mean(r.per_step):.2f}" if r.per_step else "-"
        print(f"| {engine} | {len(r.total)} | {acc} | {mean(r.prompt)} | {mean(r.read)} | {fmt(r.first)} "
              f"| {fmt(r.total)} | {rate} | {step} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="answer sets (JSONL, as `assistant eval` reads)")
    ap.add_argument("--index", default="index/corpus")
    ap.add_argument("--config", default="", help="a settings file (TOML) for the assistant")
    ap.add_argument("--limit", type=int, default=0, help="questions per set (0: all)")
    ap.add_argument("--budgets", default="", help="also run assistants with these passage budgets, TOKENS:PER_HIT, "
                    "e.g. 340:150 (the budget before); interleaved question by question")
    ap.add_argument("--lookup", default="", help="prompt-lookup draft lengths to measure, e.g. 2,10")
    ap.add_argument("--no-plain", action="store_true", help="leave out the plain llama-cpp-python row")
    args = ap.parse_args()
    s = load_settings(Path(args.config) if args.config else None).with_overrides(index_dir=Path(args.index))
    budgets = [tuple(map(int, b.split(":"))) for b in filter(None, args.budgets.split(","))]
    assistants = {"assistant": s} | {f"assistant, budget {n}:{per}": s.with_overrides(
        passage_tokens=n, passage_tokens_per_hit=per) for n, per in budgets}
    recorders = {}
    for name, settings in assistants.items():
        a = Assistant(settings)
        a.warm()
        rec = Recorder(a.generator)
        a.set_generator(rec)
        recorders[name] = (a, rec)
    a, rec = recorders["assistant"]
    path = str(rec.inner.path)
    engines = {} if args.no_plain else {"plain llama-cpp-python": Engine(path, s)}
    engines |= {f"prompt lookup, draft {n}": Engine(path, s, n) for n in map(int, filter(None, args.lookup.split(",")))}
    for e in engines.values():  # the fixed instructions computed once, as the assistant's were by warm()
        e.run(Call(a.instructions("今年全市重点工作的主要目标是多少？"), 1, GenerationStats()), Run())
    print(f"model {rec.name}, {s.threads} threads, passage budget {s.passage_tokens} tokens "
          f"({s.passage_tokens_per_hit} a hit); engines replay the prompts of the row 'assistant'")
    for path_ in args.sets:
        items = load_gold(path_)[: args.limit or None]
        runs = {name: Run() for name in recorders} | {name: Run() for name in engines}
        for item in items:
            line = []
            for name, (each, each_rec) in recorders.items():
                each_rec.calls.clear()
                assistant_row(runs[name], each_rec.calls, each.ask(item.question), item)
                line.append(f"{'ok' if runs[name].correct[-1] else 'WRONG'} {runs[name].total[-1]:4.1f}s")
            print(item.id, " | ".join(line), item.question, file=sys.stderr, flush=True)
            for name, engine in engines.items():
                for call in rec.calls:
                    engine.run(call, runs[name])
        print_table(f"{path_} ({len(items)} questions)", runs)


if __name__ == "__main__":
    main()
