"""The second retrieval stage's sentence vectors, computed when a passage is indexed and kept in the
index folder: a question, in this process or the next, does not embed them again."""

from __future__ import annotations

import numpy as np

from assistant.answer.library import Library
from assistant.answer.pipeline import Assistant
from assistant.answer.rerank import SentenceVectors, pieces_of
from assistant.index.vector_cache import FILE, VectorCache, copy_kept

from .fakes import HashEmbedder, ScriptedGenerator, cite

TEXT = "一是加快建设。二是推进数字产业化，打造产业集群。"


def test_vectors_round_trip_and_another_model_never_reads_them(tmp_path):
    v = np.arange(6, dtype="float32").reshape(2, 3)
    VectorCache(tmp_path, "model-a").put([(TEXT, v)])
    assert np.array_equal(VectorCache(tmp_path, "model-a").get(TEXT), v)  # another process, same file
    assert VectorCache(tmp_path, "model-b").get(TEXT) is None
    assert VectorCache(tmp_path, "model-a").missing([TEXT, "别的", TEXT]) == ["别的"]
    many = [f"第{i}段。" for i in range(1200)]  # more than one query's worth of keys
    VectorCache(tmp_path, "model-a").put((t, v) for t in many[::2])
    assert VectorCache(tmp_path, "model-a").missing(many) == many[1::2]


def test_kept_vectors_are_copied_into_another_index_folder(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    v = np.ones((2, 3), "float32")
    VectorCache(a, "model-a").put([(TEXT, v), ("别的", v)])
    VectorCache(b, "model-a").put([("别的", 2 * v)])
    assert copy_kept(a, b) == 1  # what the target has already is kept as it is
    assert VectorCache(b, "model-a").missing([TEXT, "别的"]) == []
    assert np.array_equal(VectorCache(b, "model-a").get("别的"), 2 * v)
    assert copy_kept(tmp_path / "none", b) == 0 and copy_kept(a, tmp_path / "a-file-not-a-folder") == 0


def test_a_folder_that_cannot_be_written_still_answers(tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    cache = VectorCache(not_a_folder, "m")
    cache.put([(TEXT, np.ones((1, 3), "float32"))])
    assert cache.get(TEXT) is None and cache.missing([TEXT]) == [TEXT]


def test_a_corrupt_file_is_not_trusted(tmp_path):
    (tmp_path / FILE).write_bytes(b"not a database" * 100)
    cache = VectorCache(tmp_path, "m")
    cache.put([(TEXT, np.ones((1, 3), "float32"))])
    assert cache.get(TEXT) is None


def test_prepared_vectors_are_the_ones_a_question_would_compute(tmp_path):
    embedder = HashEmbedder()
    prepared = SentenceVectors(embedder, disk=VectorCache(tmp_path, embedder.fingerprint))
    assert prepared.prepare([TEXT, TEXT]) == 1 and prepared.prepare([TEXT]) == 0
    calls = embedder.calls
    q = embedder.embed_queries(["数字产业化"])[0]
    fresh = SentenceVectors(embedder, disk=VectorCache(tmp_path, embedder.fingerprint))
    assert fresh.best(q, [TEXT]) == SentenceVectors(HashEmbedder()).best(q, [TEXT])
    assert embedder.calls == calls + 1  # the question only: the sentences came from the disk
    assert len(pieces_of(TEXT)) == 2


def test_an_index_run_prepares_the_new_passages_and_a_later_question_embeds_none(settings, embedder, docs_dir):
    a = Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("28座")))
    report = Library(a).index_paths([str(docs_dir)])
    chunks = len(a._loaded().state.chunks)
    assert report.sentences_prepared == chunks > 0
    assert Library(a).index_paths([str(docs_dir)]).sentences_prepared == 0  # nothing changed
    later = Assistant(settings, embedder=embedder, generator=ScriptedGenerator(cite("28座")))
    calls = embedder.calls
    later.search("今年计划新建口袋公园多少座？")
    assert embedder.calls == calls + 1  # the question's vector; every passage's sentences were kept
