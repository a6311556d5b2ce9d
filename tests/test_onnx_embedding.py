"""The int8 ONNX Runtime embedder: converted once from a verified folder, checked, stamped, chosen per index."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answer.pipeline import make_embedder
from assistant.core import models
from assistant.core.config import Settings
from assistant.core.errors import InputError
from assistant.index.embedding import SentenceTransformerEmbedder
from assistant.index.manifest import EmbeddingInfo, Manifest
from assistant.index.onnx_embedding import BACKEND, STAMP, OnnxEmbedder, converted_dir, is_ready
from assistant.index.store import Index

from .conftest import MODELS, need
from .fakes import HashEmbedder
from .test_cli import minilm

SENTENCES = ["市政府召开常务会议，研究部署防汛工作。", "全年新增城镇就业3.2万人。", "今天天气晴朗。",
             "核心数据应当部署在本单位机房。"]


def _manifest(backend: str, path: str = "") -> Manifest:
    return Manifest(1, EmbeddingInfo("m", "f", 8, path, backend), None, None, "", "", 0, 0)


def test_the_backend_follows_the_index_then_the_setting(tmp_path):
    folder = tmp_path / "own-model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]", "utf-8")
    s = Settings(models_dir=tmp_path / "models", embed_model=str(folder))
    assert isinstance(make_embedder(s), SentenceTransformerEmbedder)  # auto: torch for a folder of one's own
    assert isinstance(make_embedder(s, _manifest(BACKEND)), OnnxEmbedder)  # the index says how it was built
    assert isinstance(make_embedder(s, _manifest("")), SentenceTransformerEmbedder)  # indexes from before: torch
    forced = s.with_overrides(embed_backend=BACKEND)
    emb = make_embedder(forced)
    assert isinstance(emb, OnnxEmbedder) and emb.converted == converted_dir(forced.models_dir, folder)
    assert emb.fingerprint.endswith("+onnx-int8.2")  # not converted yet: it will be by the current conversion
    assert emb.fingerprint != SentenceTransformerEmbedder(folder).fingerprint
    with pytest.raises(InputError, match="embed_backend"):
        Settings(embed_backend="gpu")


def test_the_manifest_records_the_backend_and_reads_old_ones(settings, docs_dir):
    emb = HashEmbedder()
    emb.backend = BACKEND
    Index(settings.index_dir).update([str(docs_dir)], emb, chunk_size=settings.chunk_size,
                                     chunk_overlap=settings.chunk_overlap)
    gen = Index(settings.index_dir).current()
    data = json.loads((gen / "manifest.json").read_text("utf-8"))
    assert data["embedding"]["backend"] == BACKEND
    del data["embedding"]["backend"]  # as an index written before the choice existed
    (gen / "manifest.json").write_text(json.dumps(data), "utf-8")
    assert Index(settings.index_dir).manifest().embedding.backend == ""


@pytest.mark.real
def test_a_small_model_converts_once_and_stays_close_to_torch(tmp_path):
    source = minilm()
    out = tmp_path / "converted"
    emb = OnnxEmbedder(source, out)
    got = emb.embed_documents(SENTENCES)  # first use converts
    stamp = json.loads((out / STAMP).read_text("utf-8"))
    assert stamp["backend"] == BACKEND and stamp["probe_cosine_min"] >= 0.98 and "model.onnx" in stamp["files"]
    assert all(len(digest) == 64 for _size, digest in stamp["files"].values())
    assert is_ready(out, source)
    want = SentenceTransformerEmbedder(source).embed_documents(SENTENCES)
    assert got.shape == want.shape and float((got * want).sum(axis=1).min()) > 0.98
    assert emb.embed_documents([]).shape == (0, want.shape[1])
    (out / "model.onnx").write_bytes(b"damaged")  # a changed file is noticed and converted again
    assert not is_ready(out, source)
    again = OnnxEmbedder(source, out).embed_documents(SENTENCES[:1])
    assert is_ready(out, source) and float(again[0] @ want[0]) > 0.98


@pytest.mark.real
def test_the_bundled_model_runs_int8_by_default_and_ranks_like_fp32():
    folder = need(MODELS / models.SPECS[models.DEFAULT_EMBEDDING].target, "EmbeddingGemma")
    emb = make_embedder(Settings(models_dir=MODELS))
    assert isinstance(emb, OnnxEmbedder)
    fast = emb.embed_documents(SENTENCES)
    exact = SentenceTransformerEmbedder(folder).embed_documents(SENTENCES)
    assert float((fast * exact).sum(axis=1).min()) > 0.98
    q = emb.embed_queries(["汛期前要做哪些准备？"])[0]
    assert int(np.argmax(fast @ q)) == 0
    several = emb.embed_queries(["汛期前要做哪些准备？", "全年新增城镇就业多少人？", "今天天气怎么样"])
    assert np.array_equal(several[0], q)  # a question's vector does not depend on the others asked with it
