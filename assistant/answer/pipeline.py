"""The library's front door: search, ask (complete or streaming) over one index."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.answer.citations import align_numerals, check_answer
from assistant.answer.context import BigramIdf, best_window, select
from assistant.answer.gate import gate
from assistant.answer.generation import GenerationStats, Generator, LlamaGenerator
from assistant.answer.marks import recite, tidy_citations
from assistant.answer.numbering import Sentences
from assistant.answer.points import POINTS_HITS, as_points, item_answer, points_answer
from assistant.answer.prompt import (
    NOT_FOUND_TEXT,
    PASSAGE_SYSTEM_PROMPT,
    RETRY_SYSTEM_PROMPT,
    SYSTEM_PROMPT,
    build_messages,
    numbered_passages,
)
from assistant.answer.quoting import quote_instead
from assistant.answer.remote import RemoteGenerator
from assistant.answer.retrieval import Retriever
from assistant.answer.scope import DocRef, named_document, unnamed
from assistant.answer.sides import Side, interleaved, joined, own_part, sides, speaks_of
from assistant.answer.summary import SummaryCache, parts_of, reduce, summarize, title_of
from assistant.answer.verdict import unanswered
from assistant.core import models
from assistant.core.config import Settings
from assistant.core.errors import AssistantError, Code, InputError
from assistant.core.records import Answer, Chunk, Hit, Kind, Reason, Status, Timings
from assistant.index.embedding import Embedder, SentenceTransformerEmbedder
from assistant.index.interface import LoadedIndex
from assistant.index.manifest import Manifest
from assistant.index.onnx_embedding import BACKEND, OnnxEmbedder, converted_dir
from assistant.index.scans import image_path, scan_at
from assistant.index.stores import open_store
from assistant.index.vector_cache import VectorCache
from assistant.text.names import DocPlaces, doc_places, names_covered
from assistant.text.official import matches
from assistant.text.questions import kind_of

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
class Restart:
    """The streamed text so far is discarded: a second attempt follows."""

    reason: str


@dataclass
class Progress:
    """A long answer's progress: a summary has mapped `done` of the document's `total` parts, a
    comparison answered `done` of its `total` sides."""

    done: int
    total: int
    kind: Kind = Kind.SUMMARY


@dataclass
class Done:
    answer: Answer


Event = Retrieved | Token | Restart | Progress | Done


@dataclass(frozen=True)
class _Loaded:
    state: LoadedIndex
    retriever: Retriever
    idf: BigramIdf
    places: dict[str, DocPlaces]  # document -> where it speaks from ("我市"), filled as documents are cited

    def home_of(self, chunk: Chunk) -> str:
        return self.home_at(chunk.source, chunk.start)

    def home_at(self, source: str, offset: int) -> str:
        """The place the document speaks of at `offset` ("我市" in a speech about 宁波 -> 宁波)."""
        if source not in self.places:
            self.places[source] = doc_places(self.state.doc_text(source))
        return self.places[source].subject_at(offset)


def check_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise InputError(Code.QUESTION_EMPTY)
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(Code.QUESTION_TOO_LONG, n=len(q), limit=MAX_QUESTION_CHARS)
    return q


def make_embedder(settings: Settings, manifest: Manifest | None = None) -> Embedder:
    """The embedder named in settings, else the one the index recorded, else the bundled default.

    The backend: the one the index was built with (an index never mixes vectors of two), else the
    setting; "auto" runs the bundled model on ONNX Runtime int8 and any other folder on torch.
    """
    default = settings.models_dir / models.SPECS[models.DEFAULT_EMBEDDING].target
    recorded = manifest.embedding.path if manifest else ""
    if settings.embed_model:
        folder = Path(settings.embed_model)
    # an index copied from another machine records a path that may not exist here: the
    # bundled default is tried then, and the fingerprint check says if it is the wrong model
    elif recorded and Path(recorded).is_dir() and Path(recorded).resolve() != default.resolve():
        folder = Path(recorded)
    else:
        folder = models.require(models.DEFAULT_EMBEDDING, settings.models_dir)
    backend = settings.embed_backend
    if backend == "auto":
        if manifest is not None:
            backend = manifest.embedding.backend or "torch"
        else:
            backend = BACKEND if folder.resolve() == default.resolve() else "torch"
    if backend == BACKEND:
        return OnnxEmbedder(folder, converted_dir(settings.models_dir, folder), threads=settings.threads)
    return SentenceTransformerEmbedder(folder)


def make_generator(settings: Settings) -> Generator:
    """The model server when one is set (never silently the local model instead), else the local GGUF."""
    if settings.llm_url:
        return RemoteGenerator(settings.llm_url, settings.llm_model, key_file=settings.llm_key_file,
                               timeout=settings.llm_timeout, retries=settings.llm_retries, seed=settings.seed)
    path = settings.chat_model or models.require(models.DEFAULT_CHAT, settings.models_dir)
    return LlamaGenerator(path, n_ctx=settings.n_ctx, n_threads=settings.threads,
                          n_gpu_layers=settings.n_gpu_layers, seed=settings.seed,
                          keep=(SYSTEM_PROMPT, PASSAGE_SYSTEM_PROMPT), aside_ctx=settings.aside_ctx)


def answer_slots(settings: Settings) -> int:
    """Questions answered at the same time: the model server's parallel slots, or one for the local model."""
    return settings.llm_parallel if settings.llm_url else 1


class Assistant:
    """Settings in the constructor, questions in the calls; parts load on first use."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 generator: Generator | None = None, state: LoadedIndex | None = None):
        self.settings = settings
        self.index = open_store(settings.index_dir, settings.store or None)
        self._embedder = embedder
        self._generator = generator
        self._state = state
        self._pinned = state  # a state handed in is used as is, never swapped
        self._looked = 0.0
        self._parts: _Loaded | None = None
        self._parts_lock = threading.Lock()
        self._load_lock = threading.Lock()

    # ---- parts -------------------------------------------------------------------
    @property
    def state(self) -> LoadedIndex:
        return self._loaded().state

    @property
    def embedder(self) -> Embedder:
        with self._parts_lock:
            if self._embedder is None:
                manifest = self._state.manifest if self._state is not None else self.index.manifest()
                self._embedder = make_embedder(self.settings, manifest)
            return self._embedder

    @property
    def generator(self) -> Generator:
        with self._parts_lock:
            if self._generator is None:
                self._generator = make_generator(self.settings)
            return self._generator

    @property
    def retriever(self) -> Retriever:
        return self._loaded().retriever

    def _loaded(self) -> _Loaded:
        """The index and what is derived from it, as one snapshot: a reload never tears a call.

        A new generation written by another process (`assistant index` beside the page) is
        picked up by the next call; the folder is looked at no more than once a second.
        """
        with self._load_lock:
            if self._parts is not None and self._pinned is None and time.monotonic() - self._looked > 1.0:
                self._looked = time.monotonic()
                current = self.index.current()
                if current is not None and current != self._parts.state.generation:
                    self._parts = None
            if self._parts is None:
                state = self._state or self.index.load()
                embedder = self.embedder
                self.index.check_embedder(state.manifest, embedder)
                s = self.settings
                retriever = Retriever(state, embedder, top_k=s.top_k, candidates=s.candidates,
                                      dense_weight=s.dense_weight, fusion=s.fusion, rerank=s.rerank,
                                      sentence_cache=VectorCache(self.index.folder, embedder.fingerprint))
                self._parts = _Loaded(state, retriever, BigramIdf(len(state.chunks), state.bigram_df), {})
            return self._parts

    def use_embedder(self, embedder: Embedder) -> None:
        """Embed questions with this model from now on (after an index was rebuilt with it)."""
        with self._parts_lock:
            self._embedder = embedder

    @property
    def chat_model_path(self) -> str:
        """The chat model's file: the loaded one, else the one settings name, else the bundled one."""
        gen = self._generator
        if gen is not None and getattr(gen, "path", None):
            return str(gen.path)
        if self.settings.chat_model:
            return str(self.settings.chat_model)
        return str(self.settings.models_dir / models.SPECS[models.DEFAULT_CHAT].target)

    def set_generator(self, generator: Generator) -> None:
        """Answer with another chat model from the next question on."""
        with self._parts_lock:
            self._generator = generator

    def warm_up(self) -> threading.Thread:
        """Load the chat model in the background while retrieval loads its own parts."""
        def load() -> None:
            try:
                loader = getattr(self.generator, "_load", None)
                if loader:
                    loader()
            except Exception:  # noqa: BLE001 - the same error is raised again, and reported, on use
                pass

        t = threading.Thread(target=load, name="load-chat-model", daemon=True)
        t.start()
        return t

    def instructions(self, question: str) -> list[dict[str, str]]:
        """A prompt with the answers' fixed instructions and no passage: what warming evaluates once."""
        return build_messages(question, [], PASSAGE_SYSTEM_PROMPT if self.settings.cite == "passage" else SYSTEM_PROMPT)

    def warm(self, question: str = "今年全市重点工作的主要目标是多少？") -> None:
        """Load and warm what a first question needs, before any is asked: the index and the
        embedder (one question embedded), and the chat model with the fixed instructions evaluated
        once, so the first question waits no longer than the tenth. The model is warmed even when
        the index cannot load (an empty install: documents are added on the page); the first error
        is raised after both were tried."""
        failed: AssistantError | None = None
        try:
            self._loaded().retriever.search(question)  # every stage, as a question runs it
        except AssistantError as e:
            failed = e
        for messages in (self.instructions(question),  # the answers' instructions, kept computed
                         [{"role": "system", "content": question}, {"role": "user", "content": question}]):  # the rest
            for _ in self.generator.stream(messages, max_tokens=1):
                pass
        if failed is not None:
            raise failed

    def prepare_sentences(self, progress: Callable[[int, int], None] | None = None) -> int:
        """The second retrieval stage's sentence vectors of every passage that has none yet, computed now
        (after an index run) rather than when a question first meets the passage; returns how many."""
        if not self.settings.rerank:
            return 0
        parts = self._loaded()
        return parts.retriever.sentences.prepare([c.text for c in parts.state.chunks], progress)

    def reload(self) -> None:
        """Pick up a new index generation (after documents were added or removed)."""
        with self._load_lock:
            self._state = None
            self._parts = None

    # ---- calls -------------------------------------------------------------------
    def search(self, question: str, top_k: int | None = None, *, filters: dict[str, str] | None = None) -> list[Hit]:
        return self.retriever.search(check_question(question), top_k, allowed=self.allowed(filters))

    def documents(self) -> list[DocRef]:
        """The indexed documents as a question may name them: source, title, 发文字号."""
        docs = getattr(self._loaded().state, "docs", {})
        return [DocRef(d.source, d.title, (getattr(d, "marks", {}) or {}).get("发文字号", "")) for d in docs.values()]

    def allowed(self, filters: dict[str, str] | None) -> set[int] | None:
        """Chunk rows of the documents whose official marks match every filter (None: no filter)."""
        if not filters:
            return None
        state = self._loaded().state
        sources = {d.source for d in getattr(state, "docs", {}).values()
                   if matches(getattr(d, "marks", {}) or {}, filters)}
        return state.rows_of(sources)

    def marks_of(self, source: str) -> dict[str, str]:
        """A document's official marks (发文机关, 发文字号, 成文日期…), empty when it has none."""
        docs = getattr(self._loaded().state, "docs", {})
        return next((dict(getattr(d, "marks", {}) or {}) for d in docs.values() if d.source == source), {})

    def scan_of(self, source: str, page: int | None):
        """(ScanPage, image path or None) of a document's page read by OCR; None for a page with a text layer."""
        state = self._loaded().state
        entry = getattr(state, "by_source", {}).get(source)
        scan = scan_at(entry, page) if entry is not None else None
        if scan is None:
            return None
        return scan, image_path(Path(state.folder), scan.image)

    def search_many(self, questions: list[str], top_k: int | None = None) -> list[list[Hit]]:
        """Hits for several questions; their embeddings are computed in one batch."""
        return self.retriever.search_many([check_question(q) for q in questions], top_k)

    def ask(self, question: str, top_k: int | None = None, *, hits: list[Hit] | None = None,
            filters: dict[str, str] | None = None) -> Answer:
        """The checked answer; `hits` skips retrieval (batch retrieves many questions at once)."""
        for event in self.stream(question, top_k, hits=hits, filters=filters):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("stream ended without an answer")  # pragma: no cover

    def stream(self, question: str, top_k: int | None = None, *, hits: list[Hit] | None = None,
               filters: dict[str, str] | None = None, scope: str = "") -> Iterator[Event]:
        """Retrieved, then Token pieces as the model writes, then Done with the checked answer.

        `scope` is the one document to answer from (a conversation's "这份通知"); without it, a
        question that names a document (《title》, 发文字号, file name) is answered from that one."""
        q = check_question(question)
        t0 = time.perf_counter()
        parts = self._loaded()
        docs = self.documents()
        scope = scope or named_document(q, docs)
        allowed = self.allowed(filters)
        if scope:
            allowed = parts.state.rows_of({scope}) & allowed if allowed is not None else parts.state.rows_of({scope})
        if hits is None or scope and any(h.chunk.source != scope for h in hits):
            hits = parts.retriever.search(q, top_k, allowed=allowed)  # batch's hits, searched again in the one document
        timings = Timings(retrieve_ms=(time.perf_counter() - t0) * 1000)
        yield Retrieved(q, hits)
        kind = kind_of(q)
        named = next((d for d in docs if d.source == scope), None) if scope else None
        reason = gate(unnamed(q, named) if scope else q, hits, parts.state.mentions, min_dense=self.settings.min_dense)
        if reason:
            timings.total_ms = (time.perf_counter() - t0) * 1000
            yield Done(Answer(q, Status.NOT_FOUND, f"{NOT_FOUND_TEXT}（{reason}）", hits=hits,
                              timings=timings, reason=Reason.RETRIEVAL_GATE, kind=kind, scope=scope))
            return
        listed = self._points(q, kind, allowed, timings, t0, bool(scope)) if kind.points else None
        if listed is None and kind == Kind.SUMMARY and scope:
            listed = yield from self._summary(q, scope, hits, timings, t0)
        if listed is not None:
            yield Done(replace(listed, scope=scope))
            return
        found = sides(q) if kind == Kind.COMPARISON else []
        answer = (yield from self._each_side(q, found, hits, top_k, allowed, timings, t0)) if found else None
        if answer is None:  # a question about one document is checked on what it asks of it, not its title
            answer = yield from self._fact(unnamed(q, named) if scope else q, kind, hits, timings, t0)
        timings.total_ms = (time.perf_counter() - t0) * 1000
        yield Done(replace(answer, question=q, kind=kind, scope=scope))

    def _each_side(self, q: str, found: list[Side], hits: list[Hit], top_k: int | None,
                   allowed: set[int] | None, timings: Timings, t0: float):
        """Each side of a comparison asked on its own ("廊坊市…的做法是什么？"), from its own passages,
        then joined one side a line; None when no side could be answered."""
        parts = self._loaded()
        answers = []
        for no, side in enumerate(found, 1):
            yield Progress(no - 1, len(found), Kind.COMPARISON)
            own = [p for h in parts.retriever.search(side.question, top_k, allowed=allowed)
                   if (p := own_part(side, found, h, parts.state.doc_text(h.chunk.source))) is not None]
            gen = self._fact(side.question, kind_of(side.question), own, timings, t0)
            answer = yield from _no_tokens(gen)
            if not all(speaks_of(side, found, parts.state.doc_text(c.source), c.end) for c in answer.citations):
                answer = replace(answer, status=Status.NOT_FOUND, reason=Reason.UNVERIFIED)  # another side's words
            answers.append((side, answer))
        yield Progress(len(found), len(found), Kind.COMPARISON)
        both = joined(q, answers, interleaved([a.hits for _, a in answers]))
        return replace(both, timings=timings) if both else None

    def _fact(self, q: str, kind: Kind, hits: list[Hit], timings: Timings, t0: float):
        """The model's answer from the passages, checked; a second look at the one best window when
        it fails; the sentence that holds what was asked, quoted, when the draft cannot be checked."""
        parts = self._loaded()
        s = self.settings
        cost = self.generator.count_tokens
        passages = select(q, hits, parts.idf, budget=s.passage_tokens, per_hit=s.passage_tokens_per_hit, cost=cost)
        draft, numbered = yield from self._generate(q, passages, timings, t0)
        answer = self._finish(q, draft, hits, passages, timings, numbered)
        first = numbered
        if answer.reason in (Reason.MODEL_REFUSED, Reason.UNVERIFIED):
            # Small models refuse when the answer sits in a long passage that does not repeat
            # the question's wording; one short window that covers the question gets a second look.
            window, cover = best_window(q, hits, parts.idf, s.retry_tokens, cost)
            if (window is not None and cover >= s.retry_coverage
                    and names_covered(q, window.chunk.text, parts.state.doc_text(window.chunk.source))):
                yield Restart("只看最相关的一段资料，再试一次")
                second, numbered = yield from self._generate(q, [window], timings, t0, RETRY_SYSTEM_PROMPT)
                retried = self._finish(q, second, hits, [window], timings, numbered)
                if retried.status == Status.ANSWERED:
                    answer = retried
        if answer.reason == Reason.UNVERIFIED or answer.reason == Reason.MODEL_REFUSED and kind == Kind.YES_NO:
            answer = self._quote_instead(answer, first)
        return answer

    def _summary(self, q: str, source: str, hits: list[Hit], timings: Timings, t0: float):
        """One document summarised part by part (Progress after each), every point a sentence of it;
        cached per document version. Returns the Answer, or None when nothing could be quoted."""
        parts = self._loaded()
        state = parts.state
        text = state.doc_text(source)
        cache = SummaryCache(self.settings.index_dir / "summaries")
        spans = cache.get(text)
        if spans is None:
            found = []
            for done, total, point in summarize(text, parts.idf):
                found.append(point)
                yield Progress(done, total)
            spans = reduce(text, found)
            cache.put(text, spans)
        cut = parts_of(text)
        points = as_points(source, [(s.start, s.end) for s in spans],
                           [state.chunks[r] for r in sorted(state.rows_of({source}))],
                           [title_of(text, s.start, cut) for s in spans])
        if points is None:
            return None
        timings.total_ms = (time.perf_counter() - t0) * 1000
        return Answer(q, Status.ANSWERED, points.text, citations=points.citations, hits=hits,
                      passages=points.passages, statements=points.statements, timings=timings, kind=Kind.SUMMARY)

    def _points(self, q: str, kind: Kind, allowed: set[int] | None, timings: Timings, t0: float,
                scoped: bool) -> Answer | None:
        """The enumeration a document writes out that answers a list question, as quoted points. The
        enumeration may sit beyond the passages a fact needs: more of them are searched (POINTS_HITS)."""
        parts = self._loaded()
        state = parts.state
        hits = parts.retriever.search(q, max(POINTS_HITS, self.settings.top_k), allowed=allowed)
        def chunks_of(source: str) -> list[Chunk]:
            return [state.chunks[r] for r in sorted(state.rows_of({source}))]

        def home_at(source: str, at: int) -> str:
            return parts.home_at(source, at)

        found = points_answer(q, kind, hits, state.doc_text, chunks_of, parts.idf, home_at, scoped) \
            or item_answer(q, kind, hits, state.doc_text, chunks_of, home_at)
        if found is None:
            return None
        timings.total_ms = (time.perf_counter() - t0) * 1000
        return Answer(q, Status.ANSWERED, found.text, citations=found.citations, hits=hits,
                      passages=found.passages, statements=found.statements, timings=timings, kind=kind)

    def _generate(self, q: str, passages: list[Hit], timings: Timings, t0: float, system: str = ""):
        """Stream one generation as Token events; returns (text, the numbered sentences it cites).

        The model cites sentence numbers; the streamed text carries passage numbers, as shown."""
        stats = GenerationStats()
        t_gen = time.perf_counter()
        pieces: list[str] = []
        numbered = numbered_passages(passages, by_passage=self.settings.cite == "passage")

        def raw():
            for piece in self.generator.stream(build_messages(q, passages, system, numbered),
                                               max_tokens=self.settings.max_tokens, stats=stats):
                pieces.append(piece)
                yield piece

        for shown in numbered.stream_passages(raw()):
            yield Token(shown)
        if not timings.first_token_ms:
            timings.first_token_ms = (t_gen - t0) * 1000 + stats.first_token_ms
        timings.prompt_tokens += stats.prompt_tokens
        timings.completion_tokens += stats.completion_tokens
        return "".join(pieces).strip(), numbered

    def _quote_instead(self, refused: Answer, numbered: Sentences) -> Answer:
        """The retrieved sentence that holds what was asked, shown as it stands, when the draft failed."""
        parts = self._loaded()
        passages = refused.passages
        homes = {p.chunk.chunk_id: parts.home_of(p.chunk) for p in passages}
        found = quote_instead(refused.question, passages, numbered, homes)
        if found is None:
            return refused
        return replace(refused, status=Status.QUOTED, answer=found.text, citations=[found.citation],
                       statements=[found.statement], reason=Reason.NONE, why=None)

    def _finish(self, q: str, draft: str, hits: list[Hit], passages: list[Hit], timings: Timings,
                numbered: Sentences) -> Answer:
        parts = self._loaded()
        homes = {p.chunk.chunk_id: parts.home_of(p.chunk) for p in passages}
        checked = check_answer(draft, q, passages, homes, numbered)
        base = dict(question=q, hits=hits, passages=passages, statements=checked.statements,
                    timings=timings, draft=draft)
        if not draft or checked.refused:
            return Answer(status=Status.NOT_FOUND, answer=NOT_FOUND_TEXT, reason=Reason.MODEL_REFUSED, **base)
        why = unanswered(checked, q, passages)
        if why:
            return Answer(status=Status.NOT_FOUND, answer=f"{NOT_FOUND_TEXT}（{why.words()}）", reason=Reason.UNVERIFIED,
                          why=why, **base)
        shown = numbered.to_passages(draft)
        text = tidy_citations(align_numerals(recite(shown, checked.statements), [p.chunk.text for p in passages]),
                              len(passages))
        return Answer(status=Status.ANSWERED, answer=text, citations=checked.citations, **base)


def _no_tokens(gen):
    """Runs one of several answers without streaming its text (the joined answer is shown when all
    are done); its other events pass on. Returns what the answer returns; a stop closes it at once."""
    try:
        while True:
            try:
                ev = next(gen)
            except StopIteration as stop:
                return stop.value
            if not isinstance(ev, (Token, Restart)):
                yield ev
    finally:
        gen.close()
