"""The embedder on ONNX Runtime with int8 weights: the same model, converted once from its verified folder.

The conversion (index/onnx_convert.py) keeps the transformer, pooling, dense layers and
normalization in one ONNX graph that starts from the token embeddings. The token table itself
stays where it is, in the verified model.safetensors, read here through a memory map: only the
rows of the tokens in use are paged in, and the converted folder holds no second copy of it.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.core.errors import Code, ModelMissingError
from assistant.index.embedding import folder_fingerprint, force_offline

BACKEND = "onnx-int8"
CONVERSION = 2  # 2: down_proj in per-token int8 and RMSNorm fused (onnx_graph.py); 1 (no field): neither
STAMP = "converted.json"
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}


def converted_dir(models_dir: Path, source: Path) -> Path:
    return models_dir / "converted" / f"{Path(source).name}-{BACKEND}"


def stamp_of(folder: Path) -> dict:
    try:
        return json.loads((folder / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def is_ready(folder: Path, source: Path) -> bool:
    """Converted from this very source folder, every file present with its recorded size."""
    stamp = stamp_of(folder)
    if (stamp.get("source_fingerprint") != folder_fingerprint(source) or stamp.get("backend") != BACKEND
            or "table" not in stamp):
        return False
    files = stamp.get("files") or {}
    return bool(files) and all((folder / name).is_file() and (folder / name).stat().st_size == size
                               for name, (size, _digest) in files.items())


def token_table(source: Path, where: dict) -> np.ndarray:
    """The token-embedding matrix inside a safetensors file, memory-mapped (read-only, no copy)."""
    path = source / where["file"]
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    meta = header[where["key"]]
    start, end = meta["data_offsets"]
    return np.memmap(path, dtype=_DTYPES[meta["dtype"]], mode="r", offset=8 + size + start,
                     shape=tuple(meta["shape"]))


def gather(table: np.ndarray, ids: np.ndarray, scale: float) -> np.ndarray:
    """Rows of the table for the token ids, as float32, times the model's embedding scale."""
    rows = np.asarray(table[ids.reshape(-1)])
    if rows.dtype == np.uint16:  # bfloat16: the high half of a float32
        rows = (rows.astype(np.uint32) << 16).view(np.float32)
    rows = rows.astype(np.float32, copy=False) * np.float32(scale)
    return rows.reshape(*ids.shape, table.shape[1])


class OnnxEmbedder:
    """The Embedder interface over a converted model; batches sorted by length so little is padded."""

    backend = BACKEND

    def __init__(self, source: str | Path, converted: str | Path, *, batch_size: int = 16, threads: int = 0,
                 convert_missing: bool = True):
        if not (Path(source) / "modules.json").is_file():
            raise ModelMissingError(Code.EMBEDDER_MISSING, path=source)
        self.path = Path(source)
        self.converted = Path(converted)
        self.name = self.path.name
        # vectors of another conversion differ (cosine ~0.993 to each other): an index records which one it has
        version = stamp_of(self.converted).get("conversion", 1) if is_ready(self.converted, self.path) else CONVERSION
        self.fingerprint = f"{folder_fingerprint(self.path)}+{BACKEND}" + (f".{version}" if version > 1 else "")
        self.batch_size = batch_size
        self.threads = threads
        self.convert_missing = convert_missing  # first use converts (off while a conversion checks itself)
        self._session = None

    def _load(self):
        if self._session is None:
            force_offline()
            import onnxruntime as ort
            from transformers import AutoTokenizer

            if self.convert_missing and not is_ready(self.converted, self.path):  # first use: convert, once
                from assistant.index.onnx_convert import convert

                convert(self.path, self.converted, progress=lambda m: print(m, file=sys.stderr))
            model = self.converted / "model.onnx"
            stamp = stamp_of(self.converted)
            if not model.is_file() or "table" not in stamp:
                raise ModelMissingError(Code.EMBEDDER_MISSING, path=model)
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads or (os.cpu_count() or 1)
            options.log_severity_level = 3
            self._tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self._config = st_config(self.path)
            self._table = token_table(self.path, stamp["table"])
            self._scale = float(stamp["table"]["scale"])
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        return self._session

    @property
    def dim(self) -> int:
        out = self._load().get_outputs()[0].shape[-1]
        return int(out) if isinstance(out, int) else int(self._encode(["一"], "query").shape[1])

    def _encode(self, texts: Sequence[str], kind: str, *, check: bool = True) -> np.ndarray:
        session = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype="float32")
        prompt = self._config.get("prompts", {}).get(kind, "")
        texts = [prompt + t for t in texts]
        limit = int(self._config.get("max_seq_length") or 2048)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: np.ndarray | None = None
        for lo in range(0, len(order), self.batch_size):
            rows = order[lo:lo + self.batch_size]
            enc = self._tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=limit,
                                  return_tensors="np")
            embeds = gather(self._table, enc["input_ids"], self._scale)
            vecs = session.run(None, {"inputs_embeds": embeds,
                                      "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
            if out is None:
                out = np.zeros((len(texts), vecs.shape[1]), dtype="float32")
            out[rows] = vecs
        if check and not np.isfinite(out).all():
            raise ModelMissingError(Code.EMBEDDER_CONVERSION, path=self.converted, cosine=float("nan"))
        return out

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "document")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Each question on its own: activations are quantized with one scale per call, so a question
        embedded beside others would get a slightly different vector (1 - cosine about 0.006), and a
        batch of questions could retrieve otherwise than the same questions asked one by one."""
        if not texts:
            return self._encode(texts, "query")
        return np.vstack([self._encode([t], "query") for t in texts])


def st_config(folder: Path) -> dict:
    """The prompts and the longest input of a sentence-transformers folder, read from its JSON files."""
    out: dict = {}
    for name in ("config_sentence_transformers.json", "sentence_bert_config.json"):
        try:
            out.update(json.loads((folder / name).read_text("utf-8")))
        except (OSError, ValueError):
            pass
    return out
