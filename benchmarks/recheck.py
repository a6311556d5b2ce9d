"""Re-check saved answers with the current checker, without running the model again.

Reads an `assistant eval` report (each line holds the model's draft and the passages it read)
and prints, per question, the status the checker gives now next to the status recorded then.

    python benchmarks/recheck.py dev.report.jsonl [--index index/corpus]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.citations import check_answer  # noqa: E402
from assistant.answer.verdict import unanswered  # noqa: E402
from assistant.core.records import Chunk, Hit  # noqa: E402
from assistant.text.names import doc_places  # noqa: E402


def passages_of(detail: dict) -> list[Hit]:
    return [Hit(Chunk(p["chunk_id"], p["source"], p.get("title", ""), p["text"], p["start"], p["end"],
                      p.get("paragraph", 0), tuple(p.get("headings", ())), p.get("page")), p.get("score", 0.0))
            for p in detail.get("passages", [])]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    args = ap.parse_args()
    places: dict[str, object] = {}
    changed = 0
    for line in Path(args.report).read_text("utf-8").splitlines():
        r = json.loads(line)
        d = r.get("answer_detail") or {}
        if not d.get("draft"):
            print(f"--  {r['id']} {r['status']:9} (no draft: {d.get('reason', '')})")
            continue
        hits = passages_of(d)
        homes = {}
        for h in hits:
            if h.chunk.source not in places:
                path = Path(h.chunk.source)
                places[h.chunk.source] = doc_places(path.read_text("utf-8") if path.is_file() else "")
            homes[h.chunk.chunk_id] = places[h.chunk.source].subject_at(h.chunk.start)
        checked = check_answer(d["draft"], r["question"], hits, homes)
        now = "not_found" if checked.refused or unanswered(checked, r["question"]) else "answered"
        changed += now != r["status"]
        mark = "  " if now == r["status"] else "->"
        print(f"{mark}  {r['id']} was {r['status']:9} now {now:9} {r['question']} | {d['draft'][:60]}")
        for s in checked.statements:
            if s.problem:
                print(f"        {s.problem}")
    print(f"{changed} changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
