"""A real model server: llama-cpp-python's own OpenAI-compatible server on 127.0.0.1 with the bundled GGUF,
asked through `assistant ask --llm-url`, with the same checks and citations as the local model."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.cli.main import main
from assistant.core import models

from .conftest import CORPUS, MODELS, need
from .fakes import free_port

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    gguf = need(MODELS / models.SPECS[models.DEFAULT_CHAT].target, "Qwen2.5-Coder-1.5B GGUF")
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias",
                                 "qwen-1.5b", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                if json.load(r)["data"]:
                    break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-500:]}")
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start in 180 s")
    yield url, proc
    proc.terminate()
    proc.wait(timeout=30)


def test_ask_through_the_server_answers_with_checked_citations_and_timings(corpus_assistant, llama_server, capsys):
    url, _ = llama_server
    index = str(corpus_assistant.settings.index_dir)
    code = main(["ask", "首信云等多少家数据要素市场主体完成了入驻？", "--index", index, "--models-dir", str(MODELS),
                 "--llm-url", url, "--llm-model", "qwen-1.5b", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["status"] == "answered", out
    assert "41" in out["answer"] and out["citations"]
    source = "004_17f21711840f25cf.txt"
    doc = (CORPUS / source).read_text("utf-8")
    for c in out["citations"]:
        assert Path(c["source"]).name == source and doc[c["start"]:c["end"]] == c["quote"]
    t = out["timings"]
    assert 0 < t["first_token_ms"] <= t["total_ms"] and t["completion_tokens"] > 0


def test_a_stopped_server_is_one_line_and_no_local_fallback(corpus_assistant, llama_server, capsys):
    url, proc = llama_server
    index = str(corpus_assistant.settings.index_dir)
    proc.terminate()
    proc.wait(timeout=30)
    code = main(["ask", "首信云等多少家数据要素市场主体完成了入驻？", "--index", index, "--models-dir", str(MODELS),
                 "--llm-url", url, "--llm-model", "qwen-1.5b"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and err.count("\n") == 0 and url in err and ("is it running?" in err or "模型服务器" in err)
