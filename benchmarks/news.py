"""End-to-end answers on news text, through `assistant index` and `assistant batch` as a user runs them.

The corpus is built from `../shared/bench/rgb_zh_dev`: a fixed sample of questions, every
passage of every sampled question one file (positives and the hard negatives about the same
event), except that the positive passages of every third question are left out, so those
questions must be refused. The questions go into a CSV with 期望答案 (every required item,
"无答案" for the ones left without their passages) and 期望来源.

    python benchmarks/news.py ../shared/bench/rgb_zh_dev --limit 92

prints accuracy, refusals, false refusals, wrong answers shown (answered or quoted but
holding no gold answer, or any answer to a question that must be refused) and latency.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.batch.evaluation import answer_correct, percentile  # noqa: E402

SHOWN = {"answered", "quoted"}


def sample(bench: Path, limit: int, seed: int) -> list[dict]:
    rows = [json.loads(x) for x in (bench / "queries.jsonl").read_text("utf-8").splitlines() if x.strip()]
    if limit and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)  # a fixed sample, the same every run
    for i, r in enumerate(rows):
        r["answerable"] = i % 3 != 2
    return rows


def _grams(text: str) -> set[str]:
    t = re.sub(r"\W", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def answers_it(row: dict, text: str) -> bool:
    """The passage holds the question's answer: every required item, in a text about the question
    (at least 40% of its character bigrams), so "48" in an unrelated story does not count."""
    groups = row.get("required_items") or [row["answers"]]
    if not all(any(a in text for a in g) for g in groups):
        return False
    q = _grams(row["question"])
    return bool(q) and len(q & _grams(text)) >= 0.4 * len(q)


def build(bench: Path, rows: list[dict], out: Path) -> tuple[Path, Path]:
    """Write the documents and the question table; returns (docs folder, questions CSV).

    A question left without its passages must truly have no answer left: every passage that
    answers it (answers_it) goes too. When such a passage is a positive of a question that keeps
    its passages, the question cannot be made unanswerable and stays answerable."""
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    every = {}
    for line in (bench / "passages.jsonl").read_text("utf-8").splitlines():
        p = json.loads(line)
        every[p["passage_id"]] = (p.get("title", "") + "\n" + p["text"]).strip() + "\n"
    wanted = {p for r in rows for p in r["positive_passage_ids"] + r.get("negative_passage_ids", [])}
    while True:
        kept_positive = {p for r in rows if r["answerable"] for p in r["positive_passage_ids"]}
        dropped: set[str] = set()
        flipped = False
        for r in rows:
            if r["answerable"]:
                continue
            holders = {p for p in wanted if p in r["positive_passage_ids"] or answers_it(r, every[p])}
            if holders & kept_positive:
                r["answerable"] = flipped = True  # another question's passage answers it
                break
            dropped |= holders
        if not flipped:
            break
    texts = {pid: every[pid] for pid in wanted - dropped}
    for old in docs.glob("*.txt"):
        if old.stem not in texts:
            old.unlink()
    for pid, text in texts.items():
        f = docs / f"{pid}.txt"
        if not f.exists() or f.read_text("utf-8") != text:
            f.write_text(text, "utf-8")
    table = out / "questions.csv"
    with open(table, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "问题", "期望答案", "期望来源"])
        for r in rows:
            groups = r.get("required_items") or [r["answers"]]
            expected = ";".join("|".join(g) for g in groups) if r["answerable"] else "无答案"
            sources = ";".join(f"{p}.txt" for p in r["positive_passage_ids"]) if r["answerable"] else ""
            w.writerow([r["id"], r["question"], expected, sources])
    return docs, table


def run(cmd: list[str]) -> None:
    print("$", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT)


def report(rows: list[dict], answers: Path) -> dict:
    with open(answers, encoding="utf-8-sig", newline="") as f:
        got = {r["编号"]: r for r in csv.DictReader(f)}
    right = refused = false_refusals = wrong_shown = quoted = 0
    lat = []
    for r in rows:
        a = got[r["id"]]
        status, text = a["status"], a["answer"]
        lat.append(float(a["latency_ms"] or 0))
        quoted += status == "quoted"
        if r["answerable"]:
            ok = status in SHOWN and answer_correct(text, r.get("required_items") or [r["answers"]])
            right += ok
            false_refusals += status == "not_found"
            wrong_shown += status in SHOWN and not ok
        else:
            ok = status == "not_found"
            refused += ok
            wrong_shown += status in SHOWN
        mark = "ok " if ok else "BAD"
        print(f"{mark} {r['id']} {'ans' if r['answerable'] else 'una'} {status:9} {text[:70]!r}", file=sys.stderr)
    n_ans = sum(r["answerable"] for r in rows)
    n_una = len(rows) - n_ans
    return {"questions": len(rows), "answerable": n_ans, "unanswerable": n_una,
            "accuracy": right / n_ans if n_ans else 0.0, "refusals": refused / n_una if n_una else 0.0,
            "false_refusals": false_refusals, "wrong_shown": wrong_shown, "quoted": quoted,
            "p50_s": percentile(lat, 50) / 1000, "p90_s": percentile(lat, 90) / 1000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", type=Path)
    ap.add_argument("--limit", type=int, default=92, help="questions in the sample (0: all)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--work", type=Path, default=ROOT / "index" / "bench-news")
    ap.add_argument("--score-only", action="store_true", help="score an existing answers file again")
    args = ap.parse_args()
    rows = sample(args.bench, args.limit, args.seed)
    docs, table = build(args.bench, rows, args.work)
    answers = args.work / "answers.csv"
    exe = [sys.executable, "-m", "assistant.cli.main"]
    if not args.score_only:
        run([*exe, "index", str(docs), "--index", str(args.work / "index")])
        run([*exe, "batch", str(table), "--index", str(args.work / "index"), "-o", str(answers), "--restart"])
    r = report(rows, answers)
    print(f"news ({args.bench.name}, {r['questions']} questions, seed {args.seed}, "
          f"{len(os.listdir(docs))} documents)")
    print(f"accuracy {r['accuracy']:.3f} ({r['answerable']} answerable, false refusals {r['false_refusals']}, "
          f"quoted {r['quoted']})")
    print(f"refusals {r['refusals']:.3f} ({r['unanswerable']} without their passages)")
    print(f"wrong answers shown {r['wrong_shown']}")
    print(f"latency p50 {r['p50_s']:.1f} s, p90 {r['p90_s']:.1f} s")


if __name__ == "__main__":
    main()
