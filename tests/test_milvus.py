"""The Milvus store, on milvus-lite (the real engine, in a local file): the same documents, spans and hits
as the folder store, updates document by document, nothing half-written visible, one line per bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer.retrieval import Retriever
from assistant.core.errors import AssistantError, Code
from assistant.index.store import Index
from assistant.index.stores import open_store, parse_store

from .conftest import ROOT, real_models_required
from .fakes import HashEmbedder, free_port
from .test_segments import write_docs

KW = {"chunk_size": 80, "chunk_overlap": 20}


@pytest.fixture(autouse=True)
def _milvus():
    try:
        import milvus_lite  # noqa: F401
        import pymilvus  # noqa: F401
    except ImportError:
        if real_models_required():
            pytest.fail("pymilvus and milvus-lite are needed (pip install -e '.[dev]')")
        pytest.skip("pymilvus and milvus-lite not installed")
    from assistant.index import milvus_db

    yield
    milvus_db.close()


def milvus(tmp_path, name="idx"):
    return open_store(tmp_path / name, f"milvus:{tmp_path / (name + '.db')}")


def spans(state) -> list[tuple]:
    return sorted((c.source, c.start, c.end, c.text, c.chunk_id, c.page, c.headings) for c in state.chunks)


def test_the_same_documents_spans_and_hits_as_the_folder_store(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 12)
    emb = HashEmbedder()
    folder, store = Index(tmp_path / "folder"), milvus(tmp_path)
    folder.update([str(docs)], emb, **KW)
    store.update([str(docs)], emb, **KW)
    a, b = folder.load(), store.load()
    assert spans(a) == spans(b) and len(b.docs) == 12
    assert {d.source: d.sha256 for d in a.docs.values()} == {d.source: d.sha256 for d in b.docs.values()}
    for q in ("第3号文件的资金安排", "乡村振兴项目有多少个", "督查整改"):
        qv = emb.embed_queries([q])[0]
        dense_a = [(a.chunks[r].chunk_id, round(s, 4)) for r, s in a.dense_search(qv, 5)]
        dense_b = [(b.chunks[r].chunk_id, round(s, 4)) for r, s in b.dense_search(qv, 5)]
        assert dense_a == dense_b  # exact search on both: the same vectors, the same order
        hits = Retriever(b, emb, top_k=3).search(q)
        assert hits and all(h.chunk.text == b.doc_text(h.chunk.source)[h.chunk.start:h.chunk.end] for h in hits)
        assert b.lexical_search(q, 5)  # Milvus's own BM25 over its jieba tokens finds the words
    for gram in ("资金", "乡村", "督查"):
        assert b.bigram_df(gram) == a.bigram_df(gram)
    from assistant.index import milvus_db

    milvus_db.SAMPLE = b.size // 2  # a bigger index: counted on the rows of half the id buckets, doubled
    try:
        sampled = store.load()
        for gram in ("工作", "乡村", "资金"):
            estimate, true = sampled.bigram_df(gram), a.bigram_df(gram)
            assert estimate % 2 == 0 and 0 <= estimate <= b.size and abs(estimate - true) <= true
        assert len(sampled._sample()[0]) < b.size
    finally:
        milvus_db.SAMPLE = 4096
    assert b.mentions("第3号文件") and not b.mentions("公安局")
    wanted = {str(docs / "doc003.txt")}
    assert sorted(b.chunks[r].chunk_id for r in b.rows_of(wanted)) == sorted(a.chunks[r].chunk_id for r in a.rows_of(wanted))
    assert all(b.chunks[r].source in wanted for r, _ in b.dense_search(qv, 5, allowed=b.rows_of(wanted)))


def test_updates_are_per_document_and_the_store_is_recorded(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 6)
    emb = HashEmbedder()
    store = milvus(tmp_path)
    first = store.update([str(docs)], emb, **KW)
    assert len(first.added) == 6 and json.loads((tmp_path / "idx" / "store.json").read_text())["engine"] == "milvus"
    (docs / "doc002.txt").write_text("关于防汛工作的补充通知：新增应急物资储备库3座。", "utf-8")
    (docs / "doc004.txt").unlink()
    again = open_store(tmp_path / "idx")  # no --store: the recorded one
    rep = again.update([str(docs)], emb, **KW)
    state = again.load()
    assert rep.updated == [str(docs / "doc002.txt")] and rep.removed == [str(docs / "doc004.txt")]
    assert rep.chunks_embedded == len(state.docs[str(docs / "doc002.txt")].chunk_ids)  # only the changed file
    assert len(state.docs) == 5 and "应急物资储备库" in state.doc_text(str(docs / "doc002.txt"))
    assert not any(c.source.endswith("doc004.txt") for c in state.chunks)
    assert len(list(state.chunks)) == state.size == state.manifest.chunks
    removed = again.remove([str(docs / "doc002.txt")])
    assert removed.removed == [str(docs / "doc002.txt")] and len(again.load().docs) == 4


def test_a_run_stopped_before_it_switches_leaves_the_last_generation_and_is_cleaned_up(tmp_path, monkeypatch):
    from assistant.index import milvus_db
    from assistant.index.milvus_store import MilvusStore

    docs = tmp_path / "docs"
    write_docs(docs, 4)
    emb = HashEmbedder()
    store = milvus(tmp_path)
    store.update([str(docs)], emb, **KW)
    before = store.load()
    write_docs(docs, 2, start=10)  # two new files
    (docs / "doc001.txt").write_text("改过的文件：汛期值班电话88012345。", "utf-8")
    real = MilvusStore._write

    def stop_after_writing(self, *a, **k):
        real(self, *a, **k)
        raise KeyboardInterrupt  # Ctrl-C after the rows are written, before the manifest and the switch

    monkeypatch.setattr(MilvusStore, "_write", stop_after_writing)
    with pytest.raises(KeyboardInterrupt):
        store.update([str(docs)], emb, **KW)
    monkeypatch.undo()
    after = store.load()  # what a reader sees: the last generation, whole
    assert after.gen == before.gen and spans(after) == spans(before)
    assert Retriever(after, emb).search("汛期值班电话") == [] or all(
        "88012345" not in h.chunk.text for h in Retriever(after, emb).search("汛期值班电话"))
    rep = store.update([str(docs)], emb, **KW)  # the next run deletes the orphans and writes again
    state = store.load()
    assert sorted(rep.added) == [str(docs / "doc010.txt"), str(docs / "doc011.txt")]
    assert len(state.docs) == 6 and "88012345" in state.doc_text(str(docs / "doc001.txt"))
    client = milvus_db.connect(store.spec)
    rows = client.query(milvus_db.chunks_of("assistant"), filter="id >= 0", output_fields=["count(*)"])[0]["count(*)"]
    old_rows = len(before.docs[str(docs / "doc001.txt")].chunk_ids)
    assert rows == state.size + old_rows  # no orphan left; the replaced rows wait one generation for readers


def test_a_reader_keeps_its_generation_while_another_is_written(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 4)
    emb = HashEmbedder()
    store = milvus(tmp_path)
    store.update([str(docs)], emb, **KW)
    reader = store.load()
    old_text = reader.doc_text(str(docs / "doc001.txt"))
    (docs / "doc001.txt").write_text("关于数字经济工作的新通知：核心产业增加值增长12%。", "utf-8")
    store.update([str(docs)], emb, **KW)
    assert store.current() != reader.generation  # a page polling current() reloads
    hits = Retriever(reader, emb).search("第1号文件 数字经济")
    assert hits and all("核心产业增加值" not in h.chunk.text for h in hits)  # the old rows, still whole
    assert reader.doc_text(str(docs / "doc001.txt")) == old_text
    assert "核心产业增加值" in store.load().doc_text(str(docs / "doc001.txt"))


def test_bad_store_input_is_one_line_each(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 2)
    emb = HashEmbedder()
    for bad in ("milvus:", "milvus:/tmp/x.txt", "mongo:x", "milvus:/tmp/a.db#../x"):
        with pytest.raises(AssistantError) as e:
            parse_store(bad)
        assert e.value.code == Code.STORE_SPEC
    down = open_store(tmp_path / "down", f"milvus:http://127.0.0.1:{free_port()}")
    with pytest.raises(AssistantError) as e:
        down.update([str(docs)], emb, **KW)
    assert e.value.code == Code.STORE_UNREACHABLE and "\n" not in str(e.value)
    assert not (tmp_path / "down" / "store.json").exists()  # nothing recorded for a store never reached
    store = milvus(tmp_path)
    store.update([str(docs)], emb, **KW)
    with pytest.raises(AssistantError) as e:
        store.update([str(docs)], HashEmbedder(dim=32, name="another-embedder"), **KW)
    assert e.value.code == Code.INDEX_OTHER_EMBEDDER
    with pytest.raises(AssistantError) as e:  # a rebuild cannot change the size of the collection's vectors
        store.update([str(docs)], HashEmbedder(dim=32, name="another-embedder"), rebuild=True, **KW)
    assert e.value.code == Code.STORE_OTHER_DIM and len(store.load().docs) == 2  # and the index is as it was
    with pytest.raises(AssistantError) as e:
        open_store(tmp_path / "idx", f"milvus:{tmp_path / 'elsewhere.db'}")
    assert e.value.code == Code.STORE_OTHER
    Index(tmp_path / "folder").update([str(docs)], emb, **KW)
    with pytest.raises(AssistantError) as e:
        open_store(tmp_path / "folder", f"milvus:{tmp_path / 'f.db'}")
    assert e.value.code == Code.STORE_OTHER  # an index kept in its folder is not silently moved


def test_a_collection_another_program_made_is_refused(tmp_path):
    from pymilvus import DataType

    from assistant.index import milvus_db

    spec = parse_store(f"milvus:{tmp_path / 'shared.db'}#theirs")
    client = milvus_db.connect(spec)
    schema = client.create_schema(auto_id=True)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=4)
    client.create_collection("theirs_chunks", schema=schema)
    docs = tmp_path / "docs"
    write_docs(docs, 1)
    with pytest.raises(AssistantError) as e:
        open_store(tmp_path / "idx", f"milvus:{tmp_path / 'shared.db'}#theirs").update([str(docs)], HashEmbedder(), **KW)
    assert e.value.code == Code.STORE_FOREIGN


def test_a_store_file_open_in_another_program_is_one_line(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 1)
    db_file = tmp_path / "busy.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pymilvus import MilvusClient\n"
        f"c = MilvusClient({str(db_file)!r})\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "open"
        out = subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(docs), "--index", str(tmp_path / "idx"),
                              "--store", f"milvus:{db_file}"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        holder.communicate("\n", timeout=30)
    assert out.returncode != 0
    lines = [x for x in out.stderr.splitlines() if x.strip()]
    assert lines and "open in another program" in lines[-1] and "Traceback" not in out.stderr


def test_a_folder_index_is_copied_into_the_store_without_embedding_again(tmp_path):
    docs = tmp_path / "docs"
    write_docs(docs, 8)
    emb = HashEmbedder()
    folder = Index(tmp_path / "folder")
    folder.update([str(docs)], emb, **KW)
    folder.remove([str(docs / "doc005.txt")])  # a tombstone in the source: not copied
    target = milvus(tmp_path)
    report = target.copy_from(folder)
    a, b = folder.load(), target.load()
    assert len(report.added) == 7 and report.chunks_resumed == a.size and report.chunks_embedded == 0
    assert spans(a) == spans(b) and b.manifest.embedding == a.manifest.embedding
    qv = emb.embed_queries(["第3号文件的资金安排"])[0]
    assert [a.chunks[r].chunk_id for r, _ in a.dense_search(qv, 5)] == [b.chunks[r].chunk_id for r, _ in b.dense_search(qv, 5)]
    assert all(b.doc_text(s) == a.doc_text(s) for s in a.by_source)
    with pytest.raises(AssistantError) as e:
        target.copy_from(folder)
    assert e.value.code == Code.STORE_NOT_EMPTY
    (docs / "doc001.txt").write_text("复制以后改过的文件：防汛物资。", "utf-8")
    rep = open_store(tmp_path / "idx").update([str(docs)], emb, **KW)  # later runs update the copy in place
    assert rep.updated == [str(docs / "doc001.txt")] and rep.added == [str(docs / "doc005.txt")]


@pytest.mark.real
def test_the_command_line_answers_from_a_milvus_store_with_checkable_citations(corpus_assistant, tmp_path):
    """The real models through the real front door: the corpus index copied into milvus-lite, then asked."""
    from .conftest import CORPUS, MODELS

    target = tmp_path / "milvus-index"
    env = {**__import__("os").environ, "ASSISTANT_HOME": str(tmp_path)}
    cli = [sys.executable, "-m", "assistant.cli"]
    copied = subprocess.run(cli + ["copy-index", str(corpus_assistant.settings.index_dir), "--index", str(target),
                                   "--store", f"milvus:{tmp_path / 'office.db'}", "--models-dir", str(MODELS)],
                            check=True, cwd=ROOT, env=env, timeout=300, capture_output=True, text=True)
    assert "sentences of" not in copied.stdout  # the second stage's vectors came with the index
    out = subprocess.run(cli + ["ask", "副中心网安类和元宇宙类企业有多少家？", "--index", str(target), "--json",
                                "--models-dir", str(MODELS)], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-500:]
    a = json.loads(out.stdout)
    assert a["status"] == "answered" and "358" in a["answer"] and a["citations"], a
    for c in a["citations"]:
        doc = (CORPUS / Path(c["source"]).name).read_text("utf-8")
        assert doc[c["start"]:c["end"]] == c["quote"]


def test_the_page_says_in_one_chinese_line_when_the_store_server_is_down(settings, embedder):
    from assistant.answer.pipeline import Assistant
    from assistant.index.stores import StoreSpec, record
    from assistant.web.app import ChatApp

    from .fakes import ScriptedGenerator

    record(settings.index_dir, StoreSpec("milvus", f"http://127.0.0.1:{free_port()}", "office"))
    app = ChatApp(settings, Assistant(settings, embedder=embedder, generator=ScriptedGenerator("x")))
    turns, flags = [], {}
    app.send("全区危险化学品企业有多少家？", turns, flags)
    *_, (html, turns) = app.ask(turns, flags, 5)
    assert turns[0].phase == "error" and "连接不上资料库服务器" in turns[0].error and "\n" not in turns[0].error
    rows, _ = app.documents()  # the documents tab still opens
    assert rows == []
    app.send("再问一次？", turns, flags)  # and the page keeps taking questions
    *_, (html, turns) = app.ask(turns, flags, 5)
    assert len(turns) == 2 and turns[1].phase == "error"


def test_a_copied_index_brings_its_page_images(tmp_path):
    from assistant.core.records import ScanPage
    from assistant.index.records import DocEntry
    from assistant.index.scans import sync_images

    old, new = tmp_path / "old", tmp_path / "new"
    (old / "scans").mkdir(parents=True)
    (old / "scans" / "d1.jpg").write_bytes(b"\xff\xd8 page image")
    entry = DocEntry("k", "a.pdf", "", "", 1, 1, "", "", scans=[ScanPage(1, 0.9, "d1", 10, 10).to_dict()])
    sync_images(new, [entry], also=old)  # not in this machine's OCR cache: taken from the old index
    assert (new / "scans" / "d1.jpg").read_bytes() == b"\xff\xd8 page image"


@pytest.fixture
def milvus_server(tmp_path):
    """A Milvus-protocol server on 127.0.0.1 (milvus-lite's own gRPC server), as an office would run Milvus."""
    import socket
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "server"),
                             "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


READER = """
import sys, time
from assistant.index.stores import open_store
store = open_store(sys.argv[1])
first = store.load()
print(len(first.docs), flush=True)
sys.stdin.readline()  # the other program updates the index meanwhile
print(len(store.load().docs), store.current() != first.generation, flush=True)
"""


def test_several_programs_share_a_store_server(tmp_path, milvus_server):
    docs = tmp_path / "docs"
    write_docs(docs, 5)
    emb = HashEmbedder()
    writer = open_store(tmp_path / "idx", f"milvus:{milvus_server}#office")
    writer.update([str(docs)], emb, **KW)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path / "idx")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert reader.stdout.readline().split() == ["5"]  # another process reads while this one holds a client
        write_docs(docs, 2, start=20)
        writer.update([str(docs)], emb, **KW)
        out, _ = reader.communicate("\n", timeout=120)
    finally:
        reader.kill()
    assert out.split() == ["7", "True"]  # it sees the new generation
    state = writer.load()
    hits = Retriever(state, emb, top_k=3).search("第21号文件的资金安排")
    assert hits and hits[0].chunk.source.endswith("doc021.txt")
    assert state.lexical_search("第21号文件", 3)  # a server's BM25 score is used as it comes


def test_a_milvus_lite_index_moves_on_to_a_store_server(tmp_path, milvus_server):
    docs = tmp_path / "docs"
    write_docs(docs, 4)
    emb = HashEmbedder()
    laptop = milvus(tmp_path)
    laptop.update([str(docs)], emb, **KW)
    office = open_store(tmp_path / "office", f"milvus:{milvus_server}#office")
    report = office.copy_from(laptop)
    a, b = laptop.load(), office.load()
    assert len(report.added) == 4 and spans(a) == spans(b)
    assert abs(a.vectors() - b.vectors()).max() < 1e-6
