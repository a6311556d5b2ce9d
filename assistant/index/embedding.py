"""Embedders: a small interface and the sentence-transformers implementation."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.core.errors import Code, ModelMissingError

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
               "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
               "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}


def force_offline() -> None:
    """Tell the hub libraries never to reach the network (set before they are imported)."""
    os.environ.update(OFFLINE_ENV)


class Embedder(Protocol):
    name: str  # human-readable, recorded in the index manifest
    fingerprint: str  # identity of the weights: an index is refused under another one

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def folder_fingerprint(path: Path) -> str:
    """Identity of a model folder from its file names, sizes and small config files."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = f.relative_to(path).as_posix()
        h.update(f"{rel}:{f.stat().st_size}\n".encode())
        if f.suffix == ".json" and f.stat().st_size < 1_000_000:
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder; GPU when torch sees one, else CPU."""

    backend = "torch"

    def __init__(self, path: str | Path, *, batch_size: int = 16, device: str | None = None):
        self.path = Path(path)
        if not (self.path / "modules.json").is_file() and not (self.path / "config.json").is_file():
            raise ModelMissingError(Code.EMBEDDER_MISSING, path=self.path)
        self.name = self.path.name
        self.fingerprint = folder_fingerprint(self.path)
        self.batch_size = batch_size
        self._device = device
        self._model = None

    def _load(self):
        if self._model is None:
            force_offline()
            import torch  # heavy: imported on first use only
            from sentence_transformers import SentenceTransformer

            device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _prompt(self, kind: str) -> str | None:
        prompts = getattr(self._load(), "prompts", None) or {}
        return kind if kind in prompts else None

    def _encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        vecs = model.encode(
            list(texts),
            prompt_name=self._prompt(kind),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype="float32")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "document")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")
