"""One settings object, built at the edge (CLI, UI) and passed down. Nothing is read at import."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from assistant.core.errors import Code, InputError


def project_home() -> Path:
    """Folder that holds models/ and index/: $ASSISTANT_HOME, else the checkout, else cwd."""
    env = os.environ.get("ASSISTANT_HOME")
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
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


@dataclass(frozen=True)
class Settings:
    # where things live
    models_dir: Path = field(default_factory=lambda: project_home() / "models")
    index_dir: Path = field(default_factory=lambda: project_home() / "index" / "default")
    chat_model: str = ""  # a GGUF path; empty: the bundled default in models_dir
    embed_model: str = ""  # a sentence-transformers folder; empty: the bundled default
    # chunking
    chunk_size: int = 260  # target characters per chunk
    chunk_overlap: int = 60  # characters carried over from the previous chunk
    max_chunks_per_file: int = 20_000  # a file that makes more chunks is skipped (about 5 million characters)
    # retrieval
    top_k: int = 5
    candidates: int = 30  # how many each side (dense, lexical) proposes before fusion
    dense_weight: float = 0.5  # share of the dense side in the fused score (0..1)
    fusion: str = "score"  # "score": normalized scores (keeps the size of a lead); "rrf": ranks only
    min_dense: float = 0.0  # refuse without asking the model when no passage is this similar
    # generation
    n_ctx: int = 4096
    n_threads: int = 0  # 0: the machine's physical cores
    n_gpu_layers: int = -1  # layers to offload when llama.cpp has GPU support; -1 all
    max_tokens: int = 256
    seed: int = 1337
    passage_chars: int = 700  # passage text the model reads; prompt time grows with it
    passage_chars_per_hit: int = 300  # window around the best sentence of each hit
    retry_coverage: float = 0.6  # after a refusal, retry on one window covering this share of the question
    retry_chars: int = 160  # size of that window

    def __post_init__(self) -> None:
        bounds = {"top_k": (1, 100), "candidates": (1, 1000), "chunk_size": (50, 5000), "chunk_overlap": (0, 2000),
                  "max_chunks_per_file": (1, 10_000_000), "max_tokens": (16, 4096), "n_ctx": (512, 131072),
                  "n_threads": (0, 512), "passage_chars": (100, 20000), "passage_chars_per_hit": (50, 20000),
                  "retry_chars": (40, 2000), "dense_weight": (0.0, 1.0), "retry_coverage": (0.0, 1.0)}
        for name, (lo, hi) in bounds.items():
            value = getattr(self, name)
            if not isinstance(value, int | float) or not lo <= value <= hi:
                raise InputError(Code.SETTING_RANGE, name=name, value=value, lo=lo, hi=hi)
        if self.chunk_overlap >= self.chunk_size:
            raise InputError(Code.SETTING_OVERLAP, overlap=self.chunk_overlap, size=self.chunk_size)
        if self.fusion not in ("score", "rrf", "zscore"):
            raise InputError(Code.SETTING_FUSION, value=self.fusion)

    def with_overrides(self, **kw) -> Settings:
        """Copy with the non-None values of `kw` applied (flags left unset keep the config)."""
        known = {f.name for f in fields(self)}
        vals = {k: v for k, v in kw.items() if v is not None and k in known}
        for k in ("models_dir", "index_dir"):
            if k in vals:
                vals[k] = Path(vals[k]).expanduser()
        return replace(self, **vals)

    @property
    def threads(self) -> int:
        return self.n_threads or physical_cores()


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
    if unknown:
        raise InputError(Code.CONFIG_UNKNOWN, path=candidate, names=", ".join(unknown))
    return Settings().with_overrides(**data)
