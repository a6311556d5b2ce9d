"""Segments: updates write only what changed, and the index reads the same as one built whole."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from assistant.answer.retrieval import Retriever
from assistant.index import compaction, generations, lexical
from assistant.index.postings import Postings
from assistant.index.store import Index

from .fakes import HashEmbedder

TOPICS = ["防汛", "安全生产", "数字经济", "乡村振兴", "营商环境", "生态环境", "教育", "医疗", "养老", "交通"]


def write_docs(folder, n, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        t = TOPICS[i % len(TOPICS)]
        text = (f"# 第{i}号文件：关于{t}工作的通知\n\n各单位要做好{t}工作，今年安排资金{i * 7 + 3}万元。"
                f"全区共有{i + 12}个{t}项目已经开工。\n\n二、{t}的重点任务是加强督查，按期完成{i}项整改。")
        p = folder / f"doc{i:03d}.txt"
        p.write_text(text, "utf-8")
        paths.append(p)
    return paths


def update(folder, embedder, paths, **kw):
    return Index(folder).update([str(p) for p in paths], embedder, chunk_size=60, chunk_overlap=10, **kw)


def by_chunk(state, scores):
    return {state.chunks[i].chunk_id: round(float(s), 4) for i, s in enumerate(scores)}


def test_postings_count_repeats_and_merge_renumbered_rows():
    p = Postings.from_rows([np.array([5, 3, 5]), np.array([], np.int64), np.array([3])], with_counts=True)
    assert p.n == 3 and list(p.keys) == [3, 5]
    assert list(p.rows_of(p.slot(3))) == [0, 2] and list(p.counts_of(p.slot(5))) == [2]
    q = Postings.from_rows([np.array([5])], with_counts=True)
    merged = Postings.merge([(p, np.array([0, -1, 1])), (q, np.array([2]))], with_counts=True)
    assert list(merged.rows_of(merged.slot(5))) == [0, 2] and list(merged.rows_of(merged.slot(3))) == [0, 1]
    assert merged.slot(4) == -1 and list(merged.rows_with_all([3, 5])) == [0]


def test_bm25_equals_bm25s_on_the_same_chunks(tmp_path):
    import bm25s

    emb = HashEmbedder()
    update(tmp_path / "idx", emb, write_docs(tmp_path / "docs", 12))
    state = Index(tmp_path / "idx").load()
    tokens = [lexical.tokenize(lexical.lexical_text(c)) for c in state.chunks]
    plain = bm25s.BM25(k1=lexical.K1, b=lexical.B)
    plain.index(tokens, show_progress=False)
    for q in ["防汛工作安排资金", "数字经济项目开工", "整改 督查 督查"]:
        known = [t for t in lexical.tokenize(q) if t in plain.vocab_dict]
        np.testing.assert_allclose(state.lexical_scores(q), plain.get_scores(known), rtol=1e-4, atol=1e-5)


def test_updates_in_pieces_read_the_same_as_one_build(tmp_path):
    emb = HashEmbedder()
    docs = tmp_path / "docs"
    paths = write_docs(docs, 9)
    for piece in (paths[:4], paths[:7], paths):
        update(tmp_path / "a", emb, piece)
    paths[2].write_text("# 关于防汛的补充通知\n\n汛前检查水库126座。", "utf-8")
    paths[5].unlink()
    update(tmp_path / "a", emb, [docs])
    update(tmp_path / "b", emb, [docs])
    a, b = Index(tmp_path / "a").load(), Index(tmp_path / "b").load()
    assert len(a.manifest.segments) > 1 and len(b.manifest.segments) == 1
    assert sorted(c.chunk_id for c in a.chunks) == sorted(c.chunk_id for c in b.chunks)
    assert a.manifest.chunks == a.size == b.size and a.manifest.documents == len(a.docs) == 8
    for q in ["防汛水库检查", "第5号文件 养老", "营商环境资金"]:
        assert by_chunk(a, a.lexical_scores(q)) == by_chunk(b, b.lexical_scores(q))
        ra, rb = Retriever(a, emb).search(q), Retriever(b, emb).search(q)
        assert [h.chunk.chunk_id for h in ra] == [h.chunk.chunk_id for h in rb]
        assert a.bigram_df("防汛") == b.bigram_df("防汛") and a.bigram_df("养老") == b.bigram_df("养老")
    assert a.doc_text(str(paths[2])).startswith("# 关于防汛的补充通知") and not a.doc_text(str(paths[5]))
    assert a.mentions("水库") and not a.mentions("第5号文件")
    assert a.rows_of([str(paths[2])]) and all(a.chunks[r].source == str(paths[2]) for r in a.rows_of([str(paths[2])]))


def test_adding_one_file_writes_one_small_segment_and_leaves_the_rest(tmp_path):
    emb = HashEmbedder()
    docs = tmp_path / "docs"
    update(tmp_path / "idx", emb, write_docs(docs, 10))
    segs = tmp_path / "idx" / "segments"
    before = {p.name: p.stat().st_mtime_ns for p in segs.iterdir()}
    calls = emb.calls
    new = write_docs(docs, 1, start=10)
    report = update(tmp_path / "idx", emb, [docs])
    assert [os.path.basename(s) for s in report.added] == ["doc010.txt"] and emb.calls == calls + 1
    after = {p.name: p.stat().st_mtime_ns for p in segs.iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == len(before) + 1
    state = Index(tmp_path / "idx").load()
    added = state.manifest.segments[-1]
    assert json.loads((segs / added.name / "meta.json").read_text())["documents"] == 1
    assert state.doc_text(str(new[0])) and report.seconds < 30

    Index(tmp_path / "idx").remove([str(new[0])])
    state = Index(tmp_path / "idx").load()
    assert str(new[0]) not in state.by_source and all(c.source != str(new[0]) for c in state.chunks)
    assert {p.name for p in segs.iterdir()} == set(after)  # a tombstone, nothing rewritten


def test_many_small_updates_are_merged_and_deleted_rows_dropped(tmp_path):
    emb = HashEmbedder()
    docs = tmp_path / "docs"
    update(tmp_path / "idx", emb, write_docs(docs, 3))
    for i in range(compaction.FACTOR + 1):
        write_docs(docs, 1, start=3 + i)
        update(tmp_path / "idx", emb, [docs])
    state = Index(tmp_path / "idx").load()
    assert len(state.manifest.segments) < compaction.FACTOR
    assert len(state.docs) == 4 + compaction.FACTOR
    assert len(list((tmp_path / "idx" / "segments").iterdir())) <= 2 * len(state.manifest.segments) + 2
    for p in sorted(docs.iterdir())[:-2]:
        p.unlink()
    update(tmp_path / "idx", emb, [docs])
    state = Index(tmp_path / "idx").load()
    assert len(state.docs) == 2 and all(not ref.dead for ref in state.manifest.segments)
    assert Retriever(state, emb).search("防汛")


def test_a_crash_before_the_switch_leaves_the_index_and_the_next_run_cleans_up(tmp_path, monkeypatch):
    emb = HashEmbedder()
    docs = tmp_path / "docs"
    update(tmp_path / "idx", emb, write_docs(docs, 4))
    before = Index(tmp_path / "idx").load()
    write_docs(docs, 2, start=4)

    def crash(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("assistant.index.store.write_generation", crash)
    with pytest.raises(KeyboardInterrupt):
        update(tmp_path / "idx", emb, [docs])
    monkeypatch.undo()
    state = Index(tmp_path / "idx").load()
    assert state.size == before.size and len(state.docs) == 4
    orphans = {p.name for p in (tmp_path / "idx" / "segments").iterdir()} - {r.name for r in state.manifest.segments}
    assert orphans  # the segment written before the crash
    calls = emb.calls
    report = update(tmp_path / "idx", emb, [docs])
    assert len(report.added) == 2 and report.chunks_resumed > 0 and emb.calls == calls
    generations.collect(tmp_path / "idx")
    live = {r.name for r in Index(tmp_path / "idx").load().manifest.segments}
    assert not orphans & live and not orphans & {p.name for p in (tmp_path / "idx" / "segments").iterdir()}


def test_an_index_of_the_first_format_loads_and_is_rewritten_by_the_next_update(tmp_path):
    import faiss

    emb = HashEmbedder()
    docs = tmp_path / "docs"
    update(tmp_path / "new", emb, write_docs(docs, 5))
    new = Index(tmp_path / "new").load()
    old = tmp_path / "old"
    gen = old / "gen-000001"
    gen.mkdir(parents=True)
    entries = [{**d.__dict__, "text": new.doc_text(d.source)} for d in new.docs.values()]
    (gen / "documents.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), "utf-8")
    (gen / "chunks.jsonl").write_text("".join(
        json.dumps({"chunk": c.to_dict(), "tokens": lexical.tokenize(lexical.lexical_text(c))}, ensure_ascii=False)
        + "\n" for c in new.chunks), "utf-8")
    flat = faiss.IndexFlatIP(new.dim)
    flat.add(new.vectors())
    faiss.write_index(flat, str(gen / "dense.faiss"))
    manifest = {**new.manifest.to_dict(), "format": 1}
    del manifest["segments"]
    (gen / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    (old / "CURRENT").write_text("gen-000001\n", "utf-8")

    legacy = Index(old).load()  # written before segments, and before the bigrams were kept
    assert legacy.bigram_df("项目") == new.bigram_df("项目") > 0
    q = "数字经济项目"
    assert by_chunk(legacy, legacy.lexical_scores(q)) == by_chunk(new, new.lexical_scores(q))
    assert [h.chunk.chunk_id for h in Retriever(legacy, emb).search(q)] == \
        [h.chunk.chunk_id for h in Retriever(new, emb).search(q)]
    write_docs(docs, 1, start=5)
    update(old, emb, [docs])
    state = Index(old).load()
    assert state.manifest.format == 2 and len(state.docs) == 6 and state.doc_text(str(docs / "doc000.txt"))
    shutil.rmtree(old / "gen-000001", ignore_errors=True)  # the old generation is no longer needed
    assert Index(old).load().size == state.size


def test_a_manifest_naming_a_segment_outside_the_index_is_refused(tmp_path):
    from assistant.core.errors import Code, IndexStateError

    emb = HashEmbedder()
    update(tmp_path / "idx", emb, write_docs(tmp_path / "docs", 2))
    manifest = Index(tmp_path / "idx").current() / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    data["segments"][0]["name"] = "../../outside"
    manifest.write_text(json.dumps(data), "utf-8")
    with pytest.raises(IndexStateError) as e:
        Index(tmp_path / "idx").load()
    assert e.value.code == Code.MANIFEST_DAMAGED
    del data["segments"][0]["name"]
    manifest.write_text(json.dumps(data), "utf-8")
    with pytest.raises(IndexStateError) as e:
        Index(tmp_path / "idx").load()
    assert e.value.code == Code.MANIFEST_DAMAGED


def test_a_file_changed_while_it_was_read_is_read_again_next_time(tmp_path):
    from assistant.ingest.readers import read_all

    emb = HashEmbedder()
    docs = tmp_path / "docs"
    target = write_docs(docs, 2)[0]

    def reader_that_races(files):
        for item in read_all(files):
            if item.source == str(target):  # written just after its text was read
                target.write_text("# 更正\n\n汛前检查水库200座。", "utf-8")
            yield item

    update(tmp_path / "idx", emb, [docs], reader=reader_that_races)
    report = update(tmp_path / "idx", emb, [docs])
    assert [os.path.basename(s) for s in report.updated] == [target.name]
    assert Index(tmp_path / "idx").load().doc_text(str(target)).startswith("# 更正")
