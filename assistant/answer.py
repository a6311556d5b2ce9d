"""The library's front door: search, ask (complete or streaming) over one index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from . import models
from .citations import check_answer
from .config import Settings
from .context import BigramIdf, select
from .embedding import Embedder, SentenceTransformerEmbedder
from .errors import InputError
from .gate import gate
from .generation import GenerationStats, Generator, LlamaGenerator
from .index import Index, IndexState
from .prompt import NOT_FOUND_TEXT, build_messages
from .records import Answer, Hit, Timings
from .retrieval import Retriever

MAX_QUESTION_CHARS = 2000


@dataclass
class Retrieved:
    """First event of a streamed answer: what was searched and what was found."""

    query: str
    hits: list[Hit]


@dataclass
class Token:
    text: str


@dataclass
class Done:
    answer: Answer


Event = Retrieved | Token | Done


def check_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise InputError("the question is empty: type a question, e.g. assistant ask \"…是多少？\"")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(
            f"the question has {len(q):,} characters; the limit is {MAX_QUESTION_CHARS:,}: ask a shorter question"
        )
    return q


def make_embedder(settings: Settings, manifest: dict | None = None) -> Embedder:
    """The embedder named in settings, else the one the index recorded, else the bundled default."""
    if settings.embed_model:
        return SentenceTransformerEmbedder(settings.embed_model)
    recorded = (manifest or {}).get("embedding", {}).get("path")
    default = settings.models_dir / models.SPECS[models.DEFAULT_EMBEDDING].target
    if recorded and not recorded.startswith(str(default.resolve())):
        return SentenceTransformerEmbedder(recorded)
    return SentenceTransformerEmbedder(models.require(models.DEFAULT_EMBEDDING, settings.models_dir))


def make_generator(settings: Settings) -> Generator:
    path = settings.chat_model or models.require(models.DEFAULT_CHAT, settings.models_dir)
    return LlamaGenerator(path, n_ctx=settings.n_ctx, n_threads=settings.threads,
                          n_gpu_layers=settings.n_gpu_layers, seed=settings.seed)


class Assistant:
    """Settings in the constructor, questions in the calls; parts load on first use."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 generator: Generator | None = None, state: IndexState | None = None):
        self.settings = settings
        self.index = Index(settings.index_dir)
        self._embedder = embedder
        self._generator = generator
        self._state = state
        self._retriever: Retriever | None = None
        self._corpus_text = ""
        self._idf: BigramIdf | None = None

    # ---- parts -------------------------------------------------------------------
    @property
    def state(self) -> IndexState:
        if self._state is None:
            self._state = self.index.load()
        return self._state

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings, self.state.manifest)
        return self._embedder

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = make_generator(self.settings)
        return self._generator

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            self.index.check_embedder(self.state.manifest, self.embedder)
            s = self.settings
            self._retriever = Retriever(self.state, self.embedder, top_k=s.top_k,
                                        candidates=s.candidates, dense_weight=s.dense_weight)
            self._corpus_text = "\n".join(d.text for d in self.state.docs.values())
            self._idf = BigramIdf(c.text for c in self.state.chunks)
        return self._retriever

    def reload(self) -> None:
        """Pick up a new index generation (after documents were added or removed)."""
        self._state = None
        self._retriever = None
        self._idf = None

    # ---- calls -------------------------------------------------------------------
    def search(self, question: str, top_k: int | None = None) -> list[Hit]:
        return self.retriever.search(check_question(question), top_k)

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        for event in self.stream(question, top_k):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("stream ended without an answer")  # pragma: no cover

    def stream(self, question: str, top_k: int | None = None, *,
               hits: list[Hit] | None = None) -> Iterator[Event]:
        """Retrieved, then Token pieces as the model writes, then Done with the checked answer."""
        q = check_question(question)
        t0 = time.perf_counter()
        if hits is None:
            hits = self.retriever.search(q, top_k)
        else:
            self.retriever  # noqa: B018 - loads the corpus text for the gate
        timings = Timings(retrieve_ms=(time.perf_counter() - t0) * 1000)
        yield Retrieved(q, hits)
        reason = gate(q, hits, self._corpus_text, min_dense=self.settings.min_dense)
        if reason:
            timings.total_ms = (time.perf_counter() - t0) * 1000
            yield Done(Answer(q, "not_found", f"{NOT_FOUND_TEXT}（{reason}）", hits=hits,
                              timings=timings, reason="retrieval_gate"))
            return
        s = self.settings
        passages = select(q, hits, self._idf, budget=s.passage_chars, per_hit=s.passage_chars_per_hit)
        stats = GenerationStats()
        t_gen = time.perf_counter()
        pieces: list[str] = []
        for piece in self.generator.stream(build_messages(q, passages),
                                           max_tokens=self.settings.max_tokens, stats=stats):
            pieces.append(piece)
            yield Token(piece)
        draft = "".join(pieces).strip()
        timings.prompt_tokens = stats.prompt_tokens
        timings.completion_tokens = stats.completion_tokens
        timings.first_token_ms = (t_gen - t0) * 1000 + stats.first_token_ms
        timings.total_ms = (time.perf_counter() - t0) * 1000
        yield Done(self._finish(q, draft, hits, passages, timings))

    def _finish(self, q: str, draft: str, hits: list[Hit], passages: list[Hit], timings: Timings) -> Answer:
        checked = check_answer(draft, q, passages)
        base = dict(question=q, hits=hits, passages=passages, statements=checked.statements, timings=timings)
        if not draft or checked.refused:
            return Answer(status="not_found", answer=NOT_FOUND_TEXT, reason="model_refused",
                          draft=draft, **base)
        if not any(s.supported and s.cites for s in checked.statements):
            return Answer(status="not_found", answer=NOT_FOUND_TEXT + "（模型给出的回答无法在资料中核实）",
                          reason="unverified", draft=draft, **base)
        return Answer(status="answered", answer=draft, citations=checked.citations, **base)
