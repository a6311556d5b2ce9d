"""Indexing as a pipeline: files read ahead while the embedder works, progress per file, no model when nothing is new."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.core.records import Document
from assistant.index.records import IndexProgress
from assistant.index.store import Index
from assistant.ingest.prefetch import prefetch
from assistant.ingest.readers import read_all

from .fakes import HashEmbedder


def test_prefetch_keeps_order_and_raises_the_producers_error():
    assert list(prefetch(iter(range(10)), depth=2)) == list(range(10))

    def broken():
        yield 1
        raise ValueError("damaged")

    got = []
    with pytest.raises(ValueError, match="damaged"):
        for x in prefetch(broken()):
            got.append(x)
    assert got == [1]


def test_prefetch_closes_the_source_when_the_consumer_stops():
    closed = threading.Event()

    def source():
        try:
            yield from range(1000)
        finally:
            closed.set()

    for x in prefetch(source(), depth=2):
        if x == 3:
            break
    assert closed.wait(5)


class Log:
    def __init__(self):
        self.events: list[str] = []


class LoggingEmbedder(HashEmbedder):
    def __init__(self, log: Log):
        super().__init__()
        self.log = log

    def embed_documents(self, texts):
        self.log.events.append("embed")
        return super().embed_documents(texts)


class Untouchable(HashEmbedder):
    """Fails the test if the index asks it for anything beyond its identity: no model may load."""

    @property
    def dim(self) -> int:
        raise AssertionError("the embedder was loaded")

    def embed_documents(self, texts):
        raise AssertionError("the embedder was loaded")


def _folder(tmp_path, n: int):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(n):
        body = "。".join(f"第{i}号文件第{j}段，内容是防汛安排与水库检查的第{j}项要求" for j in range(12))
        (folder / f"文件{i:02d}.txt").write_text(body + "。", "utf-8")
    return folder


def test_embedding_starts_while_files_are_still_being_read(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(Index, "embed_batch", 2)
    folder = _folder(tmp_path, 12)
    log = Log()

    def reader(files):
        for doc in read_all(files):
            log.events.append("read")
            yield doc

    seen: list[IndexProgress] = []
    report = Index(settings.index_dir).update([str(folder)], LoggingEmbedder(log), chunk_size=60, chunk_overlap=10,
                                              reader=reader, progress=seen.append)
    assert len(report.added) == 12 and report.chunks_embedded > 12
    last_read = max(i for i, e in enumerate(log.events) if e == "read")
    first_embed = log.events.index("embed")
    assert first_embed < last_read, "the embedder waited for every file to be read"
    assert seen[0].files_done == 0 and seen[-1].files_done == seen[-1].files_total == 12
    assert seen[-1].chunks_done == report.chunks_embedded
    assert [p.files_done for p in seen] == sorted(p.files_done for p in seen)
    assert any(p.source.endswith("文件05.txt") for p in seen)


def test_nothing_new_and_removals_never_load_the_embedder(settings, tmp_path):
    folder = _folder(tmp_path, 3)
    emb = HashEmbedder()
    Index(settings.index_dir).update([str(folder)], emb, chunk_size=60, chunk_overlap=10)
    quiet = Untouchable()
    quiet.fingerprint = emb.fingerprint
    report = Index(settings.index_dir).update([str(folder)], quiet, chunk_size=60, chunk_overlap=10)
    assert not report.changed and len(report.unchanged) == 3
    (folder / "文件01.txt").unlink()
    report = Index(settings.index_dir).update([str(folder)], quiet, chunk_size=60, chunk_overlap=10)
    assert [p.rsplit("/", 1)[-1] for p in report.removed] == ["文件01.txt"]
    state = Index(settings.index_dir).load()
    assert state.manifest.embedding.dim == 64 and len(state.docs) == 2
    assert not any("第1号文件" in c.text for c in state.chunks)


def test_an_error_while_embedding_stops_the_reader(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(Index, "embed_batch", 2)
    folder = _folder(tmp_path, 20)
    closed = threading.Event()

    def reader(files):
        try:
            yield from read_all(files)
        finally:
            closed.set()

    emb = HashEmbedder()
    emb.fail_after = 1
    with pytest.raises(KeyboardInterrupt):
        Index(settings.index_dir).update([str(folder)], emb, chunk_size=60, chunk_overlap=10, reader=reader)
    assert closed.wait(5)
    assert not Index(settings.index_dir).exists()


def test_vectors_come_back_in_document_order_across_shared_and_own_batches(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(Index, "embed_batch", 4)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("短文。", "utf-8")
    (folder / "b.txt").write_text("。".join(f"长文第{j}段讲水闸的检查与维修安排" for j in range(30)) + "。", "utf-8")
    (folder / "c.txt").write_text("另一篇短文，讲城镇就业。", "utf-8")
    emb = HashEmbedder()
    Index(settings.index_dir).update([str(folder)], emb, chunk_size=40, chunk_overlap=5)
    state = Index(settings.index_dir).load()
    stored = state.vectors()
    expected = emb.embed_documents([c.text for c in state.chunks])
    assert np.allclose(stored, expected, atol=1e-6)


def test_documents_read_by_hand_go_through_the_same_pipeline(settings, tmp_path):
    docs = [Document(source=str(tmp_path / f"d{i}.txt"), title="", text=f"第{i}篇，讲水库。", sha256=f"{i:064d}")
            for i in range(3)]
    for d in docs:
        open(d.source, "w", encoding="utf-8").write(d.text)
    report = Index(settings.index_dir).update([d.source for d in docs], HashEmbedder(), chunk_size=60,
                                              chunk_overlap=10, reader=lambda files: iter(docs))
    assert len(report.added) == 3 and report.chunks_embedded == 3
