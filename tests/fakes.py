"""Fakes that implement the real interfaces (Embedder, Generator) for fast unit tests."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

import numpy as np

from assistant.answer.generation import GenerationStats, estimated_tokens


class HashEmbedder:
    """Deterministic bag-of-bigrams vectors: texts sharing characters are close."""

    def __init__(self, dim: int = 64, name: str = "hash-embedder"):
        self._dim = dim
        self.name = name
        self.fingerprint = hashlib.sha256(f"{name}:{dim}".encode()).hexdigest()[:16]
        self.calls = 0
        self.fail_after: int | None = None  # raise on the n-th call, to test crash recovery

    @property
    def dim(self) -> int:
        return self._dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype="float32")
        chars = re.sub(r"\s", "", text)
        for a, b in zip(chars, chars[1:], strict=False):
            h = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little")
            v[h % self._dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def _many(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt("simulated Ctrl-C")
        if not texts:
            return np.zeros((0, self._dim), dtype="float32")
        return np.vstack([self._vec(t) for t in texts])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._many(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._many(texts)


class ScriptedGenerator:
    """Answers with a scripted reply (a string, or a function of the user message)."""

    name = "scripted"

    def count_tokens(self, text: str) -> int:
        return estimated_tokens(text)

    def __init__(self, reply: str | Callable[[str], str]):
        self.reply = reply
        self.prompts: list[list[dict[str, str]]] = []

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        self.prompts.append(messages)
        text = self.reply(messages[-1]["content"]) if callable(self.reply) else self.reply
        pieces = re.findall(r"\[\d+\]|.", text)
        if stats is not None:
            stats.prompt_tokens = sum(len(m["content"]) for m in messages)
            stats.completion_tokens = len(pieces)
            stats.first_token_ms = 1.0
        yield from pieces


def sentence_number(prompt: str, needle: str) -> int | None:
    """The mark [k] the model would cite for `needle`: the last mark before it in the prompt (a
    sentence's number when sentences are numbered, the passage's when passages are), or None."""
    body = prompt.split("\n\n问题：")[0]
    at = body.find(needle)
    if at < 0:
        return None
    marks = [m for m in re.finditer(r"\[(\d+)\]", body) if m.start() < at]
    return int(marks[-1].group(1)) if marks else None


def cite(needle: str) -> Callable[[str], str]:
    """A scripted model's reply: the words `needle`, citing the sentence that holds them; else a refusal."""
    def reply(prompt: str) -> str:
        n = sentence_number(prompt, needle)
        return f"{needle}[{n}]。" if n else "资料中没有找到相关内容。"
    return reply


class MemoryIndex:
    """A store engine's loaded index kept in memory (implements index.interface.LoadedIndex)."""

    def __init__(self, chunks, embedder, docs: dict[str, str] | None = None):
        from assistant.index.manifest import ChunkerSettings, EmbeddingInfo, LexicalInfo, Manifest

        self.chunks = list(chunks)
        self.generation = None
        self._texts = docs or {}
        self._vecs = embedder.embed_documents([c.text for c in self.chunks])
        self.manifest = Manifest(1, EmbeddingInfo(embedder.name, embedder.fingerprint, embedder.dim),
                                 ChunkerSettings(80, 20, 1), LexicalInfo("chars", "overlap"), "", "",
                                 len(self._texts), len(self.chunks))

    def dense_search(self, qvec, n, allowed=None):
        scores = self._vecs @ qvec
        order = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in order if allowed is None or int(i) in allowed][:n]

    def dense_score(self, row, qvec):
        return float(self._vecs[row] @ qvec)

    def lexical_search(self, query, n, allowed=None):
        from assistant.index.interface import top_scores

        grams = {query[i:i + 2] for i in range(len(query) - 1)}
        scores = np.array([float(sum(g in c.text for g in grams)) for c in self.chunks], dtype="float32")
        return top_scores(scores, n, allowed)

    def doc_text(self, source):
        return self._texts.get(source, "")

    def bigram_df(self, gram):
        return sum(gram in c.text for c in self.chunks)

    def rows_of(self, sources):
        return {i for i, c in enumerate(self.chunks) if c.source in set(sources)}

    def mentions(self, name):
        from assistant.text.names import mentioned

        return any(mentioned(name, c.text) for c in self.chunks)


def free_port() -> int:
    """A port nothing listens on (a model server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def http_server(handler) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 with `handler`, for the time of the block; yields its /v1 address."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/v1"
    finally:
        httpd.shutdown()
