"""Second stage of retrieval: the leading fused candidates scored again with their best-matching sentence.

A chunk's vector averages several sentences, so a chunk on the question's topic can outrank the one whose
single sentence answers it. The question's vector is therefore also compared with every sentence (cut at
commas past SENTENCE_CHARS) of the leading candidates, and each candidate gets three signals of equal
weight, with no setting per corpus:

- the chunk's cosine to the question,
- its best sentence's cosine to the question (both normalized by the dense side's candidate range),
- its BM25 score (normalized by the lexical side's candidate range; 0 when BM25 did not propose it).

The sentence gives the dense side a second, sharper look at exactly the candidates the two sides put
forward; the words keep a third of the say. The sentences are embedded with the document prompt, a passage
to a call, when the passage is indexed (Assistant.prepare_sentences), and kept in the index folder
(index/vector_cache.py) and a bounded memory cache; a passage indexed before that is embedded the first time
a question meets it, and kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from threading import Lock

import numpy as np

from assistant.index.embedding import Embedder
from assistant.index.vector_cache import VectorCache
from assistant.text.sentences import paragraphs, sentences

SENTENCE_CHARS = 120  # a longer sentence is cut at its commas
MIN_CHARS = 4  # shorter pieces (a list number, 一是) carry no meaning of their own
CACHE_PASSAGES = 4_000  # about 20,000 sentence vectors: 60 MB at 768 dimensions
PREPARE_BATCH = 32  # passages written to disk at a time when an index run prepares them


def pieces_of(text: str) -> list[str]:
    """The sentences a chunk is compared by; the whole text when it has none long enough.

    pieces_of("一是加快建设。二是推进数字产业化，打造产业集群。") -> ['一是加快建设。', '二是推进数字产业化，打造产业集群。']
    """
    out = []
    for para in paragraphs(text):
        for span in sentences(text, para, SENTENCE_CHARS):
            piece = text[span.start:span.end].strip()
            if len(piece) >= MIN_CHARS:
                out.append(piece)
    return out or [text.strip() or text]


class SentenceVectors:
    """Each passage's sentence vectors, embedded one passage to a call and kept in a bounded
    least-recently-used cache (shared by threads).

    One passage to a call because the int8 embedder quantizes a call's activations with one scale: a
    sentence embedded beside other passages' sentences would get a slightly different vector (1 - cosine
    up to 0.014), so the order could depend on which questions were asked before.
    """

    def __init__(self, embedder: Embedder, size: int = CACHE_PASSAGES, disk: VectorCache | None = None):
        self.embedder = embedder
        self.size = size
        self.disk = disk  # kept in the index folder: computed once per passage, not once per process
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def prepare(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> int:
        """Compute and keep the sentence vectors of the passages that have none on disk (at index time,
        so a question does not wait for them); returns how many were computed."""
        if self.disk is None:
            return 0
        todo = self.disk.missing(texts)
        for done in range(0, len(todo), PREPARE_BATCH):
            part = todo[done:done + PREPARE_BATCH]
            self.disk.put((t, self.embedder.embed_documents(pieces_of(t))) for t in part)
            if progress:
                progress(done + len(part), len(todo))
        return len(todo)

    def best(self, qvec: np.ndarray, texts: Sequence[str]) -> list[float]:
        """Each text's highest sentence cosine to the question's vector."""
        return [float((self._vectors(t) @ qvec).max()) for t in texts]

    def _vectors(self, text: str) -> np.ndarray:
        with self._lock:
            found = self._cache.get(text)
            if found is not None:
                self._cache.move_to_end(text)
                return found
        found = self.disk.get(text) if self.disk is not None else None
        if found is None:
            found = self.embedder.embed_documents(pieces_of(text))
            if self.disk is not None:
                self.disk.put([(text, found)])
        with self._lock:
            self._cache[text] = found
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return found


def rescore(rows: Sequence[int], dense: Sequence[tuple[int, float]], lex: Sequence[tuple[int, float]],
            cosine: Mapping[int, float], best_sentence: Sequence[float]) -> dict[int, float]:
    """The three-signal score of each row (see the module's text); `dense` and `lex` are each side's
    candidates, best first, and `cosine` holds each row's chunk cosine.

    rescore([1, 2], [(1, 0.8), (2, 0.4)], [(2, 9.0), (3, 1.0)], {1: 0.8, 2: 0.4}, [0.6, 0.8])
    -> {1: 0.5, 2: 0.667}  (row 1: 1 + 0.5 + 0; row 2: 0 + 1 + 1; each over 3)
    """
    nd = _scale(dense)
    nl = _scale(lex)
    lex_of = dict(lex)
    out = {}
    for row, sentence in zip(rows, best_sentence, strict=True):
        words = nl(lex_of[row]) if row in lex_of else 0.0
        out[row] = (nd(cosine[row]) + nd(sentence) + words) / 3
    return out


def _scale(side: Sequence[tuple[int, float]]) -> Callable[[float], float]:
    """Min-max over one side's candidates (best first); a value past the best scores above 1."""
    if not side:
        return lambda v: 0.0
    hi, lo = side[0][1], side[-1][1]
    span = hi - lo
    return (lambda v: (v - lo) / span) if span > 0 else (lambda v: 1.0)
