"""One settings object, built at the edge (CLI, UI) and passed down. Nothing is read at import."""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from assistant.core.errors import Code, InputError
from assistant.core.records import ASIDE_KINDS


def project_home() -> Path:
    """Folder that holds models/ and index/: $ASSISTANT_HOME, else the checkout, else cwd."""
    env = os.environ.get("ASSISTANT_HOME")
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]  # assistant/core/config.py -> the checkout
    if (checkout / "models" / "README.md").is_file():
        return checkout
    return Path.cwd()


def physical_cores() -> int:
    try:
        import psutil  # only for the physical core count

        n = psutil.cpu_count(logical=False)
    except ImportError:  # pragma: no cover - psutil is a declared dependency
        n = None
    return max(1, n or os.cpu_count() or 1)


def setting(default, help: str, bounds: tuple[float, float] | None = None, **kw):  # noqa: A002 - argparse's word
    """A settings field with its one-line description and, for numbers, its bounds."""
    extra = {"default_factory": default} if callable(default) else {"default": default}
    return field(**extra, metadata={"help": help, "bounds": bounds}, **kw)


def is_server_url(url: str) -> bool:
    """An http(s) address with a host: what a model server's --llm-url must be."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Settings:
    """Every setting, described once: `assistant.toml`, the CLI flags and their help all read this."""

    # where things live
    models_dir: Path = setting(lambda: project_home() / "models", "folder of installed models")
    index_dir: Path = setting(lambda: project_home() / "index" / "default", "index folder")
    store: str = setting("", "where a new index keeps its documents: milvus:FILE.db or milvus:http://HOST:19530[#NAME] "
                         "(empty: the index folder); an existing index uses the one it recorded")
    chat_model: str = setting("", "chat model, a GGUF file (empty: the bundled one)")
    llm_url: str = setting("", "an OpenAI-compatible model server, e.g. http://host:8080/v1 (empty: the local model)")
    llm_model: str = setting("", "the model's name on that server (empty: the one it serves, when it serves one)")
    llm_key_file: str = setting("", "file whose first line is the server's API key (empty: none)")
    llm_timeout: float = setting(120.0, "seconds to wait for the model server's next piece of answer", (1.0, 3600.0))
    llm_parallel: int = setting(4, "questions and batch rows answered at once on the model server (set it to the "
                                "server's parallel slots); the local model answers one at a time", (1, 64))
    llm_retries: int = setting(2, "times to try again when the model server cannot be reached", (0, 10))
    embed_model: str = setting("", "sentence-transformers folder (empty: the one the index was built with)")
    embed_backend: str = setting("auto", "how a new index embeds: onnx-int8 (ONNX Runtime, int8; converted once), torch "
                                 "(sentence-transformers, fp32), auto (onnx-int8 for the bundled model, torch for "
                                 "others); an existing index keeps the one it was built with")
    # chunking
    chunk_size: int = setting(260, "target characters per chunk", (50, 5000))
    chunk_overlap: int = setting(60, "characters carried over from the previous chunk", (0, 2000))
    index_asides: str = setting("", "also index these, each under its own label and never mixed into the body: "
                                "notes (slide speaker notes), comments (Word comments); comma-separated "
                                "(empty: left out and counted). Changing it needs `index --rebuild`")
    max_chunks_per_file: int = setting(20_000, "a file that makes more chunks is skipped (about 5 million characters)",
                                       (1, 10_000_000))
    file_time_limit: int = setting(1200, "seconds one file may take to read (OCR included) in the reader process; "
                                   "0: read in this process, no limits", (0, 86400))
    file_memory_mb: int = setting(4096, "memory the reader process may use, in MB", (256, 262144))
    # retrieval
    top_k: int = setting(5, "passages to retrieve", (1, 100))
    candidates: int = setting(30, "how many each side (dense, lexical) proposes before fusion", (1, 1000))
    dense_weight: float = setting(0.5, "share of the dense side in the fused score", (0.0, 1.0))
    fusion: str = setting("score", "score: normalized scores (keeps a lead's size); rrf: ranks only; zscore; "
                          "adaptive: each side counts as much as its leader stands out")
    rerank: int = setting(10, "leading fused passages scored again by their best-matching sentence, which costs "
                          "embedding those passages' sentences per question (0: off)", (0, 100))
    min_dense: float = setting(0.0, "refuse without asking the model when no passage is this similar", (-1.0, 1.0))
    # generation
    n_ctx: int = setting(4096, "the model's context window, in tokens", (512, 131072))
    aside_ctx: int = setting(2048, "a second context for follow-up rewrites and retries, so the answer "
                             "instructions stay computed (0: one context)", (0, 131072))
    n_threads: int = setting(0, "CPU threads (0: the machine's physical cores)", (0, 512))
    n_gpu_layers: int = setting(-1, "layers to offload when llama.cpp has GPU support (-1: all, 0: none)", (-1, 1000))
    max_tokens: int = setting(256, "longest answer, in tokens", (16, 4096))
    seed: int = setting(1337, "sampling seed (answers are greedy; kept for reproducibility)", (0, 2**31 - 1))
    passage_tokens: int = setting(440, "passage text the model reads, in the chat model's tokens: the first word "
                                  "of an answer waits until all of it is read", (50, 32000))
    passage_tokens_per_hit: int = setting(190, "window around the best sentence of each hit, in tokens", (20, 32000))
    retry_coverage: float = setting(0.6, "after a refusal, retry on one window covering this share of the question",
                                    (0.0, 1.0))
    retry_tokens: int = setting(100, "size of that window, in tokens", (20, 2000))
    cite: str = setting("passage", "what the model's [n] marks name: passage (the program finds the sentence a "
                        "statement rests on; the more accurate with the bundled 1.5B model, docs/benchmarks.md) or "
                        "sentence (every sentence numbered, the model names the words it rests on)")

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = f.metadata.get("bounds") or (None, None)
            value = getattr(self, f.name)
            if lo is not None and (not isinstance(value, int | float) or isinstance(value, bool)
                                   or not lo <= value <= hi):
                raise InputError(Code.SETTING_RANGE, name=f.name, value=value, lo=lo, hi=hi)
        if self.chunk_overlap >= self.chunk_size:
            raise InputError(Code.SETTING_OVERLAP, overlap=self.chunk_overlap, size=self.chunk_size)
        if self.fusion not in ("score", "rrf", "zscore", "adaptive"):
            raise InputError(Code.SETTING_FUSION, value=self.fusion)
        if self.llm_url and not is_server_url(self.llm_url):
            raise InputError(Code.LLM_URL, url=self.llm_url)
        if self.embed_backend not in ("auto", "onnx-int8", "torch"):
            raise InputError(Code.SETTING_BACKEND, value=self.embed_backend)
        if self.cite not in ("sentence", "passage"):
            raise InputError(Code.SETTING_CITE, value=self.cite)
        if not set(self.asides) <= set(ASIDE_KINDS):
            raise InputError(Code.SETTING_ASIDES, value=self.index_asides)

    def with_overrides(self, **kw) -> Settings:
        """Copy with the non-None values of `kw` applied (flags left unset keep the config)."""
        known = {f.name for f in fields(self)}
        vals = {k: v for k, v in kw.items() if v is not None and k in known}
        for k in ("models_dir", "index_dir"):
            if k in vals:
                vals[k] = Path(vals[k]).expanduser()
        return replace(self, **vals)

    @property
    def asides(self) -> tuple[str, ...]:
        """index_asides as names: "notes, comments" -> ("comments", "notes")."""
        return tuple(sorted({x.strip() for x in self.index_asides.replace("，", ",").split(",") if x.strip()}))

    @property
    def threads(self) -> int:
        return self.n_threads or physical_cores()


# settings whose name (and unit) changed: an old file is told the new name instead of "unknown"
RENAMED = {"passage_chars": "passage_tokens", "passage_chars_per_hit": "passage_tokens_per_hit",
           "retry_chars": "retry_tokens"}


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Settings from a TOML file (given, or `assistant.toml` in the home folder), else defaults."""
    candidate = Path(path) if path else project_home() / "assistant.toml"
    if not candidate.is_file():
        if path:
            raise InputError(Code.CONFIG_NOT_FOUND, path=candidate)
        return Settings()
    try:
        data = tomllib.loads(candidate.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(Code.CONFIG_NOT_TOML, path=candidate, detail=e) from None
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    renamed = [f"{old} -> {RENAMED[old]}" for old in unknown if old in RENAMED]
    if renamed:
        raise InputError(Code.CONFIG_RENAMED, path=candidate, names=", ".join(renamed))
    if unknown:
        raise InputError(Code.CONFIG_UNKNOWN, path=candidate, names=", ".join(unknown))
    return Settings().with_overrides(**data)


def describe(name: str) -> str:
    """A setting's help line for the CLI: its description and its default (and bounds)."""
    f = next(x for x in fields(Settings) if x.name == name)
    default = f.default if f.default is not MISSING else None
    if f.default_factory is not MISSING:  # a folder under the project home: shown relative to it
        made = f.default_factory()
        default = made.relative_to(project_home()) if isinstance(made, Path) and made.is_relative_to(
            project_home()) else made
    shown = "" if default in ("", None) else f" (default {default}"
    bounds = f.metadata.get("bounds")
    if shown and bounds:
        shown += f"; {bounds[0]:g} to {bounds[1]:g}"
    return f.metadata["help"] + (shown + ")" if shown else "")
