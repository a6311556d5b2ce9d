"""The offline bundle for real: built here, then installed and used on a simulated air-gapped laptop.

One module-scoped run (several minutes): `offline.build` makes the folder and its .tar.gz; then, inside a network
namespace with only loopback, every compiler replaced by a refusal and the machine's own package stores emptied
(tests/offline_proof.py), the tarball is unpacked, `bash install.sh` installs it, the samples are indexed, a
question is answered with a verified citation, the chat page loads in Chromium, and an older install holding
data is updated (killed half-way, then run again). Figures go to artifacts/offline/result.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from urllib.parse import urlparse

import pytest

from offline.build import SUMS, build

from .conftest import MODELS, ROOT, need, real_models_required
from .offline_proof import QUESTION, can_simulate, laptop

pytestmark = [pytest.mark.real, pytest.mark.slow]
ARTIFACTS = ROOT / "artifacts" / "offline"


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    why = can_simulate()
    if why:
        pytest.fail(why) if real_models_required() else pytest.skip(why)
    need(MODELS / "embeddinggemma-300m", "EmbeddingGemma")
    need(MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Qwen2.5-Coder-1.5B GGUF")
    wheel = subprocess.run(["bash", str(ROOT / "scripts" / "llama_wheel.sh"), "portable"], capture_output=True,
                           text=True, check=True, timeout=3600).stdout.strip().splitlines()[-1]
    out = tmp_path_factory.mktemp("bundle")
    lines: list[str] = []
    folder = build(out, __import__("pathlib").Path(wheel), MODELS, log=lines.append)
    tarball = out / f"{folder.name}.tar.gz"
    work = out / "work"
    work.mkdir()
    res = laptop([sys.executable, "-m", "tests.offline_proof", str(tarball), str(work), str(work / "result.json")],
                 timeout=2400, cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    result = json.loads((work / "result.json").read_text("utf-8"))
    result["bundle"] = {"folder_bytes": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()),
                        "tarball_bytes": tarball.stat().st_size, "build_log": lines}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    shutil.copy2(work / "proof.log", ARTIFACTS / "proof.log")
    yield folder, tarball, result
    shutil.rmtree(out, ignore_errors=True)  # several GB: not left for pytest's kept temp folders


def test_bundle_holds_cpu_wheels_verified_models_and_sums(proof):
    folder, tarball, result = proof
    wheels = sorted(p.name for p in (folder / "wheels").glob("*.whl"))
    assert any(w.startswith("torch-2.13.0+cpu-") for w in wheels)
    assert not [w for w in wheels if w.lower().startswith(("nvidia", "triton"))]
    assert len([w for w in wheels if w.startswith("llama_cpp_python-")]) == 1
    assert any(w.startswith("doc_assistant-") for w in wheels) and any(w.startswith("pip-") for w in wheels)
    assert (folder / "models" / ".verified.json").is_file()
    assert (folder / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").stat().st_size == 1_117_320_768
    listed = {line.split("  ", 1)[1] for line in (folder / SUMS).read_text("utf-8").splitlines()}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert present - listed == {SUMS, "models/.verified.json"}
    assert listed <= present
    guide = (folder / "离线安装说明.md").read_text("utf-8")
    for section in ("安装", "出错时怎么办", "更新", "卸载", "不支持的平台", "ARM64", "Windows"):
        assert section in guide
    assert "@" not in guide.replace("@@", "")  # every placeholder filled
    assert tarball.stat().st_size < 3e9, tarball.stat().st_size
    with zipfile.ZipFile(next((folder / "wheels").glob("llama_cpp_python-*.whl"))) as zf:
        assert any(n.endswith("libggml-cpu.so") for n in zf.namelist())
    assert any("AVX-512 0" in line and "libggml-cpu" in line for line in result["bundle"]["build_log"])


def test_installs_with_no_network_and_no_compiler(proof):
    _, _, r = proof
    assert r["isolation"] == {"gcc_works": False, "reach_pypi.org": False, "reach_1.1.1.1": False}
    inst = r["install"]
    assert inst["rc"] == 0, inst["output"]
    assert inst["seconds"] < 180, inst["seconds"]
    out = inst["output"]
    assert '/assistant" index "' in out and '/assistant" serve' in out  # the two commands to start
    assert "all good" not in out  # the doctor's English stays in selfcheck.log; the user reads Chinese


def test_installed_assistant_answers_with_a_verified_citation(proof):
    _, _, r = proof
    assert r["index"]["rc"] == 0
    ask = r["ask"]
    assert ask["rc"] == 0, ask["answer"]
    a = ask["answer"]
    assert a["question"] == QUESTION
    assert a["status"] == "answered", a
    assert "126" in a["answer"]
    assert a["citations"] and "防汛" in a["citations"][0]["source"]
    assert a["statements"] and all(s["supported"] for s in a["statements"])


def test_chat_page_loads_with_no_request_off_loopback(proof):
    _, _, r = proof
    page = r["page"]
    assert page.get("title") == "文档问答助手", page
    assert page["requests"] > 0
    assert page["off_host"] == []
    # also by address: Chromium asked for nothing but 127.0.0.1
    assert page["off_host"] == [u for u in page["off_host"] if urlparse(u).hostname != "127.0.0.1"]


def test_update_over_an_older_install_keeps_data_even_when_interrupted(proof):
    _, _, r = proof
    assert r["interrupted"]["killed_during"] == "pip install"
    assert r["interrupted"]["current_after_kill"].startswith("0.0.9")  # the old runtime stayed live
    up = r["update"]
    assert up["rc"] == 0, up["output"]
    assert up["data_changed"] == []
    assert len(up["runtime"]) == 2 and "current" in up["runtime"]  # the new runtime, the old one gone
    assert "格式 0" in up["output"] and "--rebuild" in up["output"]  # the old index: refused, with the command
    assert up["search_rc"] == 0 and "126" in up["search_top"]
