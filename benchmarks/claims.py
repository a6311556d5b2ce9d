"""Adversarial benchmark of the claim checker, built by program from a folder of documents.

For every figure in every sentence it writes a question and a correct statement (the clause
that states the figure), and wrong statements of the kinds a small model produces: the
number moved to a neighbouring noun, 万/亿 swapped, % vs 个百分点, 同比 vs 环比, 增长 vs
下降, the wrong year, the wrong place. Each statement is checked against the chunk that
holds the sentence, as the assistant would. Targets: wrong statements verified = 0;
correct statements flagged <= 5%.

    python benchmarks/claims.py ../shared/corpus [--show 10]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.citations import check_answer, normalize  # noqa: E402
from assistant.answer.claims import terms  # noqa: E402
from assistant.core.records import Chunk, Hit  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.readers import read_document  # noqa: E402
from assistant.text.figures import figures, years  # noqa: E402
from assistant.text.names import doc_places  # noqa: E402

_SENT = re.compile(r"[^。！？；\n]+[。！？；]?")
_CLAUSE = re.compile(r"[^，,、；;：:。！？]+")
OTHER_CITIES = ["杭州", "佛山", "合肥", "无锡", "泉州", "烟台"]


@dataclass
class Case:
    kind: str  # "correct" or the kind of error
    question: str
    statement: str
    hit: Hit
    home: str
    structure: str = ""


def clause_around(sentence: str, start: int) -> tuple[int, int]:
    for m in _CLAUSE.finditer(sentence):
        if m.start() <= start < m.end():
            return m.start(), m.end()
    return 0, len(sentence)


def lead_in(sentence: str, start: int, reach: int = 40) -> str:
    """The words before a figure, from a clause boundary at most `reach` characters back."""
    head = sentence[:start]
    if len(head) <= reach:
        return head
    cut = max(head.rfind(c, 0, len(head) - 10) for c in "，,；;：:")
    return head[cut + 1:] if cut >= len(head) - reach else head[-reach:]


def cases_for(sentence: str, hit: Hit, home: str, rng: random.Random) -> list[Case]:
    """A correct case per figure, and every wrong variant the sentence allows."""
    out: list[Case] = []
    figs = [f for f in figures(sentence) if not f.is_year and not f.ordinal and f.unit and f.unit not in ("年", "月", "日")]
    for f in figs:
        a, b = clause_around(sentence, f.start)
        if f.end > b:
            continue
        clause = sentence[a:b].strip()
        if not terms(re.sub(r"[\d.]+", " ", clause)):
            continue  # a bare list item ("、3.4倍"): no clause of its own to ask about
        written = sentence[f.start:f.end]
        unit_part = f.unit if f.unit in {"座", "个", "家", "台", "项", "名", "位", "条", "所", "件"} else ""
        asked = lead_in(sentence, f.start) + "多少" + unit_part + sentence[f.end:b]
        q = asked.strip("，,、 ") + "？"
        stmt = clause + "[1]。"
        add = lambda kind, question, statement: out.append(Case(kind, question, statement, hit, home))  # noqa: E731
        add("correct", q, stmt)
        add("correct", q, f"{written}[1]。")  # the bare figure, as a small model often answers
        wrong_value = f.text.replace(f.text[-1], str((int(f.text[-1]) + 3) % 10), 1) if f.text[-1].isdigit() else ""
        if wrong_value and wrong_value != f.text:
            add("wrong_value", q, stmt.replace(written, written.replace(f.text, wrong_value, 1), 1))
        for g in figs:  # the number moved to a neighbouring figure's noun
            if g is f or g.value == f.value or g.scale != f.scale or g.unit != f.unit:
                continue
            ga, gb = clause_around(sentence, g.start)
            if (ga, gb) == (a, b) or g.end > gb:
                continue
            g_unit = g.unit if g.unit in {"座", "个", "家", "台", "项", "名"} else ""
            g_q = (lead_in(sentence, g.start) + "多少" + g_unit + sentence[g.end:gb]).strip("，,、 ") + "？"
            moved = sentence[ga:g.start] + f.text + sentence[g.start + len(g.text):gb]
            if f.text in g_q:
                continue  # the question already holds the figure: not a question anyone asks
            add("moved_to_wrong_noun", g_q, moved.strip() + "[1]。")
        swap = {"万": "亿", "亿": "万", "万亿": "亿", "千亿": "万亿", "百亿": "千亿"}
        if f.scale in swap:
            add("wan_yi_swapped", q, stmt.replace(written, written.replace(f.scale, swap[f.scale], 1), 1))
        if f.unit == "%":
            add("percent_vs_points", q, stmt.replace(written, written.replace("%", "个百分点"), 1))
        elif f.unit == "个百分点":
            add("percent_vs_points", q, stmt.replace(written, written.replace("个百分点", "%"), 1))
        for x, y in (("同比", "环比"), ("环比", "同比")):
            if x in clause:
                add("yoy_vs_mom", q.replace(x, y), stmt.replace(x, y))
        for x, y in (("增长", "下降"), ("提高", "降低"), ("提升", "下降")):
            if x in clause:
                add("rise_vs_fall", q.replace(x, y), stmt.replace(x, y))
                break
        stated = sorted(years(normalize(sentence)))
        if stated:
            y = stated[-1]
            wrong = str(y + rng.choice([-1, 1, 2]))
            add("wrong_year", q.replace(str(y), wrong) if str(y) in q else f"{wrong}年{q}",
                (stmt.replace(str(y), wrong) if str(y) in stmt else f"{wrong}年{stmt}"))
        place = next((p for p in OTHER_CITIES if p != home and p not in hit.chunk.text), "")
        if place:
            deictic = re.search(r"(我|全|本)(市|区|县)", q)
            wq = q.replace(deictic.group(0), place, 1) if deictic else f"{place}{q}"
            ws = stmt.replace(deictic.group(0), place, 1) if deictic and deictic.group(0) in stmt else stmt
            add("wrong_place", wq, ws)
    return out


def build(folder: Path, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        doc = read_document(str(path))
        places = doc_places(doc.text)
        done = -1  # chunks overlap: each sentence once
        for chunk in chunk_document(doc, 260, 60):
            for m in _SENT.finditer(chunk.text):
                if chunk.start + m.start() >= done:
                    cases += cases_for(m.group(0), Hit(chunk, 1.0), places.subject_at(chunk.start), rng)
            done = chunk.end
    return cases


STRUCTURES = ROOT / "benchmarks" / "data" / "claims_structures.jsonl"


def written(path: Path = STRUCTURES) -> list[Case]:
    """Hand-written cases of the structures a checker built from special cases gets wrong: an
    indicator said once for several subjects, a target stated as a change, a paraphrased
    judgement, arithmetic, a city named as a model to follow. Each is a passage, a question, a
    statement and whether it is right (a statement that cannot be verified counts as not right)."""
    out = []
    for i, line in enumerate(path.read_text("utf-8").splitlines()):
        if not line.strip():
            continue
        d = json.loads(line)
        chunk = Chunk(f"w{i}", "written.txt", "", d["passage"], 0, len(d["passage"]), 1)
        kind = "correct" if d["right"] else d["structure"]
        out.append(Case(kind, d["question"], d["statement"], Hit(chunk, 1.0), d.get("home", ""), d["structure"]))
    return out


def score(cases: list[Case]) -> tuple[Counter[str], Counter[str], list[tuple[Case, str]]]:
    verified: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures: list[tuple[Case, str]] = []
    for c in cases:
        checked = check_answer(c.statement, c.question, [c.hit], {c.hit.chunk.chunk_id: c.home})
        ok = bool(checked.statements) and all(s.supported for s in checked.statements)
        total[c.kind] += 1
        verified[c.kind] += ok
        if ok != (c.kind == "correct"):
            failures.append((c, "; ".join(s.problem for s in checked.statements if s.problem)))
    return total, verified, failures


def report_written(cases: list[Case], show: int) -> bool:
    total, verified, failures = score(cases)
    by = Counter(c.structure for c in cases)
    right = Counter(c.structure for c in cases if c.kind == "correct")
    right_ok: Counter[str] = Counter()
    wrong_ok: Counter[str] = Counter()
    for c, _ in failures:
        (wrong_ok if c.kind != "correct" else right_ok)[c.structure] += 1
    print(f"\nwritten cases ({STRUCTURES.name}): {len(cases)}")
    print("| structure | cases | right | right flagged | wrong | wrong verified |\n| --- | --- | --- | --- | --- | --- |")
    for k in sorted(by):
        print(f"| {k} | {by[k]} | {right[k]} | {right_ok[k]} | {by[k] - right[k]} | {wrong_ok[k]} |")
    n_right = sum(right.values())
    flagged, wrong = sum(right_ok.values()), sum(wrong_ok.values())
    print(f"wrong statements verified: {wrong} of {len(cases) - n_right}; "
          f"right statements flagged: {flagged} of {n_right} ({flagged / max(n_right, 1):.1%})")
    for c, why in failures[:show * 5]:
        print(f"- [{c.structure}{'' if c.kind == 'correct' else ', wrong'}] Q: {c.question} | A: {c.statement} | "
              f"{why or 'verified'}")
    return wrong == 0 and flagged <= 0.02 * n_right


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--show", type=int, default=5, help="print this many failures of each kind")
    args = ap.parse_args()
    cases = build(Path(args.folder))
    total, verified, failures = score(cases)
    wrong = sum(total[k] for k in total if k != "correct")
    wrong_ok = sum(verified[k] for k in total if k != "correct")
    flagged = total["correct"] - verified["correct"]
    print(f"statements: {len(cases)} ({total['correct']} correct, {wrong} wrong)")
    print("| kind | statements | verified |\n| --- | --- | --- |")
    for k in sorted(total, key=lambda k: (k != "correct", k)):
        print(f"| {k} | {total[k]} | {verified[k]} |")
    print(f"wrong statements verified: {wrong_ok} of {wrong}")
    print(f"correct statements flagged: {flagged} of {total['correct']} "
          f"({flagged / max(total['correct'], 1):.1%})")
    shown: Counter[str] = Counter()
    for c, why in failures:
        if shown[c.kind] < args.show:
            shown[c.kind] += 1
            print(f"- [{c.kind}] Q: {c.question} | A: {c.statement} | {why or 'verified'}")
    ok_written = report_written(written(), args.show)
    return 0 if wrong_ok == 0 and flagged <= 0.05 * total["correct"] and ok_written else 1


if __name__ == "__main__":
    raise SystemExit(main())
