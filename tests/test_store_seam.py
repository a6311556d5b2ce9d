"""The store seam: today's folder implements the protocols, and retrieval runs on any engine that does."""

from __future__ import annotations

from assistant.answer.retrieval import Retriever
from assistant.core.records import Chunk
from assistant.index.interface import LoadedIndex, Store
from assistant.index.store import Index

from .fakes import MemoryIndex


def test_the_faiss_and_bm25_folder_implements_the_store(settings, embedder, docs_dir):
    idx = Index(settings.index_dir)
    assert isinstance(idx, Store)
    idx.update([str(docs_dir)], embedder, chunk_size=80, chunk_overlap=20)
    assert isinstance(idx.load(), LoadedIndex)


def test_retrieval_runs_on_another_engine(embedder):
    texts = ["全区共有危险化学品企业27家。", "新建口袋公园15座。", "检查自6月1日开始。"]
    chunks = [Chunk(f"c{i}", "a.txt", "通知", t, i * 20, i * 20 + len(t), i + 1) for i, t in enumerate(texts)]
    engine = MemoryIndex(chunks, embedder)
    assert isinstance(engine, LoadedIndex)
    hits = Retriever(engine, embedder, top_k=2).search("口袋公园有多少座？")
    assert hits[0].chunk.text == "新建口袋公园15座。"
