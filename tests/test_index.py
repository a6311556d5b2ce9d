from __future__ import annotations

import os

import pytest

from assistant.answer.retrieval import Retriever
from assistant.core.errors import IndexStateError
from assistant.index.store import Index

from .fakes import HashEmbedder


def build(settings, embedder, paths, **kw):
    return Index(settings.index_dir).update([str(p) for p in paths], embedder, chunk_size=settings.chunk_size,
                                            chunk_overlap=settings.chunk_overlap, **kw)


def test_build_and_reload_returns_same_hits(settings, embedder, docs_dir):
    report = build(settings, embedder, [docs_dir])
    assert sorted(os.path.basename(s) for s in report.added) == ["安全检查通知.txt", "工作总结.md"]
    state = Index(settings.index_dir).load()
    q = "危险化学品企业有多少家"
    first = [h.chunk.chunk_id for h in Retriever(state, embedder).search(q)]
    again = [h.chunk.chunk_id for h in Retriever(Index(settings.index_dir).load(), embedder).search(q)]
    assert first == again and first
    m = state.manifest
    assert m.embedding.name == "hash-embedder" and m.embedding.dim == 64
    assert m.chunker.size == settings.chunk_size and m.format == 2


def test_incremental_update_touches_only_what_changed(settings, embedder, docs_dir):
    build(settings, embedder, [docs_dir])
    calls = embedder.calls
    report = build(settings, embedder, [docs_dir])
    assert not report.changed and embedder.calls == calls and len(report.unchanged) == 2

    (docs_dir / "工作总结.md").write_text("# 区政府2024年工作总结\n\n全年新增企业3000家。", "utf-8")
    (docs_dir / "新文件.txt").write_text("新增的文件，内容是关于防汛的安排。", "utf-8")
    report = build(settings, embedder, [docs_dir])
    assert [os.path.basename(s) for s in report.updated] == ["工作总结.md"]
    assert [os.path.basename(s) for s in report.added] == ["新文件.txt"]
    assert len(report.unchanged) == 1

    (docs_dir / "新文件.txt").unlink()
    report = build(settings, embedder, [docs_dir])
    assert [os.path.basename(s) for s in report.removed] == ["新文件.txt"]
    state = Index(settings.index_dir).load()
    texts = " ".join(c.text for c in state.chunks)
    assert "3000家" in texts and "防汛" not in texts and "812亿元" not in texts
    assert len(state.vectors()) == len(state.chunks) == state.size


def test_interrupted_run_keeps_old_index_and_resumes(settings, docs_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(Index, "embed_batch", 8)
    emb = HashEmbedder()
    build(settings, emb, [docs_dir / "工作总结.md"])
    before = Index(settings.index_dir).load()
    more = tmp_path / "more"
    more.mkdir()
    for i in range(40):  # enough separate documents for several embedding batches
        (more / f"文件{i:02d}.txt").write_text(f"第{i}号文件。" + "内容说明。" * 30, "utf-8")
    crashing = HashEmbedder()
    crashing.fail_after = 2
    with pytest.raises(KeyboardInterrupt):
        build(settings, crashing, [docs_dir, more])
    after_crash = Index(settings.index_dir).load()
    assert len(after_crash.chunks) == len(before.chunks)  # the previous index still serves
    resumed = HashEmbedder()
    report = build(settings, resumed, [docs_dir, more])
    assert report.chunks_resumed > 0
    assert report.chunks_embedded + report.chunks_resumed == len(Index(settings.index_dir).load().chunks) - len(before.chunks)
    assert not list((settings.index_dir / "staging").glob("*.npy"))


def test_other_embedding_model_is_refused(settings, embedder, docs_dir):
    build(settings, embedder, [docs_dir])
    other = HashEmbedder(dim=32, name="other-model")
    with pytest.raises(IndexStateError, match="--rebuild"):
        build(settings, other, [docs_dir])
    report = build(settings, other, [docs_dir], rebuild=True)
    assert len(report.added) == 2
    assert Index(settings.index_dir).load().manifest.embedding.name == "other-model"


def test_missing_and_damaged_index_messages(settings, embedder, docs_dir):
    with pytest.raises(IndexStateError, match="assistant index PATH"):
        Index(settings.index_dir).load()
    build(settings, embedder, [docs_dir])
    seg = settings.index_dir / "segments" / Index(settings.index_dir).manifest().segments[0].name
    chunks = seg / "chunks.jsonl"
    good = chunks.read_bytes()
    chunks.write_text("{broken", "utf-8")
    with pytest.raises(IndexStateError, match="damaged"):
        Index(settings.index_dir).load()
    chunks.write_bytes(b"#" * len(good))  # the same size: found when a chunk is read, still one clear line
    state = Index(settings.index_dir).load()
    with pytest.raises(IndexStateError, match="damaged"):
        Retriever(state, embedder).search("危险化学品企业")


def test_remove_by_source(settings, embedder, docs_dir):
    build(settings, embedder, [docs_dir])
    idx = Index(settings.index_dir)
    target = next(d.source for d in idx.load().docs.values() if d.source.endswith("工作总结.md"))
    report = idx.remove([target])
    assert report.removed == [target]
    state = idx.load()
    assert all(c.source != target for c in state.chunks)
    hits = Retriever(state, embedder).search("地区生产总值812亿元")
    assert all(h.chunk.source != target for h in hits)


def test_old_generations_are_pruned(settings, embedder, docs_dir):
    for i in range(4):
        (docs_dir / "变化.txt").write_text(f"第{i}版内容。", "utf-8")
        build(settings, embedder, [docs_dir])
    gens = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert len(gens) == 2 and (settings.index_dir / "CURRENT").read_text().strip() == gens[-1]


def test_an_index_of_another_format_is_refused_with_the_rebuild_command(settings, embedder, docs_dir):
    import json

    from assistant.core.errors import Code, IndexStateError

    idx = Index(settings.index_dir)
    idx.update([str(docs_dir)], embedder, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)
    manifest = idx.current() / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    manifest.write_text(json.dumps({**data, "format": 0}), "utf-8")
    with pytest.raises(IndexStateError) as e:
        idx.load()
    assert e.value.code == Code.INDEX_FORMAT and "--rebuild" in str(e.value)
    manifest.write_text(json.dumps({**data, "embedding": {"name": "x"}}), "utf-8")
    with pytest.raises(IndexStateError) as e:
        idx.load()
    assert e.value.code == Code.MANIFEST_DAMAGED


def test_a_run_drops_only_vanished_files_under_the_paths_it_was_given(settings, embedder, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, text in ((a, "甲文件：防汛物资储备库3座。"), (b, "乙文件：新增就业岗位1.2万个。")):
        folder.mkdir()
        (folder / "通知.txt").write_text(text, "utf-8")
    build(settings, embedder, [a, b])
    a.rename(tmp_path / "elsewhere")  # a drive not mounted, or another machine's folder in a shared index
    report = build(settings, embedder, [b])
    assert report.removed == [] and len(Index(settings.index_dir).load().docs) == 2
    (tmp_path / "elsewhere").rename(a)
    (a / "通知.txt").unlink()
    report = build(settings, embedder, [a])  # a run over the folder the file was in drops it
    assert [os.path.basename(os.path.dirname(s)) for s in report.removed] == ["a"]
