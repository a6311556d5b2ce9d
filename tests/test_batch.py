"""Batch Q&A with fakes: formats, encodings, bad rows and files, resume after Ctrl-C and kill -9."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from assistant.answer.pipeline import Assistant
from assistant.batch import jobs as batch
from assistant.batch.journal import fingerprint
from assistant.core.errors import InputError
from assistant.index.store import Index

from .conftest import ROOT
from .fakes import ScriptedGenerator, sentence_number

QUESTIONS = [
    ("q1", "全区危险化学品企业有多少家？", "27家", "安全检查通知.txt"),
    ("q2", "人员密集场所抽查比例是多少？", "20%", "安全检查通知.txt"),
    ("q3", "2024年新建口袋公园多少座？", "15座", "工作总结.md"),
    ("q4", "全区有多少座机场？", "无答案", ""),
]


def reply(prompt: str) -> str:
    """States the sentence of the passage that holds a known fact, citing it; else refuses."""
    q = prompt.split("问题：")[-1]
    facts = {"危险化学品": "27家", "抽查比例": "20%", "口袋公园": "15座"}
    for key, fact in facts.items():
        n = sentence_number(prompt, fact) if key in q else None
        if n:
            return f"答案是{fact}[{n}]。"
    return "资料中没有找到相关内容。"


@pytest.fixture
def built(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    return settings


@pytest.fixture
def assistant(built, embedder):
    return Assistant(built, embedder=embedder, generator=ScriptedGenerator(reply))


def write_csv(path, rows, header=("编号", "问题", "期望答案", "期望来源"), encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_csv_in_any_chinese_encoding_answers_every_row_in_order(tmp_path, assistant, encoding):
    src = write_csv(tmp_path / "问题清单.csv", QUESTIONS, encoding=encoding)
    report = batch.run(batch.plan(src), assistant)
    out = tmp_path / "问题清单.answers.csv"
    assert report.output == out and out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert rows[0] == ["编号", "问题", "期望答案", "期望来源", *batch.ADDED]
    assert [r[0] for r in rows[1:]] == ["q1", "q2", "q3", "q4"]
    by = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by["q1"]["status"] == "answered" and "27家" in by["q1"]["answer"]
    assert by["q1"]["citations"].startswith("[") and "安全检查通知.txt" in by["q1"]["citations"]
    assert by["q1"]["sources"].endswith("安全检查通知.txt") and int(by["q1"]["latency_ms"]) >= 0
    assert by["q4"]["status"] == "not_found" and by["q4"]["sources"] == ""
    assert report.count("answered") == 3 and report.count("not_found") == 1
    assert report.summary.answer_accuracy == 1.0 and report.summary.refusal_accuracy == 1.0
    assert report.citation_precision == 1.0
    assert not (tmp_path / "问题清单.answers.csv.progress.jsonl").exists()


def test_xlsx_in_and_out_keeps_chinese(tmp_path, assistant):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "提问", "备注"])
    for i, (_, q, _, _) in enumerate(QUESTIONS, 1):
        ws.append([i, q, f"备注{i}"])
    ws.append([9, "=1+1 这样开头的问题", "公式"])
    ws.cell(ws.max_row, 2).data_type = "s"  # text in the input, as Excel stores a typed '=...
    src = tmp_path / "清单.xlsx"
    wb.save(src)
    batch.run(batch.plan(src), assistant)
    out = load_workbook(tmp_path / "清单.answers.xlsx")
    rows = [[c.value for c in r] for r in out.active.iter_rows()]
    assert rows[0] == ["序号", "提问", "备注", *batch.ADDED]
    assert rows[1][1] == "全区危险化学品企业有多少家？" and rows[1][2] == "备注1" and "27家" in rows[1][3]
    assert rows[5][1] == "=1+1 这样开头的问题"  # kept as text, not turned into a formula
    assert len(rows) == 6


def test_bad_rows_get_an_error_and_the_run_goes_on(tmp_path, assistant):
    rows = [("a", "全区危险化学品企业有多少家？", "", ""), ("b", "   ", "", ""), ("a", "2024年新建口袋公园多少座？", "", ""),
            ("c", "长" * 2001, "", "")]
    report = batch.run(batch.plan(write_csv(tmp_path / "q.csv", rows)), assistant)
    out = read_csv(tmp_path / "q.answers.csv")
    named = [dict(zip(out[0], r, strict=True)) for r in out[1:]]
    status = [r["status"] for r in named]
    errors = [r["error"] for r in named]
    assert status == ["answered", "error", "error", "error"]
    assert errors[1] == "问题为空" and "编号 a 重复" in errors[2] and "超过 2000 字" in errors[3]
    assert report.count("error") == 3


def test_bad_files_fail_at_once_with_one_line(tmp_path):
    with pytest.raises(InputError, match="no question column"):
        batch.plan(write_csv(tmp_path / "x.csv", [("1", "a")], header=("编号", "内容")))
    with pytest.raises(InputError, match="has no column named '内容2'"):
        batch.plan(write_csv(tmp_path / "y.csv", [("1", "a")], header=("编号", "内容")), column="内容2")
    assert batch.plan(tmp_path / "y.csv", column="内容").question_col == 1
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        batch.plan(tmp_path / "broken.xlsx")
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02\xff" * 100)
    with pytest.raises(InputError, match="cannot read it as text"):
        batch.plan(tmp_path / "bin.csv")
    (tmp_path / "quote.csv").write_text('问题\n"未闭合的引号\n', "utf-8")
    with pytest.raises(InputError, match="not a valid table"):
        batch.plan(tmp_path / "quote.csv")
    with pytest.raises(InputError, match="not a .csv, .tsv or .xlsx"):
        batch.plan(tmp_path / "q.docx")


def test_interrupted_run_resumes_each_question_exactly_once(tmp_path, built, embedder):
    src = write_csv(tmp_path / "q.csv", QUESTIONS)
    asked: list[str] = []

    def counting(prompt: str) -> str:
        asked.append(prompt.split("问题：")[-1])
        if len(asked) == 3:
            raise KeyboardInterrupt
        return reply(prompt)

    with pytest.raises(KeyboardInterrupt):
        batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(counting)))
    partial = read_csv(tmp_path / "q.answers.csv")
    assert [r[0] for r in partial[1:]] == ["q1", "q2"]  # written and flushed as they finished
    report = batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(counting)))
    assert report.resumed == 2 and report.asked == 2
    assert [r[0] for r in read_csv(tmp_path / "q.answers.csv")[1:]] == ["q1", "q2", "q3", "q4"]
    with pytest.raises(InputError, match="already exists: pass --restart"):
        batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(reply)))
    again = batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(reply)),
                      restart=True)
    assert again.resumed == 0 and again.asked == 4


def test_changed_input_is_not_mixed_with_an_interrupted_run(tmp_path, built, embedder):
    src = write_csv(tmp_path / "q.csv", QUESTIONS)
    calls = []

    def stop_second(prompt: str) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return reply(prompt)

    with pytest.raises(KeyboardInterrupt):
        batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(stop_second)))
    write_csv(src, QUESTIONS[::-1])
    with pytest.raises(InputError, match="changed since the interrupted run"):
        batch.run(batch.plan(src), Assistant(built, embedder=embedder, generator=ScriptedGenerator(reply)))


SLOW_RUN = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from assistant.batch import jobs as batch
    from assistant.answer.pipeline import Assistant
    from assistant.core.config import Settings
    from tests.fakes import HashEmbedder, ScriptedGenerator
    from tests.test_batch import reply

    def slow(prompt):
        time.sleep(0.3)
        return reply(prompt)

    s = Settings(index_dir={index!r}, chunk_size=80, chunk_overlap=20)
    batch.run(batch.plan({src!r}), Assistant(s, embedder=HashEmbedder(), generator=ScriptedGenerator(slow)),
              batch_size=4)
""")


def test_kill_9_mid_run_then_same_command_gives_one_row_per_question(tmp_path, built):
    rows = [(f"q{i}", q, "", "") for i, (_, q, _, _) in enumerate(QUESTIONS * 5)]
    src = write_csv(tmp_path / "many.csv", rows)
    journal = tmp_path / "many.answers.csv.progress.jsonl"
    code = SLOW_RUN.format(root=str(ROOT), index=str(built.index_dir), src=str(src))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline and (not journal.exists() or journal.read_text("utf-8").count("\n") < 5):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = journal.read_text("utf-8").count("\n") - 1
    assert 0 < done_before < len(rows)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    out = read_csv(tmp_path / "many.answers.csv")
    assert [r[0] for r in out[1:]] == [r[0] for r in rows]  # each question once, in order
    assert all(dict(zip(out[0], r, strict=True))["status"] in ("answered", "not_found") for r in out[1:])
    assert not journal.exists()


def test_cli_batch_fails_before_loading_anything_and_summarizes(tmp_path, capsys):
    from assistant.cli.main import main

    bad = write_csv(tmp_path / "bad.csv", [("1", "x")], header=("编号", "内容"))
    assert main(["batch", str(bad), "--index", str(tmp_path / "no-index")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: bad.csv: no question column") and "\n" not in err


def test_parse_expected():
    assert batch.parse_expected("宁海;象山") == [["宁海"], ["象山"]]
    assert batch.parse_expected("第四|4") == [["第四", "4"]]
    assert batch.parse_expected("无答案") == []
    assert batch.parse_expected(" ") is None


def test_journal_line_cut_by_a_crash_is_dropped(tmp_path, assistant):
    src = write_csv(tmp_path / "q.csv", QUESTIONS)
    p = batch.plan(src)
    fp = fingerprint(p)
    row = {"index": 0, "cells": ["a", "answered", "", "", "1", ""], "status": "answered", "latency_ms": 1.0,
           "scored": None, "cited": 0, "cited_ok": 0}
    p.journal.write_text(json.dumps({"fingerprint": fp}) + "\n" + json.dumps(row) + "\n" + '{"index": 1, "ce',
                         "utf-8")
    (tmp_path / "q.answers.csv").write_text("partial", "utf-8")
    report = batch.run(p, assistant)
    assert report.resumed == 1 and report.asked == 3
    assert [r[0] for r in read_csv(tmp_path / "q.answers.csv")[1:]] == ["q1", "q2", "q3", "q4"]
