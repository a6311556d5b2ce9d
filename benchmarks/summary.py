"""Summaries of one document: time per document through the assistant (cold, then cached), the
map/reduce alone per 10 pages (a page taken as 800 characters), and plain llama-cpp-python asked to
summarise the same document in one prompt, in the same run.

    python benchmarks/summary.py --index index/corpus ../shared/corpus
    python benchmarks/summary.py --index index/corpus ../shared/corpus --no-plain   # skip the model
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import Assistant  # noqa: E402
from assistant.answer.summary import outline, summary_points  # noqa: E402
from assistant.core.config import load_settings  # noqa: E402

PAGE_CHARS = 800  # a printed page of an official document, roughly


def plain_summary_s(model_path: str, text: str, threads: int, n_ctx: int) -> tuple[float, int]:
    """Seconds plain llama-cpp-python takes to summarise as much of the text as its context holds."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                          seed=1337, verbose=False)
    fit = text[: int(n_ctx * 1.1)]  # about 1.4 characters a token for Chinese; room for the reply
    messages = [{"role": "user", "content": f"请分条概括下面这份文件的主要内容：\n\n{fit}"}]
    t0 = time.perf_counter()
    llm.create_chat_completion(messages=messages, temperature=0.0, top_k=1, max_tokens=300)
    return time.perf_counter() - t0, len(fit)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", help="the documents the index holds (their file names name them)")
    ap.add_argument("--index", required=True)
    ap.add_argument("--no-plain", action="store_true", help="do not time plain llama-cpp-python")
    args = ap.parse_args()
    s = load_settings().with_overrides(index_dir=args.index)
    a = Assistant(s)
    shutil.rmtree(Path(args.index) / "summaries", ignore_errors=True)  # cold: nothing cached
    parts = a._loaded()
    print("| document | characters | form | cold, s | cached, s | map/reduce alone, s | s per 10 pages |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    longest = ("", "")
    for path in sorted(Path(args.folder).glob("*.txt")):
        source = next((d.source for d in a.documents() if Path(d.source).name == path.name), "")
        if not source:
            continue
        text = parts.state.doc_text(source)
        longest = max(longest, (text, source), key=lambda x: len(x[0]))
        question = f"{path.stem}主要讲了什么？"
        t0 = time.perf_counter()
        first = a.ask(question)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        a.ask(question)
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary_points(text, parts.idf, None)
        mapped = time.perf_counter() - t0
        form = "outline" if outline(text) is not None else "map/reduce"
        assert first.status == "answered" and first.scope == source, (path.name, first.status, first.answer)
        print(f"| {path.name} | {len(text):,} | {form}, {len(first.statements)} points | {cold:.2f} | {warm:.2f} "
              f"| {mapped:.3f} | {mapped / max(len(text) / PAGE_CHARS, 1e-9) * 10:.3f} |")
    big = "\n".join([longest[0]] * 20)  # a long report: the longest document twenty times
    t0 = time.perf_counter()
    points = summary_points(big, parts.idf, None)
    mapped = time.perf_counter() - t0
    print(f"| the longest, 20 times | {len(big):,} | map/reduce, {len(points or [])} points | - | - | {mapped:.2f} "
          f"| {mapped / (len(big) / PAGE_CHARS) * 10:.3f} |")
    if not args.no_plain:
        seconds, chars = plain_summary_s(a.chat_model_path, longest[0], s.threads, s.n_ctx)
        print(f"\nplain llama-cpp-python, one prompt over the first {chars:,} characters of the longest "
              f"document (all its context holds): {seconds:.1f} s, {seconds / (chars / PAGE_CHARS) * 10:.1f} s per 10 pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
