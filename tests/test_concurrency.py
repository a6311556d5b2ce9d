"""Several users at once: with a model server, chat questions and batch rows are answered up to
llm_parallel at a time; the local model keeps its one line. A small real HTTP server counts how many
answers it is writing at once."""

from __future__ import annotations

import csv
import json
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from assistant.answer.pipeline import Assistant, answer_slots
from assistant.batch import jobs as batch
from assistant.core.config import Settings
from assistant.index.store import Index
from assistant.web.app import ChatApp

from .fakes import http_server


class Slow(BaseHTTPRequestHandler):
    lock = threading.Lock()
    now = 0
    most = 0

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with Slow.lock:
            Slow.now += 1
            Slow.most = max(Slow.most, Slow.now)
        try:
            time.sleep(0.3)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            event = {"choices": [{"delta": {"content": "资料中没有找到相关内容。"}}]}
            self.wfile.write(b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\ndata: [DONE]\n\n")
        finally:
            with Slow.lock:
                Slow.now -= 1


@pytest.fixture(scope="module")
def slow_server():
    with http_server(Slow) as url:
        yield url


def on_server(settings: Settings, url: str, parallel: int) -> Settings:
    return settings.with_overrides(llm_url=url, llm_model="slow", llm_parallel=parallel)


def test_only_a_model_server_answers_several_at_once(settings, slow_server):
    assert answer_slots(settings.with_overrides(llm_parallel=8)) == 1  # the local model: one line
    assert answer_slots(on_server(settings, slow_server, 3)) == 3


@pytest.mark.parametrize("parallel", [1, 3])
def test_batch_rows_go_to_the_server_up_to_the_limit_and_stay_in_order(tmp_path, settings, embedder, docs_dir,
                                                                        slow_server, parallel):
    s = on_server(settings, slow_server, parallel)
    Index(s.index_dir).update([str(docs_dir)], embedder, chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap)
    questions = tmp_path / "q.csv"
    with open(questions, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "问题"])
        w.writerows([(f"q{i}", f"第{i}个问题：全区有多少家企业？") for i in range(6)])
    Slow.most = 0
    report = batch.run(batch.plan(questions), Assistant(s, embedder=embedder))
    assert Slow.most == parallel and report.asked == 6
    with open(report.output, encoding="utf-8-sig", newline="") as f:
        assert [r[0] for r in list(csv.reader(f))[1:]] == [f"q{i}" for i in range(6)]


@pytest.mark.parametrize("parallel", [1, 2])
def test_the_pages_line_lets_as_many_through_as_the_server_has_slots(settings, slow_server, parallel):
    app = ChatApp(on_server(settings, slow_server, parallel))
    inside, most, lock = [0], [0], threading.Lock()

    def question():
        with app.turn_in_line():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.2)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=question) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most[0] == parallel and app.waiting() == 0
