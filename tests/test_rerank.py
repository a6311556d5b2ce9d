"""The second retrieval stage: leading candidates scored again by their best-matching sentence."""

from __future__ import annotations

import numpy as np

from assistant.answer.rerank import SentenceVectors, pieces_of, rescore
from assistant.answer.retrieval import Retriever, score_fusion
from assistant.index.store import Index

from .fakes import HashEmbedder


def test_a_chunk_is_compared_by_its_sentences_and_a_long_one_by_its_comma_parts():
    assert pieces_of("一是加快建设。二是推进数字产业化，打造产业集群！") == ["一是加快建设。", "二是推进数字产业化，打造产业集群！"]
    long = "，".join(["数字产业化指标仅居全省第四"] * 12) + "。"
    parts = pieces_of(long)
    assert len(parts) > 1 and all(len(p) <= 120 for p in parts) and "".join(parts) == long
    assert pieces_of("一。二。三。") == ["一。二。三。"]  # no piece long enough: the whole text
    assert pieces_of("第一条\n（一）\n各单位按时报送。") == ["各单位按时报送。"]  # bare numbering says nothing


def test_each_signal_counts_a_third_and_a_row_bm25_missed_gets_no_word_score():
    dense = [(1, 0.8), (2, 0.4)]
    lexical = [(2, 9.0), (3, 1.0)]
    got = rescore([1, 2], dense, lexical, {1: 0.8, 2: 0.4}, [0.6, 0.8])
    assert got[1] == (1 + 0.5 + 0) / 3 and got[2] == (0 + 1 + 1) / 3


def test_a_sentence_closer_than_any_chunk_scores_above_the_dense_range():
    got = rescore([1], [(1, 0.5), (2, 0.3)], [], {1: 0.5}, [0.7])
    assert got[1] == (1 + 2 + 0) / 3


class CountingEmbedder(HashEmbedder):
    """Records each call; its vectors, like the int8 embedder's, depend a little on the call's other texts."""

    def __init__(self):
        super().__init__()
        self.seen: list[list[str]] = []

    def embed_documents(self, texts):
        self.seen.append(list(texts))
        v = super().embed_documents(texts) + 0.01 * len(texts)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_each_passage_is_embedded_once_on_its_own_and_the_cache_stays_bounded():
    emb = CountingEmbedder()
    vectors = SentenceVectors(emb, size=2)
    q = emb.embed_queries(["全市共有危险化学品企业多少家"])[0]
    texts = ["全市共有危险化学品企业120家。其中重点监管企业18家。", "今天召开安全生产会议。"]
    first = vectors.best(q, texts)
    assert emb.seen == [pieces_of(texts[0]), pieces_of(texts[1])] and first[0] > first[1]
    assert vectors.best(q, texts) == first and len(emb.seen) == 2  # both from the cache
    vectors.best(q, ["防汛工作由应急局牵头。"])  # a third passage pushes out the oldest
    assert len(vectors._cache) == 2 and texts[0] not in vectors._cache


def test_a_passages_score_does_not_depend_on_the_passages_beside_it_or_asked_before():
    q = HashEmbedder().embed_queries(["重点监管企业有多少家"])[0]
    text = "全市共有危险化学品企业120家。其中重点监管企业18家。"
    alone = SentenceVectors(CountingEmbedder()).best(q, [text])[0]
    crowded = SentenceVectors(CountingEmbedder())
    crowded.best(q, ["今天召开安全生产会议。会议由副市长主持。", "防汛工作由应急局牵头。"])
    assert crowded.best(q, ["今天召开安全生产会议。", text, "防汛工作由应急局牵头。"])[1] == alone


def test_the_retriever_orders_its_leading_rows_by_the_three_signals(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    state = Index(settings.index_dir).load()
    q = "危险化学品企业有多少家"
    qvec = embedder.embed_queries([q])[0]
    plain = Retriever(state, embedder, top_k=5)
    second = Retriever(state, embedder, top_k=5, rerank=4)
    dense, lex = state.dense_search(qvec, 30, None), state.lexical_search(q, 30, None)
    fused = score_fusion(dense, lex, [0.5, 0.5])
    first = sorted(fused, key=lambda r: (-fused[r], r))
    head = first[:4]
    cos = {r: state.dense_score(r, qvec) for r in head}
    best = [max(float(v @ qvec) for v in embedder.embed_documents(pieces_of(state.chunks[r].text))) for r in head]
    scores = rescore(head, dense, lex, cos, best)
    expected = sorted(head, key=lambda r: (-scores[r], r)) + first[4:]
    got = [h.chunk for h in second._one(q, qvec, 5, merge=False)]
    assert got == [state.chunks[r] for r in expected[:5]]
    assert [h.chunk for h in plain._one(q, qvec, 5, merge=False)] == [state.chunks[r] for r in first[:5]]
    hits = second._one(q, qvec, 5, merge=False)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    assert np.isclose(hits[0].score, scores[expected[0]])


def test_dense_or_lexical_alone_is_never_reranked(settings, embedder, docs_dir):
    Index(settings.index_dir).update([str(docs_dir)], embedder, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    state = Index(settings.index_dir).load()
    for mode in ("dense", "lexical"):
        plain = Retriever(state, embedder, mode=mode).search("危险化学品企业有多少家")
        again = Retriever(state, embedder, mode=mode, rerank=10).search("危险化学品企业有多少家")
        assert [h.chunk for h in plain] == [h.chunk for h in again]
