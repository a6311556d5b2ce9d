"""Text generation: a small interface and the llama.cpp implementation."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.core.errors import Code, ModelMissingError


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_ms: float = 0.0
    total_ms: float = 0.0


CHARS_PER_TOKEN = 1.6  # Chinese text per token of a Qwen-family tokenizer (about 2 on government prose; kept low)


def estimated_tokens(text: str) -> int:
    """Tokens a text costs when the model's own tokenizer is not at hand (a model server)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


class Generator(Protocol):
    name: str

    def count_tokens(self, text: str) -> int:
        """The tokens `text` costs in the model's prompt (exact, or estimated when the tokenizer is remote)."""
        ...

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        """Yield text pieces; fill `stats` when given. Deterministic for the same input."""
        ...


def check_gguf(path: Path) -> None:
    if not path.is_file():
        raise ModelMissingError(Code.CHAT_MODEL_MISSING, path=path)
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelMissingError(Code.CHAT_MODEL_NOT_GGUF, path=path)


MAIN, ASIDE = "main", "aside"  # a LlamaGenerator's contexts: the answers', and the other prompts'


class LlamaGenerator:
    """A GGUF model through llama-cpp-python; calls serialized by a lock.

    llama.cpp reuses the part of a prompt that matches the one before it, so a question after a
    question re-reads only what differs: the fixed instructions stay computed. A prompt with other
    instructions (a follow-up rewrite, a retry) would evict them, and the next question would read
    them again (300-odd tokens, seconds on two cores). Those prompts go to a second, smaller context
    over the same weights (memory-mapped once): `keep` names the instructions the first one keeps."""

    def __init__(self, path: str | Path, *, n_ctx: int = 4096, n_threads: int = 2,
                 n_gpu_layers: int = -1, seed: int = 1337, keep: tuple[str, ...] = (), aside_ctx: int = 0):
        self.path = Path(path)
        check_gguf(self.path)
        self.name = self.path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.n_gpu_layers = n_gpu_layers
        self.seed = seed
        self.keep = keep  # system prompts whose computed state the main context keeps
        self.aside_ctx = aside_ctx  # the second context's window; 0: one context for every prompt
        self._llms: dict[str, object] = {}
        self.lock = threading.Lock()  # one generation at a time on the one model
        self._load_lock = threading.Lock()

    def context_of(self, messages: list[dict[str, str]]) -> str:
        """MAIN for the kept instructions (and for everything when there is one context), else ASIDE."""
        system = messages[0]["content"] if messages and messages[0].get("role") == "system" else ""
        return MAIN if not self.aside_ctx or not self.keep or system in self.keep else ASIDE

    def _load(self, which: str = MAIN):
        with self._load_lock:
            return self._load_locked(which)

    def _load_locked(self, which: str = MAIN):
        if which not in self._llms:
            import llama_cpp  # heavy: imported on first use only

            gpu = llama_cpp.llama_supports_gpu_offload()
            try:
                self._llms[which] = llama_cpp.Llama(
                    model_path=str(self.path),
                    n_ctx=self.n_ctx if which == MAIN else self.aside_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_gpu_layers=self.n_gpu_layers if gpu else 0,
                    seed=self.seed,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as e:
                raise ModelMissingError(Code.CHAT_MODEL_UNLOADABLE, path=self.path, detail=e) from None
        return self._llms[which]

    def count_tokens(self, text: str) -> int:
        return len(self._load(MAIN).tokenize(text.encode(), add_bos=False, special=False))

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int,
               stats: GenerationStats | None = None) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        with self.lock:
            llm = self._load(self.context_of(messages))
            t0 = time.perf_counter()
            pieces = llm.create_chat_completion(
                messages=messages, temperature=0.0, top_k=1, top_p=1.0, repeat_penalty=1.0,
                max_tokens=max_tokens, seed=self.seed, stream=True,
            )
            n = 0
            for part in pieces:
                delta = part["choices"][0].get("delta", {}).get("content")
                if not delta:
                    continue
                if n == 0:
                    stats.first_token_ms = (time.perf_counter() - t0) * 1000
                n += 1
                yield delta
            stats.completion_tokens = n
            stats.prompt_tokens = max(0, llm.n_tokens - n)
            stats.total_ms = (time.perf_counter() - t0) * 1000
