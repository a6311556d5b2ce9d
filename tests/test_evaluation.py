from __future__ import annotations

import json

import pytest

from assistant.batch.evaluation import answer_correct, load_gold, percentile, run_eval
from assistant.core.errors import InputError
from assistant.core.records import Answer, Chunk, Citation, Hit, Timings


def test_answer_groups():
    assert answer_correct("宁海 和象山", [["宁海"], ["象山"]])
    assert not answer_correct("宁海", [["宁海"], ["象山"]])
    assert answer_correct("排第四", [["第四", "第4"]])


def test_percentile():
    assert percentile([], 50) == 0.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5.0], 90) == 5.0


def _answer(q: str, status: str, text: str, source: str) -> Answer:
    chunk = Chunk("c", source, "t", text, 0, len(text), 1)
    cites = [Citation(1, source, "c", 0, len(text), text)] if status == "answered" else []
    return Answer(q, status, text, citations=cites, hits=[Hit(chunk, 1.0)], timings=Timings(total_ms=1000.0,
                  first_token_ms=500.0))


def test_run_eval_scores_every_measure(tmp_path):
    path = tmp_path / "gold.jsonl"
    rows = [
        {"id": "a", "question": "产量？", "answer_groups": [["52万吨"]], "sources": ["r.txt"], "kind": "number"},
        {"id": "b", "question": "排名？", "answer_groups": [["第三"]], "sources": ["r.txt"], "kind": "fact"},
        {"id": "u", "question": "人口？", "answer_groups": [], "sources": [], "kind": "unanswerable"},
        {"id": "e", "question": "出错？", "answer_groups": [["x"]], "sources": ["r.txt"], "kind": "fact"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    items = load_gold(path)
    replies = {
        "产量？": _answer("产量？", "answered", "产量52万吨", "docs/r.txt"),
        "排名？": _answer("排名？", "answered", "排第五", "docs/other.txt"),
        "人口？": _answer("人口？", "not_found", "资料中没有找到相关内容。", "docs/r.txt"),
    }

    def ask(q: str) -> Answer:
        if q not in replies:
            raise RuntimeError("model crashed")
        return replies[q]

    rows_out, s = run_eval(items, ask)
    assert s.answer_accuracy == pytest.approx(1 / 3)
    assert s.citation_precision == pytest.approx(1 / 2)
    assert s.refusal_accuracy == 1.0 and s.errors == 1
    assert s.recall_at_k == pytest.approx(1 / 3)
    assert s.p50_total_ms == 1000.0
    assert [r.status for r in rows_out] == ["answered", "answered", "not_found", "error"]


def test_bad_gold_file(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text("{not json}\n", "utf-8")
    with pytest.raises(InputError, match="line 1"):
        load_gold(p)
