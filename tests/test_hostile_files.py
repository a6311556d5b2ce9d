"""Files that cannot hurt: every hostile file is built here, read with limits on time and memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.index.store import Index
from assistant.ingest.readers import Skip, Skipped, read_all, read_document

from .conftest import ROOT
from .fakes import HashEmbedder
from .hostile import TEXT, hostile_folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return hostile_folder(tmp_path_factory.mktemp("hostile"))


def _by_name(items) -> dict[str, object]:
    return {Path(x.source).name: x for x in items}


def test_each_hostile_file_is_skipped_with_its_reason(hostile):
    got = _by_name(read_all(sorted(str(p) for p in hostile.iterdir())))
    expected = {"炸弹.docx": Skip.ZIP_BOMB, "高压缩比.docx": Skip.ZIP_BOMB, "管道.txt": Skip.NOT_REGULAR,
                "零设备.txt": Skip.NOT_REGULAR, "程序.txt": Skip.BINARY, "乱码.txt": Skip.BINARY,
                "有密码.pdf": Skip.ENCRYPTED}
    for name, code in expected.items():
        assert isinstance(got[name], Skipped) and got[name].code == code, (name, got[name])
    assert "password" in got["有密码.pdf"].reason
    for name in ("无密码加密AES.pdf", "无密码加密RC4.pdf"):
        assert "126 reservoirs" in got[name].text, name
    assert "\x00" not in got["带一个空字节.txt"].text and "按时报送" in got["带一个空字节.txt"].text
    assert got["正常.txt"].text == TEXT


def test_reading_every_hostile_file_is_quick_and_small(hostile):
    """In a child process capped at 1.5 GB of address space and 120 s: no hang, no memory blow-up.

    Peak memory is the child's own high-water mark (VmHWM): ru_maxrss would carry over the peak
    of the pytest process it was forked from.
    """
    code = (
        "import resource, sys, json, time\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))\n"
        "from assistant.ingest.readers import read_all, discover\n"
        "t = time.time(); files, skipped = discover([sys.argv[1]])\n"
        "items = list(read_all(files)) + skipped\n"
        "hwm = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM'))\n"
        "print(json.dumps({'n': len(items), 's': time.time() - t, 'rss_mb': hwm / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(hostile)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout)
    assert figures["n"] == len(list(hostile.iterdir()))
    assert figures["rss_mb"] < 400, figures
    print(f"hostile files read: {figures}")


def test_hostile_folder_indexes_the_good_files_only(hostile, tmp_path):
    report = Index(tmp_path / "idx").update([str(hostile)], HashEmbedder(), chunk_size=80, chunk_overlap=20)
    names = {Path(s).name for s in report.added}
    assert names == {"正常.txt", "带一个空字节.txt", "无密码加密AES.pdf", "无密码加密RC4.pdf"}
    assert len(report.skipped) == 7


def test_a_runaway_file_is_stopped_by_the_chunk_cap(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "超长.txt").write_text("全市共有水库126座，水闸43座。" * 20_000, "utf-8")  # 320,000 characters
    (docs / "正常.txt").write_text(TEXT, "utf-8")
    report = Index(tmp_path / "idx").update([str(docs)], HashEmbedder(), chunk_size=80, chunk_overlap=20,
                                            max_chunks=1000)
    (skipped,) = report.skipped
    assert skipped.code == Skip.TOO_MANY_CHUNKS and "超长.txt" in skipped.source and "1,000" in skipped.reason
    assert [Path(s).name for s in report.added] == ["正常.txt"]


def test_a_long_file_resumes_inside_itself(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "长文.txt").write_text("".join(f"第{i}项工作已按期完成，共涉及{i * 3}个单位。\n" for i in range(2000)), "utf-8")
    idx = Index(tmp_path / "idx")
    idx.embed_batch = 64
    emb = HashEmbedder()
    emb.fail_after = 5  # Ctrl-C inside the file, after five batches
    with pytest.raises(KeyboardInterrupt):
        idx.update([str(docs)], emb, chunk_size=80, chunk_overlap=20)
    assert not idx.exists()
    emb2 = HashEmbedder()
    report = idx.update([str(docs)], emb2, chunk_size=80, chunk_overlap=20)
    assert report.chunks_resumed == 5 * 64 and report.chunks_embedded > 0
    assert len(idx.load().chunks) == report.chunks_resumed + report.chunks_embedded


def test_vectors_staged_by_another_embedder_are_never_mixed_in(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.txt").write_text(TEXT * (i + 1), "utf-8")
    idx = Index(tmp_path / "idx")
    idx.embed_batch = 2
    first = HashEmbedder(dim=64, name="model-a")
    first.fail_after = 1
    with pytest.raises(KeyboardInterrupt):
        idx.update([str(docs)], first, chunk_size=80, chunk_overlap=20)
    other = HashEmbedder(dim=32, name="model-b")
    report = idx.update([str(docs)], other, chunk_size=80, chunk_overlap=20)
    assert report.chunks_resumed == 0 and idx.load().dim == 32
    again = idx.update([str(docs)], HashEmbedder(dim=48, name="model-c"), chunk_size=80, chunk_overlap=20,
                       rebuild=True)
    assert len(again.added) == 3 and idx.load().dim == 48


def test_a_second_run_says_it_is_waiting(tmp_path):
    import fcntl

    folder = tmp_path / "idx"
    folder.mkdir()
    heard: list[str] = []
    holder = open(folder / ".lock", "w")  # noqa: SIM115 - held across the thread below
    fcntl.flock(holder, fcntl.LOCK_EX)
    released = threading.Timer(0.5, lambda: (fcntl.flock(holder, fcntl.LOCK_UN), holder.close()))
    released.start()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(TEXT, "utf-8")
    t0 = time.time()
    Index(folder, notify=heard.append).update([str(docs)], HashEmbedder(), chunk_size=80, chunk_overlap=20)
    assert time.time() - t0 >= 0.4
    assert heard and "waiting" in heard[0]


def test_fake_gguf_gives_one_line(tmp_path):
    from assistant.answer.generation import LlamaGenerator
    from assistant.core.errors import ModelMissingError

    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF" + os.urandom(4096))
    gen = LlamaGenerator(fake, n_ctx=256, n_threads=1)
    with pytest.raises(ModelMissingError, match="cannot load chat model"):
        list(gen.stream([{"role": "user", "content": "你好"}], max_tokens=4))


def test_read_document_of_a_plain_file_still_works(tmp_path):
    f = tmp_path / "a.md"
    f.write_text(TEXT, "utf-8")
    assert read_document(str(f)).text == TEXT
