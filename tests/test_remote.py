"""Generation on a model server: the OpenAI-compatible stream, and one clear line for every way a server fails.

A small HTTP server on 127.0.0.1 speaks the chat-completions protocol here (each model name is a way
to misbehave); tests/test_real_server.py asks llama-cpp-python's own server.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer.generation import GenerationStats
from assistant.answer.pipeline import make_generator
from assistant.answer.remote import RemoteGenerator
from assistant.cli.main import main
from assistant.core.config import Settings
from assistant.core.errors import Code, InputError, ServerError

from .fakes import free_port, http_server


def chunk(text: str) -> bytes:
    return b"data: " + json.dumps({"choices": [{"delta": {"content": text}}]}, ensure_ascii=False).encode() + b"\n\n"


class Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "qwen"}, {"id": "stall"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.seen.append({**body, "auth": self.headers.get("Authorization")})
        model = body["model"]
        if model == "missing":
            return self._json(404, {"error": {"message": "The model `missing` does not exist."}})
        if model == "broken":
            return self._json(500, {"error": {"message": "CUDA out of memory"}})
        if model == "locked":
            return self._json(401, {"error": {"message": "invalid api key"}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if model == "garbage":
            self.wfile.write(b"data: {not json\n\n")
            return
        self.wfile.write(chunk("汛前要检查"))
        self.wfile.flush()
        if model == "stall":
            time.sleep(3)
            return
        if model == "cut":
            self.wfile.write(b"data: {\"choi")  # the connection closes mid-event
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(chunk("126座水库[1]。"))
        usage = {"choices": [], "usage": {"prompt_tokens": 321, "completion_tokens": 7}}
        self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\ndata: [DONE]\n\n")


@pytest.fixture(scope="module")
def server():
    with http_server(Handler) as url:
        yield url


def ask(gen, stats=None):
    return "".join(gen.stream([{"role": "user", "content": "汛前要检查多少座水库？"}], max_tokens=64, stats=stats))


def test_streams_the_answer_with_the_servers_token_counts_and_a_key_from_a_file(server, tmp_path):
    key = tmp_path / "key.txt"
    key.write_text("sk-local-123\n", "utf-8")
    stats = GenerationStats()
    gen = RemoteGenerator(server, "qwen", key_file=str(key), seed=7)
    assert ask(gen, stats) == "汛前要检查126座水库[1]。"
    assert stats.prompt_tokens == 321 and stats.completion_tokens == 7 and 0 < stats.first_token_ms <= stats.total_ms
    sent = Handler.seen[-1]
    assert sent["auth"] == "Bearer sk-local-123" and sent["stream"] is True and sent["temperature"] == 0.0
    assert sent["seed"] == 7 and sent["max_tokens"] == 64 and sent["messages"][0]["content"].startswith("汛前")


def test_settings_choose_the_server_and_never_fall_back_to_the_local_model(server, tmp_path):
    s = Settings(llm_url=server, llm_model="qwen", models_dir=tmp_path / "no-models")
    gen = make_generator(s)
    assert isinstance(gen, RemoteGenerator) and gen.name.startswith("qwen @ 127.0.0.1")
    down = make_generator(Settings(llm_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="qwen", llm_retries=0,
                                   models_dir=tmp_path / "no-models"))
    with pytest.raises(ServerError) as e:
        ask(down)
    assert e.value.code == Code.LLM_UNREACHABLE and "is it running?" in str(e.value)


@pytest.mark.parametrize("model, code, words", [
    ("missing", Code.LLM_MODEL_UNKNOWN, "it serves: qwen, stall"),
    ("broken", Code.LLM_STATUS, "CUDA out of memory"),
    ("locked", Code.LLM_REFUSED, "--llm-key-file"),
    ("garbage", Code.LLM_BAD_REPLY, "OpenAI-compatible"),
])
def test_each_server_error_is_one_line_naming_the_fix(server, model, code, words):
    with pytest.raises(ServerError) as e:
        ask(RemoteGenerator(server, model))
    assert e.value.code == code and words in str(e.value) and "\n" not in str(e.value)
    assert e.value.words("zh") and "模型服务器" in e.value.words("zh")


def test_a_server_that_stalls_or_breaks_off_mid_answer_is_reported_not_waited_for(server):
    t0 = time.perf_counter()
    with pytest.raises(ServerError) as e:
        ask(RemoteGenerator(server, "stall", timeout=1.0))
    assert e.value.code == Code.LLM_TIMEOUT and time.perf_counter() - t0 < 2.5
    with pytest.raises(ServerError) as e:
        ask(RemoteGenerator(server, "cut"))
    assert e.value.code in (Code.LLM_CUT_OFF, Code.LLM_BAD_REPLY)


def test_retries_a_server_that_is_not_up_yet(monkeypatch):
    monkeypatch.setattr("assistant.answer.remote.RETRY_PAUSE", 0.3)
    port = free_port()
    started = []

    def start_late():
        time.sleep(0.5)  # connections are refused until then
        httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        started.append(httpd)
        httpd.serve_forever()

    threading.Thread(target=start_late, daemon=True).start()
    try:
        assert "126座水库" in ask(RemoteGenerator(f"http://127.0.0.1:{port}/v1", "qwen", retries=3))
    finally:
        for httpd in started:
            httpd.shutdown()


def test_bad_settings_are_one_line_each(tmp_path, capsys):
    with pytest.raises(InputError) as e:
        RemoteGenerator("localhost:8080", "qwen")
    assert e.value.code == Code.LLM_URL
    with pytest.raises(InputError) as e:
        RemoteGenerator("http://127.0.0.1:8080/v1", "qwen", key_file=str(tmp_path / "none.txt"))
    assert e.value.code == Code.LLM_KEY_FILE
    assert main(["ask", "问题", "--index", str(tmp_path / "none"), "--llm-url", "ftp://x", "--llm-model", "q"]) == 2
    assert capsys.readouterr().err.strip() == ("error: model server address 'ftp://x' is not an http(s) URL: "
                                               "use e.g. --llm-url http://host:8080/v1")


class OneModel(Handler):
    def do_GET(self):
        self._json(200, {"object": "list", "data": [{"id": "qwen"}]})


def test_without_a_model_name_the_servers_only_model_is_used_and_several_are_listed(server):
    with http_server(OneModel) as one:
        gen = RemoteGenerator(one, "")
        assert ask(gen) == "汛前要检查126座水库[1]。" and Handler.seen[-1]["model"] == "qwen"
        assert gen.name.startswith("qwen @ 127.0.0.1")
    with pytest.raises(InputError) as e:
        RemoteGenerator(server, "").chosen()
    assert e.value.code == Code.LLM_MODEL_NEEDED and "qwen, stall" in e.value.words("en")
    assert "--llm-model" in e.value.words("en") and "\n" not in e.value.words("zh")


def test_doctor_reports_the_server_and_the_model_it_serves(server, tmp_path, capsys):
    main(["doctor", "--index", str(tmp_path / "none"), "--llm-url", server, "--llm-model", "qwen"])
    out = capsys.readouterr().out
    assert f"qwen on the model server {server}: reachable, serves qwen, stall" in out
    main(["doctor", "--index", str(tmp_path / "none"), "--llm-url", server, "--llm-model", "other"])
    assert "PROBLEM: not other" in capsys.readouterr().out
    main(["doctor", "--index", str(tmp_path / "none"), "--llm-url", f"http://127.0.0.1:{free_port()}/v1",
          "--llm-model", "qwen"])
    assert "chat model      PROBLEM: cannot reach the model server" in capsys.readouterr().out
